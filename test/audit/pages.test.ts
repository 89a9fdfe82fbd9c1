import * as cheerio from 'cheerio';
import request, { type Agent, type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditPaths } from '../../src/audit/paths';
import { paths, pathTo } from '../../src/paths';
import { recordAudit, type Actor } from '../../src/audit/service';
import { loadDemoData } from '../../src/demo/seed';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { organisationNumber } from '../db/fixtures';
import { addUsers, demoIds, installPinFunction, PIN, scopeFor, type DemoIds } from '../permissions/helpers';

const testApp = await buildTestApp();
const { db, services, clock } = testApp;
await loadDemoData(db);

/** A 12-digit personal identity number anywhere in the text, with or without a separator. */
const FULL_PIN = /(?<!\d)(?:19|20)\d{6}[-+]?\d{4}(?!\d)/;
const SARA_PIN = '191212072423';

let ids: DemoIds;
let otherEmployerId: string;
let otherCodeId: string;
const staffActor = (): Actor => ({ type: 'person', personId: ids.person('staff'), role: 'staff', requestId: 'req-1' });

/** The changes happen at fixed times; logins need the real time back (the e-ID response is checked against it). */
const realNow = clock.now;
const at = (iso: string) => {
  clock.now = Date.parse(iso);
};
const backToNow = () => {
  clock.now = realNow;
};

beforeAll(async () => {
  ids = await demoIds(db);
  // 2026-03-01: Maria grants Sara a service on 40101; Johan grants her one on 40102
  at('2026-03-01T09:00:00Z');
  const maria = scopeFor(ids, 'administrator-all-codes', 'administrator');
  await services.permissions.grant(maria, ids.person('user-reporting'), ids.code('40101'), ids.service('rapporter'));
  at('2026-03-01T10:00:00Z');
  const johan = scopeFor(ids, 'administrator-north', 'administrator');
  await services.permissions.grant(johan, ids.person('user-reporting'), ids.code('40102'), ids.service('rapporter'));
  // 2026-03-10: staff change the employer (a row without a code); a row whose data holds a personal identity number
  at('2026-03-10T12:00:00Z');
  const employer = await services.employers.find(ids.employerId);
  if (!employer) throw new Error('no demo employer');
  await services.employers.update(
    ids.employerId,
    {
      organisationNumber: employer.organisation_number,
      name: employer.name,
      registryEmail: 'ny@kulturarvsdata.example',
    },
    staffActor(),
  );
  await db.transaction((trx) =>
    recordAudit(
      trx,
      {
        actor: staffActor(),
        action: 'test_note.recorded',
        employerId: ids.employerId,
        employerCodeId: ids.code('40101'),
        subjectType: 'person',
        subjectId: ids.person('user-reporting'),
        after: { note: `about ${SARA_PIN}`, nested: [{ number: '19121207-2423' }] },
      },
      new Date(clock.now),
    ),
  );
  // 2026-04-01: another employer and its code
  at('2026-04-01T08:00:00Z');
  const other = await services.employers.register(
    { organisationNumber: organisationNumber(), name: 'Annan myndighet', registryEmail: 'reg@annan.example' },
    staffActor(),
  );
  if (other.status !== 'saved') throw new Error('other employer not saved');
  otherEmployerId = other.value.id;
  const code = await services.employers.addCode(
    otherEmployerId,
    { code: '77001', name: 'Annan kod', active: true, closedOn: null },
    staffActor(),
  );
  if (code.status !== 'saved') throw new Error('other code not saved');
  otherCodeId = code.value.id;
  backToNow();
});

async function loggedIn(key: string): Promise<Agent> {
  const agent = request.agent(testApp.app);
  expect((await loginWithEid(agent, PIN[key] ?? '')).status).toBe(302);
  return agent;
}

const html = (response: Response) => cheerio.load(response.text);

function actions($: cheerio.CheerioAPI): string[] {
  return $('[data-testid=audit-row] [data-testid=audit-what]')
    .map((_, cell) => $(cell).text().trim())
    .get();
}

