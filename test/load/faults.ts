import type { Violation } from './drivers';
import { sleep, type Child, type Postgres } from './processes';
import type { MailCatcher } from './smtp';

export interface FaultLog {
  entries: { what: string; detail: string }[];
  /** When app-1 was killed (ms since the epoch), if it was. */
  killedAt?: number;
}

export interface FaultOptions {
  seconds: number;
  baseUrl: string;
  token: string;
  postgres: Postgres;
  mail: MailCatcher;
  apps: Child[];
  /** Starts instance `index` again and resolves when it is ready. */
  restart(index: number): Promise<void>;
  violations: Violation[];
  log(message: string): void;
}

interface Probe {
  page: number | string;
  api: number | string;
}

/** A page that needs the database (the login stores its SAML request) and a decision, through nginx. */
async function probe(baseUrl: string, token: string): Promise<Probe> {
  const status = (request: Promise<Response>) =>
    request.then(
      (response) => response.status,
      (error: unknown) => (error instanceof Error ? error.name : 'error'),
    );
  const [page, api] = await Promise.all([
    status(fetch(`${baseUrl}/logga-in`, { redirect: 'manual', signal: AbortSignal.timeout(15_000) })),
    status(
      fetch(`${baseUrl}/access/v1/evaluation`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          subject: { type: 'person', id: '191212121212' },
          action: { name: 'use' },
          resource: { type: 'service', id: 'rapport-direkt', properties: { employer_code: '40101' } },
        }),
        signal: AbortSignal.timeout(15_000),
      }),
    ),
  ]);
  return { page, api };
}

const counted = (values: (number | string)[]) => {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value}×${count}`).join(' ');
};

/**
 * The faults, at fixed points of the run: SMTP down (10–30 %), PostgreSQL restarted (40 %), one instance killed
 * (60 %) and started again (80 %). Resolves when the last one is over.
 */
export async function runFaults(options: FaultOptions): Promise<FaultLog> {
  const { seconds, baseUrl, token } = options;
  const log = (message: string) => {
    options.log(message);
  };
  const log_: FaultLog = { entries: [] };
  const started = Date.now();
  const at = async (fraction: number) => {
    const wait = started + fraction * seconds * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
  };

  await at(0.1);
  await options.mail.stop();
  log('fault: SMTP server stopped');
  await at(0.3);
  await options.mail.start();
  log_.entries.push({ what: 'SMTP stopped', detail: `for ${Math.round(0.2 * seconds)} s` });
  log('SMTP server back');

  await at(0.4);
  const down = Date.now();
  await options.postgres.stop();
  log('fault: PostgreSQL stopped');
  const whileDown: Probe[] = [];
  while (Date.now() - down < 5_000) {
    whileDown.push(await probe(baseUrl, token));
    await sleep(250);
  }
  await options.postgres.start();
  const back = Date.now();
  let recovered: number | undefined;
  while (Date.now() - back < 60_000) {
    const answer = await probe(baseUrl, token);
    if (answer.page === 302 && answer.api === 200) {
      recovered = Date.now() - back;
      break;
    }
    await sleep(250);
  }
  const pages = whileDown.map((entry) => entry.page);
  const decisions = whileDown.map((entry) => entry.api);
  log_.entries.push({
    what: 'PostgreSQL restarted',
    detail: `down ${((back - down) / 1000).toFixed(1)} s; while down: pages ${counted(pages)}, API ${counted(decisions)}; recovered ${recovered === undefined ? 'never' : `${recovered} ms`} after it was back`,
  });
  log(`PostgreSQL back; recovered in ${recovered ?? 'never'} ms`);
  const wrong = whileDown.filter((entry) => entry.page !== 503 || entry.api !== 503);
  if (wrong.length > 0) {
    options.violations.push({ what: '503 while down', detail: `answers ${counted([...pages, ...decisions])}` });
  }
  if (recovered === undefined) options.violations.push({ what: 'recovery', detail: 'not serving 60 s after restart' });
  for (const app of options.apps) {
    if (!app.alive) {
      options.violations.push({ what: 'instance', detail: `${app.name} is not running after the PostgreSQL restart` });
    }
  }

  await at(0.6);
  const victim = options.apps[1];
  victim?.kill('SIGKILL');
  log_.killedAt = Date.now();
  log('fault: app-1 killed (SIGKILL)');
  const afterKill: (number | string)[] = [];
  for (let index = 0; index < 20; index += 1) {
    afterKill.push((await probe(baseUrl, token)).api);
    await sleep(100);
  }
  if (afterKill.some((status) => status !== 200)) {
    options.violations.push({ what: 'instance killed', detail: `answers after the kill: ${counted(afterKill)}` });
  }
  await at(0.8);
  await options.restart(1);
  log('app-1 started again');
  log_.entries.push({
    what: 'instance killed',
    detail: `app-1 SIGKILL at 60 %, started again at 80 %; decisions just after the kill: ${counted(afterKill)}`,
  });
  return log_;
}
