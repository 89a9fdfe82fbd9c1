import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { paths } from '../../src/paths';
import { freePort } from '../helpers/ports';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface RunningServer {
  pid: number;
  baseUrl: string;
  /** Where the server's log lines went. */
  logFile: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  databaseUrl: string;
  /** DATA_DIR: where the server finds (or makes) its development SAML keys. */
  dataDir: string;
  logFile: string;
  /** NODE_OPTIONS for the server, e.g. a bound on V8's old generation. */
  nodeOptions: string;
}

/**
 * The portal as `npm start` runs it (tsx, src/main.ts), in a process of its own against the bench database: no demo
 * data, no background jobs (their timers would muddy the figures; the inactivity job is timed on its own), and a rate
 * limit high enough not to refuse the load.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // The log goes straight to a file: through a pipe, pino would buffer lines in the server whenever the reader lags.
  const log = openSync(options.logFile, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      BASE_URL: baseUrl,
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: options.dataDir,
      DEMO_DATA: 'false',
      JOBS: 'false',
      LOG_LEVEL: 'info',
      API_RATE_LIMIT_PER_MINUTE: '100000000',
      NODE_OPTIONS: options.nodeOptions,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log); // the child has its own copy
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server did not start');
  await waitForHealth(child, baseUrl);
  return {
    pid,
    baseUrl,
    logFile: options.logFile,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function waitForHealth(child: ChildProcess, baseUrl: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it answered`);
    try {
      const response = await fetch(`${baseUrl}${paths.health}`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill('SIGTERM');
  throw new Error('the server did not answer its health check within two minutes');
}

/** Resident memory of a process, from /proc/<pid>/status, in MB: now (VmRSS) and its peak so far (VmHWM). */
export async function memoryOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Samples a process's resident memory every `intervalMs` until stopped; gives the highest VmRSS seen. */
export function sampleMemory(pid: number, intervalMs = 50): { stop(): Promise<{ first: number; peak: number }> } {
  let first: number | undefined;
  let peak = 0;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const { rss } = await memoryOf(pid);
      first ??= rss;
      peak = Math.max(peak, rss);
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      const { rss } = await memoryOf(pid);
      peak = Math.max(peak, rss);
      return { first: first ?? rss, peak };
    },
  };
}
