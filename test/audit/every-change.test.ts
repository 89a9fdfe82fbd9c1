import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/audit/service';
import type { VerifiedIdentity } from '../../src/auth/response-checks';
import { loadDemoData } from '../../src/demo/seed';
import { runInactivityCheck } from '../../src/jobs/inactivity';
import { retryEmail } from '../../src/mail/outbox-admin';
import type { ApplicationRow } from '../../src/onboarding/repository';
import { staffService } from '../../src/staff/service';
import { buildTestApp } from '../helpers/app';
import { insertPerson, organisationNumber, personalIdentityNumber } from '../db/fixtures';
import { demoIds, scopeFor, type DemoIds } from '../permissions/helpers';

/**
 * Every kind of change, made through the services, leaves exactly the audit rows it should (one, or one per code
 * where a change touches several codes), in its own transaction, naming the actor, the employer and the code.
 */
const testApp = await buildTestApp();
const { db, services, clock } = testApp;
await loadDemoData(db);

interface Expected {
  action: string;
  actor_type: 'person' | 'system';
  actor_person_id: string | null;
  actor_role: string | null;
  employer_id: string | null;
  employer_code_id: string | null;
  request_id: string | null;
}

interface AuditRow extends Expected {
  id: number;
  occurred_at: Date;
}

let ids: DemoIds;
const state: {
  employerId: string;
  codeId: string;
  secondCodeId: string;
  ordererId: string;
  newUserId: string;
  applicationId: string;
  secondApplicationId: string;
  signatureRequestId: string;
} = {
  employerId: '',
  codeId: '',
  secondCodeId: '',
  ordererId: '',
  newUserId: '',
  applicationId: '',
  secondApplicationId: '',
  signatureRequestId: '',
};

beforeAll(async () => {
  ids = await demoIds(db);
});

const staff = (): Extract<Actor, { type: 'person' }> => ({
  type: 'person',
  personId: ids.person('staff'),
  role: 'staff',
  requestId: 'req-staff',
});
const acting = (personId: string) => ({ personId, requestId: 'req-acting' });
const person = (personId: string, role: string, requestId: string | null = null) => ({
  actor_type: 'person' as const,
  actor_person_id: personId,
  actor_role: role,
  request_id: requestId,
});

async function application(id: string): Promise<ApplicationRow> {
  const row = await services.onboarding.applications.find(id);
  if (!row) throw new Error('no application');
  return row;
}

async function newRows(work: () => Promise<unknown>): Promise<AuditRow[]> {
  const before = await db('audit_log').max<{ max: number | null }[]>('id as max');
  const last = before[0]?.max ?? 0;
  await work();
  return db('audit_log').where('id', '>', last).orderBy('id').select<AuditRow[]>('*');
}

interface Case {
  name: string;
  change: () => Promise<unknown>;
  rows: () => Expected[];
}

