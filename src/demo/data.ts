/**
 * Demo data for development: one fictional government employer, its codes and a person in every role. Personal
 * identity numbers follow Skatteverket's classic test number 19121212-1212 (born in December 1912, one
 * samordningsnummer); phone numbers are from the series PTS reserves for fiction; e-mail domains end in .example.
 */

export type DemoRole = 'staff' | 'orderer' | 'delegate' | 'administrator' | 'user';

export interface DemoPerson {
  key: string;
  role: DemoRole;
  description: { sv: string; en: string };
  personalIdentityNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  phone: string;
  preferredLanguage: 'sv' | 'en';
}

export const DEMO_EMPLOYER = {
  organisationNumber: '2021990011',
  name: 'Myndigheten för kulturarvsdata',
  registryEmail: 'registrator@kulturarvsdata.example',
  codes: [
    { code: '40101', name: 'Huvudkontoret', active: true, closedOn: null },
    { code: '40102', name: 'Regionkontor Norr', active: true, closedOn: null },
    { code: '40199', name: 'Projektenheten Digitalisering', active: false, closedOn: '2019-12-31' },
  ],
} as const;

export type DemoCode = (typeof DEMO_EMPLOYER.codes)[number]['code'];

const EMPLOYER_DOMAIN = 'kulturarvsdata.example';

export const DEMO_PERSONS: readonly DemoPerson[] = [
  {
    key: 'staff',
    role: 'staff',
    description: { sv: 'Handläggare på SPV', en: 'Agency staff (SPV)' },
    personalIdentityNumber: '191212112427',
    givenName: 'Karin',
    familyName: 'Lindqvist',
    email: 'karin.lindqvist@spv.example',
    phone: '070-174 06 05',
    preferredLanguage: 'sv',
  },
  {
    key: 'orderer',
    role: 'orderer',
    description: { sv: 'Behörig beställare (personalchef)', en: 'Authorized orderer (HR director)' },
    personalIdentityNumber: '191212102824',
    givenName: 'Anna',
    familyName: 'Bergström',
    email: `anna.bergstrom@${EMPLOYER_DOMAIN}`,
    phone: '070-174 06 10',
    preferredLanguage: 'sv',
  },
  {
    key: 'delegate',
    role: 'delegate',
    description: {
      sv: 'Delegerad behörig beställare (HR-specialist)',
      en: 'Delegate of the orderer (HR specialist)',
    },
    personalIdentityNumber: '191212091357',
    givenName: 'Erik',
    familyName: 'Johansson',
    email: `erik.johansson@${EMPLOYER_DOMAIN}`,
    phone: '070-174 06 15',
    preferredLanguage: 'sv',
  },
  {
    key: 'administrator-all-codes',
    role: 'administrator',
    description: {
      sv: 'Ansvarig administratör för alla tre arbetsgivarkoder',
      en: 'Administrator of all three employer codes',
    },
    personalIdentityNumber: '191212083461',
    givenName: 'Maria',
    familyName: 'Nilsson',
    email: `maria.nilsson@${EMPLOYER_DOMAIN}`,
    phone: '070-174 06 20',
    preferredLanguage: 'sv',
  },
  {
    key: 'administrator-north',
    role: 'administrator',
    description: {
      sv: 'Ansvarig administratör för arbetsgivarkod 40102 (Regionkontor Norr)',
      en: 'Administrator of employer code 40102 (Regionkontor Norr)',
    },
    personalIdentityNumber: '191212121212',
    givenName: 'Johan',
    familyName: 'Andersson',
    email: `johan.andersson@${EMPLOYER_DOMAIN}`,
    phone: '070-174 06 25',
    preferredLanguage: 'sv',
  },
  {
    key: 'user-reporting',
    role: 'user',
    description: {
      sv: 'Användare: Rapport direkt och Visa anställning',
      en: 'User: direct reporting and employment details',
    },
    personalIdentityNumber: '191212072423',
    givenName: 'Sara',
    familyName: 'Karlsson',
    email: `sara.karlsson@${EMPLOYER_DOMAIN}`,
    phone: '070-174 06 30',
    preferredLanguage: 'sv',
  },
  {
    key: 'user-payroll',
    role: 'user',
    description: { sv: 'Användare: Filöverföring (lönefiler)', en: 'User: file transfer (salary files)' },
    personalIdentityNumber: '191212061533',
    givenName: 'Lars',
    familyName: 'Persson',
    email: `lars.persson@${EMPLOYER_DOMAIN}`,
    phone: '070-174 06 35',
    preferredLanguage: 'sv',
  },
  {
    key: 'user-finance',
    role: 'user',
    description: {
      sv: 'Användare med samordningsnummer: fakturaspecifikationer, även för den avslutade koden',
      en: 'User with a coordination number: invoice specifications, the closed code included',
    },
    personalIdentityNumber: '191212652372',
    givenName: 'Mikko',
    familyName: 'Virtanen',
    email: `mikko.virtanen@${EMPLOYER_DOMAIN}`,
    phone: '070-174 06 40',
    preferredLanguage: 'en',
  },
  {
    key: 'user-inactive',
    role: 'user',
    description: {
      sv: 'Användare som inte har loggat in på 20 månader (överförd från de gamla uppgifterna)',
      en: 'User who has not logged in for 20 months (imported from the old records)',
    },
    personalIdentityNumber: '191212052680',
    givenName: 'Gunnel',
    familyName: 'Holm',
    email: `gunnel.holm@${EMPLOYER_DOMAIN}`,
    phone: '070-174 06 45',
    preferredLanguage: 'sv',
  },
];

