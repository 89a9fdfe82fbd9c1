import { formatOrganisationNumber, formatPersonalIdentityNumber } from '../domain/identity-numbers';

/** Formatting for the onboarding views, in the page's language and Swedish time. */
export function formatters(lang: 'sv' | 'en') {
  const dates = new Intl.DateTimeFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Europe/Stockholm',
  });
  return {
    date: (value: Date | null | undefined): string => (value ? dates.format(value) : '–'),
    pnr: formatPersonalIdentityNumber,
    org: formatOrganisationNumber,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);
