import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium): Playwright's own browser download does not work here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const VIEWPORT = { width: 1280, height: 800 } as const;
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../../docs/screenshots');

/** One headless Chromium for the file (launch makes it a fresh user-data folder); the file closes it. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return browser;
}

/**
 * A person at their own computer: a fresh context (no cookies), Swedish, the fixed viewport. `autoSubmit: false`
 * keeps the portal's auto-submit script from loading, as in a browser without JavaScript: the SAML hand-over pages
 * then stay on screen until the person presses their button (axe cannot run with JavaScript itself turned off).
 */
export async function newPerson(
  browser: Browser,
  baseUrl: string,
  options: { autoSubmit?: boolean } = {},
): Promise<Page> {
  const context: BrowserContext = await browser.newContext({
    baseURL: baseUrl,
    viewport: VIEWPORT,
    locale: 'sv-SE',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && frame.url().startsWith('http')) visitedPages.add(new URL(frame.url()).pathname);
  });
  if (options.autoSubmit === false) {
    await page.route('**/js/auto-submit.js', (route) => route.fulfill({ contentType: 'text/javascript', body: '' }));
    handOverByHand.add(page);
  }
  return page;
}

const handOverByHand = new WeakSet<Page>();

/** Whether the SAML hand-over pages wait for the person's click on this page (see newPerson). */
export function autoSubmitOff(page: Page): boolean {
  return handOverByHand.has(page);
}

/** Every page (path) a browser of this file showed, and those checked with axe. */
const visitedPages = new Set<string>();
const checkedPages = new Set<string>();

/** The pages shown but never checked with axe (empty when the journeys checked every page they passed through). */
export function pagesNotChecked(): string[] {
  return [...visitedPages].filter((path) => !checkedPages.has(path));
}

/**
 * Runs axe with the WCAG 2.0 and 2.1 A and AA rules on the page as it is now and fails on any violation, listing
 * each rule, the elements it found and the page.
 */
export async function expectAccessible(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const url = new URL(page.url());
  checkedPages.add(url.pathname);
  const found = results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) => `${violation.id} (${violation.impact ?? 'no impact'}): ${violation.help} at ${node.target.join(' ')}`,
    ),
  );
  if (found.length > 0) {
    throw new Error(
      `axe violations on ${url.pathname}${url.search}:\n${found.map((line) => `  - ${line}`).join('\n')}`,
    );
  }
}

/**
 * Does something that loads a new page (a click, a form sent, an address typed) and waits for that page, then
 * checks it with axe. Redirects end on one page; the SAML hand-overs are left to the e-ID helpers.
 */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await Promise.all([loaded, action()]);
  await expectAccessible(page);
}

/** Opens a path of the portal, checked with axe; gives the HTTP status. */
export async function visit(page: Page, pathAndQuery: string): Promise<number> {
  const response = await page.goto(pathAndQuery);
  await expectAccessible(page);
  return response?.status() ?? 0;
}

/** Clicks a link or button that leads to another page, and checks that page. */
export function follow(page: Page, target: Locator): Promise<void> {
  return navigate(page, () => target.click());
}

/** The page's only h1. */
export function heading(page: Page): Locator {
  return page.getByRole('heading', { level: 1 });
}

/** Writes docs/screenshots/<name>.png of the whole page, at the fixed viewport. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** The element's text as shown (waits for it to be there), trimmed. */
export async function textOf(target: Locator): Promise<string> {
  return (await target.innerText()).trim();
}
