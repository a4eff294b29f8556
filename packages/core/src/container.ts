/**
 * The composition root: creates Prisma, Redis, queues, repositories and services, and closes
 * them. Nothing connects at import time; both apps and the CLI build one of these.
 */
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { createPrisma } from './db/prisma';
import { createEmailChannel } from './channels/email-channel';
import { createQueues } from './jobs/queues';
import { SWEEP_SCHEDULER_ID } from './jobs/job-catalog';
import { createSweepLock } from './lock';
import type { Logger } from './logger';
import { createRedis } from './redis';
import { createDueAssignmentRepository } from './repositories/due-assignment-repository';
import { createExecutionLogRepository } from './repositories/execution-log-repository';
import { createReminderRepository } from './repositories/reminder-repository';
import { createSchedulerStateRepository } from './repositories/scheduler-state-repository';
import { createReminderDispatchService } from './services/reminder-dispatch-service';
import { createReminderSchedulerService } from './services/reminder-scheduler-service';
import { createRunOutcomes } from './services/run-outcomes';
import { createScheduleRegistration } from './services/schedule-registration';
import { createSweepRunService } from './services/sweep-run-service';

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
  const redis = createRedis(config.redisUrl);
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
  const queues = createQueues(redis, config.redisPrefix);
  const email = config.smtpUrl ? createEmailChannel({ smtpUrl: config.smtpUrl, from: config.smtpFrom }) : null;

  const executionLog = createExecutionLogRepository(prisma);
  const schedulerState = createSchedulerStateRepository(prisma);
  const dueAssignments = createDueAssignmentRepository(prisma);
  const reminders = createReminderRepository(prisma);
  const outcomes = createRunOutcomes({ redis, prefix: config.redisPrefix });

  const sweepLock = createSweepLock({ redis, prefix: config.redisPrefix, name: SWEEP_SCHEDULER_ID, ttlMs: config.lockTtlMs });
  const registrationLock = createSweepLock({ redis, prefix: config.redisPrefix, name: 'scheduler-registration', ttlMs: 10_000 });

  const scheduler = createReminderSchedulerService({
    dueAssignments,
    dispatchQueue: queues.dispatch,
    rules: config.rules,
    timeZone: config.reminderTz,
    pageSize: config.sweepPageSize,
    maxAttempts: config.emailMaxAttempts,
  });
  const dispatch = createReminderDispatchService({ jobName: SWEEP_SCHEDULER_ID, reminders, email, clock, logger });
  const sweepRun = createSweepRunService({
    jobName: SWEEP_SCHEDULER_ID,
    workerId: config.workerId,
    lock: sweepLock,
    executionLog,
    schedulerState,
    scheduler,
    outcomes,
    clock,
    logger,
    runTimeoutMs: config.runTimeoutMinutes * 60_000,
    isShuttingDown: opts.isShuttingDown,
  });
  const schedule = createScheduleRegistration({
    queue: queues.sweep,
    lock: registrationLock,
    cron: config.reminderCron,
    timeZone: config.reminderTz,
    clock,
    logger,
  });

  return {
    config,
    logger,
    clock,
    prisma,
    redis,
    queues,
    repositories: { executionLog, schedulerState, dueAssignments, reminders },
    services: { scheduler, dispatch, sweepRun, schedule, outcomes, sweepLock },
    async close() {
      await queues.close().catch(() => undefined);
      email?.close();
      redis.disconnect();
      await prisma.$disconnect();
    },
  };
}

export type Container = ReturnType<typeof createContainer>;
