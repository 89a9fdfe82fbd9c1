import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database';
import { startMainProcess, waitFor } from '../helpers/main-process';
import { freePort } from '../helpers/ports';

describe('npm start', async () => {
  const development = await freshDatabase({ migrated: false });
  const production = await freshDatabase({ migrated: false });

  it('migrates a new database, loads the demo data, serves the Swedish start page and stops cleanly', async () => {
    const { url, db } = development;
    const port = await freePort();
    const portal = startMainProcess({ NODE_ENV: 'development', DATABASE_URL: url, PORT: String(port) });
    try {
      await waitFor(() => portal.output().includes('portal listening'), 'the portal to listen');
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      const $ = cheerio.load(await page.text());
      expect($('html').attr('lang')).toBe('sv');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const employers = await db('employers').count<{ count: number }[]>({ count: '*' });
      expect(Number(employers[0]?.count)).toBeGreaterThan(0);
    } finally {
      portal.child.kill('SIGTERM');
    }
    expect(await portal.exited).toBe(0);
    expect(portal.output()).not.toMatch(/(?<!\d)(19|20)\d{6}-?\d{4}(?!\d)/);
  });

  it('refuses to start in production while migrations are pending', async () => {
    const { url } = production;
    const portal = startMainProcess({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      PORT: String(await freePort()),
      SESSION_SECRET: 'a-real-secret-of-at-least-thirty-two-characters',
      SAML_IDP_METADATA: '/etc/idp.xml',
      SAML_SP_SIGNING_KEY: '/etc/sp.key',
      SAML_SP_SIGNING_CERT: '/etc/sp.crt',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      BASE_URL: 'https://portal.example.se',
    });
    expect(await portal.exited).toBe(1);
    expect(portal.output()).toContain('npm run migrate');
    expect(portal.output()).not.toContain('portal listening');
  });

  it('stops with one line naming a bad variable', async () => {
    const portal = startMainProcess({ PORT: 'eighty' });
    expect(await portal.exited).toBe(1);
    expect(portal.output().trim()).toMatch(/^Configuration error: PORT /);
    expect(portal.output().trim().split('\n')).toHaveLength(1);
  });
});
