import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { appointSchema, changeCodesSchema } from '../../src/administrators/schemas';
import { apiClientNameSchema, clientIdSchema } from '../../src/api/schemas';
import { historyIdsSchema, periodSchema } from '../../src/audit/schemas';
import { luhnValid, normalisePersonalIdentityNumber } from '../../src/domain/identity-numbers';
import { closeCodeSchema, employerCodeSchema, employerSchema, employerSearchSchema } from '../../src/employers/schemas';
import { codeListSchema, employerListSchema, importedListSchema, letterSchema } from '../../src/launch/schemas';
import { applicationSchema, detailsSchema, paperSchema, termsSchema } from '../../src/onboarding/schemas';
import {
  codeFormSchema,
  newUserSchema,
  overviewQuerySchema,
  permissionFormSchema,
  removeInactiveSchema,
  searchFormSchema,
} from '../../src/permissions/schemas';
import { staffMemberSchema, termsVersionSchema } from '../../src/staff/schemas';
import { parseForm } from '../../src/web/forms';
import {
  FORBIDDEN_CHARACTERS,
  hostileForm,
  hostileString,
  RUNS,
  TODAY,
  validOrganisationNumber,
  validPersonalIdentityNumber,
  type FieldValue,
} from './arbitraries';

const EMAIL = /^[^@\s]+@[^@\s]+$/;
const plausibleEmail = fc
  .stringMatching(/^[a-z]{1,12}(\.[a-z]{1,12})?@[a-z]{2,12}\.(se|org|example)$/)
  .map((email): FieldValue => email);
const plausibleName = fc.constantFrom<FieldValue>('Eva Ek', 'Åsa Öberg-Ångström', 'Łukasz Żółć');

/** Every schema that reads a form (or a query string, or a command line), with its fields. */
/**
 * `form`: a form a person fills in, its messages are locale keys shown on the page; `hidden`: ids in hidden fields
 * (a refusal is a 400, no message shown); `query`: a query string read leniently (parse must never fail).
 */
type Kind = 'form' | 'hidden' | 'query';

const SCHEMAS: {
  name: string;
  kind?: Kind;
  schema: z.ZodType;
  fields: string[];
  plausible?: Record<string, fc.Arbitrary<FieldValue>>;
}[] = [
  {
    name: 'appoint an administrator',
    schema: appointSchema(TODAY),
    fields: ['personalIdentityNumber', 'name', 'email', 'phone', 'codes'],
    plausible: { personalIdentityNumber: validPersonalIdentityNumber, name: plausibleName, email: plausibleEmail },
  },
  { name: "change an administrator's codes", schema: changeCodesSchema, fields: ['codes'] },
  {
    name: 'add a user',
    schema: newUserSchema(TODAY),
    fields: ['personalIdentityNumber', 'name', 'email', 'grants'],
    plausible: { personalIdentityNumber: validPersonalIdentityNumber, name: plausibleName, email: plausibleEmail },
  },
  { name: 'a permission', kind: 'hidden', schema: permissionFormSchema, fields: ['codeId', 'serviceId'] },
  { name: 'a code', kind: 'hidden', schema: codeFormSchema, fields: ['codeId'] },
  { name: 'remove inactive users', schema: removeInactiveSchema, fields: ['personIds'] },
  { name: 'search users', kind: 'query', schema: searchFormSchema, fields: ['q', 'kod', 'tjanst', 'visa'] },
  { name: 'the overview query', kind: 'query', schema: overviewQuerySchema, fields: ['kod', 'tjanst', 'visa', 'sida'] },
  {
    name: 'register or edit an employer',
    schema: employerSchema,
    fields: ['organisationNumber', 'name', 'registryEmail'],
    plausible: { organisationNumber: validOrganisationNumber, name: plausibleName, registryEmail: plausibleEmail },
  },
  {
    name: 'add or edit an employer code',
    schema: employerCodeSchema,
    fields: ['code', 'name', 'status', 'closedOn'],
    plausible: { name: plausibleName, status: fc.constantFrom('active', 'inactive') },
  },
  { name: 'close a code', schema: closeCodeSchema, fields: ['closedOn'] },
  { name: 'search employers', kind: 'query', schema: employerSearchSchema, fields: ['q', 'sida'] },
  {
    name: 'register an orderer application',
    schema: applicationSchema,
    fields: ['employerId', 'name', 'title', 'personalIdentityNumber', 'email'],
    plausible: {
      employerId: fc.uuid(),
      name: plausibleName,
      title: plausibleName,
      personalIdentityNumber: validPersonalIdentityNumber,
      email: plausibleEmail,
    },
  },
  {
    name: "the orderer's details",
    schema: detailsSchema,
    fields: ['handledByOrderer', 'delegateName', 'delegatePersonalIdentityNumber', 'delegateEmail'],
    plausible: {
      handledByOrderer: fc.constant('no'),
      delegateName: plausibleName,
      delegatePersonalIdentityNumber: validPersonalIdentityNumber,
      delegateEmail: plausibleEmail,
    },
  },
  { name: 'accept the terms', schema: termsSchema, fields: ['accept', 'termsVersion'] },
  { name: 'the paper form checked', schema: paperSchema, fields: ['checked'] },
  {
    name: 'publish terms',
    schema: termsVersionSchema,
    fields: ['version', 'bodySv', 'bodyEn'],
    plausible: {
      version: fc.constant('2027-01'),
      bodySv: fc.constant('Villkor\r\n\r\n1. Text'),
      bodyEn: plausibleName,
    },
  },
  { name: 'the launch letter', schema: letterSchema, fields: ['audience', 'submissionId', 'decision', 'resendDigest'] },
  { name: 'the launch lists', kind: 'query', schema: employerListSchema, fields: ['urval', 'sida'] },
  { name: 'the launch code list', kind: 'query', schema: codeListSchema, fields: ['sida'] },
  { name: 'the imported users list', kind: 'query', schema: importedListSchema, fields: ['urval', 'sida'] },
  {
    name: 'the history filter ids',
    kind: 'query',
    schema: historyIdsSchema,
    fields: ['person', 'kod', 'arbetsgivare', 'sok', 'aldre', 'nyare'],
  },
  { name: 'the history period', schema: periodSchema, fields: ['fran', 'till'] },
];

