/**
 * The watchdog (missed runs, long runs, overdue pauses, absent workers, expiring tokens, Redis
 * away), which the API and the workers both tick, one process at a time.
 */
import { redactUrl } from '../config';
import { SWEEP_SCHEDULER_ID } from '../jobs/job-catalog';
import { createTokenExpiryCheck } from '../services/token-expiry-check';
import { createWatchdog } from '../services/watchdog';
import { createProgrammeWatch } from '../services/programme-watch';
import type { Alerting } from './alerting';
import type { Core } from './core';
import type { RedisPart } from './redis-part';
import type { SweepControl } from './sweep-control';

export function createWatchdogPart(core: Core, r: RedisPart, alerting: Alerting, control: SweepControl) {
  const { config, clock, logger, repositories } = core;
  return createWatchdog({
    jobName: SWEEP_SCHEDULER_ID,
    executionLog: repositories.executionLog,
    sweepState: repositories.sweepState,
    redis: r.redis,
    redisUrlRedacted: redactUrl(config.redisUrl),
    state: repositories.watchdogState,
    sweepRequests: control.sweepRequests,
    sweepRequestRows: repositories.sweepRequests,
    retryAfterMinutes: config.watchdog.retryAfterMinutes,
    retryMax: config.watchdog.retryMax,
    schedule: control.schedule,
    alerts: alerting.alerts,
    resumeExpiredPause: control.ops.resumeExpiredPause,
    clock,
    logger,
    cron: config.reminderCron,
    timeZone: config.reminderTz,
    maxRunMinutes: config.alerts.maxRunMinutes,
    pauseMaxHours: config.alerts.pauseMaxHours,
    missedRunGraceMinutes: config.watchdog.missedRunGraceMinutes,
    missedRunPolicy: config.watchdog.missedRunPolicy,
    idempotencyKeys: repositories.idempotencyKeys,
    idempotencyKeyRetentionHours: config.idempotencyKeyRetentionHours,
    workers: r.workers,
    workerAbsentMinutes: config.alerts.workerAbsentMinutes,
    tokenExpiry: createTokenExpiryCheck({ tokens: core.tokens, alerts: alerting.alerts }),
    programmes: createProgrammeWatch({
      programmes: repositories.programmes,
      executionLog: repositories.executionLog,
      sweepState: repositories.sweepState,
      requests: repositories.sweepRequests,
      sweepRequests: control.sweepRequests,
      tick: control.tick,
      resumeExpiredPause: (p) => control.opsFor(p).resumeExpiredPause(),
      alerts: alerting.alerts,
      clock,
      maxRunMinutes: config.alerts.maxRunMinutes,
      pauseMaxHours: config.alerts.pauseMaxHours,
      missedRunGraceMinutes: config.watchdog.missedRunGraceMinutes,
      retryAfterMinutes: config.watchdog.retryAfterMinutes,
      retryMax: config.watchdog.retryMax,
    }),
  });
}

export type Watchdog = ReturnType<typeof createWatchdogPart>;
