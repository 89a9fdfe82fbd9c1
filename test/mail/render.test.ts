import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { createMailRenderer, PermanentMailError } from '../../src/mail/render';
import { MAIL_TEMPLATES, type MailTemplate } from '../../src/mail/templates';
import { createI18n } from '../../src/web/i18n';

const renderer = createMailRenderer(await createI18n());
const link = 'https://behorigheter.example.se/onboarding/abc?x=1&y=2';

/** Data for each template as the features enqueue it. */
const EXAMPLES: Record<MailTemplate, Record<string, unknown>> = {
  'orderer-invitation': {
    name: 'Anna Bergström',
    employerName: 'Myndigheten för kulturarvsdata',
    codes: [
      { code: '40101', name: 'Huvudkontoret' },
      { code: '40102', name: 'Regionkontor Norr' },
    ],
    link,
    expiresAt: '2026-12-24T10:00:00.000Z',
  },
  'orderer-activated': { name: 'Anna Bergström', employerName: 'Myndigheten för kulturarvsdata', link },
  'delegate-appointed': {
    name: 'Erik Johansson',
    ordererName: 'Anna Bergström',
    employerName: 'Myndigheten för kulturarvsdata',
    link,
  },
  'administrators-appointed': {
    name: 'Anna Bergström',
    employerName: 'Myndigheten för kulturarvsdata',
    administrators: [
      { name: 'Maria Nilsson', codes: ['40101', '40102'] },
      { name: 'Johan Andersson', codes: ['40102'] },
    ],
    link,
  },
  'permission-changed': {
    name: 'Sara Karlsson',
    employerName: 'Myndigheten för kulturarvsdata',
    code: '40101',
    granted: ['Rapport direkt'],
    removed: ['Visa anställning'],
    link,
  },
  'user-removed': { name: 'Lars Persson', employerName: 'Myndigheten för kulturarvsdata', code: '40102', link },
  'inactivity-notice': {
    name: 'Maria Nilsson',
    employerName: 'Myndigheten för kulturarvsdata',
    users: [
      { name: 'Gunnel Holm', code: '40102', lastLoginAt: '2024-03-01T09:00:00.000Z' },
      { name: 'Nils Never', code: '40101', lastLoginAt: null },
    ],
    link,
    months: 18,
  },
  'inactivity-reminder': {
    name: 'Maria Nilsson',
    employerName: 'Myndigheten för kulturarvsdata',
    users: [{ name: 'Gunnel Holm', code: '40102', lastLoginAt: '2024-03-01T09:00:00.000Z' }],
    link,
    months: 18,
  },
  'permission-expiry-reminder': {
    name: 'Sara Karlsson',
    employerName: 'Myndigheten för kulturarvsdata',
    code: '40101',
    services: [{ name: 'Rapport direkt', validUntil: '2026-12-31' }],
    link,
  },
  'permission-expiry-administrators': {
    name: 'Maria Nilsson',
    users: [{ name: 'Sara Karlsson', code: '40101', service: 'Rapport direkt', validUntil: '2026-12-31' }],
    link,
  },
  'access-request-submitted': {
    name: 'Johan Berg',
    requesterName: 'Sara Karlsson',
    employerName: 'Exempelmyndigheten',
    items: ['40102: Rapport direkt'],
    reason: 'Jag tar över lönerapporteringen.',
    link,
  },
  'access-request-rejected': {
    name: 'Sara Karlsson',
    employerName: 'Exempelmyndigheten',
    code: '40102',
    service: 'Rapport direkt',
    reason: 'Inte i din roll.',
    link,
  },
  'access-review-opened': {
    name: 'Maria Andersson',
    employerName: 'Exempelmyndigheten',
    count: 12,
    deadline: '2027-06-30',
    link,
  },
  'access-review-reminder': {
    name: 'Maria Andersson',
    employerName: 'Exempelmyndigheten',
    count: 3,
    deadline: '2027-06-30',
    link,
  },
  'access-review-expired': {
    name: 'Sara Karlsson',
    employerName: 'Exempelmyndigheten',
    code: '40101',
    services: ['Rapport direkt'],
    link,
  },
  'access-review-summary': {
    name: 'Olle Beställare',
    employerName: 'Exempelmyndigheten',
    confirmed: 30,
    removed: 4,
    expired: 2,
    link,
  },
  'access-request-expired': {
    name: 'Sara Karlsson',
    employerName: 'Exempelmyndigheten',
    code: '40102',
    service: 'Rapport direkt',
    link,
  },
  'permission-expired': {
    name: 'Sara Karlsson',
    employerName: 'Myndigheten för kulturarvsdata',
    code: '40101',
    services: ['Rapport direkt'],
    link,
  },
  'appointment-expiry-reminder': {
    name: 'Maria Nilsson',
    employerName: 'Myndigheten för kulturarvsdata',
    roles: [{ role: 'administrator', code: '40101', validUntil: '2026-12-31' }],
    link,
  },
  'appointment-expired': {
    name: 'Erik Johansson',
    employerName: 'Myndigheten för kulturarvsdata',
    roles: [{ role: 'delegate', code: null, validUntil: '2026-12-31' }],
    link,
  },
  'launch-letter': {
    employerName: 'Myndigheten för kulturarvsdata',
    codes: [
      { code: '40101', name: 'Huvudkontoret', active: true },
      { code: '40199', name: 'Projektenheten Digitalisering', active: false },
    ],
    link,
  },
};

