import { z } from 'zod';

const text = z.string().trim().min(1);
/** Only web links: a template never shows a `javascript:` or `data:` link. */
const link = z.url({ protocol: /^https?$/ });
const instant = z.iso.datetime({ offset: true });

const inactivity = z.object({
  name: text,
  employerName: text,
  users: z.array(z.object({ name: text, code: text, lastLoginAt: instant.nullable() })).min(1),
  link,
  /** The inactivity threshold the users crossed (INACTIVITY_MONTHS when the job ran). */
  months: z.number().int().positive(),
});

/** A last day of a time-limited permission or appointment (YYYY-MM-DD, Swedish time). */
const day = z.iso.date();

const appointments = z.object({
  name: text,
  employerName: text,
  roles: z
    .array(z.object({ role: z.enum(['orderer', 'delegate', 'administrator']), code: text.nullable(), validUntil: day }))
    .min(1),
  link,
});

const review = z.object({ name: text, employerName: text, count: z.number().int().min(0), deadline: day, link });

/**
 * Every email the portal sends: the template's name (the outbox row's `template`, and the file
 * `views/mail/templates/<name>.ejs`) and the data it needs. Data that does not match is a permanent failure of that
 * email, never a half-filled message.
 */
export const MAIL_TEMPLATES = {
  'orderer-invitation': z.object({
    name: text,
    employerName: text,
    codes: z.array(z.object({ code: text, name: text })),
    link,
    expiresAt: instant,
  }),
  'orderer-activated': z.object({ name: text, employerName: text, link }),
  'delegate-appointed': z.object({ name: text, ordererName: text, employerName: text, link }),
  'administrators-appointed': z.object({
    name: text,
    employerName: text,
    administrators: z.array(z.object({ name: text, codes: z.array(text).min(1) })).min(1),
    link,
  }),
  'permission-changed': z.object({
    name: text,
    employerName: text,
    code: text,
    granted: z.array(text),
    removed: z.array(text),
    /** The last day of the granted permissions, when they are time-limited. */
    validUntil: day.optional(),
    link,
  }),
  'user-removed': z.object({ name: text, employerName: text, code: text, link }),
  'permission-expiry-reminder': z.object({
    name: text,
    employerName: text,
    code: text,
    services: z.array(z.object({ name: text, validUntil: day })).min(1),
    link,
  }),
  'permission-expiry-administrators': z.object({
    name: text,
    users: z.array(z.object({ name: text, code: text, service: text, validUntil: day })).min(1),
    link,
  }),
  'permission-expired': z.object({ name: text, employerName: text, code: text, services: z.array(text).min(1), link }),
  /** To the administrators of the codes asked for: `items` are "code: service" lines. */
  'access-request-submitted': z.object({
    name: text,
    requesterName: text,
    employerName: text,
    items: z.array(text).min(1),
    reason: text,
    link,
  }),
  'access-request-rejected': z.object({
    name: text,
    employerName: text,
    code: text,
    service: text,
    reason: text,
    link,
  }),
  'access-request-expired': z.object({ name: text, employerName: text, code: text, service: text, link }),
  /** To the administrators of an employer's codes: `count` permissions to review by the last day `deadline`. */
  'access-review-opened': review,
  'access-review-reminder': review,
  'access-review-expired': z.object({
    name: text,
    employerName: text,
    code: text,
    services: z.array(text).min(1),
    link,
  }),
  /** To the orderer and delegates when a review closes: what became of its permissions. */
  'access-review-summary': z.object({
    name: text,
    employerName: text,
    confirmed: z.number().int().min(0),
    removed: z.number().int().min(0),
    expired: z.number().int().min(0),
    link,
  }),
  'appointment-expiry-reminder': appointments,
  'appointment-expired': appointments,
  'inactivity-notice': inactivity,
  'inactivity-reminder': inactivity,
  /** To an employer's registry address at launch: Swedish, then English (the address has no language). */
  'launch-letter': z.object({
    employerName: text,
    codes: z.array(z.object({ code: text, name: text, active: z.boolean() })),
    link,
  }),
} as const;

export type MailTemplate = keyof typeof MAIL_TEMPLATES;
export type MailData<T extends MailTemplate> = z.input<(typeof MAIL_TEMPLATES)[T]>;

export function isMailTemplate(name: string): name is MailTemplate {
  return Object.hasOwn(MAIL_TEMPLATES, name);
}

/** The template's locale key: `orderer-invitation` → `mail.ordererInvitation`. */
export function localeKey(template: MailTemplate): string {
  return `mail.${template.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase())}`;
}
