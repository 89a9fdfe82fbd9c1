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
  SAML_SP_ENTITY_ID: z.string().min(1).optional(),
  SAML_SP_SIGNING_KEY: z.string().min(1).optional(),
  SAML_SP_SIGNING_CERT: z.string().min(1).optional(),
  SAML_SP_ENCRYPTION_KEY: z.string().min(1).optional(),
  SAML_SP_ENCRYPTION_CERT: z.string().min(1).optional(),
  DEV_EID: z.enum(['true', 'false']).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Behörighetsportalen <noreply@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  DEMO_DATA: z.enum(['true', 'false']).optional(),
  // email delivery and the scheduled jobs (issue 6)
  MAIL_MAX_ATTEMPTS: positiveInt.max(50).default(10),
  MAIL_LEASE_MINUTES: positiveInt.default(10),
  INACTIVITY_MONTHS: positiveInt.max(120).default(18),
  INACTIVITY_REMINDER_DAYS: positiveInt.max(3650).default(30),
  EXPIRY_REMINDER_DAYS: positiveInt.max(365).default(14),
  ACCESS_REQUEST_DAYS: positiveInt.max(365).default(30),
  INVITATION_VALIDITY_DAYS: positiveInt.max(365).default(30),
  // periodic access reviews (issue 12): 0 months is off
  ACCESS_REVIEW_MONTHS: z.coerce.number().int().min(0).max(120).default(0),
  ACCESS_REVIEW_DAYS: positiveInt.max(365).default(30),
  ACCESS_REVIEW_REMINDER_DAYS: positiveInt.max(365).default(7),
  JOBS: z.enum(['true', 'false']).default('true'),
  // the decision API (issue 8)
  API_RATE_LIMIT_PER_MINUTE: positiveInt.default(6000),
  API_CLIENT_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  // abuse limits on the pages (issue 11)
  LOGIN_RATE_LIMIT_PER_MINUTE: positiveInt.default(30),
  FORM_RATE_LIMIT_PER_MINUTE: positiveInt.default(60),
  // metrics (issue 11)
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
});

type Env = z.infer<typeof schema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  baseUrl: string;
  databaseUrl: string | undefined;
  /** Local data: the embedded PostgreSQL's files, development keys. */
  dataDir: string;
  embeddedPostgres: { port: number; dataDir: string };
  session: { secret: string; idleMinutes: number; absoluteHours: number };
  saml: {
    /** File path or URL of the IdP's metadata; unset in development means the development e-ID. */
    idpMetadata: string | undefined;
    spEntityId: string;
    /** PEM files; unset outside production means keys generated under DATA_DIR. */
    signing: { keyPath: string; certPath: string } | undefined;
    /** 'none' turns encryption off; undefined outside production means generated keys. */
    encryption: { keyPath: string; certPath: string } | 'none' | undefined;
  };
  /** The e-ID simulator (development and tests only). */
  devEid: boolean;
  mail: {
    smtpUrl: string | undefined;
    from: string;
    /** Delivery attempts of one email before it is marked failed (staff can retry it). */
    maxAttempts: number;
    /** A row claimed for sending and not finished within this time (a crashed worker) is tried again. */
    leaseMinutes: number;
  };
  /** The inactivity notices: users not logged in for `months`; a reminder every `reminderDays` while they stay so. */
  inactivity: { months: number; reminderDays: number };
  /** Time-limited permissions and appointments: the reminder goes out this many days before the end date. */
  expiry: { reminderDays: number };
  /** A user's access request not decided within this many days expires. */
  accessRequestDays: number;
  /**
   * Periodic access reviews: a review opens every `months` (0: never), is due `days` later, and its reminder goes out
   * `reminderDays` before the deadline.
   */
  reviews: { months: number; days: number; reminderDays: number };
  /** How long an orderer's invitation link stays valid. */
  invitationValidityDays: number;
  /** This instance runs the job queue's workers and schedules (pg-boss); several instances may. */
  jobs: boolean;
  /**
   * The decision API: requests a minute per API client (counted in this instance's memory), and how long an
   * authenticated client is remembered (a revoked client is refused within this time).
   */
  api: { rateLimitPerMinute: number; clientCacheSeconds: number };
  /**
   * Abuse limits (counted in this instance's memory): logins started or answered a minute per client address, and
   * form posts a minute per person (per address before login).
   */
  rateLimits: { loginPerMinute: number; formPostsPerMinute: number };
  /** Bearer token for /metrics; unset, only requests straight from loopback may read it. */
  metricsToken: string | undefined;
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
  const required = [
    'DATABASE_URL',
    'SAML_IDP_METADATA',
    'SAML_SP_SIGNING_KEY',
    'SAML_SP_SIGNING_CERT',
    'SMTP_URL',
    'BASE_URL',
  ] as const;
  for (const name of required) {
    if (!env[name]) throw new ConfigError(name, 'must be set in production');
  }
  if (env.DEMO_DATA === 'true') throw new ConfigError('DEMO_DATA', 'must not be true in production');
  if (env.DEV_EID === 'true') throw new ConfigError('DEV_EID', 'must not be true in production');
}

