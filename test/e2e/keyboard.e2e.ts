import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/domain/identity-numbers';
import { expectAccessible, heading, navigate, newPerson, pagesNotChecked, textOf, visit } from './support/browser';
import { focused, tabTo, withId, withText } from './support/keyboard';
import { demoPortalAndBrowser } from './support/demo';
import { text } from './support/text';

/**
 * One journey with the keyboard alone (Tab, Enter, Space, and typing into fields): Johan Andersson, administrator of
 * 40102, logs in, opens the users, sends the new-user form with errors, follows the error summary's links to the
 * fields, corrects them and adds the user.
 */

const KIM = `19870606456${luhnCheckDigit('870606456')}`;

const run = demoPortalAndBrowser();

/** Presses a key that loads another page, and checks that page with axe. */
function pressToNavigate(page: Page, key: 'Enter' | 'Space'): Promise<void> {
  return navigate(page, () => page.keyboard.press(key));
}

describe('keyboard only', () => {
  let page: Page;

  it('the skip link is the first stop and moves focus to the main content', async () => {
    page = await newPerson(run.browser, run.portal.baseUrl);
    await visit(page, '/');
    const skip = await tabTo(page, withText(text('layout.skipToContent')), { limit: 1 });
    expect(skip.tag).toBe('a');
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('main');
  });

  it('logs in with e-ID from the keyboard', async () => {
    await tabTo(page, withText(text('start.login')));
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/dev-eid/authenticate');
    await expectAccessible(page);
    await tabTo(page, withId('personalIdentityNumber'));
    await page.keyboard.type('19121212-1212');
    await tabTo(page, withText(text('devEid.authenticate.authenticateButton')));
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/oversikt');
    await expectAccessible(page);
    expect(await textOf(page.getByTestId('current-person'))).toBe('Johan Andersson');
  });

  it('opens the users and the new-user form', async () => {
    await tabTo(page, withText(text('context.start.usersLink')));
    await pressToNavigate(page, 'Enter');
    expect(await textOf(heading(page))).toBe(text('permissions.overview.title'));
    await tabTo(page, withText(text('permissions.overview.addUser')));
    await pressToNavigate(page, 'Enter');
    expect(await textOf(heading(page))).toBe(text('permissions.newUser.title'));
  });

  it('sends the form with errors; each error-summary link moves focus to its field', async () => {
    await tabTo(page, withId('personalIdentityNumber'));
    await page.keyboard.type('19121212-1213');
    await tabTo(page, withId('name'));
    await page.keyboard.type('Kim Tangent');
    await tabTo(page, withId('email'));
    await page.keyboard.type('kim.tangent');
    await tabTo(page, withText(text('permissions.newUser.submit')));
    await pressToNavigate(page, 'Enter');

    // The summary sits above the form: Tab reaches its last link first; from each field Shift+Tab leads back up to
    // the link before it. Each link must move the focus to its field.
    const links = page.getByTestId('error-summary').getByRole('link');
    const errors = await Promise.all(
      (await links.all()).map(async (link) => ({
        text: await textOf(link),
        field: (await link.getAttribute('href'))?.slice(1) ?? '',
      })),
    );
    expect(errors.map((error) => error.field)).toEqual(['personalIdentityNumber', 'email', 'grants']);
    for (const [index, error] of [...errors.entries()].reverse()) {
      await tabTo(page, (element) => element.tag === 'a' && element.text === error.text, {
        backwards: index < errors.length - 1,
      });
      await page.keyboard.press('Enter');
      await page.waitForFunction((id) => document.activeElement?.id === id, error.field, { timeout: 5_000 });
      expect((await focused(page)).id).toBe(error.field);
    }
    // The input is kept.
    expect(await page.locator('#name').inputValue()).toBe('Kim Tangent');
  });

  it('corrects the fields, ticks a service with Space and adds the user', async () => {
    // The last link followed was the number's: the focus is in that field.
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(KIM);
    await tabTo(page, withId('email'));
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('kim.tangent@kulturarvsdata.example');
    const service = await tabTo(page, (element) => element.name === 'grants');
    await page.keyboard.press('Space');
    expect(await page.locator(`#${service.id}`).isChecked()).toBe(true);
    await tabTo(page, withText(text('permissions.newUser.submit')));
    await pressToNavigate(page, 'Enter');
    expect(await textOf(heading(page))).toContain('Kim Tangent');
    expect(await page.locator('[data-testid=service-row][data-granted=true]').count()).toBe(1);
  });
});

describe('accessibility', () => {
  it('the axe check fails on a page with a violation, naming the rule, the element and the page', async () => {
    const page = await newPerson(run.browser, run.portal.baseUrl);
    await visit(page, '/');
    await page.evaluate(() => {
      document.querySelector('h1')?.insertAdjacentHTML('afterend', '<input id="unlabelled" type="text">');
    });
    const failure = await expectAccessible(page).then(
      () => '',
      (error: unknown) => String(error),
    );
    expect(failure).toContain('label');
    expect(failure).toContain('#unlabelled');
    expect(failure).toContain('axe violations on /');
  });

  it('checked with axe every page the journeys above passed through', () => {
    expect(pagesNotChecked()).toEqual([]);
  });
});
