import * as cheerio from 'cheerio';
import request, { type Agent, type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { runAccessReviews, type ReviewSettings } from '../../src/jobs/reviews';
import { createMailRenderer } from '../../src/mail/render';
import { isMailTemplate } from '../../src/mail/templates';
import { paths } from '../../src/paths';
import { createI18n } from '../../src/web/i18n';
import { bearer, evaluation, newClientToken } from '../api/helpers';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { addUsers, demoIds, installPinFunction, PIN, scopeFor, type DemoIds } from '../permissions/helpers';

const DAY = 24 * 60 * 60 * 1000;
const html = (response: Response) => cheerio.load(response.text);
const renderer = createMailRenderer(await createI18n());

interface ItemRow {
  id: string;
  permission_id: string;
  person_id: string;
  employer_code_id: string;
  decision: string | null;
}

const testApp = await buildTestApp({ ACCESS_REVIEW_MONTHS: '6' });
const { db, clock } = testApp;
await loadDemoData(db);
const offApp = await buildTestApp();
await loadDemoData(offApp.db);
const largeApp = await buildTestApp({ ACCESS_REVIEW_MONTHS: '6' });
await loadDemoData(largeApp.db);

describe('periodic access reviews', () => {
  let ids: DemoIds;
  const settings = (): ReviewSettings => ({ ...testApp.config.reviews, baseUrl: testApp.config.baseUrl });
  const run = () => runAccessReviews(db, settings(), new Date(clock.now));
  beforeAll(async () => {
    ids = await demoIds(db);
    await db('outbox').delete();
  });

  async function loggedIn(key: string): Promise<Agent> {
    const agent = request.agent(testApp.app);
    expect((await loginWithEid(agent, PIN[key] ?? '')).status).toBe(302);
    return agent;
  }

  async function post(agent: Agent, fields: Record<string, string | string[]>) {
    const token = html(await agent.get(paths.reviews.review).expect(200))('input[name=_csrf]')
      .first()
      .val();
    return agent
      .post(paths.reviews.review)
      .type('form')
      .send({ _csrf: String(token), ...fields });
  }

  const items = () => db('access_review_items').orderBy('id').select<ItemRow[]>('*');
  const itemsOf = async (personKey: string, code: string) =>
    (await items()).filter(
      (item) => item.person_id === ids.person(personKey) && item.employer_code_id === ids.code(code),
    );
  const mails = (template: string) =>
    db('outbox')
      .where({ template })
      .orderBy('id')
      .select<{ recipient_person_id: string; data: Record<string, unknown> }[]>('recipient_person_id', 'data');
  async function text(template: string, data: Record<string, unknown>): Promise<string> {
    if (!isMailTemplate(template)) throw new Error(template);
    const message = await renderer.render(template, 'sv', data);
    return `${message.subject}\n${message.text}`;
  }

  it('opens a review once, snapshotting the current permissions, and emails the administrators of the codes', async () => {
    const first = await run();
    expect(first.opened).toBe(1);
    expect((await items()).length).toBe(10);
    const opened = await mails('access-review-opened');
    const byPerson = new Map(opened.map((mail) => [mail.recipient_person_id, mail.data]));
    expect(byPerson.get(ids.person('administrator-all-codes'))?.count).toBe(10);
    expect(byPerson.get(ids.person('administrator-north'))?.count).toBe(4);
    expect(byPerson.has(ids.person('orderer'))).toBe(false);
    expect(byPerson.has(ids.person('user-reporting'))).toBe(false);
    const body = await text('access-review-opened', opened[0]?.data ?? {});
    expect(body).toContain('Granska senast');
    expect(body).toContain('/granskning');
    expect(await db('audit_log').where({ action: 'access_review.opened' }).count('* as n')).toEqual([{ n: 1 }]);
    expect((await run()).opened).toBe(0);
    expect((await items()).length).toBe(10);
  });

  it('shows an administrator only the items of its codes, with the progress, and refuses a tampered id', async () => {
    const north = await loggedIn('administrator-north');
    expect(html(await north.get(paths.permissions.users).expect(200))('[data-testid=review-link]').attr('href')).toBe(
      paths.reviews.review,
    );
    const page = html(await north.get(paths.reviews.review).expect(200));
    expect(page('[data-testid=review-row]').length).toBe(4);
    expect(page('[data-testid=progress] label').text()).toContain('0 av 4 granskade');
    expect(page('progress').attr('max')).toBe('4');
    const [outside] = await itemsOf('user-reporting', '40101');
    if (!outside) throw new Error('no item');
    expect(page(`[data-item=${outside.id}]`).length).toBe(0);
    const refused = await post(north, { items: [outside.id], decision: 'confirm' });
    expect(refused.status).toBe(403);
    const [tamperedRow] = await post(north, { row: `remove:${outside.id}` }).then(async (answer) => {
      expect(answer.status).toBe(403);
      return itemsOf('user-reporting', '40101');
    });
    expect(tamperedRow?.decision).toBeNull();
    expect((await items()).every((item) => item.decision === null)).toBe(true);
    const invalid = await post(north, { decision: 'confirm' });
    expect(invalid.status).toBe(422);
    expect(html(invalid)('.ds-error-summary a').attr('href')).toMatch(/^#item-/);
    // more ids than any page holds (its own items among them) is not a form the page sent
    const own = (await itemsOf('user-payroll', '40102')).map((item) => item.id);
    const flood = [
      ...own,
      ...Array.from({ length: 500 }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`),
    ];
    expect((await post(north, { items: flood, decision: 'confirm' })).status).toBe(422);
    expect((await items()).every((item) => item.decision === null)).toBe(true);
  });

  it('bulk-confirms the ticked items (audited per person and code) and removes one (revoked, audited, emailed)', async () => {
    const north = await loggedIn('administrator-north');
    const payroll = await itemsOf('user-payroll', '40102');
    expect(payroll.length).toBe(2);
    const confirmed = await post(north, { items: payroll.map((item) => item.id), decision: 'confirm' });
    expect(confirmed.status).toBe(303);
    expect((await itemsOf('user-payroll', '40102')).map((item) => item.decision)).toEqual(['confirmed', 'confirmed']);
    const audits = await db('audit_log').where({ action: 'permission.review_confirmed' }).select('*');
    expect(audits.length).toBe(1);
    expect(audits[0]).toMatchObject({ employer_code_id: ids.code('40102'), subject_id: ids.person('user-payroll') });

    const [inactive] = await itemsOf('user-inactive', '40102');
    if (!inactive) throw new Error('no item');
    const removed = await post(north, { row: `remove:${inactive.id}` });
    expect(removed.status).toBe(303);
    expect((await itemsOf('user-inactive', '40102'))[0]?.decision).toBe('removed');
    const permission = await db('permissions')
      .where({ id: inactive.permission_id })
      .first<{ revoked_at: Date | null }>('revoked_at');
    expect(permission.revoked_at).not.toBeNull();
    expect(
      await db('audit_log')
        .where({ action: 'permission.revoked', employer_code_id: ids.code('40102') })
        .count('* as n'),
    ).toEqual([{ n: 1 }]);
    const told = await mails('permission-changed');
    expect(told.map((mail) => mail.recipient_person_id)).toEqual([ids.person('user-inactive')]);

    const page = html(await north.get(String(removed.headers.location)).expect(200));
    expect(page('[data-testid=progress] label').text()).toContain('3 av 4 granskade');
    expect(page('[data-testid=flash]').text()).toContain('Borttagna behörigheter: 1.');
    expect(page(`[data-item=${inactive.id}]`).attr('data-state')).toBe('removed');

    const staff = await loggedIn('staff');
    const list = html(await staff.get(paths.reviews.staff).expect(200));
    expect(list('[data-testid=review-summary]').length).toBe(1);
    expect(list('[data-testid=completion]').text()).toContain('3 av 10');
  });

  it('shows a permission ended by other means as such, needing no decision, and the all-codes administrator all', async () => {
    const [reporting] = await itemsOf('user-reporting', '40102');
    if (!reporting) throw new Error('no item');
    const scope = scopeFor(ids, 'administrator-north', 'administrator');
    const revoked = await testApp.services.permissions.revoke(
      scope,
      ids.person('user-reporting'),
      ids.code('40102'),
      ids.service('rapport-direkt'),
    );
    expect(revoked.status).toBe('changed');
    const north = await loggedIn('administrator-north');
    const page = html(await north.get(paths.reviews.review).expect(200));
    expect(page(`[data-item=${reporting.id}]`).attr('data-state')).toBe('ended');
    expect(page(`#item-${reporting.id}`).length).toBe(0);
    expect(page('[data-testid=progress] label').text()).toContain('4 av 4 granskade');
    const again = await post(north, { row: `confirm:${reporting.id}` });
    expect(again.status).toBe(303);
    expect((await itemsOf('user-reporting', '40102'))[0]?.decision).toBeNull();

    const maria = await loggedIn('administrator-all-codes');
    const all = html(await maria.get(paths.reviews.review).expect(200));
    expect(all('[data-testid=review-row]').length).toBe(10);
    expect(all('[data-testid=progress] label').text()).toContain('4 av 10 granskade');
  });

  it('reminds once before the deadline those with undecided items on their codes', async () => {
    const review = await db('access_reviews').first<{ deadline_at: Date }>('deadline_at');
    clock.now = review.deadline_at.getTime() - 6 * DAY;
    expect((await run()).reminded).toBe(1);
    const reminders = await mails('access-review-reminder');
    const byPerson = new Map(reminders.map((mail) => [mail.recipient_person_id, mail.data]));
    expect(byPerson.get(ids.person('administrator-all-codes'))?.count).toBe(6);
    // nothing left undecided on 40102
    expect(byPerson.has(ids.person('administrator-north'))).toBe(false);
    expect((await run()).reminded).toBe(0);
    expect((await mails('access-review-reminder')).length).toBe(reminders.length);
  });

  it('at the deadline ends the undecided permissions: audited, denied by the API, emailed, orderer summarised', async () => {
    const token = await newClientToken(testApp, 'Granskningstest');
    const ask = () =>
      request(testApp.app)
        .post('/access/v1/evaluation')
        .set(bearer(token))
        .send(evaluation(PIN['user-reporting'] ?? '', 'rapport-direkt', '40101'));
    expect((await ask()).body).toEqual({ decision: true });
    const review = await db('access_reviews').first<{ deadline_at: Date }>('deadline_at');
    clock.now = review.deadline_at.getTime() + 60 * 60 * 1000;
    const closed = await run();
    expect(closed).toMatchObject({ closed: 1, expired: 6, opened: 0 });
    expect((await ask()).body).toEqual({ decision: false });
    const decisions = (await items()).map((item) => item.decision);
    expect(decisions.filter((decision) => decision === 'expired').length).toBe(6);
    const [reporting] = await itemsOf('user-reporting', '40101');
    const ended = await db('permissions')
      .where({ id: reporting?.permission_id })
      .first<{ revoked_at: Date }>('revoked_at');
    expect(ended.revoked_at.getTime()).toBe(review.deadline_at.getTime());
    const audits = await db('audit_log').where({ action: 'permission.review_expired' }).select('*');
    // user-reporting 40101, user-payroll 40101, user-finance 40101 and 40199 (40102 was all decided or ended)
    expect(audits.length).toBe(4);
    expect(audits.every((row: { actor_type: string }) => row.actor_type === 'system')).toBe(true);
    const reportingAudit = await db('audit_log')
      .where({ action: 'permission.review_expired', subject_id: ids.person('user-reporting') })
      .first<{ employer_code_id: string; before: unknown; after: unknown }>('employer_code_id', 'before', 'after');
    const { id: reviewId } = await db('access_reviews').first<{ id: string }>('id');
    expect(reportingAudit).toEqual({
      employer_code_id: ids.code('40101'),
      before: {
        personId: ids.person('user-reporting'),
        code: '40101',
        permissions: await db('permissions as p')
          .join('services as s', 's.id', 'p.service_id')
          .where({ 'p.person_id': ids.person('user-reporting'), 'p.employer_code_id': ids.code('40101') })
          .where('p.revoked_at', review.deadline_at)
          .orderBy('s.sort_order')
          .select('p.id', 's.key as service'),
      },
      after: { reviewId, endedAt: review.deadline_at.toISOString() },
    });
    const expiredMails = await mails('access-review-expired');
    expect(new Set(expiredMails.map((mail) => mail.recipient_person_id))).toEqual(
      new Set([ids.person('user-reporting'), ids.person('user-payroll'), ids.person('user-finance')]),
    );
    const summaries = await mails('access-review-summary');
    expect(summaries.map((mail) => mail.recipient_person_id)).toContain(ids.person('orderer'));
    expect(summaries[0]?.data).toMatchObject({ confirmed: 2, removed: 1, expired: 6 });
    const summary = await text('access-review-summary', summaries[0]?.data ?? {});
    expect(summary).toContain('Bekräftade: 2');
    expect(summary).toContain('Borttagna: 1');
    expect(summary).toContain('Upphörda utan beslut: 6');
    expect(await db('audit_log').where({ action: 'access_review.closed' }).count('* as n')).toEqual([{ n: 1 }]);
    // the e-ID test login refuses a clock a month ahead: the page's service says there is no review open
    expect(
      await testApp.services.reviews.current(scopeFor(ids, 'administrator-north', 'administrator'), {
        openOnly: false,
        page: 1,
      }),
    ).toBeUndefined();
    // the next review opens six months after this one opened, not before
    expect((await run()).opened).toBe(0);
  });
});

describe('periodic access reviews, off by default', () => {
  it('opens no review when ACCESS_REVIEW_MONTHS is 0', async () => {
    expect(offApp.config.reviews.months).toBe(0);
    const result = await runAccessReviews(
      offApp.db,
      { ...offApp.config.reviews, baseUrl: offApp.config.baseUrl },
      new Date(offApp.clock.now),
    );
    expect(result.opened).toBe(0);
    expect(await offApp.db('access_reviews').count('* as n')).toEqual([{ n: 0 }]);
  });
});

describe('closing, a review at a time', () => {
  it('keeps a closed review closed when the next one fails, and closes that one on the next run', async () => {
    const { db: offDb, clock: offClock } = offApp;
    const settings = { ...offApp.config.reviews, baseUrl: offApp.config.baseUrl };
    const now = offClock.now;
    const [demo] = await offDb('employers').select<{ id: string }[]>('id');
    const [other] = await offDb('employers')
      .insert({ organisation_number: '5566778899', name: 'Annan arbetsgivare AB' })
      .returning<{ id: string }[]>('id');
    if (!demo || !other) throw new Error('no employers');
    const review = (employerId: string, daysPast: number) => ({
      employer_id: employerId,
      opened_at: new Date(now - 40 * DAY),
      deadline_at: new Date(now - daysPast * DAY),
    });
    // the other employer's review is due first; closing the demo employer's fails once
    await offDb('access_reviews').insert([review(other.id, 2), review(demo.id, 1)]);
    await offDb.raw(`
      create function refuse_closing() returns trigger language plpgsql as $$
        begin raise exception 'refused for the test'; end $$;
      create trigger refuse_closing before update of closed_at on access_reviews
        for each row when (new.employer_id = '${demo.id}') execute function refuse_closing()`);
    const closedOf = async (employerId: string) =>
      (
        await offDb('access_reviews')
          .where({ employer_id: employerId })
          .first<{ closed_at: Date | null } | undefined>('closed_at')
      )?.closed_at ?? null;

    await expect(runAccessReviews(offDb, settings, new Date(now))).rejects.toThrow('refused for the test');
    expect(await closedOf(other.id)).not.toBeNull();
    expect(await closedOf(demo.id)).toBeNull();
    expect(await offDb('audit_log').where({ action: 'access_review.closed' }).count('* as n')).toEqual([{ n: 1 }]);

    await offDb.raw('drop trigger refuse_closing on access_reviews; drop function refuse_closing()');
    expect(await runAccessReviews(offDb, settings, new Date(now))).toMatchObject({ closed: 1, opened: 0 });
    expect(await closedOf(demo.id)).not.toBeNull();
    expect(await offDb('audit_log').where({ action: 'access_review.closed' }).count('* as n')).toEqual([{ n: 2 }]);
  });
});

describe('a large review, a page at a time', () => {
  let ids: DemoIds;
  beforeAll(async () => {
    ids = await demoIds(largeApp.db);
    await installPinFunction(largeApp.db);
    // 70 more users on 40102: its administrator reviews 74 items, 50 a page
    await addUsers(largeApp.db, {
      count: 70,
      codeId: ids.code('40102'),
      serviceId: ids.service('filoverforing'),
      grantedBy: ids.person('administrator-north'),
    });
    const settings = { ...largeApp.config.reviews, baseUrl: largeApp.config.baseUrl };
    expect((await runAccessReviews(largeApp.db, settings, new Date(largeApp.clock.now))).opened).toBe(1);
  });

  async function loggedIn(key: string): Promise<Agent> {
    const agent = request.agent(largeApp.app);
    expect((await loginWithEid(agent, PIN[key] ?? '')).status).toBe(302);
    return agent;
  }
  const rows = (page: cheerio.CheerioAPI) => page('[data-testid=review-row]').toArray();
  const stateOf = (id: string) =>
    largeApp.db('access_review_items').where({ id }).first<{ decision: string | null } | undefined>('decision');

  it('lists 50 items a page with the progress over all of them, and filters by an administered code only', async () => {
    const north = await loggedIn('administrator-north');
    const first = html(await north.get(paths.reviews.review).expect(200));
    expect(rows(first).length).toBe(50);
    expect(first('[data-testid=matching]').text()).toContain('74');
    expect(first('[data-testid=progress] label').text()).toContain('0 av 74 granskade');
    expect(first('[data-testid=pagination] a[rel=next]').attr('href')).toBe(`${paths.reviews.review}?sida=2`);
    const second = html(await north.get(`${paths.reviews.review}?sida=2`).expect(200));
    expect(rows(second).length).toBe(24);
    const onBoth = new Set([...rows(first), ...rows(second)].map((row) => row.attribs['data-item']));
    expect(onBoth.size).toBe(74);
    // a page past the end shows the last one
    expect(rows(html(await north.get(`${paths.reviews.review}?sida=9`).expect(200))).length).toBe(24);
    // a code it does not administer is not a filter it can use: it gets its own list
    const outside = html(await north.get(`${paths.reviews.review}?kod=${ids.code('40101')}`).expect(200));
    expect(outside('[data-testid=matching]').text()).toContain('74');
    expect(
      outside('#kod option')
        .toArray()
        .map((option) => option.attribs.value),
    ).toEqual(['', ids.code('40102')]);

    const maria = await loggedIn('administrator-all-codes');
    const head = html(await maria.get(`${paths.reviews.review}?kod=${ids.code('40101')}`).expect(200));
    expect(rows(head).length).toBe(5);
    expect(head(`#kod option[value=${ids.code('40101')}]`).attr('selected')).toBeDefined();
    expect(head('[data-testid=progress] label').text()).toContain('0 av 80 granskade');
    expect(head('[data-testid=pagination]').length).toBe(0);
  });

  it('decides from a filtered page and comes back to the same list, where only what is left to decide shows', async () => {
    const north = await loggedIn('administrator-north');
    const listHref = `${paths.reviews.review}?visa=oavgjorda&sida=2`;
    const page = html(await north.get(listHref).expect(200));
    expect(rows(page).length).toBe(24);
    const chosen = rows(page)
      .slice(0, 3)
      .map((row) => row.attribs['data-item'] ?? '');
    const form = page('[data-testid=review-form]');
    const hidden = Object.fromEntries(
      form
        .find('input[type=hidden]')
        .toArray()
        .map((input) => [input.attribs.name ?? '', input.attribs.value ?? '']),
    );
    expect(hidden).toMatchObject({ visa: 'oavgjorda', sida: '2' });
    const answer = await north
      .post(paths.reviews.review)
      .type('form')
      .send({ ...hidden, items: chosen, decision: 'confirm' })
      .expect(303);
    expect(answer.headers.location).toBe(`${listHref}&klart=confirm&antal=3`);
    for (const id of chosen) expect((await stateOf(id))?.decision).toBe('confirmed');
    const after = html(await north.get(String(answer.headers.location)).expect(200));
    expect(after('[data-testid=flash]').text()).toContain('Bekräftade behörigheter: 3.');
    expect(rows(after).length).toBe(21);
    expect(rows(after).every((row) => row.attribs['data-state'] === 'open')).toBe(true);
    expect(after('[data-testid=progress] label').text()).toContain('3 av 74 granskade');
    // the whole list still shows the confirmed ones, as such
    const all = html(await north.get(`${paths.reviews.review}?sida=2`).expect(200));
    expect(rows(all).filter((row) => row.attribs['data-state'] === 'confirmed').length).toBe(3);
  });
});