describe('email templates', () => {
  it('exist for every template the features send, with an example here', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(Object.keys(MAIL_TEMPLATES).sort());
  });

  for (const template of Object.keys(MAIL_TEMPLATES) as MailTemplate[]) {
    it(`${template}: subject, text and HTML in Swedish and English, with the agency's footer and the link`, async () => {
      const sv = await renderer.render(template, 'sv', EXAMPLES[template]);
      const en = await renderer.render(template, 'en', EXAMPLES[template]);
      for (const [email, agency, phone] of [
        [sv, 'Statens tjänstepensionsverk', 'Telefon 060-18 74 00'],
        [en, 'Swedish National Government Employee Pensions Board (SPV)', 'Phone +46 60 18 74 00'],
      ] as const) {
        expect(email.subject.length).toBeGreaterThan(10);
        expect(email.subject).not.toContain('mail.');
        expect(email.text).toContain(agency);
        expect(email.text).toContain(phone);
        expect(email.text).toContain('kundtjanst@spv.se');
        expect(email.text).toContain(link);
        expect(email.text).not.toMatch(/mail\.[a-zA-Z]/);
        const html = cheerio.load(email.html);
        expect(html('title').text()).toBe(email.subject);
        expect(html('[data-part=footer]').text()).toContain(agency);
        expect(html(`a[href="${link}"]`)).toHaveLength(1);
      }
      expect(sv.subject).not.toBe(en.subject);
      expect(cheerio.load(sv.html)('html').attr('lang')).toBe('sv');
      expect(cheerio.load(en.html)('html').attr('lang')).toBe('en');
    });
  }

  it('show the template data: codes, administrators, permissions, inactive users with their last login', async () => {
    const invitation = await renderer.render('orderer-invitation', 'sv', EXAMPLES['orderer-invitation']);
    expect(invitation.text).toContain('- 40101 Huvudkontoret');
    expect(invitation.text).toContain('24 december 2026');
    const appointed = await renderer.render('administrators-appointed', 'en', EXAMPLES['administrators-appointed']);
    expect(appointed.text).toContain('Maria Nilsson: employer code 40101, 40102');
    const changed = await renderer.render('permission-changed', 'sv', EXAMPLES['permission-changed']);
    expect(changed.text).toMatch(/fått behörighet till:\n\n- Rapport direkt/);
    expect(changed.text).toMatch(/tagits bort för:\n\n- Visa anställning/);
    const notice = await renderer.render('inactivity-notice', 'en', EXAMPLES['inactivity-notice']);
    expect(notice.text).toContain('Gunnel Holm, employer code 40102, last logged in 1 March 2024');
    expect(notice.text).toContain('Nils Never, employer code 40101, has never logged in');
    expect(notice.text).toContain('18 months');
  });

  it('fall back to Swedish for a language the portal does not have', async () => {
    const email = await renderer.render('user-removed', 'de', EXAMPLES['user-removed']);
    expect(email.subject).toBe('Din behörighet för Myndigheten för kulturarvsdata har tagits bort');
  });

  it('escape names in the HTML version', async () => {
    const email = await renderer.render('orderer-activated', 'sv', {
      ...EXAMPLES['orderer-activated'],
      employerName: '<script>alert(1)</script> & Co',
    });
    const html = cheerio.load(email.html);
    expect(html('script')).toHaveLength(0);
    expect(html('body').text()).toContain('<script>alert(1)</script> & Co');
    expect(email.text).toContain('<script>alert(1)</script> & Co');
  });

  it('refuse, as a permanent failure: an unknown template, data that does not fit, a link that is not http(s)', async () => {
    await expect(renderer.render('no-such-template', 'sv', {})).rejects.toThrow(PermanentMailError);
    await expect(renderer.render('_layout.html', 'sv', {})).rejects.toThrow(PermanentMailError);
    await expect(renderer.render('user-removed', 'sv', { name: 'Lars' })).rejects.toThrow(/invalid data/);
    await expect(
      renderer.render('user-removed', 'sv', { ...EXAMPLES['user-removed'], link: 'javascript:alert(1)' }),
    ).rejects.toThrow(PermanentMailError);
  });

  it('never send a personal identity number, whatever the data holds', async () => {
    for (const number of ['191212052680', '19121205-2680', '121205-2680']) {
      await expect(
        renderer.render('user-removed', 'sv', { ...EXAMPLES['user-removed'], name: `Gunnel Holm ${number}` }),
      ).rejects.toThrow(/identity number/);
    }
    // phone numbers and employer codes are not identity numbers
    await expect(renderer.render('user-removed', 'sv', EXAMPLES['user-removed'])).resolves.toBeDefined();
  });
});
