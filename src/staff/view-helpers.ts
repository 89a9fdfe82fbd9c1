import { formatOrganisationNumber } from '../domain/identity-numbers';

const swedishDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' });

/** What the back-office views use to show numbers and dates (YYYY-MM-DD, Swedish time). */
export const viewHelpers = {
  formatOrganisationNumber,
  formatDate: (date: Date | null): string => (date ? swedishDate.format(date) : ''),
};
