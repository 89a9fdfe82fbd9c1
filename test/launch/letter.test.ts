import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { createMailRenderer } from '../../src/mail/render';
import { paths } from '../../src/paths';
import { createI18n } from '../../src/web/i18n';
import { buildTestApp, type TestApp } from '../helpers/app';
import { csrfToken, html, loggedIn, submit } from '../staff/helpers';
import { letterEmployers, ORDERER_PIN, STAFF_PIN } from './fixtures';

interface LetterRow {
  recipient_email: string;
  template: string;
  language: string;
  data: { employerName: string; codes: { code: string; name: string; active: boolean }[]; link: string };
}

let testApp: TestApp;
let employers: Awaited<ReturnType<typeof letterEmployers>>;

beforeAll(async () => {
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
  await loadDemoData(testApp.db);
  employers = await letterEmployers(testApp.db);
});

const outbox = (): Promise<LetterRow[]> =>
  testApp
    .db('outbox')
    .where({ template: 'launch-letter' })
    .orderBy('id')
    .select<LetterRow[]>('recipient_email', 'template', 'language', 'data');

/** How many letters each registry address has been sent, by address. */
async function lettersByAddress(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of await outbox()) counts[row.recipient_email] = (counts[row.recipient_email] ?? 0) + 1;
  return counts;
}

/** The letter form's own key, as a browser gets it. */
async function formKey(agent: request.Agent): Promise<string> {
  const key = html(await agent.get(paths.launch.letter).expect(200))('input[name=submissionId]').val();
  if (typeof key !== 'string') throw new Error('no submissionId on the letter form');
  return key;
}

const DEMO = 'registrator@kulturarvsdata.example';
const REACHABLE_WITHOUT_ORDERER = ['registrator@b.example', 'registrator@c.example', 'registrator@d.example'];

