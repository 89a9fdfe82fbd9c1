/**
 * The load harness: starts the portal against a generated bench database, logs in through the development e-ID,
 * and drives each scenario with autocannon from a separate process (autocannon-runner.ts), sampling the server's
 * resident memory meanwhile; then times the CSV export, the inactivity job and collects the EXPLAIN plans.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { apiClientsService } from '../../src/api/clients';
import { apiPaths } from '../../src/api/paths';
import { createKnex } from '../../src/db/knex';
import { runInactivityCheck } from '../../src/jobs/inactivity';
import { paths } from '../../src/paths';
import type { RunnerResult, RunnerScenario } from './autocannon-runner';
import { timed } from './database';
import { explainOverview, type Plan } from './explain';
import { administratorIndex, type Scale } from './scale';
import { expectOk, logIn, searchFor } from './sessions';
import { memoryOf, REPO_ROOT, sampleMemory, startServer } from './server';

export interface ScenarioResult extends RunnerResult {
  name: string;
  connections: number;
  /** Highest resident memory of the server during the scenario, MB. */
  serverPeakRss: number;
}

export interface BenchReport {
  scale: Scale;
  scenarios: ScenarioResult[];
  csv: { seconds: number; lines: number; bytes: number; rssBefore: number; rssPeak: number; status: number };
  inactivity: { seconds: number; notices: number; reminders: number };
  /** The server's peak resident memory over the whole run (VmHWM), MB. */
  serverPeakRss: number;
  plans: Plan[];
}

export interface BenchOptions {
  scale: Scale;
  databaseUrl: string;
  dataDir: string;
  /** Requests per scenario. */
  requests: { api: number; batch: number; pages: number };
  /** An unmeasured warm-up of a tenth of the requests before each scenario. */
  warmUp: boolean;
  /** Concurrent connections for the decision API and the floor (50), and for the logged-in pages. */
  connections: { api: number; pages: number };
  /**
   * NODE_OPTIONS of the server. V8 lets its old generation grow far past what the portal uses before it collects
   * (420 MB resident under the floor's load alone); a bound makes it collect sooner.
   */
  nodeOptions: string;
  /** The overview's search term (posted once, kept in the session). */
  searchTerm: string;
  log: (line: string) => void;
}

/** The id the generator gave row `n` of a kind (1 persons, 2 employers, 3 codes, 4 permissions). */
export const generatedId = (kind: number, n: number): string =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

interface Question {
  pin: string;
  key: string;
  code: string;
}

/** Decision questions from the data: real grants, and as many with another service (mostly denied). */
async function sampleQuestions(db: Knex, scale: Scale, count: number): Promise<Question[]> {
  const total = scale.persons * scale.permissionsPerPerson;
  const ids = Array.from({ length: count }, (_, index) => generatedId(4, (index * 7_919_993 + 17) % total));
  const { rows } = await db.raw<{ rows: Question[] }>(
    `select pe.personal_identity_number as pin, s.key, c.code
       from permissions p
       join persons pe on pe.id = p.person_id
       join employer_codes c on c.id = p.employer_code_id
       join services s on s.id = case when p.id::text like '%1' or p.id::text like '%6'
                                      then (select id from services order by random() limit 1) else p.service_id end
      where p.id = any(?::uuid[])`,
    [`{${ids.join(',')}}`],
  );
  return rows;
}

const subject = (pin: string) => ({ type: 'person', id: pin });
const resource = (question: Question) => ({
  type: 'service',
  id: question.key,
  properties: { employer_code: question.code },
});

function singleBodies(questions: Question[]): string[] {
  return questions.map((question) =>
    JSON.stringify({ subject: subject(question.pin), action: { name: 'use' }, resource: resource(question) }),
  );
}

function batchBodies(questions: Question[]): string[] {
  const bodies: string[] = [];
  for (let start = 0; start + 20 <= questions.length; start += 20) {
    const items = questions.slice(start, start + 20).map((question) => ({
      subject: subject(question.pin),
      resource: resource(question),
    }));
    bodies.push(JSON.stringify({ action: { name: 'use' }, evaluations: items }));
  }
  return bodies;
}