/** Refusals (403s of the tests above) are in the agency's trail too; these are the rows about changes. */
const REFUSAL = 'Nekades åtkomst till en sida eller ändring';
const changes = ($: cheerio.CheerioAPI): string[] => actions($).filter((action) => action !== REFUSAL);

function codes($: cheerio.CheerioAPI): string[] {
  return $('[data-testid=audit-row] [data-testid=audit-code]')
    .map((_, cell) => $(cell).text().trim())
    .get();
}

describe("the employer's history", () => {
  it('shows an administrator only the rows of the codes it administers, not rows without a code', async () => {
    const johan = await loggedIn('administrator-north');
    const $ = html(await johan.get(auditPaths.employer).expect(200));
    expect(codes($)).toEqual(['40102']);
    expect(actions($)).toEqual(['Gav en behörighet']);
  });

  it("refuses an administrator a filter on a code it does not hold, and shows none of that code's rows", async () => {
    const johan = await loggedIn('administrator-north');
    const refused = await johan.get(`${auditPaths.employer}?kod=${ids.code('40101')}`);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('40101');
    const csv = await johan.get(`${auditPaths.employerExport}?kod=${ids.code('40101')}`);
    expect(csv.status).toBe(403);
    expect(csv.text).not.toContain('40101');
    const other = await johan.get(`${auditPaths.employer}?kod=${otherCodeId}`);
    expect(other.status).toBe(403);
  });

  it('shows the orderer every row of its employer, newest first, and nothing of another employer', async () => {
    const anna = await loggedIn('orderer');
    const $ = html(await anna.get(auditPaths.employer).expect(200));
    expect(actions($)).toEqual([
      'test_note.recorded',
      'Ändrade arbetsgivarens uppgifter',
      'Gav en behörighet',
      'Gav en behörighet',
    ]);
    expect(codes($)).toEqual(['40101', '', '40102', '40101']);
    expect($('main').text()).not.toContain('Annan myndighet');
    expect($('main').text()).not.toContain('77001');
  });

  it('names who made each change and in which role, and what changed', async () => {
    const anna = await loggedIn('orderer');
    const $ = html(await anna.get(auditPaths.employer).expect(200));
    const update = $('[data-testid=audit-row]').eq(1);
    expect(update.text()).toContain('Karin Lindqvist');
    expect(update.text()).toContain('Handläggare på SPV');
    expect(update.text()).toContain(
      'Registratorns e-post: registrator@kulturarvsdata.example → ny@kulturarvsdata.example',
    );
    const grant = $('[data-testid=audit-row]').eq(2);
    expect(grant.text()).toContain('Johan Andersson');
    expect(grant.text()).toContain('Ansvarig administratör');
    expect(grant.text()).toContain('Sara Karlsson');
    expect(grant.text()).toContain('Tjänst: Rapporter');
  });

  it('never shows a personal identity number in clear to the orderer, also inside the data', async () => {
    const anna = await loggedIn('orderer');
    const response = await anna.get(auditPaths.employer).expect(200);
    const $ = html(response);
    expect(response.text).not.toMatch(FULL_PIN);
    expect($('[data-testid=audit-whom-number]').first().text()).toBe('19121207-****');
    expect($('[data-testid=audit-row]').first().text()).toContain('about 19121207-****');
    const stored = await db('audit_log').where({ action: 'test_note.recorded' }).first<{ after: { note: string } }>();
    expect(stored.after.note).toBe(`about ${SARA_PIN}`);
  });

  it('reads in English, with the raw key for an action that has no sentence', async () => {
    const anna = await loggedIn('orderer');
    const $ = html(await anna.get(`${auditPaths.employer}?lang=en`).expect(200));
    expect($('h1').text()).toBe('History of changes');
    expect(actions($)).toEqual([
      'test_note.recorded',
      "Changed the employer's details",
      'Granted a permission',
      'Granted a permission',
    ]);
  });

  it('is refused to a person who is only a user', async () => {
    const sara = await loggedIn('user-reporting');
    await sara.get(auditPaths.employer).expect(403);
    await sara.get(auditPaths.employerExport).expect(403);
  });

  it('filters by person and by code', async () => {
    const anna = await loggedIn('orderer');
    let $ = html(await anna.get(`${auditPaths.employer}?person=${ids.person('administrator-north')}`).expect(200));
    expect(codes($)).toEqual(['40102']);
    $ = html(await anna.get(`${auditPaths.employer}?kod=${ids.code('40101')}`).expect(200));
    expect(codes($)).toEqual(['40101', '40101']);
    const persons = $('select#person option')
      .map((_, option) => $(option).text().trim())
      .get();
    expect(persons).toEqual(
      expect.arrayContaining(['Johan Andersson', 'Karin Lindqvist', 'Maria Nilsson', 'Sara Karlsson']),
    );
    expect(persons).not.toContain('Gunnel Holm');
  });

  it('filters by period, both days included, in Swedish time', async () => {
    const anna = await loggedIn('orderer');
    let $ = html(await anna.get(`${auditPaths.employer}?fran=2026-03-01&till=2026-03-01`).expect(200));
    expect(actions($)).toEqual(['Gav en behörighet', 'Gav en behörighet']);
    $ = html(await anna.get(`${auditPaths.employer}?fran=2026-03-02`).expect(200));
    expect(actions($)).toEqual(['test_note.recorded', 'Ändrade arbetsgivarens uppgifter']);
  });

  it('refuses a date that is not one with 422, an error summary linking to the field and the input kept', async () => {
    const anna = await loggedIn('orderer');
    const response = await anna.get(`${auditPaths.employer}?fran=2026-02-30&till=igår`);
    expect(response.status).toBe(422);
    const $ = html(response);
    const links = $('[data-testid=error-summary] a')
      .map((_, link) => $(link).attr('href'))
      .get();
    expect(links).toEqual(['#fran', '#till']);
    expect($('#fran').attr('aria-invalid')).toBe('true');
    expect($('#till').val()).toBe('igår');
    expect($('[data-testid=audit-row]')).toHaveLength(0);
  });

  it('refuses a period that ends before it starts', async () => {
    const anna = await loggedIn('orderer');
    const response = await anna.get(`${auditPaths.employer}?fran=2026-03-02&till=2026-03-01`);
    expect(response.status).toBe(422);
    expect(html(response)('[data-testid=error-summary] a').attr('href')).toBe('#till');
  });

  it('has one h1, labelled filter fields, a caption and column headers', async () => {
    const anna = await loggedIn('orderer');
    const $ = html(await anna.get(auditPaths.employer).expect(200));
    expect($('h1')).toHaveLength(1);
    $('form[data-testid=audit-filter] select, form[data-testid=audit-filter] input').each((_, field) => {
      const id = $(field).attr('id');
      expect(id).toBeTruthy();
      expect($(`label[for="${String(id)}"]`)).toHaveLength(1);
    });
    expect($('table caption').text().trim()).not.toBe('');
    expect($('table th[scope=col]').length).toBeGreaterThanOrEqual(6);
  });
});

