/**
 * The service's configuration, parsed once from the environment into a frozen, typed object.
 * This is the only module that reads `process.env`; everything else receives a `Config`.
 */
import os from 'node:os';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { parseRedisUrl, redactRedisUrl, RedisUrlError } from './redis-url';

const intVar = (def: number, min: number, max: number) =>
  z
    .string()
    .default(String(def))
    .transform((s, ctx) => {
      if (!/^-?\d+$/.test(s.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}, got "${s}"` });
        return z.NEVER;
      }
      const n = Number(s);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

const urlBase = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
const urlVar = (protocols: string[], def: string) => urlBase(protocols).default(def);
const optionalUrlVar = (protocols: string[]) => urlBase(protocols).optional();

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: urlVar(['postgresql:', 'postgres:'], 'postgresql://postgres@127.0.0.1:5432/reminders'),
  // Several hosts in one authority (Sentinel, Cluster) are not a WHATWG URL: parsed by redis-url.ts.
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .superRefine((s, ctx) => {
      try {
        parseRedisUrl(s);
      } catch (err) {
        if (!(err instanceof RedisUrlError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    }),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}.-]{1,64}$/, 'must be 1-64 letters, digits, _ . - { } (use {braces} as a Cluster hash tag)')
    .default('reminders'),
  HOST: z.string().min(1).default('127.0.0.1'),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, 'must be false, true, a hop count, or comma-separated proxy addresses / CIDRs')
    .default('false'),
  PORT: intVar(3000, 1, 65535),
  REMINDER_CRON: z
    .string()
    .default('0 7 * * *')
    .refine(
      (s) => {
        try {
          CronExpressionParser.parse(s);
          return s.trim().split(/\s+/).length >= 5;
        } catch {
          return false;
        }
      },
      { message: 'must be a cron expression such as "0 7 * * *"' },
    ),
  REMINDER_TZ: z
    .string()
    .default('Europe/Oslo')
    .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Oslo' }),
  REMINDER_FIRST_AFTER_DAYS: intVar(14, 1, 3650),
  REMINDER_REPEAT_EVERY_DAYS: intVar(7, 1, 3650),
  REMINDER_ESCALATE_AFTER: intVar(3, 1, 1000),
  ALERT_FAILURE_THRESHOLD: intVar(3, 1, 1000),
  ALERT_MAX_RUN_MINUTES: intVar(30, 1, 24 * 60),
  ALERT_WEBHOOK_URL: optionalUrlVar(['http:', 'https:']),
  ALERT_EMAIL_TO: z.email({ message: 'must be an e-mail address' }).optional(),
  SMTP_URL: optionalUrlVar(['smtp:', 'smtps:']),
  SMTP_FROM: z.string().min(3).default('Follow-up reminders <reminders@localhost>'),
  SMTP_MAX_CONNECTIONS: intVar(10, 1, 200),
  APP_BASE_URL: optionalUrlVar(['http:', 'https:']),
  PUBLIC_API_URL: optionalUrlVar(['http:', 'https:']),
  UNSUBSCRIBE_LINK_DAYS: intVar(90, 1, 365),
  RUN_TIMEOUT_MINUTES: intVar(120, 1, 24 * 60),
  LOCK_TTL_MS: intVar(30_000, 1_000, 600_000),
  SWEEP_PAGE_SIZE: intVar(2_000, 10, 50_000),
  DISPATCH_CONCURRENCY: intVar(500, 1, 1_000),
  SWEEP_CONCURRENCY: intVar(32, 2, 200),
  EMAIL_MAX_ATTEMPTS: intVar(5, 1, 50),
  EMAIL_LEASE_SECONDS: intVar(300, 5, 86_400),
  DISPATCH_RETRY_BACKOFF_MS: intVar(2_000, 1, 3_600_000),
  DIGEST_RETRY_SECONDS: intVar(30, 1, 3_600),
  BLAST_RADIUS_FACTOR: intVar(3, 0, 1000),
  BLAST_RADIUS_FLOOR: intVar(500, 0, 100_000_000),
  BLAST_RADIUS_MIN_HISTORY: intVar(3, 1, 100),
  MISSED_RUN_GRACE_MINUTES: intVar(15, 1, 24 * 60),
  MISSED_RUN_POLICY: z.enum(['catchup', 'alert'], { message: 'must be catchup or alert' }).default('catchup'),
  WATCHDOG_INTERVAL_SECONDS: intVar(60, 5, 3600),
  PROGRAMME_TICK_SECONDS: intVar(2, 1, 60),
  METRICS_PROGRAMME_LABEL_MAX: intVar(100, 1, 10_000),
  RUN_RETRY_AFTER_MINUTES: intVar(30, 1, 24 * 60),
  RUN_RETRY_MAX: intVar(3, 0, 48),
  ALERT_PAUSE_MAX_HOURS: intVar(24, 1, 24 * 365),
  WORKER_ABSENT_ALERT_MINUTES: intVar(5, 1, 24 * 60),
  IDEMPOTENCY_KEY_RETENTION_HOURS: intVar(24, 1, 720),
  WORKER_ID: z.string().min(1).max(200).optional(),
  TOKEN_LIFETIME_DAYS_SERVICE: intVar(365, 1, 3650),
  TOKEN_LIFETIME_DAYS_VIEWER: intVar(180, 1, 3650),
  TOKEN_LIFETIME_DAYS_OPERATOR: intVar(90, 1, 3650),
  TOKEN_LIFETIME_DAYS_ADMIN: intVar(30, 1, 3650),
  PAUSE_MAX_DAYS: intVar(14, 1, 365),
});

export type Config = Readonly<{
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  host: string;
  port: number;
  /** Fastify's trustProxy: which X-Forwarded-For hops to believe (client addresses drive the auth-failure limit). */
  trustProxy: boolean | number | string[];
  reminderCron: string;
  reminderTz: string;
  rules: Readonly<{ firstAfterDays: number; repeatEveryDays: number; escalateAfter: number }>;
  alerts: Readonly<{
    failureThreshold: number;
    maxRunMinutes: number;
    webhookUrl?: string;
    emailTo?: string;
    pauseMaxHours: number;
    /**
     * Minutes without any live worker heartbeat before the watchdog raises `no_workers`.
     * @defaultValue 5
     */
    workerAbsentMinutes: number;
  }>;
  /** Hold a run whose due count exceeds `factor` × the median of recent runs (and `floor`); factor 0 turns it off. */
  blastRadius: Readonly<{ factor: number; floor: number; minHistory: number }>;
  /** How often each worker's programme tick looks for programmes whose local send time has come (services/programme-tick.ts). @defaultValue 2 */
  programmeTickSeconds: number;
  /**
   * How many programmes /metrics labels by their slug (the lowest ids); the rest are summed under
   * `programme="other"`, so a deployment with thousands of programmes cannot explode the series count.
   * @defaultValue 100
   */
  metricsProgrammeLabelMax: number;
  watchdog: Readonly<{
    intervalSeconds: number;
    missedRunGraceMinutes: number;
    missedRunPolicy: 'catchup' | 'alert';
    /** Minutes after a failed (timed-out, abandoned) run before the watchdog retries it the same day. @defaultValue 30 */
    retryAfterMinutes: number;
    /** Same-day retries per local day; 0 turns retries off. @defaultValue 3 */
    retryMax: number;
  }>;
  smtpUrl?: string;
  smtpFrom: string;
  /** Where links in messages point (no trailing slash): the mentors' app (APP_BASE_URL), this API's public address (PUBLIC_API_URL), and how long an unsubscribe link lasts. */
  links: Readonly<{ appBaseUrl: string; publicApiUrl: string; unsubscribeLinkDays: number }>;
  /** SMTP connections one worker keeps open for reminder e-mails: with a relay that takes L ms to accept a message, e-mail throughput is at most this / L. */
  smtpMaxConnections: number;
  runTimeoutMinutes: number;
  lockTtlMs: number;
  sweepPageSize: number;
  dispatchConcurrency: number;
  /** Sweep runs (of different programmes) one worker process runs at once. */
  sweepConcurrency: number;
  emailMaxAttempts: number;
  /**
   * How long a claimed e-mail attempt belongs to its claimer. Until then no other job sends that
   * reminder's e-mail; after it (the claimer died or froze) the next run may adopt it. A send is
   * given up (SMTP socket timeout) well before its lease ends.
   * @defaultValue 300
   */
  emailLeaseSeconds: number;
  dispatchRetryBackoffMs: number;
  /**
   * A digest the relay refused is tried again after this long, doubling per attempt up to 30
   * minutes, until EMAIL_MAX_ATTEMPTS; then it is `failed` (alerted; `npx reminders digests retry`).
   * @defaultValue 30
   */
  digestRetrySeconds: number;
  /**
   * How long a bulk request's Idempotency-Key (and its stored answer) is remembered; an older key
   * counts as new, and the watchdog deletes its row.
   * @defaultValue 24
   */
  idempotencyKeyRetentionHours: number;
  workerId: string;
  /**
   * Lifetime of a new API token by role, in days, unless `--expires-in` / `expires_in` says otherwise.
   * @defaultValue service 365, viewer 180, operator 90, admin 30
   */
  tokenLifetimeDays: Readonly<{ service: number; viewer: number; operator: number; admin: number }>;
  /**
   * The furthest `until` a pause may have, in days from now.
   * @defaultValue 14
   */
  pauseMaxDays: number;
}>;

/** Raised for a bad variable; `message` is the one line start-up prints before exiting 1. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment (by default `process.env`); throws `ConfigError` naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  const e = parsed.data;
  if (e.TRUST_PROXY === 'true' && e.NODE_ENV !== 'development') {
    // `true` believes any client's X-Forwarded-For: a caller could pick the address the
    // failed-login limit counts (block someone else, or dodge the limit by rotating it).
    throw new ConfigError('TRUST_PROXY', `true is only allowed with NODE_ENV=development (it trusts any client's X-Forwarded-For); give the number of proxies in front (e.g. 1) or their addresses / CIDRs (e.g. 10.0.0.0/8)`);
  }
  if (e.ALERT_EMAIL_TO && !e.SMTP_URL) throw new ConfigError('ALERT_EMAIL_TO', 'needs SMTP_URL: alert e-mails are sent through it');
  // Reminder e-mails link into the mentors' app and back to this API (one-click unsubscribe): in
  // production a localhost link would reach every mentor's inbox unnoticed.
  if (e.NODE_ENV === 'production' && e.SMTP_URL) {
    if (!e.APP_BASE_URL) throw new ConfigError('APP_BASE_URL', 'is required with SMTP_URL in production: reminder e-mails link into the mentors\' app (e.g. https://app.example.org)');
    if (!e.PUBLIC_API_URL) throw new ConfigError('PUBLIC_API_URL', 'is required with SMTP_URL in production: the one-click unsubscribe link points at this API (e.g. https://reminders.example.org)');
  }
  // BullMQ's scripts touch several keys of a queue at once; on a Cluster they must share a slot.
  if (parseRedisUrl(e.REDIS_URL).kind === 'cluster' && !/\{[^{}]+\}/.test(e.REDIS_PREFIX)) {
    throw new ConfigError('REDIS_PREFIX', `must contain a {hash tag} such as {reminders} when REDIS_URL is a Cluster (every key of a queue must be in one slot), got "${e.REDIS_PREFIX}"`);
  }
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY === 'false' ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY.split(','),
    port: e.PORT,
    reminderCron: e.REMINDER_CRON.trim(),
    reminderTz: e.REMINDER_TZ,
    rules: Object.freeze({
      firstAfterDays: e.REMINDER_FIRST_AFTER_DAYS,
      repeatEveryDays: e.REMINDER_REPEAT_EVERY_DAYS,
      escalateAfter: e.REMINDER_ESCALATE_AFTER,
    }),
    alerts: Object.freeze({
      failureThreshold: e.ALERT_FAILURE_THRESHOLD,
      maxRunMinutes: e.ALERT_MAX_RUN_MINUTES,
      webhookUrl: e.ALERT_WEBHOOK_URL,
      emailTo: e.ALERT_EMAIL_TO,
      pauseMaxHours: e.ALERT_PAUSE_MAX_HOURS,
      workerAbsentMinutes: e.WORKER_ABSENT_ALERT_MINUTES,
    }),
    blastRadius: Object.freeze({ factor: e.BLAST_RADIUS_FACTOR, floor: e.BLAST_RADIUS_FLOOR, minHistory: e.BLAST_RADIUS_MIN_HISTORY }),
    programmeTickSeconds: e.PROGRAMME_TICK_SECONDS,
    metricsProgrammeLabelMax: e.METRICS_PROGRAMME_LABEL_MAX,
    watchdog: Object.freeze({
      intervalSeconds: e.WATCHDOG_INTERVAL_SECONDS,
      missedRunGraceMinutes: e.MISSED_RUN_GRACE_MINUTES,
      missedRunPolicy: e.MISSED_RUN_POLICY,
      retryAfterMinutes: e.RUN_RETRY_AFTER_MINUTES,
      retryMax: e.RUN_RETRY_MAX,
    }),
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    smtpMaxConnections: e.SMTP_MAX_CONNECTIONS,
    /** Where links in messages point (no trailing slash): the mentors' app, and this API's public address. */
    links: Object.freeze({
      appBaseUrl: (e.APP_BASE_URL ?? 'http://localhost:8080').replace(/\/+$/, ''),
      publicApiUrl: (e.PUBLIC_API_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
      unsubscribeLinkDays: e.UNSUBSCRIBE_LINK_DAYS,
    }),
    runTimeoutMinutes: e.RUN_TIMEOUT_MINUTES,
    lockTtlMs: e.LOCK_TTL_MS,
    sweepPageSize: e.SWEEP_PAGE_SIZE,
    dispatchConcurrency: e.DISPATCH_CONCURRENCY,
    sweepConcurrency: e.SWEEP_CONCURRENCY,
    emailMaxAttempts: e.EMAIL_MAX_ATTEMPTS,
    emailLeaseSeconds: e.EMAIL_LEASE_SECONDS,
    dispatchRetryBackoffMs: e.DISPATCH_RETRY_BACKOFF_MS,
    digestRetrySeconds: e.DIGEST_RETRY_SECONDS,
    idempotencyKeyRetentionHours: e.IDEMPOTENCY_KEY_RETENTION_HOURS,
    workerId: e.WORKER_ID ?? `${os.hostname()}-${process.pid}`,
    tokenLifetimeDays: Object.freeze({
      service: e.TOKEN_LIFETIME_DAYS_SERVICE,
      viewer: e.TOKEN_LIFETIME_DAYS_VIEWER,
      operator: e.TOKEN_LIFETIME_DAYS_OPERATOR,
      admin: e.TOKEN_LIFETIME_DAYS_ADMIN,
    }),
    pauseMaxDays: e.PAUSE_MAX_DAYS,
  });
}

/** Every variable the service reads, for docs and for the runbook test. */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(schema.shape));

/** A copy of a URL with its password replaced, safe to log. */
export function redactUrl(url: string): string {
  if (/^rediss?\+(sentinel|cluster):/.test(url)) return redactRedisUrl(url);
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
