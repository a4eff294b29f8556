/**
 * The worker's composition root: the core, Redis, alerting, the sweep control (resuming an expired
 * pause, registering the job scheduler), the dispatch part (its pg pool and the reminder SMTP
 * transport) and the watchdog it ticks. No activity registration.
 */
import type { Clock } from '@reminders/core/clock';
import type { Config } from '@reminders/core/config';
import type { Logger } from '@reminders/core/logger';
import { createAlerting } from '@reminders/core/composition/alerting';
import { createCore } from '@reminders/core/composition/core';
import { createDispatchPart } from '@reminders/core/composition/dispatch-part';
import { createRedisPart } from '@reminders/core/composition/redis-part';
import { createSweepControl } from '@reminders/core/composition/sweep-control';
import { createWatchdogPart } from '@reminders/core/composition/watchdog-part';

export type WorkerRootOptions = {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Set on SIGTERM so a run in progress stops fanning out. */
  isShuttingDown?: () => boolean;
};

export function createWorkerRoot(opts: WorkerRootOptions) {
  const core = createCore(opts);
  const r = createRedisPart(core);
  const alerting = createAlerting(core);
  const control = createSweepControl(core, r);
  const dispatch = createDispatchPart(core, r, alerting, control, { isShuttingDown: opts.isShuttingDown });
  const watchdog = createWatchdogPart(core, r, alerting, control);
  return {
    config: core.config,
    logger: core.logger,
    clock: core.clock,
    prisma: core.prisma,
    redis: r.redis,
    queues: r.queues,
    repositories: { ...core.repositories, reminders: dispatch.reminders, workers: r.workers },
    services: {
      scheduler: dispatch.scheduler,
      dispatch: dispatch.dispatch,
      digestOutbox: dispatch.digestOutbox,
      sweepRun: dispatch.sweepRun,
      schedule: control.schedule,
      sweepLock: r.sweepLock,
      alerts: alerting.alerts,
      ops: control.ops,
      opsFor: control.opsFor,
      watchdog,
      sweepRequests: control.sweepRequests,
      programmeTick: control.tick,
      tokens: core.tokens,
    },
    async close() {
      await r.close();
      alerting.close();
      await Promise.all([dispatch.close(), core.close()]);
    },
  };
}

export type WorkerRoot = ReturnType<typeof createWorkerRoot>;