describe('the launch letter', () => {
  it('shows how many each audience reaches, who cannot be reached, and the letter itself', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const $ = html(await agent.get(paths.launch.letter).expect(200));
    expect($('h1')).toHaveLength(1);
    expect($('[data-testid=count-alla]').text()).toContain('Får brevet: 5.');
    expect($('[data-testid=count-alla]').text()).toContain('kan inte nås: 2.');
    expect($('[data-testid=count-utan-bestallare]').text()).toContain('Får brevet: 3.');
    expect($('[data-testid=count-utan-bestallare]').text()).toContain('kan inte nås: 1.');
    const unreachable = $('[data-testid=unreachable-employer]')
      .map((_, row) => $(row).attr('data-employer-id'))
      .get();
    expect(unreachable.sort()).toEqual([employers.e, employers.f].sort());
    expect($('[data-testid=preview]').text()).toContain('behorigheter@spv.se');
    expect($('[data-testid=preview] [lang=en]').text()).toContain('How to report your authorized orderer');
    expect($('input[name=_csrf]').length).toBeGreaterThan(1);
  });

  it('sends only to employers without an active orderer that have an address, one email, letter and audit row each', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const submissionId = await formKey(agent);
    const response = await submit(agent, paths.launch.letter, { audience: 'utan-bestallare', submissionId });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/handlaggare/lansering/brev/skickat/${submissionId}`);

    const rows = await outbox();
    expect(rows.map((row) => row.recipient_email).sort()).toEqual(REACHABLE_WITHOUT_ORDERER);
    expect(rows.every((row) => row.language === 'sv' && row.data.link === `${testApp.config.baseUrl}/`)).toBe(true);
    expect(rows.find((row) => row.recipient_email === 'registrator@b.example')?.data.employerName).toBe('B-verket');

    const staff = await testApp
      .db('persons')
      .where({ personal_identity_number: STAFF_PIN })
      .first<{ id: string }>('id');
    const letters = await testApp
      .db('launch_letters')
      .orderBy('recipient_email')
      .select<
        { id: string; employer_id: string; recipient_email: string; resent: boolean; sent_by_person_id: string }[]
      >('id', 'employer_id', 'recipient_email', 'resent', 'sent_by_person_id');
    expect(letters.map((letter) => letter.employer_id)).toEqual([employers.b, employers.c, employers.d]);
    expect(letters.every((letter) => !letter.resent && letter.sent_by_person_id === staff.id)).toBe(true);

    const audit = await testApp
      .db('audit_log')
      .where({ action: 'launch_letter.sent' })
      .select<
        { actor_type: string; actor_role: string; actor_person_id: string; employer_id: string; subject_id: string }[]
      >('actor_type', 'actor_role', 'actor_person_id', 'employer_id', 'subject_id');
    expect(audit).toHaveLength(3);
    expect(audit.every((row) => row.actor_type === 'person' && row.actor_role === 'staff')).toBe(true);
    expect(audit.every((row) => row.actor_person_id === staff.id)).toBe(true);
    expect(audit.map((row) => row.employer_id).sort()).toEqual([employers.b, employers.c, employers.d].sort());
    expect(audit.map((row) => row.subject_id).sort()).toEqual(letters.map((letter) => letter.id).sort());

    const sent = html(await agent.get(String(response.headers.location)).expect(200));
    expect(sent('[data-testid=sent-summary]').text()).toContain('Brevet skickades till 3 arbetsgivare');
  });

  it('asks to confirm before a second send, and without the confirmation sends nothing', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const before = await lettersByAddress();
    const response = await submit(agent, paths.launch.letter, { audience: 'alla', submissionId: await formKey(agent) });
    expect(response.status).toBe(200);
    const $ = html(response);
    expect($('h1').text()).toBe('Bekräfta: 3 arbetsgivare har redan fått brevet');
    const listed = $('[data-testid=already-sent-employer]')
      .map((_, row) => $(row).attr('data-employer-id'))
      .get();
    expect(listed.sort()).toEqual([employers.b, employers.c, employers.d].sort());
    expect($('[data-testid=send-again]').text()).toContain('Skicka igen till dessa 3');
    expect(await lettersByAddress()).toEqual(before);
  });

  it('on "only the new ones" sends to those not yet sent, and not again to the others', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const submissionId = await formKey(agent);
    const confirm = html(await submit(agent, paths.launch.letter, { audience: 'alla', submissionId }));
    const response = await submit(agent, paths.launch.letter, {
      audience: 'alla',
      submissionId,
      resendDigest: String(confirm('input[name=resendDigest]').val()),
      decision: 'nya',
    });
    expect(response.status).toBe(303);
    expect(await lettersByAddress()).toEqual({
      [DEMO]: 1,
      'registrator@a.example': 1,
      'registrator@b.example': 1,
      'registrator@c.example': 1,
      'registrator@d.example': 1,
    });
  });

  it('sends again, one more each, only when staff confirm exactly the list they were shown', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const submissionId = await formKey(agent);
    const confirm = html(await submit(agent, paths.launch.letter, { audience: 'utan-bestallare', submissionId }));
    expect(confirm('[data-testid=already-sent-employer]')).toHaveLength(3);
    expect(confirm('[data-testid=send-new-only]')).toHaveLength(0);

    const forged = await submit(agent, paths.launch.letter, {
      audience: 'utan-bestallare',
      submissionId,
      resendDigest: 'a'.repeat(64),
      decision: 'alla',
    });
    expect(forged.status).toBe(200);
    expect(html(forged)('[data-testid=confirm-form]')).toHaveLength(1);
    expect(Object.values(await lettersByAddress())).toEqual([1, 1, 1, 1, 1]);

    const response = await submit(agent, paths.launch.letter, {
      audience: 'utan-bestallare',
      submissionId,
      resendDigest: String(confirm('input[name=resendDigest]').val()),
      decision: 'alla',
    });
    expect(response.status).toBe(303);
    const counts = await lettersByAddress();
    expect(REACHABLE_WITHOUT_ORDERER.map((address) => counts[address])).toEqual([2, 2, 2]);
    expect([counts[DEMO], counts['registrator@a.example']]).toEqual([1, 1]);
    const resent = await testApp.db('launch_letters').where({ submission_id: submissionId, resent: true }).count();
    expect(Number(resent[0]?.count)).toBe(3);
    const sent = html(await agent.get(String(response.headers.location)).expect(200));
    expect(sent('[data-testid=sent-again]').text()).toContain('3');
  });

  it('sends once when the same form is submitted twice, at the same time or again later', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const submissionId = await formKey(agent);
    const confirm = html(await submit(agent, paths.launch.letter, { audience: 'alla', submissionId }));
    const fields = {
      _csrf: await csrfToken(agent),
      audience: 'alla',
      submissionId,
      resendDigest: String(confirm('input[name=resendDigest]').val()),
      decision: 'alla',
    };
    const before = (await outbox()).length;
    const post = () => agent.post(paths.launch.letter).type('form').send(fields);
    const responses = await Promise.all([post(), post()]);
    const again = await post();
    for (const response of [...responses, again]) {
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/handlaggare/lansering/brev/skickat/${submissionId}`);
    }
    expect((await outbox()).length).toBe(before + 5);
    const letters = await testApp.db('launch_letters').where({ submission_id: submissionId }).count();
    expect(Number(letters[0]?.count)).toBe(5);
    const audit = await testApp.db('audit_log').where({ action: 'launch_letter.sent' }).count();
    expect(Number(audit[0]?.count)).toBe((await testApp.db('launch_letters').count())[0]?.count);
  });

  it('says so, and sends nothing, when everyone in the audience already got it and staff choose only new ones', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const before = (await outbox()).length;
    const response = await submit(agent, paths.launch.letter, {
      audience: 'utan-bestallare',
      submissionId: await formKey(agent),
      decision: 'nya',
    });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(paths.launch.letter);
    const $ = html(await agent.get(paths.launch.letter).expect(200));
    expect($('[data-testid=flash]').text()).toContain('Inget brev skickades');
    expect((await outbox()).length).toBe(before);
  });

  it('refuses a form without an audience with 422 and an error summary, sending nothing', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const before = (await outbox()).length;
    const response = await submit(agent, paths.launch.letter, { submissionId: await formKey(agent) });
    expect(response.status).toBe(422);
    const $ = html(response);
    expect($('[data-testid=error-summary] a').attr('href')).toBe('#audience');
    expect($('#audience').attr('name')).toBe('audience');
    expect((await outbox()).length).toBe(before);
  });

  it('writes a letter that explains the new handling and how to report an orderer, in Swedish and English', async () => {
    const renderer = createMailRenderer(await createI18n());
    const [row] = await testApp
      .db('outbox')
      .where({ recipient_email: DEMO, template: 'launch-letter' })
      .select<LetterRow[]>('language', 'data');
    if (!row) throw new Error('no letter to the demo employer');
    const email = await renderer.render('launch-letter', row.language, row.data);
    expect(email.subject).toContain('Myndigheten för kulturarvsdata');
    expect(email.text).toContain('Så anmäler ni er behöriga beställare');
    expect(email.text).toContain('Skicka ett mejl till behorigheter@spv.se');
    expect(email.text).toContain('namn, titel eller funktion, personnummer och e-postadress');
    expect(email.text).toContain('formuläret Anmälan behörig beställare');
    expect(email.text).toContain('signerar med e-legitimation');
    expect(email.text).toContain('- 40101 Huvudkontoret');
    expect(email.text).toContain('(avslutad)');
    expect(email.text).toContain('How to report your authorized orderer');
    expect(email.text.indexOf('På svenska')).toBeLessThan(email.text.indexOf('In English'));
    expect(email.html).toContain('<div lang="en">');
  });
});

