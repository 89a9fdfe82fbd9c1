import fc from 'fast-check';
import { fcSeedFrom } from './fc-seed';

/**
 * With FC_SEED set (as `.ci/run` does), every property draws the same values on each run, so a CI result can be
 * repeated; without it, each run draws new values and a failure prints the seed that gives it again.
 */
const seed = fcSeedFrom(process.env);
if (seed !== undefined) fc.configureGlobal({ seed });
