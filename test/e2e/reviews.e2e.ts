import { describe, expect, it } from 'vitest';
import { runAccessReviews } from '../../src/jobs/reviews';
import { follow, heading, textOf } from './support/browser';
import { demoPortalAndBrowser } from './support/demo';
import { STAFF } from './support/portal';
import { text } from './support/text';

/** Periodic access reviews: the administrator's review page with its error summary, and the staff's list; axe on each. */

const JOHAN = '191212121212';

const demo = demoPortalAndBrowser();
const { loggedIn } = demo;

describe('access reviews in the browser', () => {
  it('the administrator confirms selected permissions and removes one; staff see the completion', async () => {
    const run = await runAccessReviews(
      demo.portal.db,
      { months: 6, days: 30, reminderDays: 7, baseUrl: demo.portal.baseUrl },
      new Date(),
    );
    expect(run.opened).toBe(1);

    const page = await loggedIn(JOHAN);
    await follow(page, page.getByTestId('review-link'));
    expect(await textOf(heading(page))).toBe(text('reviews.page.title'));
    expect(await textOf(page.getByTestId('progress'))).toContain(
      text('reviews.page.progress', { done: '0', total: '4' }),
    );

    await follow(page, page.getByRole('button', { name: text('reviews.page.confirmSelected') }));
    const summary = page.getByTestId('error-summary');
    expect(await textOf(summary)).toContain(text('reviews.errors.itemsRequired'));

    const rowLabel = (name: string, service: string) => text('reviews.page.choose', { name, service, code: '40102' });
    await page.getByLabel(rowLabel('Lars Persson', 'Filöverföring')).check();
    await page.getByLabel(rowLabel('Lars Persson', 'Visa anställning')).check();
    await follow(page, page.getByRole('button', { name: text('reviews.page.confirmSelected') }));
    expect(await textOf(page.getByTestId('flash'))).toContain(text('reviews.done.confirm', { count: '2' }));

    const remove = `${text('reviews.page.removeOne')} ${text('reviews.page.rowLabel', { name: 'Gunnel Holm', service: 'Rapporter', code: '40102' })}`;
    await follow(page, page.getByRole('button', { name: remove }));
    expect(await textOf(page.getByTestId('flash'))).toContain(text('reviews.done.remove', { count: '1' }));
    expect(await textOf(page.getByTestId('progress'))).toContain(
      text('reviews.page.progress', { done: '3', total: '4' }),
    );

    const staff = await loggedIn(STAFF.personalIdentityNumber);
    await follow(staff, staff.getByRole('link', { name: text('staff.nav.reviews') }));
    expect(await textOf(heading(staff))).toBe(text('reviews.staff.title'));
    expect(await textOf(staff.getByTestId('completion'))).toContain('3 av 10');
  });
});
