import * as cheerio from 'cheerio';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { paths } from '../../src/paths';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { PIN } from '../permissions/helpers';
import { csrfToken } from '../staff/helpers';

describe('abuse limits', () => {
  it('stops the e-ID login after the limit per address with a clear 429 page, and counts per address', async () => {
    const testApp = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'true' });
    const from = (address: string) => request(testApp.app).get(paths.login).set('X-Forwarded-For', address);
    const before = await testApp.db('saml_request_ids').count<{ count: string }[]>({ count: '*' });
    for (let i = 0; i < 3; i += 1) expect((await from('203.0.113.7')).status).not.toBe(429);
    const refused = await from('203.0.113.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const $ = cheerio.load(refused.text);
    expect($('h1').text()).toBe('För många försök');
    expect($('[data-testid=too-many-requests]').text()).toMatch(/försök igen om \d+ s\./);
    // the refused start stored no SAML request; another address is not affected
    const after = await testApp.db('saml_request_ids').count<{ count: string }[]>({ count: '*' });
    expect(Number(after[0]?.count) - Number(before[0]?.count)).toBe(3);
    expect((await from('198.51.100.9')).status).not.toBe(429);
  });

  it('stops form posts after the limit per person, storing nothing, and leaves other persons alone', async () => {
    const testApp = await buildTestApp({ FORM_RATE_LIMIT_PER_MINUTE: '4' });
    await loadDemoData(testApp.db);
    const anna = request.agent(testApp.app);
    await loginWithEid(anna, PIN.orderer ?? '');
    const token = await csrfToken(anna, paths.audit.own);
    const choose = () => anna.post(paths.context.choose).type('form').send({ _csrf: token, employerId: 'x' });
    // the login's own post (the SAML answer) is not a form post; four posts go through, the fifth is refused
    for (let i = 0; i < 4; i += 1) expect((await choose()).status).toBe(422);
    const refused = await choose();
    expect(refused.status).toBe(429);
    expect(cheerio.load(refused.text)('h1').text()).toBe('För många försök');

    const sara = request.agent(testApp.app);
    await loginWithEid(sara, PIN['user-reporting'] ?? '');
    const saraToken = await csrfToken(sara, paths.audit.own);
    const posted = await sara.post(paths.context.choose).type('form').send({ _csrf: saraToken, employerId: 'x' });
    expect(posted.status).toBe(422);
  });
});
