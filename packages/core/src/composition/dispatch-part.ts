/**
 * What only a worker needs: the sweep run (fan-out by ReminderSchedulerService) and the dispatch
 * of each reminder (ReminderDispatchService) over its own pg pool and the pooled SMTP transport
 * for reminders (SMTP_MAX_CONNECTIONS). The API and the CLI never build this.
 */
import { createDispatchPool } from '../db/dispatch-pool';
import { createLazyUnsubscribeLinks } from '../auth/unsubscribe-link';
import { createEmailChannel } from '../channels/email-channel';
import { createReminderRepository } from '../repositories/reminder-repository';
import { createReminderDispatchService, writeBatchSize } from '../services/reminder-dispatch-service';
import { createDigestOutbox } from '../services/digest-outbox';
import { createReminderSchedulerService } from '../services/reminder-scheduler-service';
import { createDispatchRecordPurge, createSweepRunService } from '../services/sweep-run-service';
import { createProgrammeSweepRun } from '../services/programme-sweep-run';
import { programmeJobName, programmeLockName } from '../domain/programme-names';
import { perProgramme } from './per-programme';
import type { Alerting } from './alerting';
import type { Core } from './core';
import type { RedisPart } from './redis-part';
import type { SweepControl } from './sweep-control';

export type DispatchPartOptions = {
  /** Set by the worker on SIGTERM so a run in progress stops fanning out. */
  isShuttingDown?: () => boolean;
};

export function createDispatchPart(core: Core, r: RedisPart, alerting: Alerting, control: SweepControl, opts: DispatchPartOptions = {}) {
  const { config, logger, clock, repositories } = core;
  const dispatchPool = createDispatchPool(config.databaseUrl);
  dispatchPool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'idle dispatch database connection lost'));
  // Reminders go out in bursts of thousands: they share SMTP_MAX_CONNECTIONS pooled connections.
  // More than DISPATCH_CONCURRENCY would never be used at once.
  const reminderEmail = config.smtpUrl
    ? createEmailChannel({
        smtpUrl: config.smtpUrl,
        from: config.smtpFrom,
        pool: { maxConnections: Math.min(config.smtpMaxConnections, config.dispatchConcurrency) },
        // A send is given up well inside its lease, so no other sender adopts a message in flight.
        socketTimeoutMs: Math.floor((config.emailLeaseSeconds * 1000) / 3),
      })
    : null;
  // Rules, time zone and sweep state come from each run's programme, in the statements themselves.
  const reminders = createReminderRepository(dispatchPool, {
    emailEnabled: reminderEmail !== null,
    emailLeaseSeconds: config.emailLeaseSeconds,
    owner: config.workerId,
  });
  const scheduler = createReminderSchedulerService({
    dueAssignments: repositories.dueAssignments,
    runDispatches: repositories.runDispatches,
    dispatchQueue: r.queues.dispatch,
    pageSize: config.sweepPageSize,
    maxAttempts: config.emailMaxAttempts,
    retryBackoffMs: config.dispatchRetryBackoffMs,
    emailEnabled: reminderEmail !== null,
  });
  const unsubscribe = createLazyUnsubscribeLinks(core.prisma, { publicApiUrl: config.links.publicApiUrl, ttlDays: config.links.unsubscribeLinkDays, clock });
  const links = { appBaseUrl: config.links.appBaseUrl, unsubscribe };
  const dispatch = createReminderDispatchService({
    reminders,
    email: reminderEmail,
    links,
    clock,
    logger,
    maxBatchSize: writeBatchSize(config.dispatchConcurrency),
  });
  // Digests go out after a run has written its reminders, on every worker's programme tick.
  const digestOutbox = createDigestOutbox({
    digests: core.repositories.digests,
    email: reminderEmail,
    links,
    clock,
    logger,
    owner: config.workerId,
    leaseSeconds: config.emailLeaseSeconds,
    maxAttempts: config.emailMaxAttempts,
    retryBackoffMs: config.digestRetrySeconds * 1000,
    concurrency: Math.min(config.smtpMaxConnections, config.dispatchConcurrency),
  });
  // One sweep per programme (its job name, lock, state row, history and alerts); a request names which.
  const purge = createDispatchRecordPurge({ runDispatches: repositories.runDispatches });
  const runFor = perProgramme((p) => createSweepRunService({
    purge,
    jobName: programmeJobName(p),
    programmeId: p.id,
    workerId: config.workerId,
    lock: r.lockFor(programmeLockName(p)),
    executionLog: repositories.executionLog,
    sweepState: repositories.sweepState,
    scheduler,
    runDispatches: repositories.runDispatches,
    clock,
    logger,
    runTimeoutMs: config.runTimeoutMinutes * 60_000,
    isShuttingDown: opts.isShuttingDown,
    blastRadius: config.blastRadius,
    onFinished: alerting.runAlertsFor(p).onRunFinished,
    onHeld: alerting.runAlertsFor(p).onHeld,
    beforeRun: () => control.opsFor(p).resumeExpiredPause(),
  }));
  const sweepRun = createProgrammeSweepRun({ programmes: repositories.programmes, runFor });
  return {
    reminders,
    scheduler,
    dispatch,
    digestOutbox,
    sweepRun,
    async close() {
      reminderEmail?.close();
      await dispatchPool.end();
    },
  };
}

export type DispatchPart = ReturnType<typeof createDispatchPart>;
