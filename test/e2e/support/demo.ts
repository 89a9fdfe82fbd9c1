import type { Browser, Page } from 'playwright-core';
import { beforeAll } from 'vitest';
import { launchBrowser, newPerson, visit } from './browser';
import { logIn } from './eid';
import { startPortal, type RunningPortal } from './portal';

export interface DemoRun {
  /** The running portal with the demo data (after the file's first beforeAll). */
  readonly portal: RunningPortal;
  readonly browser: Browser;
  /** A new person's page (own cookies), on the start page, logged in with the development e-ID. */
  readonly loggedIn: (personalIdentityNumber: string) => Promise<Page>;
}

/**
 * The demo portal and a browser for the test file that calls this at its top: both started in a beforeAll, closed
 * after the file (hooks registered inside beforeAll do not run in this vitest, so the clean-up is returned instead).
 */
export function demoPortalAndBrowser(): DemoRun {
  let started: { portal: RunningPortal; browser: Browser } | undefined;
  const running = () => {
    if (!started) throw new Error('the portal is started in beforeAll');
    return started;
  };
  beforeAll(async () => {
    const [portal, browser] = await Promise.all([startPortal({ demo: true }), launchBrowser()]);
    started = { portal, browser };
    return async () => {
      await browser.close();
      await portal.close();
    };
  });
  return {
    get portal() {
      return running().portal;
    },
    get browser() {
      return running().browser;
    },
    loggedIn: async (personalIdentityNumber) => {
      const { portal, browser } = running();
      const page = await newPerson(browser, portal.baseUrl);
      await visit(page, '/');
      await logIn(page, personalIdentityNumber);
      return page;
    },
  };
}
