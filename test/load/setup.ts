import type { Knex } from 'knex';
import { DEMO_EMPLOYER, DEMO_PERSONS } from '../../src/demo/seed';
import { personalIdentityNumber } from '../db/fixtures';

export interface Scenario {
  employerId: string;
  /** Code 40101: the administrator sessions change their users' permissions on it. */
  codeId: string;
  administrator: DemoLogin;
  orderer: DemoLogin;
  delegate: DemoLogin;
  /** Per administrator session, the users only it changes (so every change it posts is a real change). */
  targets: string[][];
  /** Codes with exactly two administrators, both of whom the race tries to remove at once. */
  raceCodes: { codeId: string; administrators: [string, string] }[];
}

export interface DemoLogin {
  personId: string;
  personalIdentityNumber: string;
}

async function demoLogin(db: Knex, key: string): Promise<DemoLogin> {
  const number = DEMO_PERSONS.find((person) => person.key === key)?.personalIdentityNumber;
  const row = await db('persons').where({ personal_identity_number: number }).first<{ id: string } | undefined>('id');
  if (!number || !row) throw new Error(`no demo person ${key}`);
  return { personId: row.id, personalIdentityNumber: number };
}

async function newPerson(db: Knex, label: string): Promise<string> {
  const [row] = await db('persons')
    .insert({
      personal_identity_number: personalIdentityNumber(),
      given_name: 'Last',
      family_name: label,
      display_name: `Last ${label}`,
      email: `${label.toLowerCase()}@load.example`,
      preferred_language: 'sv',
    })
    .returning<{ id: string }[]>('id');
  if (!row) throw new Error('no person');
  return row.id;
}

/** On the demo data: users for the administrator sessions and the race's codes with two administrators each. */
export async function prepareScenario(db: Knex, sessions: number, raceCodes: number): Promise<Scenario> {
  const employer = await db('employers')
    .where({ organisation_number: DEMO_EMPLOYER.organisationNumber })
    .first<{ id: string }>('id');
  const code = await db('employer_codes').where({ code: '40101' }).first<{ id: string }>('id');
  const service = await db('services').where({ active: true }).orderBy('key').first<{ id: string }>('id');
  const orderer = await demoLogin(db, 'orderer');
  const targets: string[][] = [];
  for (let session = 0; session < sessions; session += 1) {
    const mine: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const personId = await newPerson(db, `User${session}x${index}`);
      // a user of the code already (imported), so within the administrator's reach
      await db('permissions').insert({
        person_id: personId,
        employer_code_id: code.id,
        service_id: service.id,
        source: 'import',
      });
      mine.push(personId);
    }
    targets.push(mine);
  }
  const race: Scenario['raceCodes'] = [];
  for (let index = 0; index < raceCodes; index += 1) {
    const [row] = await db('employer_codes')
      .insert({ employer_id: employer.id, code: `LOAD-RACE-${index}`, name: `Lasttest ${index}` })
      .returning<{ id: string }[]>('id');
    if (!row) throw new Error('no code');
    const administrators: [string, string] = [
      await newPerson(db, `RaceA${index}`),
      await newPerson(db, `RaceB${index}`),
    ];
    const entry = { codeId: row.id, administrators };
    race.push(entry);
    await reappoint(db, employer.id, entry, orderer.personId);
  }
  return {
    employerId: employer.id,
    codeId: code.id,
    administrator: await demoLogin(db, 'administrator-all-codes'),
    orderer,
    delegate: await demoLogin(db, 'delegate'),
    targets,
    raceCodes: race,
  };
}

/** Makes both of the race code's administrators current again (a round of the race removed one of them). */
export async function reappoint(
  db: Knex,
  employerId: string,
  race: Scenario['raceCodes'][number],
  by: string,
): Promise<void> {
  await db.transaction(async (trx) => {
    for (const personId of race.administrators) {
      const current: unknown = await trx('role_assignments')
        .where({ person_id: personId, employer_code_id: race.codeId, role: 'administrator' })
        .whereNull('revoked_at')
        .first('id');
      if (current) continue;
      await trx('role_assignments').insert({
        person_id: personId,
        employer_id: employerId,
        employer_code_id: race.codeId,
        role: 'administrator',
        appointed_by_person_id: by,
      });
    }
  });
}
