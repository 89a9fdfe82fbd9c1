import { Ajv2020 } from 'ajv/dist/2020.js';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument, type OpenApiDocument } from '../../src/api/openapi';
import { compileValidators } from '../../src/api/validation';
import { buildTestApp, type TestApp } from '../helpers/app';
import { bearer, employerWithCodes, evaluation, grant, newClientToken, person } from './helpers';

const DOCUMENT_ID = 'urn:test:openapi';

/** Checks a body against a schema of the served document, by its `#/components/...` reference. */
function responseChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false });
  ajv.addSchema(document, DOCUMENT_ID);
  return (ref: string, body: unknown): unknown => {
    const validate = ajv.getSchema(`${DOCUMENT_ID}#/components/schemas/${ref}`);
    if (!validate) throw new Error(`no schema ${ref}`);
    return validate(body) ? [] : validate.errors;
  };
}

describe('the OpenAPI document as the contract', () => {
  let testApp: TestApp;
  let token: string;

  beforeAll(async () => {
    testApp = await buildTestApp();
    token = await newClientToken(testApp, 'Rapport direkt');
  });

  it('is what request validation enforces: a change to a schema changes what is accepted', () => {
    const document = openApiDocument('http://localhost');
    const body = evaluation('19121212-1212', 'rapport-direkt', '40101');
    expect(compileValidators(document).evaluation(body).valid).toBe(true);

    const stricter = structuredClone(document) as { components: { schemas: Record<string, Record<string, unknown>> } };
    const resource = stricter.components.schemas.Resource as { properties: Record<string, Record<string, unknown>> };
    resource.properties.id = { type: 'string', maxLength: 5 };
    const checked = compileValidators(stricter as unknown as OpenApiDocument).evaluation(body);
    expect(checked.valid).toBe(false);
    expect(checked.valid ? [] : checked.errors.map((error) => error.pointer)).toEqual(['/resource/id']);
  });

  it('describes the answers the API gives', async () => {
    const served = (await request(testApp.app).get('/access/v1/openapi.json').expect(200)).body as OpenApiDocument;
    const check = responseChecker(served);
    const { active } = await employerWithCodes(testApp.db);
    const someone = await person(testApp.db);
    await grant(testApp.db, someone, active, 'rapport-direkt');
    const body = evaluation(someone.number, 'rapport-direkt', active.code);

    const single = await request(testApp.app).post('/access/v1/evaluation').set(bearer(token)).send(body);
    expect(check('Decision', single.body)).toEqual([]);
    const batch = await request(testApp.app)
      .post('/access/v1/evaluations')
      .set(bearer(token))
      .send({ ...body, evaluations: [{}, { action: { name: 'read' } }] });
    expect(check('EvaluationsResponse', batch.body)).toEqual([]);
    const search = await request(testApp.app)
      .post('/access/v1/search/resource')
      .set(bearer(token))
      .send({ ...body, resource: { type: 'service' } });
    expect((search.body as { results: unknown[] }).results).toHaveLength(1);
    expect(check('ResourceSearchResponse', search.body)).toEqual([]);
    const metadata = await request(testApp.app).get('/.well-known/authzen-configuration');
    expect(check('Metadata', metadata.body)).toEqual([]);
    for (const problem of [
      await request(testApp.app).post('/access/v1/evaluation').send(body),
      await request(testApp.app).post('/access/v1/evaluation').set(bearer(token)).send({ subject: {} }),
    ]) {
      expect(check('Problem', JSON.parse(problem.text))).toEqual([]);
    }
  });
});
