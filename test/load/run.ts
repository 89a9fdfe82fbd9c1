/**
 * `npm run test:load -- --duration 60`: two app instances behind nginx on their own PostgreSQL and SMTP server,
 * driven with administrator changes, the last-administrator race and decision API calls while faults are injected
 * (PostgreSQL restarted, SMTP stopped, an instance killed). Every change answered with success is then checked in
 * SQL, with the issue's invariants. Prints a summary; exits 1 on any violation.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { apiClientsService } from '../../src/api/clients';
import { ensureDatabase } from '../../src/db/embedded';
import { createKnex, withDatabase } from '../../src/db/knex';
import { migrateToLatest } from '../../src/db/migrations';
import { loadDemoData } from '../../src/demo/seed';
import { makeDevelopmentKeys } from '../helpers/keys';
import { freePort } from '../helpers/ports';
import { driveDecisionApi } from './api-load';
import { administratorSession, lastAdministratorRace, Tally, type DriverState } from './drivers';
import { runFaults, type FaultLog } from './faults';
import { Child, Postgres, sleep, startAppInstance, startNginx, waitUntil } from './processes';
import { prepareScenario } from './setup';
import { MailCatcher } from './smtp';
import { verify, type Verification } from './verify';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMINISTRATOR_SESSIONS = 4;
const RACE_CODES = 5;

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '60' }, keep: { type: 'boolean', default: false } },
});
const seconds = Number(values.duration);
if (!Number.isInteger(seconds) || seconds < 30) throw new Error('--duration must be a whole number of seconds, ≥ 30');

const startedAt = Date.now();
let drainSeconds = 0;
const runDir = path.join(ROOT, '.data', 'load-test', Date.now().toString(36));
const children: Child[] = [];
let postgres: Postgres | undefined;
let mail: MailCatcher | undefined;
let db: Knex | undefined;

async function ready(url: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    async () => {
      try {
        return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;
      } catch {
        return false;
      }
    },
    url,
    timeoutMs,
  );
}

async function cleanUp(): Promise<void> {
  await Promise.allSettled(children.map((child) => child.stop()));
  await db?.destroy().catch(() => undefined);
  await mail?.stop();
  await postgres?.stop().catch(() => undefined);
  if (values.keep) {
    for (const child of children)
      await writeFile(path.join(runDir, `${child.name}-${child.process.pid ?? 0}.log`), child.log);
  } else {
    await rm(runDir, { recursive: true, force: true });
  }
}

function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main(): Promise<boolean> {
  await mkdir(runDir, { recursive: true });
  postgres = new Postgres(path.join(runDir, 'postgres'), await freePort());
  await postgres.start();
  await ensureDatabase(postgres.url, 'portal');
  const databaseUrl = withDatabase(postgres.url, 'portal');
  db = createKnex(databaseUrl, { min: 0, max: 4 });
  await migrateToLatest(db);
  await loadDemoData(db);
  const scenario = await prepareScenario(db, ADMINISTRATOR_SESSIONS, RACE_CODES);
  const client = await apiClientsService(db, Date.now).create('Lasttest', { type: 'system', requestId: undefined });
  if (client.outcome !== 'created') throw new Error('no API client');
  const subjects = await db('persons').limit(20).pluck<string[]>('personal_identity_number');

  const dataDir = path.join(runDir, 'app');
  await makeDevelopmentKeys(dataDir);
  mail = new MailCatcher(await freePort());
  await mail.start();

  const nginxPort = await freePort();
  const baseUrl = `http://127.0.0.1:${nginxPort}`;
  const ports = [await freePort(), await freePort()];
  const instance = (index: number): Child => {
    const child = startAppInstance({
      name: `app-${index}`,
      port: ports[index] ?? 0,
      databaseUrl,
      smtpUrl: mail?.url ?? '',
      baseUrl,
      dataDir,
    });
    children.push(child);
    return child;
  };
  const apps = [instance(0), instance(1)];
  for (const port of ports) await ready(`http://127.0.0.1:${port}/readyz`);
  children.push(await startNginx(path.join(runDir, 'nginx'), nginxPort, ports));
  await ready(`${baseUrl}/readyz`);
  // Both started at the same moment on a new database (as in a first rollout): both must still be up once their
  // job queues have started.
  await sleep(3_000);
  for (const app of apps) {
    if (!app.alive) throw new Error(`${app.name} stopped while starting`);
  }
  log(`two instances behind nginx at ${baseUrl}; driving for ${seconds} s`);

  const state: DriverState = {
    stop: false,
    tally: new Tally(),
    changes: [],
    violations: [],
    raceRounds: 0,
    raceRefusals: 0,
  };
  const since = (await db.raw<{ rows: { now: Date }[] }>('select now()')).rows[0]?.now ?? new Date();
  const api = driveDecisionApi(baseUrl, client.secret, subjects, seconds, state.tally);
  const drivers = [
    ...scenario.targets.map((_, index) => administratorSession(baseUrl, scenario, index, state)),
    lastAdministratorRace(baseUrl, db, scenario, state),
  ];
  const faults: FaultLog = await runFaults({
    seconds,
    baseUrl,
    token: client.secret,
    postgres,
    mail,
    apps,
    restart: (index) => {
      const child = instance(index);
      apps[index] = child;
      return ready(`http://127.0.0.1:${ports[index] ?? 0}/readyz`);
    },
    violations: state.violations,
    log,
  });
  await api.result;
  state.stop = true;
  const settled = await Promise.allSettled(drivers);
  for (const outcome of settled) {
    if (outcome.status === 'rejected') {
      state.violations.push({ what: 'driver', detail: String(outcome.reason) });
    }
  }
  log(`load done: ${state.changes.length} changes answered with success; waiting for the outbox to drain`);

  await mail.start();
  const drainStart = Date.now();
  const database = db;
  const [written] = await database('outbox').count<{ count: number }[]>({ count: '*' });
  // The mail relay takes a message at a time: a minute for the lease of a killed instance's rows and the back-off
  // of those refused while SMTP was down, then time for the backlog (a few messages a second on a busy 2-core box).
  const drainLimitMs = 180_000 + 300 * (written?.count ?? 0);
  let left = 0;
  const drained = await waitUntil(
    async () => {
      const [row] = await database('outbox').whereNot({ status: 'sent' }).count<{ count: number }[]>({ count: '*' });
      left = row?.count ?? 0;
      return left === 0;
    },
    'the outbox to drain',
    drainLimitMs,
  ).then(
    () => true,
    () => false,
  );
  drainSeconds = Math.round((Date.now() - drainStart) / 1000);
  if (!drained) log(`the outbox did not drain in ${Math.round(drainLimitMs / 1000)} s: ${left} emails left`);
  await sleep(2_000); // a message in flight arrives before the count
  const verification = await verify(db, since, state.changes, mail.messages, faults.killedAt);
  for (const app of apps) {
    if (!app.alive) state.violations.push({ what: 'instance', detail: `${app.name} is not running at the end` });
  }
  const apiResult = await api.result;
  printSummary(state, faults, verification, apiResult.requests.total, mail.connectionErrors);
  const violations = [...state.violations, ...verification.violations];
  if (violations.length > 0) {
    for (const child of children) {
      const tail = child.log
        .split('\n')
        .slice(-60)
        .map((line) => line.slice(0, 400))
        .join('\n');
      if (tail.trim()) process.stdout.write(`--- last lines of ${child.name}\n${tail}\n`);
    }
  }
  return violations.length === 0;
}

function printSummary(
  state: DriverState,
  faults: FaultLog,
  verification: Verification,
  apiRequests: number,
  smtpConnectionErrors: number,
): void {
  const violations = [...state.violations, ...verification.violations];
  const kinds = [...state.tally.counts].sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    '',
    '== load with faults: summary',
    `duration                ${seconds} s of load; outbox drained ${drainSeconds} s later; ${Math.round((Date.now() - startedAt) / 1000)} s in all`,
    `requests                ${state.tally.total} (decision API ${apiRequests})`,
    `answers by kind         ${kinds.map(([kind, count]) => `${kind}: ${count}`).join(', ')}`,
    `faults injected         ${faults.entries.map((entry) => entry.what).join('; ')}`,
    ...faults.entries.map((entry) => `  ${entry.what.padEnd(22)}${entry.detail}`),
    `changes answered ok     ${state.changes.length}`,
    `changes verified        ${verification.changesVerified} (grant row, audit row, outbox row, one email)`,
    `race rounds             ${state.raceRounds} × ${RACE_CODES} codes, ${state.raceRefusals} removals refused`,
    `emails                  ${verification.emailsSent} sent, ${verification.emailsArrived} arrived (${verification.resentAfterKill} accepted just before their sender was killed, sent again with the same Message-ID); ${smtpConnectionErrors} SMTP connections ended by a client error`,
    `violations              ${violations.length}`,
    ...violations.slice(0, 50).map((violation) => `  ${violation.what}: ${violation.detail}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

let exitCode = 1;
const interrupted = () => {
  log('interrupted: stopping every child');
  void cleanUp().finally(() => process.exit(130));
};
process.on('SIGINT', interrupted);
process.on('SIGTERM', interrupted);
try {
  exitCode = (await main()) ? 0 : 1;
} catch (error) {
  process.stdout.write(
    `load test failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  for (const child of children) {
    process.stdout.write(`--- last lines of ${child.name}\n${child.log.split('\n').slice(-30).join('\n')}\n`);
  }
} finally {
  await cleanUp();
}
process.exit(exitCode);
