import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Waits for a condition, polling; throws after the timeout naming what it waited for. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The embedded PostgreSQL on its own port and data folder, stopped and started again as a fault. */
export class Postgres {
  private server: EmbeddedServer | undefined;
  url = '';

  constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.server = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.port, persistent: true });
    this.url = this.server.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await server.stop();
  }
}

/** A child process whose output is kept (the last part) for the report when something fails. */
export class Child {
  private output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000_000);
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      process.on('exit', (code) => {
        resolve(code);
      }),
    );
  }

  get log(): string {
    return this.output;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.process.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not gone after the grace period. */
  async stop(graceMs = 12_000): Promise<void> {
    if (!this.alive) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface AppInstanceOptions {
  name: string;
  port: number;
  databaseUrl: string;
  smtpUrl: string;
  baseUrl: string;
  dataDir: string;
}

/** `src/main.ts` as production runs it: its own process, the job queue on, everything shared in PostgreSQL. */
export function startAppInstance(options: AppInstanceOptions): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOAD_LOG_LEVEL ?? 'warn',
      PORT: String(options.port),
      BASE_URL: options.baseUrl,
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: options.dataDir,
      SMTP_URL: options.smtpUrl,
      JOBS: 'true',
      DEMO_DATA: 'false',
      TRUST_PROXY: 'true',
      // A claimed email whose instance died is taken over after a minute (production: 10).
      MAIL_LEASE_MINUTES: '1',
      // The API load is one client from one address: the per-client limit would only measure itself.
      API_RATE_LIMIT_PER_MINUTE: '10000000',
      // The race posts as fast as the two managers' sessions can: the abuse limits would only refuse the test.
      FORM_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Child(options.name, child);
}

/** Debian's nginx in front of the instances, as production's load balancer: a generated config, not a daemon. */
export async function startNginx(dir: string, port: number, upstreams: number[]): Promise<Child> {
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  const config = nginxConfig(dir, port, upstreams);
  const file = path.join(dir, 'nginx.conf');
  await writeFile(file, config);
  const child = spawn('/usr/sbin/nginx', ['-p', dir, '-c', file, '-e', path.join(dir, 'logs/error.log')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Child('nginx', child);
}

/** The example DEPLOYMENT.md shows, with the temp folder's paths. */
export function nginxConfig(dir: string, port: number, upstreams: number[]): string {
  // max_fails=0: an instance is never taken out for a few failed requests (while PostgreSQL restarts every instance
  // fails a few): a refused connection simply goes to the next instance.
  const servers = upstreams.map((upstream) => `    server 127.0.0.1:${upstream} max_fails=0;`);
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
user root;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream portal {
${servers.join('\n')}
    keepalive 32;
    # shorter than the portal's own keep-alive timeout, so nginx never reuses a connection the portal is closing
    keepalive_timeout 30s;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 1m;
    # Prometheus scrapes each instance directly, never through the load balancer.
    location = /metrics { return 404; }
    # Decisions only read: a decision request an instance took but never answered (it died) may go to another.
    location /access/ {
      proxy_pass http://portal;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout non_idempotent;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }
    location / {
      proxy_pass http://portal;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A refused connection (an instance that is gone) is tried on the other one; a request an instance has
      # already received is never sent twice (POST is not idempotent).
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }
  }
}
`;
}
