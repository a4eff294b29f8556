/**
 * Every part at once, in one object: what the API and a worker would build together. The service
 * itself never uses this (each process has its own composition root: apps/api/src/composition.ts,
 * apps/worker/src/composition.ts, apps/cli/src/composition.ts); tests, the chaos suite and the
 * benches do, to drive an API and a worker over one database from one process.
 */
import { programmeLockName, type ProgrammeRef } from './domain/programme-names';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Logger } from './logger';
import { createAlerting } from './composition/alerting';
import { createCore } from './composition/core';
import { createDispatchPart } from './composition/dispatch-part';
import { createMentorFeedbackPart } from './composition/mentor-feedback-part';
import { createRedisPart } from './composition/redis-part';
import { createRegistrationPart } from './composition/registration-part';
import { createSweepControl } from './composition/sweep-control';
import { createWatchdogPart } from './composition/watchdog-part';

export type ContainerOptions = {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Set by the worker on SIGTERM so a run in progress stops fanning out. */
  isShuttingDown?: () => boolean;
};

export function createContainer(opts: ContainerOptions) {
  const core = createCore(opts);
  const r = createRedisPart(core);
  const alerting = createAlerting(core);
  const control = createSweepControl(core, r);
  const dispatch = createDispatchPart(core, r, alerting, control, { isShuttingDown: opts.isShuttingDown });
  const registration = createRegistrationPart(core);
  const watchdog = createWatchdogPart(core, r, alerting, control);
  const feedback = createMentorFeedbackPart(core);
  return {
    config: core.config,
    logger: core.logger,
    clock: core.clock,
    prisma: core.prisma,
    redis: r.redis,
    queues: r.queues,
    /** A programme's sweep lock (its Redis key is shown beside its state). */
    lockFor: (p: ProgrammeRef) => r.lockFor(programmeLockName(p)),
    repositories: { ...core.repositories, reminders: dispatch.reminders, workers: r.workers, ...feedback.repositories, contactTracking: registration.contactTracking },
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
      preferences: feedback.preferences,
      unsubscribe: feedback.unsubscribe,
      deliveryEvents: feedback.deliveryEvents,
      sweepRequests: control.sweepRequests,
      programmeTick: control.tick,
      tokens: core.tokens,
      programmes: core.programmes,
      effectiveness: core.effectiveness,
      digests: core.digests,
      activities: registration.activities,
      assignments: registration.assignments,
      absences: registration.absences,
      snoozes: registration.snoozes,
    },
    async close() {
      await r.close();
      alerting.close();
      await Promise.all([dispatch.close(), registration.close(), core.close()]);
    },
  };
}

export type Container = ReturnType<typeof createContainer>;
