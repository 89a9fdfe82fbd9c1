import request, { type Agent } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { paths, pathTo } from '../../src/paths';
import { buildTestApp, type TestApp } from '../helpers/app';
import { errorSummary, html, loggedIn, ORDERER_PIN, STAFF_PIN, submit } from './helpers';

interface TermsVersionRow {
  id: string;
  version: string;
  body_sv: string;
  body_en: string;
  published_at: Date;
  created_at: Date;
}

interface AuditRow {
  actor_type: string;
  actor_person_id: string | null;
  actor_role: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  occurred_at: Date;
}

/** The version the migration publishes and the demo orderer accepted. */
const DEMO_VERSION = '2020-03';
const MINUTE = 60_000;

describe('staff publish the general terms', () => {
  let testApp: TestApp;
  let staff: Agent;
  let demoTermsPath: string;
  let demoAtStart: TermsVersionRow;

  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
    await loadDemoData(testApp.db);
    staff = await loggedIn(testApp, STAFF_PIN);
    demoAtStart = await testApp.db('terms_versions').where({ version: DEMO_VERSION }).first<TermsVersionRow>();
    demoTermsPath = pathTo(paths.staff.termsVersion, { termsId: demoAtStart.id });
  });

  const allTerms = () => testApp.db('terms_versions').orderBy('id').select<TermsVersionRow[]>('*');
  // changes only: a refusal is audited too (access.refused), but it stores nothing
  const auditCount = async () =>
    Number(
      (await testApp.db('audit_log').whereNot('action', 'like', 'access.%').count<{ c: number }[]>({ c: '*' }))[0]?.c,
    );
  const stored = async () => ({ terms: await allTerms(), audit: await auditCount() });

  /** Publishes a version a minute after the last, so versions never share a publication time. */
  function publish(fields: Record<string, string>, headers: Record<string, string> = {}) {
    testApp.clock.advance(MINUTE);
    return submit(staff, paths.staff.terms, fields, headers);
  }

  describe('who reaches the page', () => {
    it('sends an anonymous visitor to the e-ID login', async () => {
      for (const path of [paths.staff.terms, demoTermsPath]) {
        const response = await request(testApp.app).get(path);
        expect(response.status, path).toBe(302);
        expect(response.headers.location, path).toBe(paths.login);
      }
    });

    it('refuses a logged-in person who is not staff, and a publish by them stores nothing', async () => {
      const orderer = await loggedIn(testApp, ORDERER_PIN);
      for (const path of [paths.staff.terms, demoTermsPath]) {
        expect((await orderer.get(path)).status, path).toBe(403);
      }
      const before = await stored();
      const response = await submit(orderer, paths.staff.terms, { version: '2099-01', bodySv: 'Text', bodyEn: 'Text' });
      expect(response.status).toBe(403);
      expect(await stored()).toEqual(before);
    });

    it('shows staff the terms in force, with its own item in the back-office navigation', async () => {
      const $ = html(await staff.get(paths.staff.terms).expect(200));
      expect($('h1')).toHaveLength(1);
      expect($('h1').text()).toBe('Allmänna villkor');
      expect($('[data-testid=staff-nav] a[aria-current=page]').attr('href')).toBe(paths.staff.terms);
      expect($('[data-testid=current-version]').text()).toBe(DEMO_VERSION);
      expect($('[data-testid=current-terms] [data-testid=terms-sv] p').length).toBeGreaterThan(0);
      expect($('[data-testid=current-terms] [data-testid=terms-en] [lang=en] p').length).toBeGreaterThan(0);
      expect($('form[data-testid=terms-form] textarea#bodySv[name=bodySv]')).toHaveLength(1);
    });

    it('answers 404 for a version id that is malformed or names nothing', async () => {
      for (const termsId of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
        expect((await staff.get(pathTo(paths.staff.termsVersion, { termsId }))).status, termsId).toBe(404);
      }
    });
  });

  it('publishes a version, audited, which becomes the terms the orderer form shows', async () => {
    const before = await allTerms();
    const response = await publish(
      { version: ' 2026-12 ', bodySv: 'Villkor för 2026.\r\n\r\nAndra stycket.', bodyEn: 'Terms for 2026.' },
      { 'X-Request-Id': 'req-publish-terms-1' },
    );
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(paths.staff.terms);

    const row = await testApp.db('terms_versions').where({ version: '2026-12' }).first<TermsVersionRow>();
    expect(row).toMatchObject({ body_sv: 'Villkor för 2026.\n\nAndra stycket.', body_en: 'Terms for 2026.' });
    expect(row.published_at.getTime()).toBe(testApp.clock.now);
    expect(await allTerms()).toHaveLength(before.length + 1);

    const staffId = (
      await testApp.db('persons').where({ personal_identity_number: STAFF_PIN }).first<{ id: string }>('id')
    ).id;
    const audit = await testApp.db('audit_log').where({ action: 'terms.published' }).select<AuditRow[]>('*');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_type: 'person',
      actor_person_id: staffId,
      actor_role: 'staff',
      subject_type: 'terms_version',
      subject_id: row.id,
      before: null,
      after: { version: '2026-12' },
      request_id: 'req-publish-terms-1',
    });
    expect(audit[0]?.occurred_at.getTime()).toBe(testApp.clock.now);

    expect((await testApp.services.onboarding.form.currentTerms())?.version).toBe('2026-12');

    const $ = html(await staff.get(paths.staff.terms).expect(200));
    expect($('[data-testid=flash]').text()).toContain('2026-12');
    expect($('[data-testid=current-version]').text()).toBe('2026-12');
    const earlier = $('[data-testid=earlier-terms] tbody tr');
    expect(earlier.map((_, tr) => $(tr).attr('data-version')).get()).toEqual([DEMO_VERSION]);
    expect(earlier.find('a').attr('href')).toBe(demoTermsPath);
    // the flash is shown once
    expect(html(await staff.get(paths.staff.terms).expect(200))('[data-testid=flash]')).toHaveLength(0);
  });

  it('lists earlier versions newest first, each viewable as it was published', async () => {
    expect((await publish({ version: '2027-01', bodySv: 'Svenska 2027', bodyEn: 'English 2027' })).status).toBe(302);

    const $ = html(await staff.get(paths.staff.terms).expect(200));
    expect($('[data-testid=current-version]').text()).toBe('2027-01');
    const versions = $('[data-testid=earlier-terms] tbody tr')
      .map((_, tr) => $(tr).attr('data-version'))
      .get();
    expect(versions).toEqual(['2026-12', DEMO_VERSION]);

    const page = html(await staff.get(demoTermsPath).expect(200));
    expect(page('h1')).toHaveLength(1);
    expect(page('[data-testid=terms-version]').text()).toBe(DEMO_VERSION);
    expect(page('[data-testid=terms-status]').text()).toBe('Tidigare version');
    const firstParagraph = demoAtStart.body_sv.split(/\n\s*\n/)[0]?.replace(/\n/g, '') ?? '';
    expect(page('[data-testid=terms-sv] p').first().text()).toBe(firstParagraph);
  });

  it('shows the text with its paragraphs and line breaks, escaped', async () => {
    const bodySv = 'Första raden\nandra raden\n\n<b>Inte fetstil</b> & annat';
    expect((await publish({ version: '2027-02', bodySv, bodyEn: 'One\n\n\n\nTwo' })).status).toBe(302);

    const $ = html(await staff.get(paths.staff.terms).expect(200));
    const swedish = $('[data-testid=current-terms] [data-testid=terms-sv] p');
    expect(swedish).toHaveLength(2);
    expect(swedish.first().find('br')).toHaveLength(1);
    expect(swedish.first().text()).toBe('Första radenandra raden');
    expect(swedish.last().find('b')).toHaveLength(0);
    expect(swedish.last().text()).toBe('<b>Inte fetstil</b> & annat');
    expect(
      $('[data-testid=current-terms] [data-testid=terms-en] p')
        .map((_, p) => $(p).text())
        .get(),
    ).toEqual(['One', 'Two']);
  });

  it('refuses a label already used (422, summary, input kept), and stores nothing', async () => {
    const before = await stored();
    const response = await publish({ version: ` ${DEMO_VERSION} `, bodySv: 'Ny text\n\nStycke', bodyEn: 'New text' });
    expect(response.status).toBe(422);
    const $ = html(response);
    expect($('title').text()).toMatch(/^Fel: /);
    expect(errorSummary($)).toEqual([
      { href: '#version', text: 'Det finns redan en version med det namnet. Ange ett annat namn' },
    ]);
    expect($('#version').attr('aria-invalid')).toBe('true');
    expect($('#version').attr('aria-describedby')).toBe('version-description version-error');
    expect($('#version').val()).toBe(` ${DEMO_VERSION} `);
    expect($('#bodySv').val()).toBe('Ny text\n\nStycke');
    expect($('#bodyEn').val()).toBe('New text');
    expect(await stored()).toEqual(before);
  });

  it('refuses empty texts and a missing label (422, one message per field), and stores nothing', async () => {
    const before = await stored();
    const response = await publish({ version: '', bodySv: '', bodyEn: ' \r\n ' });
    expect(response.status).toBe(422);
    const $ = html(response);
    expect(errorSummary($)).toEqual([
      { href: '#version', text: 'Ange versionens namn' },
      { href: '#bodySv', text: 'Skriv villkoren på svenska' },
      { href: '#bodyEn', text: 'Skriv villkoren på engelska' },
    ]);
    expect($('#bodySv').attr('aria-invalid')).toBe('true');
    expect($('#bodySv').attr('aria-describedby')).toBe('bodySv-description bodySv-error');
    expect($('#bodySv-error').text()).toBe('Skriv villkoren på svenska');
    expect(await stored()).toEqual(before);

    const onlyEnglishMissing = await publish({ version: '2099-01', bodySv: 'Text' });
    expect(onlyEnglishMissing.status).toBe(422);
    expect(errorSummary(html(onlyEnglishMissing)).map((error) => error.href)).toEqual(['#bodyEn']);
    expect(html(onlyEnglishMissing)('#bodySv').val()).toBe('Text');
    expect(await stored()).toEqual(before);
  });

  it('takes a text of 20 000 characters and refuses a longer one', async () => {
    const before = await stored();
    const tooLong = await publish({ version: '2099-02', bodySv: 'a'.repeat(20_001), bodyEn: 'Text' });
    expect(tooLong.status).toBe(422);
    expect(errorSummary(html(tooLong))).toEqual([
      { href: '#bodySv', text: 'Villkoren på svenska får vara högst 20 000 tecken' },
    ]);
    expect(await stored()).toEqual(before);

    // a browser sends line breaks as CR LF; each counts as one character
    const longest = `${'a'.repeat(9_999)}\r\n${'b'.repeat(10_000)}`;
    expect((await publish({ version: '2099-03', bodySv: 'Text', bodyEn: longest })).status).toBe(302);
    const row = await testApp.db('terms_versions').where({ version: '2099-03' }).first<TermsVersionRow>();
    expect(row.body_en).toHaveLength(20_000);
  });

  it('never changes a published version: no edit route, and the demo version is as it was', async () => {
    const before = await stored();
    const edit = await submit(staff, demoTermsPath, { version: DEMO_VERSION, bodySv: 'Ändrad', bodyEn: 'Changed' });
    expect(edit.status).toBe(404);
    expect(await stored()).toEqual(before);

    // after every publish above, the version the demo orderer accepted is byte for byte as the migration wrote it
    expect(await testApp.db('terms_versions').where({ id: demoAtStart.id }).first<TermsVersionRow>()).toEqual(
      demoAtStart,
    );
    // the demo orderer's accepted version still points at that unchanged row
    const accepted = await testApp
      .db('orderer_applications as a')
      .join('terms_versions as t', 't.id', 'a.accepted_terms_version_id')
      .where('t.version', DEMO_VERSION)
      .first<{ body_sv: string } | undefined>('t.body_sv');
    expect(accepted?.body_sv).toBe(demoAtStart.body_sv);
  });
});