describe('the CSV export', () => {
  it('streams the same filtered rows as UTF-8 CSV with a BOM and semicolons, numbers masked', async () => {
    const anna = await loggedIn('orderer');
    const response = await anna
      .get(`${auditPaths.employerExport}?kod=${ids.code('40101')}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          done(null, Buffer.concat(chunks).toString('utf8'));
        });
      })
      .expect(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const text = response.body as string;
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Tid;Vem;Roll;Händelse;Arbetsgivare;Kod;Gällde;Personnummer;Ändringar;Referens');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('test_note.recorded');
    expect(lines[2]).toContain('Gav en behörighet');
    expect(text).not.toMatch(FULL_PIN);
    expect(text).toContain('19121207-****');
  });
});

describe("a person's own history", () => {
  it('shows a user only the rows about themself, across codes', async () => {
    const sara = await loggedIn('user-reporting');
    const response = await sara.get(auditPaths.own).expect(200);
    const $ = html(response);
    expect(actions($)).toEqual(['test_note.recorded', 'Gav en behörighet', 'Gav en behörighet']);
    expect(response.text).not.toMatch(FULL_PIN);
  });

  it('shows a person whom no change concerned an empty history', async () => {
    const lars = await loggedIn('user-payroll');
    const $ = html(await lars.get(auditPaths.own).expect(200));
    expect($('[data-testid=audit-row]')).toHaveLength(0);
    expect($('[data-testid=audit-none]')).toHaveLength(1);
  });

  it('needs a login', async () => {
    const response = await request(testApp.app).get(auditPaths.own);
    expect(response.status).toBe(302);
  });
});

describe("the agency's history", () => {
  it('shows staff every row, of every employer, with numbers in full', async () => {
    const karin = await loggedIn('staff');
    const response = await karin.get(auditPaths.staff).expect(200);
    const $ = html(response);
    expect(changes($).slice(0, 2)).toEqual(['Lade till en arbetsgivarkod', 'Registrerade arbetsgivaren']);
    expect(changes($)).toHaveLength(6);
    expect(actions($)).toContain(REFUSAL);
    expect(response.text).toContain('19121207-2423');
  });

  it('filters staff by employer', async () => {
    const karin = await loggedIn('staff');
    const $ = html(await karin.get(`${auditPaths.staff}?arbetsgivare=${otherEmployerId}`).expect(200));
    expect(actions($)).toEqual(['Lade till en arbetsgivarkod', 'Registrerade arbetsgivaren']);
    expect($('select#kod option').length).toBe(2);
  });

  it('finds the employer to filter on by a search, at any number of employers, not from a list of all', async () => {
    const karin = await loggedIn('staff');
    const start = html(await karin.get(auditPaths.staff).expect(200));
    expect(start('select#arbetsgivare')).toHaveLength(0);
    expect(start('input#sok[type=search]').attr('aria-describedby')).toBe('sok-description');

    // one match: the filter is that employer, and its links carry its id (not the text typed)
    const one = html(await karin.get(`${auditPaths.staff}?sok=${encodeURIComponent('annan myndig')}`).expect(200));
    expect(actions(one)).toEqual(['Lade till en arbetsgivarkod', 'Registrerade arbetsgivaren']);
    expect(one('[data-testid=audit-employer-chosen]').text()).toContain('Annan myndighet');
    expect(one('input[type=hidden][name=arbetsgivare]').val()).toBe(otherEmployerId);
    expect(one('[data-testid=audit-export]').attr('href')).toContain(`arbetsgivare=${otherEmployerId}`);

    // several: offered as links, rows not yet filtered
    const several = html(await karin.get(`${auditPaths.staff}?sok=myndighet`).expect(200));
    const links = several('[data-testid=audit-employer-matches] a')
      .map((_, link) => several(link).attr('href'))
      .get();
    expect(links).toHaveLength(2);
    expect(links).toContain(`${auditPaths.staff}?arbetsgivare=${otherEmployerId}`);
    expect(changes(several)).toHaveLength(6);

    // none: said so, all rows shown
    const none = html(await karin.get(`${auditPaths.staff}?sok=finns-inte`).expect(200));
    expect(none('[data-testid=audit-employer-none]').text()).toContain('Ingen arbetsgivare matchar');
    expect(changes(none)).toHaveLength(6);
  });

  it('is refused to anyone not staff', async () => {
    const anna = await loggedIn('orderer');
    await anna.get(auditPaths.staff).expect(403);
    await anna.get(auditPaths.staffExport).expect(403);
  });
});

describe('paging', () => {
  it('pages 50 rows at a time, newest first, older and newer by keyset', async () => {
    const actor = staffActor();
    await db.transaction(async (trx) => {
      for (let n = 0; n < 120; n++) {
        await recordAudit(
          trx,
          {
            actor,
            action: 'employer.updated',
            employerId: otherEmployerId,
            after: { name: `Namn ${String(n)}` },
          },
          new Date(Date.parse('2026-05-01T08:00:00Z') + Math.floor(n / 2) * 1000),
        );
      }
    });
    backToNow();
    const karin = await loggedIn('staff');
    const base = `${auditPaths.staff}?arbetsgivare=${otherEmployerId}`;
    const first = html(await karin.get(base).expect(200));
    const firstIds = first('[data-testid=audit-row]')
      .map((_, row) => Number(first(row).attr('data-id')))
      .get();
    expect(firstIds).toHaveLength(50);
    expect(first('[data-testid=audit-newer]')).toHaveLength(0);
    const olderHref = String(first('[data-testid=audit-older]').attr('href'));
    expect(olderHref).toContain(`arbetsgivare=${otherEmployerId}`);

    const second = html(await karin.get(olderHref).expect(200));
    const secondIds = second('[data-testid=audit-row]')
      .map((_, row) => Number(second(row).attr('data-id')))
      .get();
    expect(secondIds).toHaveLength(50);
    expect(Math.max(...secondIds)).toBeLessThan(Math.min(...firstIds));

    const third = html(await karin.get(String(second('[data-testid=audit-older]').attr('href'))).expect(200));
    expect(third('[data-testid=audit-row]')).toHaveLength(22);
    expect(third('[data-testid=audit-older]')).toHaveLength(0);

    const back = html(await karin.get(String(second('[data-testid=audit-newer]').attr('href'))).expect(200));
    const backIds = back('[data-testid=audit-row]')
      .map((_, row) => Number(back(row).attr('data-id')))
      .get();
    expect(backIds).toEqual(firstIds);
  });
});

describe('the way to the histories', () => {
  const links = ($: cheerio.CheerioAPI) =>
    $('[data-testid=history-links] a')
      .map((_, link) => $(link).attr('href'))
      .get();

  it("links an administrator's start page to the employer's history and their own, a user's to their own only", async () => {
    const johan = await loggedIn('administrator-north');
    expect(links(html(await johan.get(paths.overview).expect(200)))).toEqual([auditPaths.employer, auditPaths.own]);
    const sara = await loggedIn('user-reporting');
    expect(links(html(await sara.get(paths.overview).expect(200)))).toEqual([auditPaths.own]);
  });

  it("links the administrator's page of a user to that user's history", async () => {
    const maria = await loggedIn('administrator-all-codes');
    const page = html(
      await maria.get(pathTo(paths.permissions.user, { personId: ids.person('user-reporting') })).expect(200),
    );
    const href = String(page('[data-testid=user-history]').attr('href'));
    const $ = html(await maria.get(href).expect(200));
    expect(actions($)).toEqual(['test_note.recorded', 'Gav en behörighet', 'Gav en behörighet']);
    expect($('select#person option[selected]').text().trim()).toBe('Sara Karlsson');
  });

  it('links the back office start page to the history of all changes', async () => {
    const karin = await loggedIn('staff');
    const $ = html(await karin.get(paths.staff.root).expect(200));
    expect($(`[data-testid=staff-tasks] a[href="${auditPaths.staff}"]`)).toHaveLength(1);
  });
});

describe('the person filter of a long history', () => {
  it('lists no persons when there are too many, but keeps the one chosen from a link', async () => {
    await installPinFunction(db);
    await addUsers(db, {
      count: 320,
      codeId: otherCodeId,
      serviceId: ids.service('rapporter'),
      grantedBy: ids.person('staff'),
      prefix: 'Många',
    });
    await db.raw(
      `insert into audit_log (occurred_at, actor_type, actor_person_id, actor_role, employer_id, employer_code_id,
                              action, subject_type, subject_id)
       select now(), 'person', :staff, 'staff', :employer, :code, 'permission.granted', 'person', p.id::text
         from persons p where p.display_name like 'Många %'`,
      { staff: ids.person('staff'), employer: otherEmployerId, code: otherCodeId },
    );
    const karin = await loggedIn('staff');
    const base = `${auditPaths.staff}?arbetsgivare=${otherEmployerId}`;
    let $ = html(await karin.get(base).expect(200));
    expect($('[data-testid=audit-too-many-persons]')).toHaveLength(1);
    expect($('select#person')).toHaveLength(0);
    const one = await db('persons').where({ display_name: 'Många 00007' }).first<{ id: string }>('id');
    $ = html(await karin.get(`${base}&person=${one.id}`).expect(200));
    expect($('select#person option[selected]').text().trim()).toBe('Många 00007');
    expect($('[data-testid=audit-row]')).toHaveLength(1);
  });
});
