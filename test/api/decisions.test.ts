import pg from 'pg';
import request from 'supertest';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { formatPersonalIdentityNumber } from '../../src/domain/identity-numbers';
import { buildTestApp, type TestApp } from '../helpers/app';
import { personalIdentityNumber, withWrongCheckDigit } from '../db/fixtures';
import {
  bearer,
  employerWithCodes,
  evaluation,
  grant,
  newClientToken,
  person,
  type Code,
  type Person,
} from './helpers';

const HOUR = 3_600_000;

describe('the decision API', () => {
  let testApp: TestApp;
  let token: string;
  let granted: Person;
  let active: Code;
  let closed: Code;

  beforeAll(async () => {
    testApp = await buildTestApp();
    token = await newClientToken(testApp, 'Rapport direkt');
    ({ active, closed } = await employerWithCodes(testApp.db));
    granted = await person(testApp.db);
    await grant(testApp.db, granted, active, 'rapport-direkt');
    await grant(testApp.db, granted, closed, 'fakturaspecifikationer');
    await grant(testApp.db, granted, closed, 'rapporter');
  });

  const evaluate = (body: object) =>
    request(testApp.app).post('/access/v1/evaluation').set(bearer(token)).send(body).expect(200);
  const decision = async (subjectId: string, serviceKey: string, employerCode: string) =>
    ((await evaluate(evaluation(subjectId, serviceKey, employerCode))).body as { decision: boolean }).decision;

  describe('one evaluation', () => {
    it('permits a current grant, and answers JSON with the decision only', async () => {
      const response = await evaluate(evaluation(granted.number, 'rapport-direkt', active.code));
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ decision: true });
    });

    it('accepts the number in the forms people type it', async () => {
      const short = `${granted.number.slice(2, 8)}-${granted.number.slice(8)}`;
      for (const form of [formatPersonalIdentityNumber(granted.number), short, ` ${granted.number} `]) {
        expect(await decision(form, 'rapport-direkt', active.code)).toBe(true);
      }
    });

    it('denies another service, another code, an unknown code or service, and an unknown person', async () => {
      expect(await decision(granted.number, 'visa-anstallning', active.code)).toBe(false);
      expect(await decision(granted.number, 'rapport-direkt', closed.code)).toBe(false);
      expect(await decision(granted.number, 'rapport-direkt', '99999999')).toBe(false);
      expect(await decision(granted.number, 'no-such-service', active.code)).toBe(false);
      expect(await decision(personalIdentityNumber(), 'rapport-direkt', active.code)).toBe(false);
    });

    it('denies an invalid number, another subject type, another action and another resource type (not 400)', async () => {
      expect(await decision(withWrongCheckDigit(granted.number), 'rapport-direkt', active.code)).toBe(false);
      expect(await decision('not a number', 'rapport-direkt', active.code)).toBe(false);
      const body = evaluation(granted.number, 'rapport-direkt', active.code);
      for (const changed of [
        { ...body, subject: { type: 'user', id: granted.number } },
        { ...body, action: { name: 'delete' } },
        { ...body, resource: { ...body.resource, type: 'document' } },
      ]) {
        expect((await evaluate(changed)).body).toEqual({ decision: false });
      }
    });

    it('permits the invoice specifications on an inactive code, and nothing else there', async () => {
      expect(await decision(granted.number, 'fakturaspecifikationer', closed.code)).toBe(true);
      expect(await decision(granted.number, 'rapporter', closed.code)).toBe(false);
    });

    it('denies a revoked grant', async () => {
      const revoked = await person(testApp.db);
      await grant(testApp.db, revoked, active, 'filoverforing', {
        granted_at: new Date(testApp.clock.now - 2 * HOUR),
        revoked_at: new Date(testApp.clock.now - HOUR),
      });
      expect(await decision(revoked.number, 'filoverforing', active.code)).toBe(false);
    });

    it('permits a grant until it expires, by the portal clock, and denies it after', async () => {
      const expiring = await person(testApp.db);
      await grant(testApp.db, expiring, active, 'visa-anstallning', {
        granted_at: new Date(testApp.clock.now - HOUR),
        expires_at: new Date(testApp.clock.now + HOUR),
      });
      expect(await decision(expiring.number, 'visa-anstallning', active.code)).toBe(true);
      testApp.clock.advance(2 * HOUR);
      try {
        expect(await decision(expiring.number, 'visa-anstallning', active.code)).toBe(false);
      } finally {
        testApp.clock.advance(-2 * HOUR);
      }
    });

    it('never writes the personal identity number or the body to the log', async () => {
      const before = testApp.logs.length;
      await evaluate(evaluation(granted.number, 'rapport-direkt', active.code));
      await request(testApp.app)
        .post('/access/v1/evaluation')
        .set(bearer(token))
        .send({ subject: { type: 'person', id: granted.number } })
        .expect(400);
      const written = testApp.logs.slice(before).join('');
      expect(written).toContain('/access/v1/evaluation');
      expect(written).not.toContain(granted.number);
      expect(written).not.toContain(granted.number.slice(2));
      expect(written).not.toContain(token);
    });
  });

  describe('a batch (evaluations)', () => {
    it('answers each evaluation in order, with top-level defaults that an item may override', async () => {
      const response = await request(testApp.app)
        .post('/access/v1/evaluations')
        .set(bearer(token))
        .send({
          subject: { type: 'person', id: granted.number },
          action: { name: 'use' },
          resource: { type: 'service', id: 'rapport-direkt', properties: { employer_code: active.code } },
          evaluations: [
            {},
            { resource: { type: 'service', id: 'fakturaspecifikationer', properties: { employer_code: closed.code } } },
            { resource: { type: 'service', id: 'rapporter', properties: { employer_code: closed.code } } },
            { subject: { type: 'person', id: personalIdentityNumber() } },
            { subject: { type: 'person', id: 'invalid' } },
            { action: { name: 'use' } },
          ],
        })
        .expect(200);
      expect(response.body).toEqual({
        evaluations: [
          { decision: true },
          { decision: true },
          { decision: false },
          { decision: false },
          { decision: false },
          { decision: true },
        ],
      });
    });

    it('stops at the first denial or the first permit when asked to', async () => {
      const batch = (semantic: string) => ({
        subject: { type: 'person', id: granted.number },
        action: { name: 'use' },
        options: { evaluations_semantic: semantic },
        evaluations: [
          evaluation(granted.number, 'rapporter', closed.code),
          evaluation(granted.number, 'rapport-direkt', active.code),
          evaluation(granted.number, 'rapporter', closed.code),
        ],
      });
      const send = async (semantic: string) =>
        (await request(testApp.app).post('/access/v1/evaluations').set(bearer(token)).send(batch(semantic)).expect(200))
          .body as unknown;
      expect(await send('execute_all')).toEqual({
        evaluations: [{ decision: false }, { decision: true }, { decision: false }],
      });
      expect(await send('deny_on_first_deny')).toEqual({ evaluations: [{ decision: false }] });
      expect(await send('permit_on_first_permit')).toEqual({ evaluations: [{ decision: false }, { decision: true }] });
    });

    it('without evaluations behaves as a single evaluation', async () => {
      const response = await request(testApp.app)
        .post('/access/v1/evaluations')
        .set(bearer(token))
        .send(evaluation(granted.number, 'fakturaspecifikationer', closed.code))
        .expect(200);
      expect(response.body).toEqual({ decision: true });
    });

    it('refuses an item that is incomplete even with the defaults, naming it', async () => {
      const response = await request(testApp.app)
        .post('/access/v1/evaluations')
        .set(bearer(token))
        .send({
          subject: { type: 'person', id: granted.number },
          evaluations: [evaluation(granted.number, 'rapport-direkt', active.code), { action: { name: 'use' } }],
        })
        .expect(400);
      expect(response.body).toMatchObject({ status: 400, errors: [{ pointer: '/evaluations/1/resource' }] });
    });
  });

  describe('the resource search', () => {
    const search = async (subjectId: string, resource: object) =>
      (
        await request(testApp.app)
          .post('/access/v1/search/resource')
          .set(bearer(token))
          .send({ subject: { type: 'person', id: subjectId }, action: { name: 'use' }, resource })
          .expect(200)
      ).body as unknown;

    it('lists the employer codes the person may use one service for, closed codes for invoices included', async () => {
      expect(await search(granted.number, { type: 'service', id: 'fakturaspecifikationer' })).toEqual({
        results: [{ type: 'service', id: 'fakturaspecifikationer', properties: { employer_code: closed.code } }],
        page: { next_token: '' },
      });
      expect(await search(granted.number, { type: 'service', id: 'rapporter' })).toEqual({
        results: [],
        page: { next_token: '' },
      });
    });

    it('lists every usable service and code when no service is named, each of which evaluates to true', async () => {
      const body = (await search(granted.number, { type: 'service' })) as {
        results: { id: string; properties: { employer_code: string } }[];
      };
      expect(body.results.map((result) => [result.id, result.properties.employer_code])).toEqual([
        ['rapport-direkt', active.code],
        ['fakturaspecifikationer', closed.code],
      ]);
      for (const result of body.results) {
        expect(await decision(granted.number, result.id, result.properties.employer_code)).toBe(true);
      }
    });

    it('finds nothing for an unknown or invalid person, or another resource type', async () => {
      const empty = { results: [], page: { next_token: '' } };
      expect(await search(personalIdentityNumber(), { type: 'service' })).toEqual(empty);
      expect(await search('19121212', { type: 'service' })).toEqual(empty);
      expect(await search(granted.number, { type: 'document' })).toEqual(empty);
    });
  });

  describe('the queries', () => {
    interface Statement {
      text: string;
      values: unknown[];
    }

    /** The statements `work` sends to PostgreSQL, seen where every query passes: pg's Client#query. */
    async function statements(work: () => Promise<unknown>): Promise<Statement[]> {
      const spy = vi.spyOn(pg.Client.prototype, 'query');
      try {
        await work();
        return spy.mock.calls.map(([config]) =>
          typeof config === 'string'
            ? { text: config, values: [] }
            : {
                text: String((config as { text?: unknown }).text),
                values: (config as { values?: unknown[] }).values ?? [],
              },
        );
      } finally {
        spy.mockRestore();
      }
    }

    /** The plan of a statement with sequential scans switched off: no Seq Scan even then means indexes answer it. */
    async function plan(statement: Statement): Promise<string> {
      const bindings = [...statement.text.matchAll(/\$(\d+)/g)].map((match) => statement.values[Number(match[1]) - 1]);
      return testApp.db.transaction(async (trx) => {
        await trx.raw('set local enable_seqscan = off');
        const sql = statement.text.replace(/\$\d+/g, '?');
        const result = await trx.raw<{ rows: { 'QUERY PLAN': string }[] }>(`explain ${sql}`, bindings as never[]);
        return result.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    }

    const question = (serviceKey: string, code: Code) => ({
      subject: { type: 'person', id: granted.number },
      action: { name: 'use' },
      resource: { type: 'service', id: serviceKey, properties: { employer_code: code.code } },
    });

    it('answer one evaluation, a batch and a search with one statement each, using index scans only', async () => {
      const { decisions } = testApp.services;
      const single = await statements(() => decisions.evaluate(question('rapport-direkt', active)));
      const batch = await statements(() =>
        decisions.evaluateAll(
          [question('rapport-direkt', active), question('rapporter', closed), question('filoverforing', active)],
          'execute_all',
        ),
      );
      const search = await statements(() =>
        decisions.searchServices({ ...question('rapport-direkt', active), resource: { type: 'service' } }),
      );
      expect([single.length, batch.length, search.length]).toEqual([1, 1, 1]);

      const plans = await Promise.all(
        [single, batch, search].map((list) => plan(list[0] ?? { text: 'select 1', values: [] })),
      );
      for (const text of plans) {
        expect(text).not.toMatch(/Seq Scan/);
        // permissions_one_active_grant_idx, or any other index on (person_id, …) the planner prefers
        expect(text).toMatch(/Index (Only )?Scan using permissions_\w+ on permissions pe/);
        expect(text).toMatch(/persons_personal_identity_number_key/);
      }
      expect(plans[0]).toMatch(/services_key_key/);
      expect(plans[0]).toMatch(/employer_codes_code_key/);
    });
  });
});
