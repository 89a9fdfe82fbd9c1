/**
 * The fast-check seed from FC_SEED: undefined when unset or empty; an error when it is not an integer. Read first by
 * the global setup, so a wrong value stops the run before a database starts, then by the setup file that configures
 * fast-check with it.
 */
export function fcSeedFrom(env: NodeJS.ProcessEnv): number | undefined {
  const seed = env.FC_SEED;
  if (seed === undefined || seed.trim() === '') return undefined;
  const value = Number(seed);
  if (!Number.isSafeInteger(value)) throw new Error(`FC_SEED must be an integer, not ${JSON.stringify(seed)}`);
  return value;
}
