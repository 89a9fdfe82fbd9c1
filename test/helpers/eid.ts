import * as cheerio from 'cheerio';
import type { Agent, Response } from 'supertest';
import { startLogin } from './eid-requests';

/** The local part of an absolute URL on the portal. */
export const local = (url: string): string => {
  const parsed = new URL(url, 'http://localhost:3000');
  return `${parsed.pathname}${parsed.search}`;
};

export interface IdpAnswer {
  /** The page the IdP showed the person (the pick page). */
  page: cheerio.CheerioAPI;
  /** The portal's answer to the SAMLResponse the IdP's continue page posts. */
  response: Response;
}

/** Fills in and sends the development e-ID's page, then posts its SAMLResponse the way the continue page does. */
export async function answerAtIdp(
  agent: Agent,
  choice: { personalIdentityNumber: string; action?: 'authenticate' | 'cancel' },
): Promise<IdpAnswer> {
  const pageResponse = await agent.get('/dev-eid/authenticate').expect(200);
  const page = cheerio.load(pageResponse.text);
  const csrf = page('input[name=_csrf]').val();
  const radio = page(`input[name=person][value="${choice.personalIdentityNumber}"]`);
  const fields =
    radio.length > 0
      ? { person: choice.personalIdentityNumber }
      : { personalIdentityNumber: choice.personalIdentityNumber };
  const answer = await agent
    .post('/dev-eid/authenticate')
    .type('form')
    .send({ _csrf: String(csrf), ...fields, action: choice.action ?? 'authenticate' })
    .expect(200);
  const form = cheerio.load(answer.text)('form[data-auto-submit]');
  const hidden = Object.fromEntries(
    form
      .find('input[type=hidden]')
      .map((_, input) => [[String(input.attribs.name), String(input.attribs.value)]])
      .get() as [string, string][],
  );
  const response = await agent
    .post(local(String(form.attr('action'))))
    .type('form')
    .send(hidden);
  return { page, response };
}

/** Logs in through the development e-ID as a browser would: portal → IdP → pick page → continue → portal. */
export async function loginWithEid(agent: Agent, personalIdentityNumber: string): Promise<Response> {
  const sent = await startLogin(agent);
  const sso = await agent.get(sent.ssoPath).expect(302);
  if (local(String(sso.headers.location)) !== '/dev-eid/authenticate')
    throw new Error('the IdP did not take the request');
  const { response } = await answerAtIdp(agent, { personalIdentityNumber });
  return response;
}
