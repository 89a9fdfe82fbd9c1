import { formatPersonalIdentityNumber, maskPersonalIdentityNumber } from '../domain/identity-numbers';
import { maskAuditData } from './masking';
import type { AuditRow } from './repository';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** One audit row as the reader sees it, on the page and in the CSV. */
export interface PresentedRow {
  id: number;
  time: string;
  isoTime: string;
  who: string;
  role: string;
  what: string;
  employer: string;
  code: string;
  whom: string;
  whomNumber: string;
  changes: string[];
  requestId: string;
}

/** Ids that only the system reads: the person is shown in their own column, the rest mean nothing to a reader. */
const HIDDEN_FIELDS = new Set([
  'personId',
  'applicationId',
  'subjectId',
  'signatureId',
  'replacedBy',
  'replacedByApplication',
]);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const stockholmTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  dateStyle: 'short',
  timeStyle: 'short',
});

export const formatTime = (date: Date): string => stockholmTime.format(date);

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function valueText(value: unknown, key: string, t: Translate): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return t(value ? 'audit.values.yes' : 'audit.values.no');
  if (typeof value === 'string') {
    if (key === 'service') return t(`services.${value}.name`, { defaultValue: value });
    if (ISO_TIME.test(value)) return formatTime(new Date(value));
    return value;
  }
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map((item) => valueText(item, key, t)).join(', ');
  const object = record(value);
  if (typeof object.service === 'string') return valueText(object.service, 'service', t);
  return Object.entries(object)
    .filter(([name]) => !HIDDEN_FIELDS.has(name) && name !== 'id')
    .map(([name, inner]) => `${name}: ${valueText(inner, name, t)}`)
    .join(', ');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What changed, one line per field: lists as added and removed, values as before → after. */
export function summarise(before: unknown, after: unknown, t: Translate): string[] {
  const was = record(before);
  const is = record(after);
  const keys = [...new Set([...Object.keys(was), ...Object.keys(is)])].filter((key) => !HIDDEN_FIELDS.has(key));
  const lines: string[] = [];
  for (const key of keys) {
    const label = t(`audit.fields.${key}`, { defaultValue: key });
    const old = was[key];
    const now = is[key];
    if (Array.isArray(old) && Array.isArray(now)) {
      const added = now.filter((item) => !old.some((other) => same(other, item)));
      const removed = old.filter((item) => !now.some((other) => same(other, item)));
      if (added.length > 0) lines.push(t('audit.changes.added', { field: label, values: valueText(added, key, t) }));
      if (removed.length > 0) {
        lines.push(t('audit.changes.removed', { field: label, values: valueText(removed, key, t) }));
      }
    } else if (!(key in was)) {
      lines.push(t('audit.changes.set', { field: label, value: valueText(now, key, t) }));
    } else if (!(key in is)) {
      lines.push(t('audit.changes.was', { field: label, value: valueText(old, key, t) }));
    } else if (!same(old, now)) {
      lines.push(
        t('audit.changes.changed', { field: label, before: valueText(old, key, t), after: valueText(now, key, t) }),
      );
    }
  }
  return lines;
}

function actorOf(row: AuditRow, t: Translate): { who: string; role: string } {
  switch (row.actor_type) {
    case 'person':
      return {
        who: row.actor_name ?? t('audit.actors.unknownPerson'),
        role: row.actor_role ? t(`audit.roles.${row.actor_role}`, { defaultValue: row.actor_role }) : '',
      };
    case 'api_client':
      return { who: t('audit.actors.apiClient', { name: row.api_client_name ?? '' }), role: '' };
    case 'import':
      return { who: t('audit.actors.import'), role: '' };
    default:
      return { who: t('audit.actors.system'), role: '' };
  }
}

/**
 * A row for the reader. `showNumbers` (agency staff only) shows personal identity numbers in full; for everyone else
 * the subject's number and anything shaped like one in the data are masked.
 */
export function present(row: AuditRow, t: Translate, options: { showNumbers: boolean }): PresentedRow {
  const mask = (data: unknown) => (options.showNumbers ? data : maskAuditData(data));
  const pin = row.subject_pin;
  return {
    id: row.id,
    time: formatTime(row.occurred_at),
    isoTime: row.occurred_at.toISOString(),
    ...actorOf(row, t),
    what: t(`audit.actions.${row.action}`, { defaultValue: row.action }),
    employer: row.employer_name ?? '',
    code: row.code ?? '',
    whom: row.subject_name ?? '',
    whomNumber: pin ? (options.showNumbers ? formatPersonalIdentityNumber(pin) : maskPersonalIdentityNumber(pin)) : '',
    changes: summarise(mask(row.before), mask(row.after), t),
    requestId: row.request_id ?? '',
  };
}