export type DemoServiceKey =
  | 'hantera-behorigheter'
  | 'rapport-direkt'
  | 'visa-anstallning'
  | 'filoverforing'
  | 'fakturaspecifikationer'
  | 'rapporter';

export interface DemoGrant {
  person: string;
  code: DemoCode;
  service: DemoServiceKey;
  grantedBy: string | null;
  grantedAt: string;
}

function grant(
  person: string,
  code: DemoCode,
  service: DemoServiceKey,
  grantedBy: string | null,
  grantedAt: string,
): DemoGrant {
  return { person, code, service, grantedBy, grantedAt };
}

/** grantedBy null: imported from the agency's old records at launch. */
export const DEMO_GRANTS: readonly DemoGrant[] = [
  grant('user-reporting', '40101', 'rapport-direkt', 'administrator-all-codes', '2020-03-02T09:15:00+01:00'),
  grant('user-reporting', '40101', 'visa-anstallning', 'administrator-all-codes', '2020-03-02T09:16:00+01:00'),
  grant('user-reporting', '40102', 'rapport-direkt', 'administrator-north', '2021-09-14T13:40:00+02:00'),
  grant('user-payroll', '40101', 'filoverforing', null, '2020-03-01T00:00:00+01:00'),
  grant('user-payroll', '40102', 'filoverforing', 'administrator-north', '2022-01-10T10:05:00+01:00'),
  grant('user-payroll', '40102', 'visa-anstallning', 'administrator-north', '2022-01-10T10:06:00+01:00'),
  grant('user-finance', '40101', 'fakturaspecifikationer', 'administrator-all-codes', '2023-05-22T08:30:00+02:00'),
  grant('user-finance', '40101', 'rapporter', 'administrator-all-codes', '2023-05-22T08:31:00+02:00'),
  grant('user-finance', '40199', 'fakturaspecifikationer', 'administrator-all-codes', '2023-05-22T08:32:00+02:00'),
  grant('user-inactive', '40102', 'rapporter', null, '2020-03-01T00:00:00+01:00'),
];

/** Which codes each administrator administers. */
export const DEMO_ADMINISTRATORS: readonly { person: string; codes: readonly DemoCode[] }[] = [
  { person: 'administrator-all-codes', codes: ['40101', '40102', '40199'] },
  { person: 'administrator-north', codes: ['40102'] },
];
