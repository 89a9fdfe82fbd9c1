/**
 * The fast-check seed from FC_SEED: undefined when unset or empty; an error when it is not an integer. Read by
 * vitest.config.ts, so a wrong value stops the run before the global setup starts a database, and by the setup file
 * that configures fast-check with it.
 */
export function fcSeedFrom(env: NodeJS.ProcessEnv): number | undefined {
  const seed = env.FC_SEED;
  if (seed === undefined || seed.trim() === '') return undefined;
  const value = Number(seed);
  if (!Number.isSafeInteger(value)) throw new Error(`FC_SEED must be an integer, not ${JSON.stringify(seed)}`);
  return value;
}