describe('who reaches the launch pages', () => {
  const pages = [
    paths.launch.dashboard,
    paths.launch.employers,
    `${paths.launch.employers}?urval=utan-bestallare`,
    paths.launch.employersCsv,
    paths.launch.codes,
    paths.launch.codesCsv,
    paths.launch.imported,
    paths.launch.importedCsv,
    paths.launch.letter,
    '/handlaggare/lansering/brev/skickat/00000000-0000-4000-8000-000000000000',
  ];

  it('sends an anonymous visitor to the e-ID login', async () => {
    for (const path of pages) {
      const response = await request(testApp.app).get(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.location, path).toBe(paths.login);
    }
  });

  it('refuses a logged-in person who is not staff, pages and the letter form alike, and sends nothing', async () => {
    const agent = await loggedIn(testApp, ORDERER_PIN);
    for (const path of pages) {
      const response = await agent.get(path);
      expect(response.status, path).toBe(403);
      expect(String(response.headers['content-type']), path).toContain('text/html');
    }
    const before = await testApp.db('launch_letters').count();
    const response = await submit(agent, paths.launch.letter, {
      audience: 'alla',
      submissionId: '00000000-0000-4000-8000-000000000001',
      decision: 'nya',
    });
    expect(response.status).toBe(403);
    expect(await testApp.db('launch_letters').count()).toEqual(before);
  });

  it('answers 404 for a sending that does not exist or a malformed id', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    await agent.get('/handlaggare/lansering/brev/skickat/00000000-0000-4000-8000-000000000000').expect(404);
    await agent.get('/handlaggare/lansering/brev/skickat/nej').expect(404);
  });

  it('links the launch pages from the back office start page', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const $ = html(await agent.get(paths.staff.root).expect(200));
    expect($('[data-testid=launch-link]').attr('href')).toBe(paths.launch.dashboard);
  });
});
