import * as cheerio from 'cheerio';
import request, { type Agent, type Response } from 'supertest';
import { expect } from 'vitest';
import type { TestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';

/** Demo persons: Karin Lindqvist is agency staff; Anna Bergström, the orderer, is not. */
export const STAFF_PIN = '191212112427';
export const ORDERER_PIN = '191212102824';

/** An agent logged in through the development e-ID as the person with this number. */
export async function loggedIn(testApp: TestApp, personalIdentityNumber: string): Promise<Agent> {
  const agent = request.agent(testApp.app);
  const response = await loginWithEid(agent, personalIdentityNumber);
  expect(response.status).toBe(302);
  return agent;
}

export const html = (response: Response): cheerio.CheerioAPI => cheerio.load(response.text);

/** The session's CSRF token, read from a page with a form (the logout form in the header is on every page). */
export async function csrfToken(agent: Agent, path = '/'): Promise<string> {
  const token = html(await agent.get(path).expect(200))('input[name=_csrf]')
    .first()
    .val();
  if (typeof token !== 'string' || token === '') throw new Error(`no CSRF token on ${path}`);
  return token;
}

/** Posts a form the way a browser does, with the session's token. */
export async function submit(
  agent: Agent,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const token = await csrfToken(agent);
  return agent
    .post(path)
    .set(headers)
    .type('form')
    .send({ _csrf: token, ...fields });
}

/** The error summary's messages and where each links to. */
export function errorSummary($: cheerio.CheerioAPI): { href: string; text: string }[] {
  return $('[data-testid=error-summary] a')
    .map((_, link) => ({ href: String($(link).attr('href')), text: $(link).text().trim() }))
    .get();
}

/** A 12-digit personal identity number anywhere in the text, with or without a separator. */
export const FULL_PIN = /(?<!\d)(?:19|20)\d{6}[-+]?\d{4}(?!\d)/;