/** A key and certificate given as a pair of file paths: both or neither. */
function keyPaths(
  env: Env,
  keyVariable: 'SAML_SP_SIGNING_KEY' | 'SAML_SP_ENCRYPTION_KEY',
  certVariable: 'SAML_SP_SIGNING_CERT' | 'SAML_SP_ENCRYPTION_CERT',
): { keyPath: string; certPath: string } | undefined {
  const keyPath = env[keyVariable];
  const certPath = env[certVariable];
  if (!keyPath && !certPath) return undefined;
  if (!keyPath) throw new ConfigError(keyVariable, `must be set together with ${certVariable}`);
  if (!certPath) throw new ConfigError(certVariable, `must be set together with ${keyVariable}`);
  return { keyPath, certPath };
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
  if (!env.SAML_IDP_METADATA && env.DEV_EID === 'false') {
    throw new ConfigError('SAML_IDP_METADATA', 'must be set when DEV_EID is false');
  }
  const baseUrl = (env.BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  return {
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    baseUrl,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    embeddedPostgres: { port: env.EMBEDDED_PG_PORT, dataDir: env.DATA_DIR },
    session: {
      secret: env.SESSION_SECRET,
      idleMinutes: env.SESSION_IDLE_MINUTES,
      absoluteHours: env.SESSION_ABSOLUTE_HOURS,
    },
    saml: {
      idpMetadata: env.SAML_IDP_METADATA,
      spEntityId: env.SAML_SP_ENTITY_ID ?? `${baseUrl}/saml/metadata`,
      signing: keyPaths(env, 'SAML_SP_SIGNING_KEY', 'SAML_SP_SIGNING_CERT'),
      encryption:
        env.SAML_SP_ENCRYPTION_KEY === 'none'
          ? 'none'
          : keyPaths(env, 'SAML_SP_ENCRYPTION_KEY', 'SAML_SP_ENCRYPTION_CERT'),
    },
    devEid: !isProduction && env.DEV_EID !== 'false',
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      maxAttempts: env.MAIL_MAX_ATTEMPTS,
      leaseMinutes: env.MAIL_LEASE_MINUTES,
    },
    inactivity: { months: env.INACTIVITY_MONTHS, reminderDays: env.INACTIVITY_REMINDER_DAYS },
    expiry: { reminderDays: env.EXPIRY_REMINDER_DAYS },
    accessRequestDays: env.ACCESS_REQUEST_DAYS,
    reviews: {
      months: env.ACCESS_REVIEW_MONTHS,
      days: env.ACCESS_REVIEW_DAYS,
      reminderDays: env.ACCESS_REVIEW_REMINDER_DAYS,
    },
    invitationValidityDays: env.INVITATION_VALIDITY_DAYS,
    jobs: env.JOBS === 'true',
    api: { rateLimitPerMinute: env.API_RATE_LIMIT_PER_MINUTE, clientCacheSeconds: env.API_CLIENT_CACHE_SECONDS },
    rateLimits: { loginPerMinute: env.LOGIN_RATE_LIMIT_PER_MINUTE, formPostsPerMinute: env.FORM_RATE_LIMIT_PER_MINUTE },
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY === 'true',
    loadDemoData: env.DEMO_DATA ? env.DEMO_DATA === 'true' : env.NODE_ENV === 'development',
  };
}

/**
 * For the commands (`npm start`, `npm run cli`): the environment plus a `.env` file if there is one; a bad value
 * stops the process with the one line that names it.
 */
export function loadConfigOrExit(): Config {
  try {
    if (typeof process.loadEnvFile === 'function') {
      try {
        process.loadEnvFile();
      } catch {
        // No .env file: the environment alone is used.
      }
    }
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
