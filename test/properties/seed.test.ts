import { describe, expect, it } from 'vitest';
import { fcSeedFrom } from '../helpers/fc-seed';

describe('FC_SEED', () => {
  it('is read as an integer, and unset or empty means a new seed each run', () => {
    expect(fcSeedFrom({ FC_SEED: '20261206' })).toBe(20261206);
    expect(fcSeedFrom({ FC_SEED: '-7' })).toBe(-7);
    expect(fcSeedFrom({})).toBeUndefined();
    expect(fcSeedFrom({ FC_SEED: ' ' })).toBeUndefined();
  });

  it('stops the run with a message when it is not an integer', () => {
    for (const value of ['x', '1.5', '1e400', '9007199254740993']) {
      expect(() => fcSeedFrom({ FC_SEED: value })).toThrow(`FC_SEED must be an integer, not "${value}"`);
    }
  });
});
