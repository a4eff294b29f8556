/**
 * The composition root: creates Prisma, Redis, queues, repositories and services, and closes
 * them. Nothing connects at import time; both apps and the CLI build one of these.
 */
import { systemClock, type Clock } from './clock';
import { redactUrl, type Config } from './config';
import { createPrisma } from './db/prisma';
import { createDispatchPool } from './db/dispatch-pool';
import { createRegistrationPool } from './db/registration-pool';
import { createDataServices } from './data-services';
import { createEmailChannel } from './channels/email-channel';
import { createQueues } from './jobs/queues';
import { SCHEDULE_REGISTRATION_LOCK_NAME, SWEEP_LOCK_NAME, SWEEP_SCHEDULER_ID } from './jobs/job-catalog';
import { createSweepLock } from './lock';
import type { Logger } from './logger';
import { createRedis } from './redis';
import { createDueAssignmentRepository } from './repositories/due-assignment-repository';
import { createExecutionLogRepository } from './repositories/execution-log-repository';
import { createIdempotencyKeyRepository } from './repositories/idempotency-key-repository';
import { createReminderRepository } from './repositories/reminder-repository';
import { createRunDispatchRepository } from './repositories/run-dispatch-repository';
import { createSchedulerStateRepository } from './repositories/scheduler-state-repository';
import { createSweepRequestRepository } from './repositories/sweep-request-repository';
import { createWatchdogStateRepository } from './repositories/watchdog-state-repository';
import { createWorkerRegistry } from './repositories/worker-registry';
import { createServiceMetricsRepository } from './repositories/service-metrics-repository';
import { createDatabaseHealth } from './repositories/database-health';
import { createReminderDispatchService } from './services/reminder-dispatch-service';
import { createReminderSchedulerService } from './services/reminder-scheduler-service';
import { createScheduleRegistration } from './services/schedule-registration';
import { createSweepRequests } from './services/sweep-requests';
import { createSweepRunService } from './services/sweep-run-service';
import { createAlertRepository } from './repositories/alert-repository';
import { createAuditRepository } from './repositories/audit-repository';
import { createAlertChannels } from './channels/alert-channels';
import { createAlertService } from './services/alert-service';
import { createOpsService } from './services/ops-service';
import { createTokenExpiryCheck } from './services/token-expiry-check';
import { createRunAlerts } from './services/run-alerts';
import { createWatchdog } from './services/watchdog';

export type ContainerOptions = {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Set by the worker on SIGTERM so a run in progress stops fanning out. */
  isShuttingDown?: () => boolean;
};

