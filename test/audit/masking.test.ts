import { describe, expect, it } from 'vitest';
import { maskAuditData, maskIdentityNumbersIn } from '../../src/audit/masking';
import { summarise, type Translate } from '../../src/audit/present';

/** Keys come back as they are, with their values, so that the summary's shape can be read in the test. */
const t: Translate = (key, options) => {
  const values = Object.entries(options ?? {})
    .filter(([name]) => name !== 'defaultValue')
    .map(([name, value]) => `${name}=${String(value)}`);
  return values.length > 0 ? `${key}(${values.join(', ')})` : key;
};

describe('masking audit data for readers who do not need the numbers', () => {
  it('masks 12- and 10-digit numbers, with or without a separator, anywhere in a text', () => {
    expect(maskIdentityNumbersIn('pnr 191212072423 and 19121207-2423, short 121207-2423')).toBe(
      'pnr 19121207-**** and 19121207-****, short 121207-****',
    );
  });

  it('walks objects and lists at any depth, leaving organisation numbers and other values alone', () => {
    const stored = {
      personalIdentityNumber: '191212072423',
      organisationNumber: '2021990011',
      count: 3,
      nested: [{ number: '19121207-2423', name: 'Sara' }, 191212072423],
      flag: true,
    };
    expect(maskAuditData(stored)).toEqual({
      personalIdentityNumber: '19121207-****',
      organisationNumber: '2021990011',
      count: 3,
      nested: [{ number: '19121207-****', name: 'Sara' }, '19121207-****'],
      flag: true,
    });
    expect(stored.personalIdentityNumber).toBe('191212072423');
  });
});

describe('the summary of what changed', () => {
  it('lists codes added and removed, and values before and after', () => {
    expect(
      summarise(
        { name: 'Johan', codes: ['40101', '40102'], personId: 'x' },
        { name: 'Johan A', codes: ['40102', '40199'], personId: 'x' },
        t,
      ),
    ).toEqual([
      'audit.changes.changed(field=audit.fields.name, before=Johan, after=Johan A)',
      'audit.changes.added(field=audit.fields.codes, values=40199)',
      'audit.changes.removed(field=audit.fields.codes, values=40101)',
    ]);
  });

  it('shows what was set on a new thing and what was there before a removal, without internal ids', () => {
    expect(summarise(null, { service: 'rapporter', personId: 'x', code: '40101' }, t)).toEqual([
      'audit.changes.set(field=audit.fields.service, value=services.rapporter.name)',
      'audit.changes.set(field=audit.fields.code, value=40101)',
    ]);
    expect(summarise({ active: true }, null, t)).toEqual([
      'audit.changes.was(field=audit.fields.active, value=audit.values.yes)',
    ]);
  });
});
