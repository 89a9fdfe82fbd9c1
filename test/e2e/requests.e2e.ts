import { describe, expect, it } from 'vitest';
import { follow, heading, textOf } from './support/browser';
import { demoPortalAndBrowser } from './support/demo';
import { text } from './support/text';

/** Access requests: the user's form with its error summary, the administrators' queue; every page checked with axe. */

const SARA = '191212072423';
const MARIA = '191212083461';

const { loggedIn } = demoPortalAndBrowser();

describe('access requests in the browser', () => {
  it('the user asks (an empty form gets the error summary), the administrator approves from the queue', async () => {
    const sara = await loggedIn(SARA);
    await follow(sara, sara.getByRole('link', { name: text('requests.mine.link') }));
    await follow(sara, sara.getByRole('link', { name: text('requests.mine.new') }));
    await follow(sara, sara.getByRole('button', { name: text('requests.form.submit') }));
    const summary = sara.getByTestId('error-summary');
    expect(await textOf(summary)).toContain(text('requests.errors.itemsRequired'));
    await sara.locator('[data-code="40101"]').getByLabel('Filöverföring').check();
    await sara.getByLabel(text('requests.fields.reason')).fill('Jag tar över lönefilerna.');
    await follow(sara, sara.getByRole('button', { name: text('requests.form.submit') }));
    expect(await textOf(sara.getByTestId('flash'))).toContain(text('requests.done.submitted'));

    const maria = await loggedIn(MARIA);
    await follow(maria, maria.getByRole('link', { name: text('context.start.usersLink') }));
    await follow(maria, maria.getByRole('link', { name: text('requests.queue.link') }));
    expect(await textOf(heading(maria))).toBe(text('requests.queue.title'));
    await follow(
      maria,
      maria.getByRole('button', {
        name: text('requests.queue.approve', { name: 'Sara Karlsson', service: 'Filöverföring' }),
      }),
    );
    expect(await textOf(maria.getByTestId('flash'))).toContain(text('requests.done.approved'));
  });
});
