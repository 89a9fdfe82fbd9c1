import type { CodeRow } from './repository';

/** The checked code ids of a submitted (or prefilled) form: one value, several, or none. */
export function checkedCodeIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Codes as the flash messages and emails show them: "40101, 40102". */
export const codeList = (codes: readonly Pick<CodeRow, 'code'>[]): string => codes.map((code) => code.code).join(', ');
