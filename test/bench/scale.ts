/**
 * The sizes the benchmarks run at: `large` is the national scale of issue 10, `small` the smoke test's, `medium` the
 * largest employer at national size among few others (for what depends on that employer alone, such as its review).
 */
export interface Scale {
  name: 'small' | 'medium' | 'large';
  persons: number;
  employers: number;
  /** Employer codes per employer (60,000 codes for 20,000 employers). */
  codesPerEmployer: number;
  /** Current permissions per person, spread over the person's employer's codes and the services. */
  permissionsPerPerson: number;
  /** Users of the largest employer (employer 0); everyone else is spread over the other employers. */
  largestEmployerUsers: number;
}

export const SCALES: Record<Scale['name'], Scale> = {
  small: {
    name: 'small',
    persons: 10_000,
    employers: 200,
    codesPerEmployer: 3,
    permissionsPerPerson: 10,
    largestEmployerUsers: 1_000,
  },
  medium: {
    name: 'medium',
    persons: 100_000,
    employers: 2_000,
    codesPerEmployer: 3,
    permissionsPerPerson: 10,
    largestEmployerUsers: 10_000,
  },
  large: {
    name: 'large',
    persons: 1_000_000,
    employers: 20_000,
    codesPerEmployer: 3,
    permissionsPerPerson: 10,
    largestEmployerUsers: 10_000,
  },
};

/** `--scale small|medium|large` from the command line (default small). */
export function scaleFromArgs(argv: readonly string[]): Scale {
  const index = argv.indexOf('--scale');
  const value = index >= 0 ? argv[index + 1] : argv.find((arg) => arg.startsWith('--scale='))?.slice(8);
  if (value === undefined) return SCALES.small;
  if (value !== 'small' && value !== 'medium' && value !== 'large') {
    throw new Error(`--scale must be small, medium or large, not ${value}`);
  }
  return SCALES[value];
}

/** The person who administers every code of employer `e` (the employer's first user). */
export function administratorIndex(scale: Scale, employer: number): number {
  return employer === 0 ? 0 : scale.largestEmployerUsers + employer - 1;
}
