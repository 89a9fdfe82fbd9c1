/**
 * One load scenario in a process of its own (so the load generator does not share an event loop with the harness):
 * `node --import tsx test/bench/autocannon-runner.ts <scenario.json>`. Sends a fixed number of requests with
 * autocannon, records every response time, and prints one line of JSON (a RunnerResult) on stdout.
 */
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';

export interface RunnerScenario {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Request bodies, used in turn (POST only). */
  bodies: string[];
  connections: number;
  amount: number;
}

export interface RunnerResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Connection errors, timeouts and responses that are not 2xx. */
  errors: number;
  statusCodes: Record<string, number>;
}

/** The value below which the share `q` of the sorted values lie (nearest rank). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

async function run(scenario: RunnerScenario): Promise<RunnerResult> {
  const times: number[] = [];
  const statusCodes: Record<string, number> = {};
  let next = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: scenario.url,
        method: scenario.method,
        headers: scenario.headers,
        connections: scenario.connections,
        amount: scenario.amount,
        timeout: 30,
        requests: [
          {
            setupRequest: (request) => {
              if (scenario.bodies.length === 0) return request;
              const body = scenario.bodies[next % scenario.bodies.length];
              next += 1;
              return { ...request, body };
            },
          },
        ],
      },
      (error: unknown, finished: autocannon.Result) => {
        if (error instanceof Error) reject(error);
        else if (error) reject(new Error('autocannon failed'));
        else resolve(finished);
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      times.push(responseTime);
      statusCodes[String(statusCode)] = (statusCodes[String(statusCode)] ?? 0) + 1;
    });
  });
  times.sort((a, b) => a - b);
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    requests: times.length,
    seconds,
    requestsPerSecond: times.length / seconds,
    p50: round(percentile(times, 0.5)),
    p95: round(percentile(times, 0.95)),
    p99: round(percentile(times, 0.99)),
    errors: result.errors + result.non2xx,
    statusCodes,
  };
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: autocannon-runner.ts <scenario.json>');
  const scenario = JSON.parse(await readFile(file, 'utf8')) as RunnerScenario;
  process.stdout.write(`${JSON.stringify(await run(scenario))}\n`);
}