export function createContainer(opts: ContainerOptions) {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const prisma = createPrisma(config.databaseUrl);
  const dispatchPool = createDispatchPool(config.databaseUrl);
  dispatchPool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'idle dispatch database connection lost'));
  const registrationPool = createRegistrationPool(config.databaseUrl);
  registrationPool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'idle registration database connection lost'));
  // Producer-side connection: commands fail after a few retries instead of waiting forever, so
  // /readyz, the CLI and the lock answer while Redis is down (workers use their own connection).
  const redis = createRedis(config.redisUrl, { forQueue: true });
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) logger.warn({ err: { message: err.message } }, 'redis connection error (further errors suppressed until it reconnects)');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('redis connection restored');
    redisDown = false;
  });
  // Queue errors are the same connection's errors, already logged above.
  const queues = createQueues(redis, config.redisPrefix);
  const email = config.smtpUrl ? createEmailChannel({ smtpUrl: config.smtpUrl, from: config.smtpFrom }) : null;
  // Reminders go out in bursts of thousands: they share SMTP_MAX_CONNECTIONS pooled connections
  // (alerts, rare, do not). More than DISPATCH_CONCURRENCY would never be used at once.
  const reminderEmail = config.smtpUrl
    ? createEmailChannel({
        smtpUrl: config.smtpUrl,
        from: config.smtpFrom,
        pool: { maxConnections: Math.min(config.smtpMaxConnections, config.dispatchConcurrency) },
        // A send is given up well inside its lease, so no other sender adopts a message in flight.
        socketTimeoutMs: Math.floor((config.emailLeaseSeconds * 1000) / 3),
      })
    : null;

  const executionLog = createExecutionLogRepository(prisma);
  const schedulerState = createSchedulerStateRepository(prisma);
  const dueAssignments = createDueAssignmentRepository(prisma);
  const reminders = createReminderRepository(dispatchPool, {
    jobName: SWEEP_SCHEDULER_ID,
    timeZone: config.reminderTz,
    rules: config.rules,
    emailEnabled: reminderEmail !== null,
    emailLeaseSeconds: config.emailLeaseSeconds,
    owner: config.workerId,
  });
  const runDispatches = createRunDispatchRepository(prisma);
  const data = createDataServices({ prisma, registrationPool, config, clock, logger });
  const alertRepo = createAlertRepository(prisma);
  const audit = createAuditRepository(prisma);
  const idempotencyKeys = createIdempotencyKeyRepository(prisma);
  const workers = createWorkerRegistry({ redis, prefix: config.redisPrefix });
  const sweepRequestRows = createSweepRequestRepository(prisma);
  const watchdogState = createWatchdogStateRepository(prisma);
  const serviceMetrics = createServiceMetricsRepository(prisma);
  const databaseHealth = createDatabaseHealth(prisma);
  const alerts = createAlertService({ alerts: alertRepo, channels: createAlertChannels(config, email), clock, logger });
  const runAlerts = createRunAlerts({ executionLog, alerts, jobName: SWEEP_SCHEDULER_ID, failureThreshold: config.alerts.failureThreshold });

  const sweepLock = createSweepLock({ redis, prefix: config.redisPrefix, name: SWEEP_LOCK_NAME, ttlMs: config.lockTtlMs });
  const registrationLock = createSweepLock({ redis, prefix: config.redisPrefix, name: SCHEDULE_REGISTRATION_LOCK_NAME, ttlMs: 10_000 });

  const scheduler = createReminderSchedulerService({
    dueAssignments,
    runDispatches,
    dispatchQueue: queues.dispatch,
    rules: config.rules,
    timeZone: config.reminderTz,
    pageSize: config.sweepPageSize,
    maxAttempts: config.emailMaxAttempts,
    retryBackoffMs: config.dispatchRetryBackoffMs,
    emailEnabled: email !== null,
  });
  // A write batch may overlap the one in flight once it holds half the worker's concurrent jobs.
  const dispatch = createReminderDispatchService({
    reminders,
    email: reminderEmail,
    clock,
    logger,
    maxBatchSize: Math.max(1, Math.ceil(config.dispatchConcurrency / 2)),
  });
  const sweepRun = createSweepRunService({
    jobName: SWEEP_SCHEDULER_ID,
    workerId: config.workerId,
    lock: sweepLock,
    executionLog,
    schedulerState,
    scheduler,
    runDispatches,
    clock,
    logger,
    runTimeoutMs: config.runTimeoutMinutes * 60_000,
    isShuttingDown: opts.isShuttingDown,
    blastRadius: config.blastRadius,
    onFinished: runAlerts.onRunFinished,
    onHeld: runAlerts.onHeld,
    beforeRun: () => ops.resumeExpiredPause(),
  });
  const schedule = createScheduleRegistration({
    queue: queues.sweep,
    lock: registrationLock,
    cron: config.reminderCron,
    timeZone: config.reminderTz,
    clock,
    logger,
  });
  const sweepRequests = createSweepRequests({
    requests: sweepRequestRows,
    queue: queues.sweep,
    audit,
    schedulerId: SWEEP_SCHEDULER_ID,
    cron: config.reminderCron,
    timeZone: config.reminderTz,
    clock,
    logger,
  });
  const ops = createOpsService({
    jobName: SWEEP_SCHEDULER_ID,
    sweepQueue: queues.sweep,
    dispatchQueue: queues.dispatch,
    pauseMaxDays: config.pauseMaxDays,
    lock: sweepLock,
    executionLog,
    schedulerState,
    dueAssignments,
    audit,
    schedule,
    clock,
    timeZone: config.reminderTz,
    rules: config.rules,
    staleAfterMs: Math.max(60_000, 3 * config.lockTtlMs),
    workers,
    sweepRequests,
  });
  const watchdog = createWatchdog({
    jobName: SWEEP_SCHEDULER_ID,
    executionLog,
    schedulerState,
    redis,
    redisUrlRedacted: redactUrl(config.redisUrl),
    state: watchdogState,
    sweepRequests,
    sweepRequestRows,
    retryAfterMinutes: config.watchdog.retryAfterMinutes,
    retryMax: config.watchdog.retryMax,
    schedule,
    alerts,
    resumeExpiredPause: ops.resumeExpiredPause,
    clock,
    logger,
    cron: config.reminderCron,
    timeZone: config.reminderTz,
    maxRunMinutes: config.alerts.maxRunMinutes,
    pauseMaxHours: config.alerts.pauseMaxHours,
    missedRunGraceMinutes: config.watchdog.missedRunGraceMinutes,
    missedRunPolicy: config.watchdog.missedRunPolicy,
    idempotencyKeys,
    idempotencyKeyRetentionHours: config.idempotencyKeyRetentionHours,
    workers,
    workerAbsentMinutes: config.alerts.workerAbsentMinutes,
    tokenExpiry: createTokenExpiryCheck({ tokens: data.services.tokens, alerts }),
  });

  return {
    config,
    logger,
    clock,
    prisma,
    redis,
    queues,
    repositories: { executionLog, schedulerState, dueAssignments, reminders, runDispatches, alerts: alertRepo, audit, idempotencyKeys, workers, sweepRequests: sweepRequestRows, watchdogState, serviceMetrics, databaseHealth, ...data.repositories },
    services: { scheduler, dispatch, sweepRun, schedule, sweepLock, alerts, ops, watchdog, sweepRequests, ...data.services },
    async close() {
      await queues.close().catch(() => undefined);
      email?.close();
      reminderEmail?.close();
      redis.disconnect();
      await Promise.all([prisma.$disconnect(), dispatchPool.end(), registrationPool.end()]);
    },
  };
}

export type Container = ReturnType<typeof createContainer>;
