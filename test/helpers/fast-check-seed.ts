import fc from 'fast-check';

/**
 * With FC_SEED set (as `.ci/run` does), every property draws the same values on each run, so a CI result can be
 * repeated; without it, each run draws new values and a failure prints the seed that gives it again.
 */
const seed = process.env.FC_SEED;
if (seed !== undefined && seed.trim() !== '') {
  const value = Number(seed);
  if (!Number.isSafeInteger(value)) throw new Error(`FC_SEED must be an integer, not ${JSON.stringify(seed)}`);
  fc.configureGlobal({ seed: value });
}
