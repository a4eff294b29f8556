/**
 * The watchdog, ticked every WATCHDOG_INTERVAL_SECONDS by one process (worker or API) at a time.
 * It notices what a run cannot report about itself:
 *  - a run still going after ALERT_MAX_RUN_MINUTES (`long_run`, while it runs);
 *  - a cron slot with no successful run after MISSED_RUN_GRACE_MINUTES (`missed_run`, plus one catch-up run);
 *  - a job scheduler that is missing, changed or has a past `next` (`scheduler_missing`, re-registered);
 *  - a pause past its end (auto-resumed) or open-ended for too long (`pause_overdue`);
 *  - alerts whose delivery failed earlier (retried);
 *  - no live worker heartbeat for WORKER_ABSENT_ALERT_MINUTES (`no_workers`): the API runs the
 *    watchdog too, so this is noticed while every worker is down.
 *  - a failed run with nothing after it that day (one `retry` run after RUN_RETRY_AFTER_MINUTES);
 *  - Redis unreachable on two ticks in a row (`redis_unreachable`, once per outage).
 * It also deletes Idempotency-Key rows older than IDEMPOTENCY_KEY_RETENTION_HOURS.
 *
 * Each check is isolated: one that throws is logged and named in the report, the others still run.
 * What needs only PostgreSQL (long runs, missed slots, retries, pauses, alert delivery) runs while
 * Redis is down; what needs Redis (worker heartbeats, the job scheduler, putting a catch-up on the
 * queue) is skipped then and reported as skipped: a Redis outage is never read as "no workers".
 * Catch-ups and retries are recorded in PostgreSQL first and enqueued once Redis answers again.
 */
import { createSweepChecks, type ProgrammeWatch, type ProgrammeWatchReport } from './programme-watch';
import { DEFAULT_PROGRAMME } from '../domain/programme-names';
import { CronExpressionParser } from 'cron-parser';
import type { Clock } from '../clock';
import { localDate } from '../domain/calendar';
import type { Logger } from '../logger';
import type { RedisConnection } from '../redis';
import type { ExecutionLogRepository } from '../repositories/execution-log-repository';
import type { IdempotencyKeyRepository } from '../repositories/idempotency-key-repository';
import type { SweepStateRepository } from '../repositories/sweep-state-repository';
import type { SweepRequestRepository } from '../repositories/sweep-request-repository';
import type { WatchdogStateRepository } from '../repositories/watchdog-state-repository';
import type { WorkerRegistry } from '../repositories/worker-registry';
import type { AlertService } from './alert-service';
import type { JobSchedulerRegistration } from './job-scheduler-registration';
import type { SweepRequests } from './sweep-requests';
import { createRetryCheck, type RetryOutcome } from './watchdog-retry';
import type { TokenExpiryCheck } from './token-expiry-check';

export type WatchdogDeps = {
  jobName: string;
  executionLog: Pick<ExecutionLogRepository, 'runningStartedBefore' | 'coveredSlots' | 'lastUnskippedOnLocalDay'>;
  sweepState: Pick<SweepStateRepository, 'find'>;
  redis: RedisConnection;
  /** REDIS_URL with any password redacted, for the `redis_unreachable` alert. */
  redisUrlRedacted: string;
  state: WatchdogStateRepository;
  sweepRequests: SweepRequests;
  sweepRequestRows: SweepRequestRepository;
  retryAfterMinutes: number;
  retryMax: number;
  /** How long the Redis check waits for PING. @defaultValue 3000 */
  redisPingTimeoutMs?: number;
  schedule: JobSchedulerRegistration;
  alerts: AlertService;
  resumeExpiredPause: () => Promise<boolean>;
  clock: Clock;
  logger: Logger;
  cron: string;
  timeZone: string;
  maxRunMinutes: number;
  pauseMaxHours: number;
  missedRunGraceMinutes: number;
  missedRunPolicy: 'catchup' | 'alert';
  idempotencyKeys: IdempotencyKeyRepository;
  idempotencyKeyRetentionHours: number;
  workers: WorkerRegistry;
  workerAbsentMinutes: number;
  /** `token_expiring` a week ahead, and expired tokens audited. */
  tokenExpiry?: TokenExpiryCheck;
  /** The same watch over every other programme (programme-watch.ts). */
  programmes?: Pick<ProgrammeWatch, 'check'>;
};

