import { z } from 'zod';

/** Used only in development and tests; production refuses to start with it. */
export const DEVELOPMENT_SESSION_SECRET = 'development-only-session-secret-change-me-0123456789';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  BASE_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  EMBEDDED_PG_PORT: port.default(54329),
  DATA_DIR: z.string().min(1).default('.data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEVELOPMENT_SESSION_SECRET),
  SESSION_IDLE_MINUTES: positiveInt.default(20),
  SESSION_ABSOLUTE_HOURS: positiveInt.default(8),
  SAML_IDP_METADATA: z.string().min(1).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Behörighetsportalen <noreply@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  DEMO_DATA: z.enum(['true', 'false']).optional(),
});

type Env = z.infer<typeof schema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  baseUrl: string;
  databaseUrl: string | undefined;
  embeddedPostgres: { port: number; dataDir: string };
  session: { secret: string; idleMinutes: number; absoluteHours: number };
  saml: { idpMetadata: string | undefined };
  mail: { smtpUrl: string | undefined; from: string };
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean;
  loadDemoData: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Configuration error: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Settings whose development defaults must be replaced before production. */
function checkProduction(env: Env): void {
  if (env.SESSION_SECRET === DEVELOPMENT_SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET', 'must be set to a secret of your own in production');
  }
  const required = ['DATABASE_URL', 'SAML_IDP_METADATA', 'SMTP_URL', 'BASE_URL'] as const;
  for (const name of required) {
    if (!env[name]) throw new ConfigError(name, 'must be set in production');
  }
  if (env.DEMO_DATA === 'true') throw new ConfigError('DEMO_DATA', 'must not be true in production');
}

/** Parses the environment once; throws a ConfigError naming the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, issue?.message ?? 'is invalid');
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  if (isProduction) checkProduction(env);
  return {
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    baseUrl: (env.BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    databaseUrl: env.DATABASE_URL,
    embeddedPostgres: { port: env.EMBEDDED_PG_PORT, dataDir: env.DATA_DIR },
    session: {
      secret: env.SESSION_SECRET,
      idleMinutes: env.SESSION_IDLE_MINUTES,
      absoluteHours: env.SESSION_ABSOLUTE_HOURS,
    },
    saml: { idpMetadata: env.SAML_IDP_METADATA },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY === 'true',
    loadDemoData: env.DEMO_DATA ? env.DEMO_DATA === 'true' : env.NODE_ENV === 'development',
  };
}