/** Fields whose text is free (a textarea): line breaks and tabs are allowed, nothing else of the kind. */
const MULTI_LINE = new Set(['bodySv', 'bodyEn']);

/** Fields that are stored as they are typed (ids and search terms are looked up, never stored). */
const STORED_TEXT = new Set(['name', 'title', 'version', 'delegateName', 'code', 'phone', 'bodySv', 'bodyEn']);

const sv = JSON.parse(readFileSync('src/locales/sv.json', 'utf8')) as Record<string, unknown>;
const en = JSON.parse(readFileSync('src/locales/en.json', 'utf8')) as Record<string, unknown>;
const translated = (locale: Record<string, unknown>, key: string): boolean => {
  const found = key
    .split('.')
    .reduce<unknown>(
      (node, part) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined),
      locale,
    );
  return typeof found === 'string' && found !== '';
};

/** What any accepted value must look like, by the name of the field it ends up in. */
function expectStorable(key: string, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) expectStorable(key, item);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [name, item] of Object.entries(value)) expectStorable(name, item);
    return;
  }
  if (typeof value !== 'string') return;
  const checked = MULTI_LINE.has(key) ? value.replace(/[\n\t]/g, '') : value;
  if (STORED_TEXT.has(key) || /email/i.test(key))
    expect(checked, `${key} holds a control or bidi character`).not.toMatch(FORBIDDEN_CHARACTERS);
  if (/email/i.test(key)) expect(value).toMatch(EMAIL);
  if (/personalIdentityNumber/i.test(key)) expect(normalisePersonalIdentityNumber(value, TODAY)).toBe(value);
  if (key === 'organisationNumber') expect(value).toMatch(/^[0-9]{10}$/);
  if (key === 'organisationNumber') expect(luhnValid(value)).toBe(true);
  if (['name', 'title', 'version', 'delegateName', 'code'].includes(key)) {
    expect(value).toBe(value.trim());
    expect(value.length).toBeGreaterThan(0);
    expect(value.length).toBeLessThanOrEqual(200);
  }
}

