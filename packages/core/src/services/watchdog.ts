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
 * It also deletes Idempotency-Key rows older than IDEMPOTENCY_KEY_RETENTION_HOURS.
 */
import { CronExpressionParser } from 'cron-parser';
import type { Queue } from 'bullmq';
import type { Clock } from '../clock';
import type { PrismaClient } from '../db/prisma';
import { localDate } from '../domain/calendar';
import { SWEEP_JOB, sweepJobOptions, type SweepPayload } from '../jobs/job-catalog';
import type { Logger } from '../logger';
import type { RedisConnection } from '../redis';
import type { IdempotencyKeyRepository } from '../repositories/idempotency-key-repository';
import type { WorkerRegistry } from '../repositories/worker-registry';
import type { AlertService } from './alert-service';
import type { ScheduleRegistration } from './schedule-registration';
import type { TokenExpiryCheck } from './token-expiry-check';

export type WatchdogDeps = {
  jobName: string;
  prisma: PrismaClient;
  redis: RedisConnection;
  prefix: string;
  sweepQueue: Queue<SweepPayload>;
  schedule: ScheduleRegistration;
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
};

/** Slots older than this are not examined: a watchdog that was down for a week does not replay it. */
const LOOKBACK_MS = 48 * 3600_000;

export function createWatchdog(deps: WatchdogDeps) {
  const sinceKey = `${deps.prefix}:watchdog:since`;

  /** Cron slots in (from, to], in the configured time zone. */
  function slotsBetween(from: Date, to: Date): Date[] {
    const it = CronExpressionParser.parse(deps.cron, { tz: deps.timeZone, currentDate: from, endDate: to });
    const out: Date[] = [];
    while (it.hasNext() && out.length < 1000) out.push(it.next().toDate());
    return out;
  }

  async function checkLongRuns(now: Date): Promise<number[]> {
    const limit = new Date(now.getTime() - deps.maxRunMinutes * 60_000);
    const rows = await deps.prisma.cronExecutionLog.findMany({ where: { jobName: deps.jobName, status: 'running', startedAt: { lt: limit } }, select: { id: true, startedAt: true, workerId: true, remindersEnqueued: true } });
    for (const r of rows) {
      const minutes = Math.round((now.getTime() - r.startedAt.getTime()) / 60_000);
      await deps.alerts.raise({
        kind: 'long_run',
        incidentKey: `run-${r.id}`,
        runId: r.id,
        title: `Reminder run ${r.id} has been running for ${minutes} minutes`,
        text: `Started ${r.startedAt.toISOString()} on ${r.workerId}, ${r.remindersEnqueued} reminders enqueued; ALERT_MAX_RUN_MINUTES is ${deps.maxRunMinutes}. Runbook: Troubleshooting, long runs.`,
        details: { runId: r.id, minutes, workerId: r.workerId },
      });
    }
    return rows.map((r) => r.id);
  }

  async function checkMissedSlots(now: Date): Promise<{ missed: string[]; catchUps: string[] }> {
    await deps.redis.set(sinceKey, String(now.getTime()), 'NX');
    const since = Number(await deps.redis.get(sinceKey));
    const graceMs = deps.missedRunGraceMinutes * 60_000;
    const from = new Date(Math.max(since, now.getTime() - LOOKBACK_MS));
    const to = new Date(now.getTime() - graceMs);
    if (to <= from) return { missed: [], catchUps: [] };
    const slots = slotsBetween(from, to);
    if (!slots.length) return { missed: [], catchUps: [] };
    // A slot is covered by a run that did its job (or was told not to). One that failed, timed out
    // or died is not: it gets one catch-up run, like a slot that never fired.
    const covered = await deps.prisma.cronExecutionLog.findMany({
      where: { jobName: deps.jobName, scheduledFor: { in: slots }, status: { notIn: ['failed', 'timed_out', 'abandoned'] } },
      select: { scheduledFor: true },
    });
    const seen = new Set(covered.map((r) => r.scheduledFor!.getTime()));
    const missed = slots.filter((s) => !seen.has(s.getTime()));
    const catchUps: string[] = [];
    for (const slot of missed) {
      const iso = slot.toISOString();
      const caughtUp = deps.missedRunPolicy === 'catchup';
      await deps.alerts.raise({
        kind: 'missed_run',
        incidentKey: `slot-${iso}`,
        title: `Reminder sweep missed its ${localDate(slot, deps.timeZone)} run`,
        text: `No run succeeded for the slot ${iso} (cron "${deps.cron}", ${deps.timeZone}) within ${deps.missedRunGraceMinutes} minutes. ${caughtUp ? 'A catch-up run has been queued.' : 'MISSED_RUN_POLICY=alert: trigger a run by hand.'}`,
        details: { slot: iso, policy: deps.missedRunPolicy },
      });
      if (caughtUp) {
        // The job id makes the catch-up exactly-once per slot, even if two ticks race.
        await deps.sweepQueue.add(SWEEP_JOB, { trigger: 'catchup', triggeredBy: 'watchdog', slot: iso }, { ...sweepJobOptions, jobId: `catchup-${slot.getTime()}` });
        catchUps.push(iso);
      }
    }
    return { missed: missed.map((s) => s.toISOString()), catchUps };
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
    const state = await deps.prisma.schedulerState.findUnique({ where: { jobName: deps.jobName } });
    // With or without an end time: a long pause (up to PAUSE_MAX_DAYS) deserves a reminder too.
    if (!state || state.enabled || !state.pausedAt) return { resumed, overdue: false };
    const hours = (now.getTime() - state.pausedAt.getTime()) / 3600_000;
    if (hours < deps.pauseMaxHours) return { resumed, overdue: false };
    await deps.alerts.raise({
      kind: 'pause_overdue',
      incidentKey: `paused-at-${state.pausedAt.toISOString()}`,
      title: `Reminder sweep has been paused for ${Math.floor(hours)} hours`,
      text: `Paused by ${state.pausedBy ?? 'unknown'}: ${state.pauseReason ?? 'no reason'}, ${state.pausedUntil ? `until ${state.pausedUntil.toISOString()}` : 'with no end time'}. No reminders are being sent. Resume with \`npx reminders resume\`.`,
      details: { pausedBy: state.pausedBy, pausedAt: state.pausedAt, pausedUntil: state.pausedUntil, reason: state.pauseReason },
    });
    return { resumed, overdue: true };
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
      const workers = await checkWorkers(now);
      const longRuns = await checkLongRuns(now);
      const scheduleProblem = await checkSchedule(now);
      const { missed, catchUps } = await checkMissedSlots(now);
      const pause = await checkPause(now);
      const alertsRetried = await deps.alerts.retryUndelivered();
      const idempotencyKeysPurged = await purgeIdempotencyKeys(now);
      await checkTokens(now);
      const report = { longRuns, missedSlots: missed, catchUps, scheduleProblem, resumed: pause.resumed, pauseOverdue: pause.overdue, alertsRetried, idempotencyKeysPurged, workersAlive: workers.alive, workersAbsent: workers.absent };
      if (longRuns.length || missed.length || scheduleProblem || pause.resumed || pause.overdue || workers.absent) deps.logger.warn(report, 'watchdog found something');
      return report;
    },
  };
}

export type Watchdog = ReturnType<typeof createWatchdog>;
