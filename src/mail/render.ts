import path from 'node:path';
import ejs from 'ejs';
import type { i18n as I18n, TFunction } from 'i18next';
import { luhnValid } from '../domain/identity-numbers';
import { isLanguage, type Language } from '../web/i18n';
import { MAIL_TEMPLATES, isMailTemplate, localeKey } from './templates';

const TEMPLATES_DIR = path.resolve(import.meta.dirname, '../../views/mail/templates');
const TIME_ZONE = 'Europe/Stockholm';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** An email that can never be sent as it stands (unknown template, bad data): retrying would not help. */
export class PermanentMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMailError';
  }
}

export interface MailRenderer {
  render(template: string, language: string, data: unknown): Promise<RenderedEmail>;
}

type Format = 'html' | 'text';

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The building blocks a template writes with; each gives HTML (escaped, inline styles as mail clients need) or
 * plain text, so one template file makes both versions.
 */
function blocks(format: Format, language: Language) {
  const dates = new Intl.DateTimeFormat(language === 'sv' ? 'sv-SE' : 'en-GB', {
    dateStyle: 'long',
    timeZone: TIME_ZONE,
  });
  const html = format === 'html';
  return {
    paragraph: (value: string) =>
      html ? `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(value)}</p>\n` : `${value}\n\n`,
    list: (items: readonly string[]) =>
      html
        ? `<ul style="margin:0 0 16px;padding-left:24px;line-height:1.5">\n${items
            .map((item) => `<li>${escapeHtml(item)}</li>`)
            .join('\n')}\n</ul>\n`
        : `${items.map((item) => `- ${item}`).join('\n')}\n\n`,
    button: (href: string, label: string) =>
      html
        ? `<p style="margin:24px 0"><a href="${escapeHtml(href)}" style="background:#0062ba;color:#ffffff;` +
          `padding:12px 20px;border-radius:4px;text-decoration:none;display:inline-block">${escapeHtml(label)}</a></p>\n`
        : `${label}:\n${href}\n\n`,
    date: (iso: string) => dates.format(new Date(iso)),
  };
}

/** Anything shaped like a personal identity number (10 or 12 digits, Luhn-valid) must never leave in an email. */
const IDENTITY_NUMBER_SHAPE = /(?<!\d)(?:19|20)?(\d{6})[-+]?(\d{4})(?!\d)/g;

export function containsIdentityNumber(value: string): boolean {
  for (const match of value.matchAll(IDENTITY_NUMBER_SHAPE)) {
    if (luhnValid(`${match[1]}${match[2]}`)) return true;
  }
  return false;
}

/** Renders the portal's emails from `views/mail/templates/<template>.ejs` in the recipient's language. */
export function createMailRenderer(i18n: I18n): MailRenderer {
  async function renderFormat(file: string, format: Format, language: Language, locals: Record<string, unknown>) {
    const t: TFunction = i18n.getFixedT(language);
    const common = { t, ...blocks(format, language), ...locals };
    const body = await ejs.renderFile(file, { ...common, format });
    return ejs.renderFile(path.join(TEMPLATES_DIR, `_layout.${format}.ejs`), { ...common, body, lang: language });
  }

  return {
    async render(template, requestedLanguage, data) {
      if (!isMailTemplate(template)) throw new PermanentMailError(`unknown email template ${template}`);
      const parsed = MAIL_TEMPLATES[template].safeParse(data);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => issue.path.join('.') || 'data').join(', ');
        throw new PermanentMailError(`email template ${template}: invalid data (${fields})`);
      }
      const language = isLanguage(requestedLanguage) ? requestedLanguage : 'sv';
      const locals = parsed.data as Record<string, unknown>;
      const file = path.join(TEMPLATES_DIR, `${template}.ejs`);
      const subject = i18n.getFixedT(language)(`${localeKey(template)}.subject`, locals);
      const html = await renderFormat(file, 'html', language, { ...locals, subject });
      const text = (await renderFormat(file, 'text', language, { ...locals, subject }))
        .replace(/\n{3,}/g, '\n\n')
        .trim();
      if ([subject, text, html].some(containsIdentityNumber)) {
        throw new PermanentMailError(`email template ${template}: refused, the message holds an identity number`);
      }
      return { subject, text: `${text}\n`, html };
    },
  };
}
