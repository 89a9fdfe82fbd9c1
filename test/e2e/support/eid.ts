import type { Page } from 'playwright-core';
import { autoSubmitOff, expectAccessible, follow, navigate } from './browser';
import { text } from './text';

/**
 * Answers the development e-ID as a person does: on its page picks themself in the list (or types their number),
 * presses the button (log in or sign), and goes on to the portal. The hand-over page posts the answer by itself,
 * or waits for the person to press its button (see newPerson). Every page on the way is checked with axe.
 */
export async function answerAtEid(page: Page, personalIdentityNumber: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/dev-eid/authenticate');
  await expectAccessible(page);
  const listed = page.locator(`input[name=person][value="${personalIdentityNumber}"]`);
  if ((await listed.count()) > 0) await listed.check();
  else await page.locator('#personalIdentityNumber').fill(personalIdentityNumber);
  const answer = page.locator('button[name=action][value=authenticate]');
  if (autoSubmitOff(page)) {
    await navigate(page, () => answer.click());
    await follow(page, page.getByRole('button', { name: text('devEid.continue.button') }));
  } else {
    await answer.click();
    await page.waitForURL((url) => !url.pathname.startsWith('/dev-eid') && url.pathname !== '/saml/acs');
    await expectAccessible(page);
  }
}

/** From a portal page with the login button: logs in with the development e-ID and lands back in the portal. */
export async function logIn(page: Page, personalIdentityNumber: string): Promise<void> {
  await page
    .getByRole('link', { name: text('start.login') })
    .first()
    .click();
  await answerAtEid(page, personalIdentityNumber);
}