async function runScenario(scenario: RunnerScenario, directory: string): Promise<RunnerResult> {
  const file = path.join(directory, `scenario-${Date.now().toString(36)}.json`);
  await writeFile(file, JSON.stringify(scenario));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'bench', 'autocannon-runner.ts'), file], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`autocannon runner exited with ${code}`);
  return JSON.parse(output) as RunnerResult;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const { scale, log } = options;
  const db = createKnex(options.databaseUrl, { min: 0, max: 2 });
  const work = await mkdtemp(path.join(tmpdir(), 'portal-bench-'));
  try {
    const pinOf = async (n: number): Promise<string> => {
      const row = await db('persons')
        .where('id', generatedId(1, n))
        .first<{ personal_identity_number: string } | undefined>('personal_identity_number');
      if (!row) throw new Error(`person ${n} is missing: generate the data first`);
      return row.personal_identity_number;
    };
    const adminPin = await pinOf(administratorIndex(scale, 0));
    const userPin = await pinOf(1);
    const client = await apiClientsService(db, Date.now).create(`Benchmark ${new Date().toISOString()}`, {
      type: 'system',
      requestId: undefined,
    });
    if (client.outcome !== 'created') throw new Error('could not create the API client');
    const questions = await sampleQuestions(db, scale, 2000);

    const server = await startServer({
      databaseUrl: options.databaseUrl,
      dataDir: options.dataDir,
      logFile: path.join(work, 'server.log'),
      nodeOptions: options.nodeOptions,
    });
    log(
      `server pid ${server.pid} at ${server.baseUrl}, RSS ${(await memoryOf(server.pid)).rss.toFixed(0)} MB at start`,
    );
    const scenarios: ScenarioResult[] = [];
    let csv: BenchReport['csv'];
    let serverPeakRss: number;
    try {
      const admin = await logIn(server.baseUrl, adminPin);
      const searcher = await logIn(server.baseUrl, adminPin);
      await searchFor(searcher.agent, options.searchTerm);
      const user = await logIn(server.baseUrl, userPin);
      await expectOk(server.baseUrl, paths.permissions.users, admin);
      await expectOk(server.baseUrl, paths.overview, user);

      const api = { authorization: `Bearer ${client.secret}`, 'content-type': 'application/json' };
      const plan: { name: string; scenario: RunnerScenario }[] = [
        {
          name: `floor: GET ${paths.health}`,
          scenario: {
            url: `${server.baseUrl}${paths.health}`,
            method: 'GET',
            headers: {},
            bodies: [],
            connections: options.connections.api,
            amount: options.requests.api,
          },
        },
        {
          name: 'decision API, single',
          scenario: {
            url: `${server.baseUrl}${apiPaths.evaluation}`,
            method: 'POST',
            headers: api,
            bodies: singleBodies(questions),
            connections: options.connections.api,
            amount: options.requests.api,
          },
        },
        {
          name: 'decision API, batch of 20',
          scenario: {
            url: `${server.baseUrl}${apiPaths.evaluations}`,
            method: 'POST',
            headers: api,
            bodies: batchBodies(questions),
            connections: options.connections.api,
            amount: options.requests.batch,
          },
        },
        {
          name: 'overview, page 1 of 50',
          scenario: {
            url: `${server.baseUrl}${paths.permissions.users}`,
            method: 'GET',
            headers: { cookie: admin.cookie },
            bodies: [],
            connections: options.connections.pages,
            amount: options.requests.pages,
          },
        },
        {
          name: `overview, search "${options.searchTerm}"`,
          scenario: {
            url: `${server.baseUrl}${paths.permissions.users}`,
            method: 'GET',
            headers: { cookie: searcher.cookie },
            bodies: [],
            connections: options.connections.pages,
            amount: options.requests.pages,
          },
        },
        {
          name: "user's start page",
          scenario: {
            url: `${server.baseUrl}${paths.overview}`,
            method: 'GET',
            headers: { cookie: user.cookie },
            bodies: [],
            connections: options.connections.pages,
            amount: options.requests.pages,
          },
        },
      ];
      // The same pages for one administrator alone: latency without queueing behind the harness's own requests.
      for (const page of plan.filter(({ name }) => name.startsWith('overview'))) {
        plan.push({
          name: `${page.name}, one connection`,
          scenario: { ...page.scenario, connections: 1, amount: Math.max(10, Math.round(page.scenario.amount / 5)) },
        });
      }
      for (const { name, scenario } of plan) {
        if (options.warmUp)
          await runScenario({ ...scenario, amount: Math.max(10, Math.round(scenario.amount / 10)) }, work);
        const memory = sampleMemory(server.pid);
        const result = await runScenario(scenario, work);
        const { peak } = await memory.stop();
        scenarios.push({ name, connections: scenario.connections, serverPeakRss: peak, ...result });
        log(
          `${name}: ${result.requestsPerSecond.toFixed(0)} req/s, p95 ${result.p95} ms, p99 ${result.p99} ms, ` +
            `errors ${result.errors}, server RSS peak ${peak.toFixed(0)} MB`,
        );
      }
      csv = await timeCsv(server.baseUrl, server.pid, admin.cookie);
      log(`CSV export: ${csv.seconds.toFixed(2)} s, ${csv.lines} lines, peak RSS ${csv.rssPeak.toFixed(0)} MB`);
      serverPeakRss = (await memoryOf(server.pid)).hwm;
    } finally {
      await server.stop();
    }

    const inactivity = await timeInactivity(db);
    log(`inactivity job: ${inactivity.seconds.toFixed(1)} s, ${inactivity.notices} notices`);
    const plans = await explainOverview(db, options.databaseUrl, {
      personId: generatedId(1, administratorIndex(scale, 0)),
      employerId: generatedId(2, 0),
      searchTerm: options.searchTerm,
    });
    return { scale, scenarios, csv, inactivity, serverPeakRss, plans };
  } finally {
    await db.destroy();
    await rm(work, { recursive: true, force: true });
  }
}

/** One export of the largest employer's users, read to the end, with the server's memory sampled meanwhile. */
async function timeCsv(baseUrl: string, pid: number, cookie: string): Promise<BenchReport['csv']> {
  const rssBefore = (await memoryOf(pid)).rss;
  const memory = sampleMemory(pid, 20);
  const { value, seconds } = await timed(async () => {
    const response = await fetch(`${baseUrl}${paths.permissions.export}`, { headers: { cookie } });
    let bytes = 0;
    let lines = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        const data = chunk as Uint8Array;
        bytes += data.length;
        for (const byte of data) if (byte === 10) lines += 1;
      }
    }
    return { bytes, lines, status: response.status };
  });
  const { peak } = await memory.stop();
  return { seconds, ...value, rssBefore, rssPeak: peak };
}

/** The daily inactivity check over everyone, in a transaction rolled back afterwards (so the data stays reusable). */
async function timeInactivity(db: Knex): Promise<BenchReport['inactivity']> {
  const trx = await db.transaction();
  try {
    const settings = { months: 18, reminderDays: 30, baseUrl: 'https://behorigheter.example.se' };
    const { value, seconds } = await timed(() => runInactivityCheck(trx, settings, new Date()));
    return { seconds, notices: value.notices, reminders: value.reminders };
  } finally {
    await trx.rollback();
  }
}