describe('form schemas (properties)', () => {
  it.each(SCHEMAS)(
    '$name: hostile input gives a validation result, and only storable values pass',
    ({ schema, fields, plausible, kind = 'form' }) => {
      fc.assert(
        fc.property(hostileForm(fields, plausible), (form) => {
          const body = Object.fromEntries(Object.entries(form).filter(([, value]) => value !== undefined));
          const result = parseForm(schema, body);
          if (kind === 'query') expect(result.ok, 'a query string is read leniently, never refused').toBe(true);
          if (!result.ok) {
            expect(result.errors.length).toBeGreaterThan(0);
            if (kind !== 'form') return;
            for (const error of result.errors) {
              expect(translated(sv, error.message), `${error.message} in sv.json`).toBe(true);
              expect(translated(en, error.message), `${error.message} in en.json`).toBe(true);
            }
            return;
          }
          expectStorable('form', result.data);
        }),
        RUNS,
      );
    },
  );

  it('refuses a control or bidi character anywhere in a name, a title or a terms version', () => {
    const forbidden = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.integer({ min: 0x7f, max: 0x9f }),
      fc.constantFrom(0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069),
    );
    const named = fc
      .tuple(fc.constantFrom('Eva Ek', 'Åsa Öberg', 'HR-direktör'), forbidden, fc.nat())
      .map(([name, code, at]) => {
        const place = 1 + (at % (name.length - 1));
        return `${name.slice(0, place)}${String.fromCodePoint(code)}${name.slice(place)}`;
      });
    fc.assert(
      fc.property(named, validPersonalIdentityNumber, validOrganisationNumber, (name, pin, org) => {
        const email = 'eva.ek@example.se';
        const refused = (schema: z.ZodType, body: Record<string, unknown>, field: string) => {
          const result = parseForm(schema, body);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.errors.map((error) => error.field)).toContain(field);
        };
        refused(appointSchema(TODAY), { personalIdentityNumber: pin, name, email, codes: 'x' }, 'name');
        refused(newUserSchema(TODAY), { personalIdentityNumber: pin, name, email, grants: 'x' }, 'name');
        refused(employerSchema, { organisationNumber: org, name, registryEmail: email }, 'name');
        refused(employerCodeSchema, { code: '40101', name, status: 'active', closedOn: '' }, 'name');
        const application = { employerId: crypto.randomUUID(), name, title: name, personalIdentityNumber: pin, email };
        refused(applicationSchema, application, 'name');
        refused(applicationSchema, { ...application, name: 'Eva Ek' }, 'title');
        refused(
          detailsSchema,
          { handledByOrderer: 'no', delegateName: name, delegatePersonalIdentityNumber: pin, delegateEmail: email },
          'delegateName',
        );
        refused(termsVersionSchema, { version: name, bodySv: 'Text', bodyEn: 'Text' }, 'version');
        expect(staffMemberSchema(TODAY).safeParse({ personalIdentityNumber: pin, name, email }).success).toBe(false);
      }),
      RUNS,
    );
  });

  it('the free-text searches keep nothing a query cannot hold (NUL, control and bidi characters), at most 100 characters', () => {
    fc.assert(
      fc.property(hostileString, (text) => {
        const searches = [
          employerSearchSchema.parse({ q: text }).q,
          historyIdsSchema.parse({ sok: text }).sok,
          searchFormSchema.parse({ q: text }).q,
        ];
        for (const search of searches) {
          expect(search).not.toMatch(FORBIDDEN_CHARACTERS);
          expect(search.length).toBeLessThanOrEqual(100);
        }
      }),
      { ...RUNS, examples: [['\u0000'], ['a\u0000b'], ['\u202Eabc']] },
    );
  });

  it('the form parser takes anything as a body without throwing', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        expect(() => parseForm(employerSchema, body)).not.toThrow();
        expect(() => parseForm(detailsSchema, body)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('the command line schemas refuse control characters, direction marks and invalid numbers', () => {
    fc.assert(
      fc.property(hostileString, hostileString, hostileString, (number, name, email) => {
        const member = staffMemberSchema(TODAY).safeParse({ personalIdentityNumber: number, name, email });
        if (member.success) expectStorable('member', member.data);
        const client = apiClientNameSchema.safeParse(name);
        if (client.success) expect(client.data).not.toMatch(FORBIDDEN_CHARACTERS);
        const id = clientIdSchema.safeParse(name);
        if (id.success) expect(id.data).toMatch(/^[A-Za-z0-9._-]+$/);
      }),
      RUNS,
    );
  });
});
