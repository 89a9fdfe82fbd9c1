import { describe, expect, it } from 'vitest';
import { stockholmDay } from '../../src/permissions/end-date';
import { follow, heading, textOf } from './support/browser';
import { demoPortalAndBrowser } from './support/demo';
import { text } from './support/text';

/** Time-limited permissions and appointments: the end-date fields, their error summaries, all checked with axe. */

const JOHAN = '191212121212';
const ANNA = '191212102824';
const SARA = 'Sara Karlsson';

const { loggedIn } = demoPortalAndBrowser();

const inDays = (days: number) => stockholmDay(new Date(Date.now() + days * 86_400_000));

describe('end dates in the browser', () => {
  it('the administrator grants until a date: a past date gets the error summary, then it is saved', async () => {
    const page = await loggedIn(JOHAN);
    await follow(page, page.getByRole('link', { name: text('context.start.usersLink') }));
    await follow(page, page.getByRole('link', { name: SARA }).first());
    const field = page.getByLabel(text('expiry.fields.grantValidUntil', { service: 'Visa anställning' }));
    await field.fill(inDays(-1));
    const grant = page.getByRole('button', { name: text('permissions.user.grant', { service: 'Visa anställning' }) });
    await follow(page, grant);
    const summary = page.getByTestId('error-summary');
    expect(await textOf(summary)).toContain(text('expiry.errors.dateNotFuture'));
    await summary.getByRole('link').click();
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('name'));
    expect(focused).toBe('validUntil');
    const until = inDays(30);
    await page.getByLabel(text('expiry.fields.grantValidUntil', { service: 'Visa anställning' })).fill(until);
    await follow(
      page,
      page.getByRole('button', { name: text('permissions.user.grant', { service: 'Visa anställning' }) }),
    );
    expect(await textOf(heading(page))).toContain(SARA);
    const row = page.locator('[data-code="40102"] [data-service=visa-anstallning]');
    expect(await textOf(row.getByTestId('valid-until'))).toBe(until);
  });

  it('the orderer sets an end date on an administrator: today is refused with the error summary, then it is saved', async () => {
    const page = await loggedIn(ANNA);
    await follow(page, page.getByRole('link', { name: text('context.start.administratorsLink') }));
    await follow(
      page,
      page.getByRole('link', { name: text('administrators.list.changeFor', { name: 'Johan Andersson' }) }),
    );
    await page.getByLabel(text('expiry.fields.validUntil')).fill(inDays(0));
    await follow(page, page.getByRole('button', { name: text('administrators.change.submit') }));
    expect(await textOf(page.getByTestId('error-summary'))).toContain(text('expiry.errors.dateNotFuture'));
    await page.getByLabel(text('expiry.fields.validUntil')).fill(inDays(60));
    await follow(page, page.getByRole('button', { name: text('administrators.change.submit') }));
    expect(await textOf(page.getByTestId('flash'))).toContain(inDays(60));
  });
});
