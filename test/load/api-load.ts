import autocannon from 'autocannon';
import type { Tally } from './drivers';

export interface ApiLoad {
  requests: number;
  result: Promise<autocannon.Result>;
  stop(): void;
}

/** Decision API calls through the load balancer for `seconds`, every answer's status counted in the tally. */
export function driveDecisionApi(baseUrl: string, token: string, subjects: string[], seconds: number, tally: Tally) {
  const bodies = subjects.map((subject) =>
    JSON.stringify({
      subject: { type: 'person', id: subject },
      action: { name: 'use' },
      resource: { type: 'service', id: 'rapport-direkt', properties: { employer_code: '40101' } },
    }),
  );
  let next = 0;
  const load = { requests: 0 };
  let instance: autocannon.Instance | undefined;
  const result = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: `${baseUrl}/access/v1/evaluation`,
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        connections: 6,
        duration: seconds,
        timeout: 20,
        requests: [
          {
            setupRequest: (request) => {
              next += 1;
              return { ...request, body: bodies[next % bodies.length] };
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
    instance.on('response', (_client, statusCode) => {
      load.requests += 1;
      tally.add(`api ${statusCode}`);
    });
    instance.on('reqError', () => {
      tally.add('api connection-error');
    });
  });
  return {
    load,
    result,
    stop() {
      instance?.stop();
    },
  };
}