const CASES: Case[] = [
  {
    name: 'staff register an employer',
    change: async () => {
      const outcome = await services.employers.register(
        { organisationNumber: organisationNumber(), name: 'Granskningsverket', registryEmail: 'reg@gv.example' },
        staff(),
      );
      if (outcome.status !== 'saved') throw new Error('not saved');
      state.employerId = outcome.value.id;
    },
    rows: () => [
      {
        action: 'employer.registered',
        ...person(ids.person('staff'), 'staff', 'req-staff'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: "staff change an employer's details",
    change: async () => {
      const employer = await services.employers.find(state.employerId);
      if (!employer) throw new Error('no employer');
      await services.employers.update(
        state.employerId,
        { organisationNumber: employer.organisation_number, name: 'Granskningsverket', registryEmail: 'ny@gv.example' },
        staff(),
      );
    },
    rows: () => [
      {
        action: 'employer.updated',
        ...person(ids.person('staff'), 'staff', 'req-staff'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'staff add two codes (one row each)',
    change: async () => {
      for (const [code, key] of [
        ['91001', 'codeId'],
        ['91002', 'secondCodeId'],
      ] as const) {
        const outcome = await services.employers.addCode(
          state.employerId,
          { code, name: `Kod ${code}`, active: true, closedOn: null },
          staff(),
        );
        if (outcome.status !== 'saved') throw new Error('not saved');
        state[key] = outcome.value.id;
      }
    },
    rows: () =>
      [state.codeId, state.secondCodeId].map((codeId) => ({
        action: 'employer_code.added',
        ...person(ids.person('staff'), 'staff', 'req-staff'),
        employer_id: state.employerId,
        employer_code_id: codeId,
      })),
  },
  {
    name: 'staff rename a code',
    change: () =>
      services.employers.updateCode(
        state.employerId,
        state.secondCodeId,
        { code: '91002', name: 'Nytt namn', active: true, closedOn: null },
        staff(),
      ),
    rows: () => [
      {
        action: 'employer_code.updated',
        ...person(ids.person('staff'), 'staff', 'req-staff'),
        employer_id: state.employerId,
        employer_code_id: state.secondCodeId,
      },
    ],
  },
  {
    name: 'staff register an orderer application (and send the invitation)',
    change: async () => {
      const orderer = await insertPerson(db, {
        personal_identity_number: personalIdentityNumber(),
        display_name: 'Olga Ordning',
      });
      state.ordererId = orderer.id;
      const pin = await db('persons').where({ id: orderer.id }).first<{ personal_identity_number: string }>();
      const outcome = await services.onboarding.applications.register(
        {
          employerId: state.employerId,
          name: 'Olga Ordning',
          title: 'HR-direktör',
          personalIdentityNumber: pin.personal_identity_number,
          email: 'olga@gv.example',
        },
        acting(ids.person('staff')),
      );
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
      state.applicationId = outcome.value.applicationId;
    },
    rows: () => [
      {
        action: 'orderer_application.registered',
        ...person(ids.person('staff'), 'staff', 'req-acting'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'staff resend the invitation',
    change: () => services.onboarding.applications.resend(state.applicationId, acting(ids.person('staff'))),
    rows: () => [
      {
        action: 'orderer_application.invitation_resent',
        ...person(ids.person('staff'), 'staff', 'req-acting'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'the orderer fills in step 1',
    change: async () =>
      services.onboarding.form.saveDetails(
        await application(state.applicationId),
        { handledByOrderer: 'yes' },
        acting(state.ordererId),
      ),
    rows: () => [
      {
        action: 'orderer_application.details_saved',
        ...person(state.ordererId, 'orderer', 'req-acting'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'the orderer accepts the terms',
    change: async () => {
      const terms = await services.onboarding.form.currentTerms();
      return services.onboarding.form.acceptTerms(
        await application(state.applicationId),
        { accept: 'yes', termsVersion: terms?.version },
        acting(state.ordererId),
      );
    },
    rows: () => [
      {
        action: 'orderer_application.terms_accepted',
        ...person(state.ordererId, 'orderer', 'req-acting'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'the orderer chooses paper',
    change: async () =>
      services.onboarding.form.choosePaper(await application(state.applicationId), acting(state.ordererId)),
    rows: () => [
      {
        action: 'orderer_application.paper_chosen',
        ...person(state.ordererId, 'orderer', 'req-acting'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'staff record the paper form: the application is activated and the orderer appointed (two changes)',
    change: async () => {
      const outcome = await services.onboarding.applications.recordPaper(
        state.applicationId,
        { checked: 'yes' },
        acting(ids.person('staff')),
      );
      if (!outcome.ok) throw new Error('not recorded');
    },
    rows: () =>
      ['orderer_application.activated', 'orderer.appointed'].map((action) => ({
        action,
        ...person(ids.person('staff'), 'staff', 'req-acting'),
        employer_id: state.employerId,
        employer_code_id: null,
      })),
  },
  {
    name: 'the orderer appoints an administrator (one row per code)',
    change: () =>
      services.administrators.appoint(
        state.employerId,
        {
          personalIdentityNumber: '191212121212',
          name: 'Johan Andersson',
          email: 'johan.andersson@kulturarvsdata.example',
          phone: '',
          codes: [state.codeId],
        },
        { type: 'person', personId: state.ordererId, role: 'orderer', requestId: 'req-orderer' },
      ),
    rows: () => [
      {
        action: 'administrator.appointed',
        ...person(state.ordererId, 'orderer', 'req-orderer'),
        employer_id: state.employerId,
        employer_code_id: state.codeId,
      },
    ],
  },
  {
    name: "the orderer changes an administrator's codes (a row for the code added)",
    change: () =>
      services.administrators.changeCodes(
        state.employerId,
        ids.person('administrator-north'),
        [state.codeId, state.secondCodeId],
        {
          type: 'person',
          personId: state.ordererId,
          role: 'orderer',
          requestId: 'req-orderer',
        },
      ),
    rows: () => [
      {
        action: 'administrator.codes_changed',
        ...person(state.ordererId, 'orderer', 'req-orderer'),
        employer_id: state.employerId,
        employer_code_id: state.secondCodeId,
      },
    ],
  },
  {
    name: 'an administrator grants a permission',
    change: () =>
      services.permissions.grant(
        scopeFor(ids, 'administrator-all-codes', 'administrator'),
        ids.person('user-reporting'),
        ids.code('40101'),
        ids.service('rapporter'),
      ),
    rows: () => [
      {
        action: 'permission.granted',
        ...person(ids.person('administrator-all-codes'), 'administrator'),
        employer_id: ids.employerId,
        employer_code_id: ids.code('40101'),
      },
    ],
  },
  {
    name: 'an administrator removes a permission',
    change: () =>
      services.permissions.revoke(
        scopeFor(ids, 'administrator-all-codes', 'administrator'),
        ids.person('user-reporting'),
        ids.code('40101'),
        ids.service('rapporter'),
      ),
    rows: () => [
      {
        action: 'permission.revoked',
        ...person(ids.person('administrator-all-codes'), 'administrator'),
        employer_id: ids.employerId,
        employer_code_id: ids.code('40101'),
      },
    ],
  },
  {
    name: 'an administrator adds a new user on two codes (a grant and the new person per code)',
    change: async () => {
      const outcome = await services.permissions.addUser(scopeFor(ids, 'administrator-all-codes', 'administrator'), {
        personalIdentityNumber: personalIdentityNumber(),
        name: 'Nils Ny',
        email: 'nils@kulturarvsdata.example',
        grants: [
          { codeId: ids.code('40101'), serviceId: ids.service('rapporter') },
          { codeId: ids.code('40102'), serviceId: ids.service('rapporter') },
        ],
      });
      if (outcome.status !== 'changed') throw new Error('not added');
      state.newUserId = outcome.value.personId;
    },
    rows: () => [
      ...['40101', '40102'].map((code) => ({
        action: 'permission.granted',
        ...person(ids.person('administrator-all-codes'), 'administrator'),
        employer_id: ids.employerId,
        employer_code_id: ids.code(code),
      })),
      ...['40101', '40102'].map((code) => ({
        action: 'user.added',
        ...person(ids.person('administrator-all-codes'), 'administrator'),
        employer_id: ids.employerId,
        employer_code_id: ids.code(code),
      })),
    ],
  },
  {
    name: 'an administrator removes a user from one code',
    change: () =>
      services.permissions.removeFromCode(
        scopeFor(ids, 'administrator-all-codes', 'administrator'),
        state.newUserId,
        ids.code('40101'),
      ),
    rows: () => [
      {
        action: 'user.removed_from_code',
        ...person(ids.person('administrator-all-codes'), 'administrator'),
        employer_id: ids.employerId,
        employer_code_id: ids.code('40101'),
      },
    ],
  },
  {
    name: 'the orderer removes a user from the employer (a row per code the user had)',
    change: () =>
      services.permissions.removeFromEmployer(scopeFor(ids, 'orderer', 'orderer'), ids.person('user-finance')),
    rows: () =>
      ['40101', '40199'].map((code) => ({
        action: 'user.removed_from_code',
        ...person(ids.person('orderer'), 'orderer'),
        employer_id: ids.employerId,
        employer_code_id: ids.code(code),
      })),
  },
  {
    name: 'staff close a code',
    change: () => services.employers.closeCode(state.employerId, state.secondCodeId, '2026-01-31', staff()),
    rows: () => [
      {
        action: 'employer_code.closed',
        ...person(ids.person('staff'), 'staff', 'req-staff'),
        employer_id: state.employerId,
        employer_code_id: state.secondCodeId,
      },
    ],
  },
  {
    name: 'staff register a second application, the new orderer starts signing with e-ID',
    change: async () => {
      const outcome = await services.onboarding.applications.register(
        {
          employerId: state.employerId,
          name: 'Olga Ordning',
          title: 'HR-direktör',
          personalIdentityNumber: (
            await db('persons').where({ id: state.ordererId }).first<{ personal_identity_number: string }>()
          ).personal_identity_number,
          email: 'olga@gv.example',
        },
        acting(ids.person('staff')),
      );
      if (!outcome.ok) throw new Error('not registered');
      state.secondApplicationId = outcome.value.applicationId;
      await services.onboarding.form.saveDetails(
        await application(state.secondApplicationId),
        { handledByOrderer: 'yes' },
        acting(state.ordererId),
      );
      const terms = await services.onboarding.form.currentTerms();
      await services.onboarding.form.acceptTerms(
        await application(state.secondApplicationId),
        { accept: 'yes', termsVersion: terms?.version },
        acting(state.ordererId),
      );
      const post = await services.onboarding.form.startEidSigning(
        await application(state.secondApplicationId),
        acting(state.ordererId),
        '/tillbaka',
      );
      if (!post) throw new Error('signing not started');
      const request = await db('signature_requests')
        .where({ subject_id: state.secondApplicationId })
        .first<{ id: string }>('id');
      state.signatureRequestId = request.id;
    },
    rows: () =>
      [
        ['orderer_application.registered', ids.person('staff'), 'staff'],
        ['orderer_application.details_saved', state.ordererId, 'orderer'],
        ['orderer_application.terms_accepted', state.ordererId, 'orderer'],
        ['orderer_application.signing_started', state.ordererId, 'orderer'],
      ].map(([action = '', personId = '', role = '']) => ({
        action,
        ...person(personId, role, 'req-acting'),
        employer_id: state.employerId,
        employer_code_id: null,
      })),
  },
  {
    name: 'the e-ID answer to the sign request is settled (here refused: signed by someone else)',
    change: async () => {
      const identity: VerifiedIdentity = {
        assertionId: '_a1',
        inResponseTo: state.signatureRequestId,
        personalIdentityNumber: '191212121212',
        givenName: 'Johan',
        familyName: 'Andersson',
        displayName: 'Johan Andersson',
        authnInstant: new Date(clock.now),
        signMessageDigest: undefined,
        assertionXml: '<Assertion/>',
      };
      await services.signing.complete(identity, 'req-acs');
      // a second answer to the same request changes nothing, and is not audited again
      await services.signing.complete(identity, 'req-acs');
    },
    rows: () => [
      {
        action: 'signature_request.refused',
        ...person(state.ordererId, 'orderer', 'req-acs'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'staff cancel the application',
    change: () => services.onboarding.applications.cancel(state.secondApplicationId, acting(ids.person('staff'))),
    rows: () => [
      {
        action: 'orderer_application.cancelled',
        ...person(ids.person('staff'), 'staff', 'req-acting'),
        employer_id: state.employerId,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'staff publish new terms',
    change: () => services.terms.publish({ version: '2027-01', bodySv: 'Villkor.', bodyEn: 'Terms.' }, staff()),
    rows: () => [
      {
        action: 'terms.published',
        ...person(ids.person('staff'), 'staff', 'req-staff'),
        employer_id: null,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'staff retry an email',
    change: async () => {
      const email = await db('outbox').where({ status: 'pending' }).first<{ id: number }>('id');
      expect(await retryEmail(db, String(email.id), staff(), new Date(clock.now))).toBe(true);
    },
    rows: () => [
      {
        action: 'email.retried',
        ...person(ids.person('staff'), 'staff', 'req-staff'),
        employer_id: null,
        employer_code_id: null,
      },
    ],
  },
  {
    name: 'a person is made staff, and removed, on the command line (the system acts)',
    change: async () => {
      const service = staffService(db, () => clock.now);
      const system = { type: 'system', requestId: undefined } as const;
      await service.add(
        { personalIdentityNumber: '191212072423', name: 'Sara Karlsson', email: 'sara@spv.example' },
        system,
      );
      await service.remove('191212072423', system);
    },
    rows: () =>
      ['staff.added', 'staff.removed'].map((action) => ({
        action,
        actor_type: 'system' as const,
        actor_person_id: null,
        actor_role: null,
        employer_id: null,
        employer_code_id: null,
        request_id: null,
      })),
  },
  {
    name: 'the daily inactivity check runs (the system acts, one row per run)',
    change: () =>
      runInactivityCheck(db, { months: 18, reminderDays: 30, baseUrl: 'http://localhost' }, new Date(clock.now)),
    rows: () => [
      {
        action: 'inactivity.checked',
        actor_type: 'system',
        actor_person_id: null,
        actor_role: null,
        employer_id: null,
        employer_code_id: null,
        request_id: null,
      },
    ],
  },
];

describe('every change is audited', () => {
  for (const entry of CASES) {
    it(`${entry.name}: exactly the expected audit rows, with the right actor, employer and code`, async () => {
      const rows = await newRows(entry.change);
      const shape = (row: Expected) => ({
        action: row.action,
        actor_type: row.actor_type,
        actor_person_id: row.actor_person_id,
        actor_role: row.actor_role,
        employer_id: row.employer_id,
        employer_code_id: row.employer_code_id,
        request_id: row.request_id,
      });
      expect(rows.map(shape)).toEqual(entry.rows().map(shape));
      for (const row of rows) expect(row.occurred_at.getTime()).toBe(clock.now);
    });
  }

  it('an administrator removed when others remain on its codes leaves one row', async () => {
    const rows = await newRows(() =>
      services.administrators.remove(ids.employerId, ids.person('administrator-north'), {
        type: 'person',
        personId: ids.person('orderer'),
        role: 'orderer',
        requestId: 'req-remove',
      }),
    );
    expect(rows.map((row) => [row.action, row.actor_person_id, row.employer_id, row.request_id])).toEqual([
      ['administrator.removed', ids.person('orderer'), ids.employerId, 'req-remove'],
    ]);
  });

  it('a change that is refused, or changes nothing, writes no audit row', async () => {
    const rows = await newRows(async () => {
      await services.permissions.grant(
        scopeFor(ids, 'administrator-north', 'administrator'),
        ids.person('user-reporting'),
        ids.code('40101'),
        ids.service('rapporter'),
      );
      await services.permissions.revoke(
        scopeFor(ids, 'administrator-all-codes', 'administrator'),
        ids.person('user-reporting'),
        ids.code('40101'),
        ids.service('rapporter'),
      );
    });
    expect(rows).toEqual([]);
  });
});