export type TickReport = {
  longRuns: number[];
  missedSlots: string[];
  catchUps: string[];
  scheduleProblem: string | null;
  resumed: boolean;
  pauseOverdue: boolean;
  alertsRetried: number;
  idempotencyKeysPurged: number;
  /** Workers with a recent heartbeat. */
  workersAlive: number;
  /** No live worker for WORKER_ABSENT_ALERT_MINUTES: `no_workers` is raised (once per outage). */
  workersAbsent: boolean;
  /** A same-day retry requested on this tick (the failed run it retries), or null. */
  retry: RetryOutcome;
  /** Recorded catch-ups / retries put on the queue on this tick (they were waiting for Redis). */
  enqueued: string[];
  redisReachable: boolean;
  /** What the watch over the other programmes found (programme-watch.ts); absent without one. */
  programmes?: ProgrammeWatchReport;
  /** Checks that threw on this tick (each logged); the others ran. */
  failedChecks: { check: CheckName; error: string }[];
  /** Checks not run on this tick because they need Redis and Redis is unreachable. */
  skippedChecks: CheckName[];
};

export type CheckName = 'redis' | 'workers' | 'long_runs' | 'schedule' | 'missed_runs' | 'retry' | 'pause' | 'enqueue' | 'alerts' | 'idempotency_keys' | 'tokens' | 'programmes';

/** Slots older than this are not examined: a watchdog that was down for a week does not replay it. */
const LOOKBACK_MS = 48 * 3600_000;

