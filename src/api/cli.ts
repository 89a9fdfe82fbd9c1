import type { Knex } from 'knex';
import { apiClientsService, type ApiClientSummary } from './clients';
import { apiClientNameSchema, clientIdSchema } from './schemas';

/** The `api-client` lines of the command line's usage. */
export const API_CLIENT_USAGE = [
  '  npm run cli -- api-client add <name>',
  '  npm run cli -- api-client list',
  '  npm run cli -- api-client revoke <client id>',
];

export type ApiClientCommand =
  | { kind: 'api-client'; action: 'add'; name: string }
  | { kind: 'api-client'; action: 'list' }
  | { kind: 'api-client'; action: 'revoke'; clientId: string };

export type ParsedApiClientCommand = { ok: true; command: ApiClientCommand } | { ok: false; message: string };

/** `api-client <action> …` as typed; a mistake comes back as one line for the user, before any database is opened. */
export function parseApiClientCommand(action: string | undefined, rest: readonly string[]): ParsedApiClientCommand {
  if (action === 'add') {
    if (rest.length !== 1) return { ok: false, message: 'api-client add takes one argument: the name (quote it)' };
    const name = apiClientNameSchema.safeParse(rest[0]);
    if (!name.success) return { ok: false, message: name.error.issues.map((issue) => issue.message).join('; ') };
    return { ok: true, command: { kind: 'api-client', action: 'add', name: name.data } };
  }
  if (action === 'list') {
    if (rest.length !== 0) return { ok: false, message: 'api-client list takes no arguments' };
    return { ok: true, command: { kind: 'api-client', action: 'list' } };
  }
  if (action === 'revoke') {
    if (rest.length !== 1) return { ok: false, message: 'api-client revoke takes one argument: the client id' };
    const clientId = clientIdSchema.safeParse(rest[0]);
    if (!clientId.success) return { ok: false, message: 'not a client id (see api-client list)' };
    return { ok: true, command: { kind: 'api-client', action: 'revoke', clientId: clientId.data } };
  }
  return { ok: false, message: `unknown command: api-client ${[action, ...rest].join(' ')}`.trimEnd() };
}

function listLine(client: ApiClientSummary): string {
  const state = client.revokedAt ? `revoked ${client.revokedAt.toISOString()}` : 'active';
  return `${client.clientId}\t${state}\tcreated ${client.createdAt.toISOString()}\t${client.name}`;
}

/** Runs the command; what it returns is printed on stdout (the secret of a new client, once). */
export async function runApiClientCommand(command: ApiClientCommand, db: Knex, now: () => number): Promise<string> {
  const clients = apiClientsService(db, now);
  const actor = { type: 'system', requestId: undefined } as const;
  if (command.action === 'add') {
    const result = await clients.create(command.name, actor);
    if (result.outcome === 'name-taken') {
      return `An active API client named "${command.name}" exists already (${result.clientId}); nothing changed.`;
    }
    return [
      `API client "${result.name}" created.`,
      `Client id: ${result.clientId}`,
      `Secret:    ${result.secret}`,
      'The secret is shown only this once: give it to the service now. It calls the API with',
      '"Authorization: Bearer <secret>". Lost it? Revoke this client and add a new one.',
    ].join('\n');
  }
  if (command.action === 'revoke') {
    const result = await clients.revoke(command.clientId, actor);
    if (result.outcome === 'not-found') return `No API client ${command.clientId}; nothing changed.`;
    if (result.outcome === 'already-revoked') return `${command.clientId} was revoked already; nothing changed.`;
    return `API client ${command.clientId} ("${result.name}") is revoked; running portals refuse it within the client cache time.`;
  }
  const list = await clients.list();
  return list.length === 0 ? 'No API clients.' : list.map(listLine).join('\n');
}
