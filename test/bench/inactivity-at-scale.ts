/**
 * How long the daily inactivity check takes at national scale: `npm run bench:inactivity` (uses DATABASE_URL's server,
 * or the embedded one). Fills a new database with the benchmark generator (`--scale large`, the default: 1,000,000
 * persons, 20,000 employers, 60,000 codes each with an administrator, 10,000,000 permissions; one person in twenty
 * not logged in for two years), runs the check twice (notices, then nothing due) and prints the figures. The
 * database is dropped afterwards. `npm run bench` times the same check (once, rolled back) among its other figures.
 */
import { runInactivityCheck } from '../../src/jobs/inactivity';
import { generate } from './generator';
import { scaleFromArgs } from './scale';
import { printTimed, runScript, withScratchDatabase } from './scratch';

const scale = scaleFromArgs(process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['--scale', 'large']);

runScript(() =>
  withScratchDatabase(
    'portal_bench_inactivity',
    async (db, url) => {
      await printTimed(`data (${scale.name} scale)`, () => generate(url, scale, { progress: false }));
      const settings = { months: 18, reminderDays: 30, baseUrl: 'https://behorigheter.example.se' };
      const first = await printTimed('inactivity check, first run (notices)', () =>
        runInactivityCheck(db, settings, new Date()),
      );
      const second = await printTimed('inactivity check, second run (nothing due)', () =>
        runInactivityCheck(db, settings, new Date()),
      );
      const [{ count }] = (await db('outbox').count({ count: '*' })) as [{ count: number }];
      console.log(
        `notices ${first.notices}, reminders ${first.reminders}; second run: notices ${second.notices}, ` +
          `reminders ${second.reminders}; outbox rows ${count}`,
      );
    },
    { min: 1, max: 2 },
  ),
);
