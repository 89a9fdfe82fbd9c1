import { describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_SESSION_SECRET, loadConfig } from '../../src/config';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://portal@db.internal/portal',
  SESSION_SECRET: 'a-real-secret-of-at-least-thirty-two-characters',
  SAML_IDP_METADATA: '/etc/portal/idp-metadata.xml',
  SAML_SP_SIGNING_KEY: '/etc/portal/sp-signing.key',
  SAML_SP_SIGNING_CERT: '/etc/portal/sp-signing.crt',
  SMTP_URL: 'smtp://mail.internal:25',
  BASE_URL: 'https://behorigheter.example.se',
};

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('starts in development with no environment at all, on port 3000 with the embedded database', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.loadDemoData).toBe(true);
    expect(config.session.secret).toBe(DEVELOPMENT_SESSION_SECRET);
  });

  it('reads PORT and DATABASE_URL', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@localhost:5432/x' });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://u@localhost:5432/x');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
  ])('stops with one line naming the bad variable (%o)', (env, variable) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^Configuration error: ${variable} `));
    expect(error.message).not.toContain('\n');
  });

  it('accepts a complete production configuration and never loads demo data there', () => {
    const config = loadConfig(production);
    expect(config.isProduction).toBe(true);
    expect(config.loadDemoData).toBe(false);
  });

  it.each(['DATABASE_URL', 'SAML_IDP_METADATA', 'SAML_SP_SIGNING_KEY', 'SMTP_URL', 'BASE_URL'] as const)(
    'refuses production without %s',
    (variable) => {
      const env: NodeJS.ProcessEnv = { ...production, [variable]: undefined };
      expect(errorOf(env).variable).toBe(variable);
    },
  );

  it('refuses production with the development session secret', () => {
    expect(errorOf({ ...production, SESSION_SECRET: DEVELOPMENT_SESSION_SECRET }).variable).toBe('SESSION_SECRET');
  });

  it('refuses the development e-ID in production', () => {
    expect(errorOf({ ...production, DEV_EID: 'true' }).variable).toBe('DEV_EID');
    expect(loadConfig(production).devEid).toBe(false);
  });

  it('runs the development e-ID outside production unless an IdP is configured or it is turned off', () => {
    expect(loadConfig({}).devEid).toBe(true);
    expect(errorOf({ DEV_EID: 'false' }).variable).toBe('SAML_IDP_METADATA');
  });

  it('wants a key and its certificate together', () => {
    expect(errorOf({ SAML_SP_SIGNING_KEY: '/k.pem' }).variable).toBe('SAML_SP_SIGNING_CERT');
    expect(errorOf({ SAML_SP_ENCRYPTION_CERT: '/c.pem' }).variable).toBe('SAML_SP_ENCRYPTION_KEY');
    expect(loadConfig({ SAML_SP_ENCRYPTION_KEY: 'none' }).saml.encryption).toBe('none');
  });

  it('refuses demo data in production', () => {
    expect(errorOf({ ...production, DEMO_DATA: 'true' }).variable).toBe('DEMO_DATA');
  });
});
