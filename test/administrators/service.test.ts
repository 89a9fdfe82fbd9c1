import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { appointSchema } from '../../src/administrators/schemas';
import { administratorsService, type PersonActor } from '../../src/administrators/service';
import { loadDemoData } from '../../src/demo/seed';
import { freshDatabase } from '../helpers/database';
import { insertPerson, personalIdentityNumber } from '../db/fixtures';
import {
  administeredCodes,
  administratorCount,
  auditRows,
  blockAssignments,
  codeId,
  demoEmployerId,
  otherEmployer,
  outbox,
  personId,
  PIN,
} from './fixtures';

const BASE_URL = 'https://portal.example';

describe('administrators service', () => {
  let db: Knex;
  let service: ReturnType<typeof administratorsService>;
  let employerId: string;
  let orderer: PersonActor;

  const input = async (
    codes: string[],
    values: Partial<Record<'personalIdentityNumber' | 'name' | 'email' | 'phone', string>>,
  ) => ({
    personalIdentityNumber: values.personalIdentityNumber ?? personalIdentityNumber(),
    name: values.name ?? 'Ny Administratör',
    email: values.email ?? 'ny.administrator@example.org',
    phone: values.phone ?? '',
    codes: await Promise.all(codes.map((code) => codeId(db, code))),
  });

  beforeAll(async () => {
    ({ db } = await freshDatabase());
    await loadDemoData(db);
    service = administratorsService(db, () => Date.now(), { baseUrl: BASE_URL });
    employerId = await demoEmployerId(db);
    orderer = { type: 'person', personId: await personId(db, PIN.orderer), role: 'orderer', requestId: 'test' };
  });

  it('refuses a change by someone who is not the orderer or a delegate, even when called directly', async () => {
    const administrator: PersonActor = {
      type: 'person',
      personId: await personId(db, PIN.administratorAll),
      role: 'administrator',
      requestId: 'test',
    };
    const assignments = await db('role_assignments').count<{ count: string }[]>({ count: '*' });
    await expect(service.appoint(employerId, await input(['40101'], {}), administrator)).rejects.toMatchObject({
      status: 403,
    });
    expect(await db('role_assignments').count<{ count: string }[]>({ count: '*' })).toEqual(assignments);
  });

  it('lists every code, the inactive one too, with its administrators', async () => {
    const overview = await service.overview(employerId);
    expect(overview.map(({ code, administrators }) => [code.code, administrators.map((a) => a.display_name)])).toEqual([
      ['40101', ['Maria Nilsson']],
      ['40102', ['Johan Andersson', 'Maria Nilsson']],
      ['40199', ['Maria Nilsson']],
    ]);
  });

  it('appoints a new person, audits it and emails the orderer and the new administrator', async () => {
    const pin = personalIdentityNumber({ coordination: true });
    const outcome = await service.appoint(
      employerId,
      await input(['40101', '40102'], { personalIdentityNumber: pin, name: 'Eva Ek', email: 'eva.ek@example.org' }),
      orderer,
    );
    expect(outcome.status).toBe('saved');
    const id = await personId(db, pin);
    expect(await administeredCodes(db, id)).toEqual(['40101', '40102']);
    // one row per code, so each code's history shows the appointment
    const audits = (await auditRows(db)).filter((row) => row.subject_id === id);
    expect(audits).toMatchObject(
      await Promise.all(
        ['40101', '40102'].map(async (code) => ({
          action: 'administrator.appointed',
          actor_role: 'orderer',
          employer_id: employerId,
          employer_code_id: await codeId(db, code),
          before: { name: 'Eva Ek', codes: [] },
          after: { name: 'Eva Ek', codes: [code] },
        })),
      ),
    );
    expect(audits).toHaveLength(2);
    const mails = (await outbox(db)).filter((mail) => mail.data.administrators[0]?.name === 'Eva Ek');
    expect(mails.map((mail) => mail.recipient_email)).toEqual([
      'anna.bergstrom@kulturarvsdata.example',
      'eva.ek@example.org',
    ]);
    expect(mails[0]?.data).toEqual({
      name: 'Anna Bergström',
      employerName: 'Myndigheten för kulturarvsdata',
      administrators: [{ name: 'Eva Ek', codes: ['40101', '40102'] }],
      link: `${BASE_URL}/oversikt`,
    });
  });

  it('matches a known person by personal identity number, keeping their name and contact details', async () => {
    const before = await db('persons').count<{ count: string }[]>({ count: '*' });
    const form = appointSchema(new Date()).parse({
      personalIdentityNumber: '19121207-2423',
      name: 'Someone Else',
      email: 'other@example.org',
      phone: '08-123 45 67',
      codes: await codeId(db, '40102'),
    });
    const outcome = await service.appoint(employerId, form, orderer);
    expect(outcome).toMatchObject({ status: 'saved', value: { name: 'Sara Karlsson' } });
    expect(await db('persons').count<{ count: string }[]>({ count: '*' })).toEqual(before);
    const sara = await db('persons')
      .where({ personal_identity_number: PIN.user })
      .first<{ display_name: string; email: string; phone: string }>('display_name', 'email', 'phone');
    expect(sara).toEqual({
      display_name: 'Sara Karlsson',
      email: 'sara.karlsson@kulturarvsdata.example',
      phone: '070-174 06 30',
    });
    expect(await administeredCodes(db, await personId(db, PIN.user))).toEqual(['40102']);
  });

  it('fills in only the contact details a known person lacks', async () => {
    const pin = personalIdentityNumber();
    await db('persons').insert({ personal_identity_number: pin, display_name: 'Utan Kontakt' });
    await service.appoint(
      employerId,
      await input(['40101'], { personalIdentityNumber: pin, phone: '070-111 22 33' }),
      orderer,
    );
    const row = await db('persons')
      .where({ personal_identity_number: pin })
      .first<{ display_name: string; email: string; phone: string }>();
    expect(row).toMatchObject({
      display_name: 'Utan Kontakt',
      email: 'ny.administrator@example.org',
      phone: '070-111 22 33',
    });
  });

  it('lets the orderer appoint themself, with one email', async () => {
    const outcome = await service.appoint(
      employerId,
      await input(['40101'], { personalIdentityNumber: PIN.orderer }),
      orderer,
    );
    expect(outcome).toMatchObject({ status: 'saved', value: { name: 'Anna Bergström' } });
    expect(await administeredCodes(db, orderer.personId)).toEqual(['40101']);
    const mails = (await outbox(db)).filter((mail) => mail.data.administrators[0]?.name === 'Anna Bergström');
    expect(mails.map((mail) => mail.recipient_person_id)).toEqual([orderer.personId]);
  });

  it('changes nothing, and sends nothing, for a code the person already administers', async () => {
    const [mailsBefore, auditBefore] = [(await outbox(db)).length, (await auditRows(db)).length];
    const outcome = await service.appoint(
      employerId,
      await input(['40101', '40102'], { personalIdentityNumber: PIN.administratorAll }),
      orderer,
    );
    expect(outcome.status === 'saved' && outcome.value.added).toEqual([]);
    expect(outcome.status === 'saved' && outcome.value.unchanged.map((code) => code.code)).toEqual(['40101', '40102']);
    expect((await outbox(db)).length).toBe(mailsBefore);
    expect((await auditRows(db)).length).toBe(auditBefore);
  });

  it('refuses a code of another employer and stores nothing, not even the person', async () => {
    const other = await otherEmployer(db);
    const pin = personalIdentityNumber();
    const form = await input(['40101'], { personalIdentityNumber: pin });
    const outcome = await service.appoint(employerId, { ...form, codes: [...form.codes, other.codeId] }, orderer);
    expect(outcome).toEqual({ status: 'not-found' });
    expect(await db('persons').where({ personal_identity_number: pin }).first()).toBeUndefined();
    expect(await service.remove(employerId, other.administratorIds[0], orderer)).toEqual({ status: 'not-found' });
    expect(await administratorCount(db, other.codeId)).toBe(2);
  });

  it('fills in a known person’s missing email and audits that on each code of the form', async () => {
    const known = await insertPerson(db, { display_name: 'Utan Epost', email: null });
    const pin = await db('persons').where({ id: known.id }).first<{ personal_identity_number: string }>();
    const before = await db('audit_log').max<{ max: number }[]>({ max: 'id' });
    const outcome = await service.appoint(
      employerId,
      await input(['40101', '40102'], {
        personalIdentityNumber: pin.personal_identity_number,
        email: 'ny@example.org',
      }),
      orderer,
    );
    expect(outcome.status).toBe('saved');
    expect(await db('persons').where({ id: known.id }).first('email', 'display_name')).toEqual({
      email: 'ny@example.org',
      display_name: 'Utan Epost',
    });
    const rows = await db('audit_log')
      .where('id', '>', before[0]?.max ?? 0)
      .where({ action: 'person.contact_completed', subject_id: known.id })
      .orderBy('id')
      .select('employer_code_id', 'before', 'after');
    expect(rows).toEqual(
      await Promise.all(
        ['40101', '40102'].map(async (code) => ({
          employer_code_id: await codeId(db, code),
          before: { email: null },
          after: { email: 'ny@example.org' },
        })),
      ),
    );
  });

  it('changes codes, and refuses to take away the last administrator of a code, naming it', async () => {
    const johan = await personId(db, PIN.administratorNorth);
    const maria = await personId(db, PIN.administratorAll);
    const north = await codeId(db, '40102');
    const changed = await service.changeCodes(employerId, johan, [await codeId(db, '40101')], orderer);
    expect(changed.status).toBe('saved');
    expect(await administeredCodes(db, johan)).toEqual(['40101']);
    expect((await auditRows(db)).slice(-2)).toMatchObject([
      { action: 'administrator.codes_changed', employer_code_id: await codeId(db, '40101'), before: { codes: [] } },
      { action: 'administrator.codes_changed', employer_code_id: north, after: { codes: [] } },
    ]);

    // 40199 has Maria only
    const refused = await service.changeCodes(employerId, maria, [north], orderer);
    const closed = await codeId(db, '40199');
    expect(refused).toEqual({
      status: 'invalid',
      errors: [
        {
          field: `code-${closed}`,
          message: 'administrators.errors.lastAdministrator',
          params: { code: '40199', name: 'Projektenheten Digitalisering' },
        },
      ],
    });
    expect(await administeredCodes(db, maria)).toEqual(['40101', '40102', '40199']);
  });

  it('removes an administrator from all codes, unless a code would be left without one', async () => {
    const johan = await personId(db, PIN.administratorNorth);
    const removed = await service.remove(employerId, johan, orderer);
    expect(removed.status).toBe('saved');
    expect(await administeredCodes(db, johan)).toEqual([]);
    expect((await auditRows(db)).at(-1)).toMatchObject({ action: 'administrator.removed', after: { codes: [] } });

    const maria = await personId(db, PIN.administratorAll);
    const refused = await service.remove(employerId, maria, orderer);
    expect(refused.status === 'invalid' && refused.errors.map((error) => error.params?.code)).toEqual(['40199']);
    expect(await service.remove(employerId, johan, orderer)).toEqual({ status: 'not-found' });
  });

  it('lets only one of two removals of a code’s last two administrators at the same moment succeed', async () => {
    const other = await otherEmployer(db);
    const actor: PersonActor = { type: 'person', personId: other.ordererId, role: 'orderer', requestId: undefined };
    const blocker = await blockAssignments(db, other.codeId);
    const both = Promise.all(other.administratorIds.map((id) => service.remove(other.employerId, id, actor)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await blocker.release();
    const outcomes = await both;
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['invalid', 'saved']);
    expect(await administratorCount(db, other.codeId)).toBe(1);
  });
});
