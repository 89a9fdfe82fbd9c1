import { formatOrganisationNumber } from '../domain/identity-numbers';

const swedishDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' });

/** What the back-office views use to show numbers and dates (YYYY-MM-DD, Swedish time). */
export const viewHelpers = {
  formatOrganisationNumber,
  formatDate: (date: Date | null): string => (date ? swedishDate.format(date) : ''),
  /** A plain text (terms) as paragraphs, split on blank lines, each as its lines, so the view keeps the breaks. */
  paragraphs: (text: string): string[][] =>
    text
      .replace(/\r\n?/g, '\n')
      .split(/\n\s*\n/)
      .map((paragraph) => paragraph.trim())
      .filter((paragraph) => paragraph !== '')
      .map((paragraph) => paragraph.split('\n')),
};
