import type { AuditEntry } from '../audit/service';
import type { OutgoingEmail } from '../mail/outbox';
import { serviceName } from '../permissions/service';
import { groupBy } from '../domain/group-by';

/** A permission a job has ended, with what its audit row and its email need. */
export interface EndedPermission {
  person_id: string;
  employer_id: string;
  employer_name: string;
  employer_code_id: string;
  code: string;
  service_key: string;
  service_name: string;
  email: string | null;
  display_name: string;
  preferred_language: 'sv' | 'en';
}

interface HowEnded<Row extends EndedPermission> {
  action: 'permission.expired' | 'permission.review_expired';
  template: 'permission-expired' | 'access-review-expired';
  /** What the audit row keeps of each permission (beside its service). */
  permission: (row: Row) => Record<string, unknown>;
  after?: Record<string, unknown>;
  /** The link in the email. */
  link: string;
}

/**
 * What a job tells of the permissions it ended: one audit row per person and code (actor system, the permissions in
 * `before`), and one email per person and code to a person with an address, naming the services.
 */
export function tellEnded<Row extends EndedPermission>(
  rows: Row[],
  how: HowEnded<Row>,
): { audits: AuditEntry[]; emails: OutgoingEmail[] } {
  const audits: AuditEntry[] = [];
  const emails: OutgoingEmail[] = [];
  for (const group of groupBy(rows, (row) => `${row.person_id}:${row.employer_code_id}`)) {
    const [first] = group;
    if (!first) continue;
    audits.push({
      actor: { type: 'system', requestId: undefined },
      action: how.action,
      employerId: first.employer_id,
      employerCodeId: first.employer_code_id,
      subjectType: 'person',
      subjectId: first.person_id,
      before: {
        personId: first.person_id,
        code: first.code,
        permissions: group.map((row) => ({ ...how.permission(row), service: row.service_key })),
      },
      ...(how.after ? { after: how.after } : {}),
    });
    if (!first.email) continue;
    const language = first.preferred_language;
    emails.push({
      to: first.email,
      recipientPersonId: first.person_id,
      language,
      template: how.template,
      data: {
        name: first.display_name,
        employerName: first.employer_name,
        code: first.code,
        services: group.map((row) => serviceName({ key: row.service_key, name: row.service_name }, language)),
        link: how.link,
      },
    });
  }
  return { audits, emails };
}
