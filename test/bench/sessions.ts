import * as cheerio from 'cheerio';
import request from 'supertest';
import { paths } from '../../src/paths';
import { loginWithEid } from '../helpers/eid';

/**
 * A logged-in session on the running server, through the development e-ID exactly as a browser goes (portal → IdP →
 * pick page → continue → portal): the session cookie to hand to autocannon.
 */
export interface BenchSession {
  cookie: string;
}

const SESSION_COOKIE = /^(portal\.sid=[^;]+)/;

export async function logIn(
  baseUrl: string,
  personalIdentityNumber: string,
): Promise<BenchSession & { agent: request.Agent }> {
  const agent = request.agent(baseUrl);
  const response = await loginWithEid(agent, personalIdentityNumber);
  if (response.status !== 302) throw new Error(`login answered ${response.status}`);
  const setCookie = response.headers['set-cookie'] as unknown;
  const cookies = Array.isArray(setCookie) ? (setCookie as string[]) : [];
  const cookie = cookies.map((line) => SESSION_COOKIE.exec(line)?.[1]).find((value) => value !== undefined);
  if (!cookie) throw new Error('the login set no session cookie');
  return { cookie, agent };
}

/** Posts a search term on the administrators' overview; the session keeps it (it never goes in the URL). */
export async function searchFor(agent: request.Agent, term: string): Promise<void> {
  const page = await agent.get(paths.permissions.users).expect(200);
  const csrf = cheerio.load(page.text)('[data-testid=user-search] input[name=_csrf]').val();
  await agent
    .post(paths.permissions.search)
    .type('form')
    .send({ _csrf: String(csrf), q: term })
    .expect(302);
}

/** GETs the path with the session and fails unless it answers 200 (a redirect would make the load figures lie). */
export async function expectOk(baseUrl: string, path: string, session: BenchSession): Promise<string> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie: session.cookie }, redirect: 'manual' });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return text;
}
