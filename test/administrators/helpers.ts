import type { Agent, Response } from 'supertest';
import { administratorsPaths } from '../../src/administrators/paths';
import { html } from '../staff/helpers';

export { errorSummary, html, loggedIn } from '../staff/helpers';

/** The CSRF token from the administrators page (the logout form in its header). */
async function token(agent: Agent): Promise<string> {
  const value = html(await agent.get(administratorsPaths.list).expect(200))('input[name=_csrf]')
    .first()
    .val();
  if (typeof value !== 'string' || value === '') throw new Error('no CSRF token');
  return value;
}

/** Posts a form as a browser does (repeated fields for checkboxes), with the session's token. */
export async function post(
  agent: Agent,
  path: string,
  fields: Record<string, string | string[]> = {},
): Promise<Response> {
  const csrf = await token(agent);
  const body = new URLSearchParams({ _csrf: csrf });
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  return agent.post(path).type('form').send(body.toString());
}