export function createWatchdog(deps: WatchdogDeps) {
  const checkRetry = createRetryCheck({
    jobName: deps.jobName,
    programmeId: DEFAULT_PROGRAMME.id,
    executionLog: deps.executionLog,
    sweepState: deps.sweepState,
    requests: deps.sweepRequests,
    requestRows: deps.sweepRequestRows,
    timeZone: deps.timeZone,
    retryAfterMinutes: deps.retryAfterMinutes,
    retryMax: deps.retryMax,
  });

  /** Cron slots in (from, to], in the configured time zone. */
  function slotsBetween(from: Date, to: Date): Date[] {
    const it = CronExpressionParser.parse(deps.cron, { tz: deps.timeZone, currentDate: from, endDate: to });
    const out: Date[] = [];
    while (it.hasNext() && out.length < 1000) out.push(it.next().toDate());
    return out;
  }

  // Long runs and overdue pauses in the same words for every programme (programme-watch.ts).
  const sweepChecks = createSweepChecks(deps);
  const checkLongRuns = (now: Date) => sweepChecks.longRuns(DEFAULT_PROGRAMME, now);

  async function checkMissedSlots(now: Date, redisUp: boolean): Promise<{ missed: string[]; catchUps: string[] }> {
    const since = (await deps.state.watchingSince(deps.jobName, now)).getTime();
    const graceMs = deps.missedRunGraceMinutes * 60_000;
    const from = new Date(Math.max(since, now.getTime() - LOOKBACK_MS));
    const to = new Date(now.getTime() - graceMs);
    if (to <= from) return { missed: [], catchUps: [] };
    const slots = slotsBetween(from, to);
    if (!slots.length) return { missed: [], catchUps: [] };
    // A slot is covered by a run that did its job (or was told not to). One that failed, timed out
    // or died is not: it gets one catch-up run, like a slot that never fired.
    const covered = await deps.executionLog.coveredSlots(deps.jobName, slots);
    const seen = new Set(covered.map((s) => s.getTime()));
    const missed = slots.filter((s) => !seen.has(s.getTime()));
    const catchUps: string[] = [];
    for (const slot of missed) {
      const iso = slot.toISOString();
      const caughtUp = deps.missedRunPolicy === 'catchup';
      await deps.alerts.raise({
        kind: 'missed_run',
        incidentKey: `slot-${iso}`,
        title: `Reminder sweep missed its ${localDate(slot, deps.timeZone)} run`,
        text: `No run succeeded for the slot ${iso} (cron "${deps.cron}", ${deps.timeZone}) within ${deps.missedRunGraceMinutes} minutes. ${caughtUp ? (redisUp ? 'A catch-up run has been queued.' : 'A catch-up run is recorded and is queued once Redis answers again.') : 'MISSED_RUN_POLICY=alert: trigger a run by hand.'}`,
        details: { slot: iso, policy: deps.missedRunPolicy },
      });
      if (caughtUp) {
        // The request's dedupe key makes the catch-up exactly-once per slot, even if two ticks race.
        const request = await deps.sweepRequests.record({ trigger: 'catchup', requestedBy: 'watchdog', slot, dedupeKey: `catchup:${slot.getTime()}` });
        if (!request) continue;
        catchUps.push(iso);
        // Redis down: the request waits in PostgreSQL and the enqueue check puts it on the queue later.
        if (redisUp) await deps.sweepRequests.enqueue(request);
      }
    }
    return { missed: missed.map((s) => s.toISOString()), catchUps };
  }

  /** PING with a deadline; an outage seen on an earlier tick too raises `redis_unreachable`. */
  async function checkRedis(now: Date): Promise<boolean> {
    const timeoutMs = deps.redisPingTimeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    const error = await Promise.race([
      deps.redis.ping().then(() => null, (err: Error) => err),
      new Promise<Error>((resolve) => (timer = setTimeout(() => resolve(new Error(`no answer to PING within ${timeoutMs} ms`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    if (!error) {
      const downSince = await deps.state.redisUp(deps.jobName);
      if (downSince) deps.logger.info({ downSince }, 'redis reachable again');
      return true;
    }
    const since = await deps.state.redisDown(deps.jobName, now);
    deps.logger.warn({ err: { message: error.message }, since }, 'redis unreachable');
    if (since.getTime() < now.getTime()) {
      const minutes = Math.round((now.getTime() - since.getTime()) / 60_000);
      await deps.alerts.raise({
        kind: 'redis_unreachable',
        incidentKey: `down-since-${since.toISOString()}`,
        title: 'Redis is unreachable',
        text: `Redis at ${deps.redisUrlRedacted} has not answered since ${since.toISOString()} (${minutes} minute${minutes === 1 ? '' : 's'}; last error: ${error.message}). No sweep or reminder job runs until it answers; missed runs and retries are recorded and queued once it is back. Runbook: Troubleshooting, Redis down.`,
        details: { since: since.toISOString(), redisUrl: deps.redisUrlRedacted, error: error.message },
      });
    }
    return false;
  }

  async function checkSchedule(now: Date): Promise<string | null> {
    const problem = await deps.schedule.check();
    if (!problem) return null;
    await deps.alerts.raise({
      kind: 'scheduler_missing',
      incidentKey: `${problem.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, 'past')}@${localDate(now, deps.timeZone)}`,
      title: 'Reminder job scheduler is not as configured',
      text: `${problem}. The watchdog re-registers it; if this repeats, see Runbook: Troubleshooting, scheduler missing.`,
      details: { problem },
    });
    try {
      await deps.schedule.ensure();
    } catch (err) {
      deps.logger.error({ err }, 'watchdog could not re-register the job scheduler');
    }
    return problem;
  }

  async function checkPause(now: Date): Promise<{ resumed: boolean; overdue: boolean }> {
    const resumed = await deps.resumeExpiredPause();
    return { resumed, overdue: await sweepChecks.pauseOverdue(DEFAULT_PROGRAMME, now) };
  }

  async function checkWorkers(now: Date): Promise<{ alive: number; absent: boolean }> {
    const live = await deps.workers.live(now);
    // Stored on the first tick of any process, so every replica dates a never-seen outage alike.
    const watchingSince = await deps.workers.watchingSince(now);
    if (live.length) return { alive: live.length, absent: false };
    const lastSeen = await deps.workers.lastSeen();
    const since = lastSeen ?? watchingSince;
    const minutes = Math.floor((now.getTime() - since.getTime()) / 60_000);
    if (minutes < deps.workerAbsentMinutes) return { alive: 0, absent: false };
    const iso = since.toISOString();
    const workersKnown = await deps.workers.known();
    await deps.alerts.raise({
      kind: 'no_workers',
      // The last beat (or the start of watching) dates the outage: one key for all of it, and a
      // new one once a worker has come back and gone again.
      incidentKey: lastSeen ? `last-seen-${iso}` : `none-seen-since-${iso}`,
      title: 'No reminder worker is running',
      text: `${lastSeen ? `The last worker heartbeat was at ${iso}` : `No worker heartbeat has been seen since watching began at ${iso}`} (${minutes} minute${minutes === 1 ? '' : 's'} ago; WORKER_ABSENT_ALERT_MINUTES is ${deps.workerAbsentMinutes}). Until a worker runs, no sweep runs (scheduled or catch-up) and no reminder jobs are processed. Start one with \`npx reminders serve-worker\` or \`docker compose up -d worker\`. Runbook: Troubleshooting, no worker running.`,
      details: { lastSeen: lastSeen?.toISOString() ?? null, workersKnown },
    });
    return { alive: 0, absent: true };
  }

  /** Token expiry: a failure is logged and never hides what the other checks found. */
  async function checkTokens(now: Date): Promise<void> {
    try {
      await deps.tokenExpiry?.check(now);
    } catch (err) {
      deps.logger.warn({ err }, 'could not check API token expiry; the next tick tries again');
    }
  }

  /** Housekeeping: a failure is logged, never allowed to hide what the checks above found. */
  async function purgeIdempotencyKeys(now: Date): Promise<number> {
    const retentionHours = deps.idempotencyKeyRetentionHours;
    try {
      const purged = await deps.idempotencyKeys.purgeExpired(new Date(now.getTime() - retentionHours * 3600_000));
      if (purged > 0) deps.logger.info({ purged, retentionHours }, 'expired idempotency keys purged');
      return purged;
    } catch (err) {
      deps.logger.warn({ err }, 'could not purge expired idempotency keys; the next tick tries again');
      return 0;
    }
  }

  return {
    async tick(): Promise<TickReport> {
      const now = deps.clock.now();
      const failedChecks: TickReport['failedChecks'] = [];
      const skippedChecks: CheckName[] = [];
      /** Runs one check; a failure is logged and reported, never allowed to stop the others. */
      async function run<T>(check: CheckName, fn: () => Promise<T>, fallback: T, needsRedis = false): Promise<T> {
        if (needsRedis && !redisUp) {
          skippedChecks.push(check);
          return fallback;
        }
        try {
          return await fn();
        } catch (err) {
          failedChecks.push({ check, error: (err as Error).message });
          deps.logger.error({ err, check }, 'watchdog check failed; the other checks still run');
          return fallback;
        }
      }
      const redisUp = await run('redis', () => checkRedis(now), false);
      const workers = await run('workers', () => checkWorkers(now), { alive: 0, absent: false }, true);
      const longRuns = await run('long_runs', () => checkLongRuns(now), []);
      const scheduleProblem = await run('schedule', () => checkSchedule(now), null, true);
      const { missed, catchUps } = await run('missed_runs', () => checkMissedSlots(now, redisUp), { missed: [], catchUps: [] });
      const retry = await run('retry', () => checkRetry(now, redisUp), null);
      const pause = await run('pause', () => checkPause(now), { resumed: false, overdue: false });
      const enqueued = await run('enqueue', () => deps.sweepRequests.enqueuePending(), [], true);
      const alertsRetried = await run('alerts', () => deps.alerts.retryUndelivered(), 0);
      const idempotencyKeysPurged = await run('idempotency_keys', () => purgeIdempotencyKeys(now), 0);
      await run('tokens', () => checkTokens(now), undefined);
      const programmes = deps.programmes ? await run('programmes', () => deps.programmes!.check(redisUp), undefined) : undefined;
      const report: TickReport = {
        longRuns,
        missedSlots: missed,
        catchUps,
        scheduleProblem,
        resumed: pause.resumed,
        pauseOverdue: pause.overdue,
        alertsRetried,
        idempotencyKeysPurged,
        workersAlive: workers.alive,
        workersAbsent: workers.absent,
        retry,
        enqueued,
        redisReachable: redisUp,
        ...(programmes ? { programmes } : {}),
        failedChecks,
        skippedChecks,
      };
      if (longRuns.length || missed.length || scheduleProblem || pause.resumed || pause.overdue || workers.absent || retry || !redisUp || failedChecks.length) deps.logger.warn(report, 'watchdog found something');
      return report;
    },
  };
}

export type Watchdog = ReturnType<typeof createWatchdog>;
