/**
 * The API's composition root: the core (database, repositories), Redis (queues for the board and
 * the ops routes, the failed-auth limiter), the sweep control, alerting and the watchdog it ticks,
 * and activity registration. It never builds the dispatch pool or the reminder SMTP transport.
 * Routes get what they use through their plugin options (app.ts), never this object.
 */
import { programmeLockName, type ProgrammeRef } from '@reminders/core/domain/programme-names';
import type { Clock } from '@reminders/core/clock';
import type { Config } from '@reminders/core/config';
import type { Logger } from '@reminders/core/logger';
import { createAlerting } from '@reminders/core/composition/alerting';
import { createCore } from '@reminders/core/composition/core';
import { createMentorFeedbackPart } from '@reminders/core/composition/mentor-feedback-part';
import { createRedisPart } from '@reminders/core/composition/redis-part';
import { createRegistrationPart } from '@reminders/core/composition/registration-part';
import { createSweepControl } from '@reminders/core/composition/sweep-control';
import { createWatchdogPart } from '@reminders/core/composition/watchdog-part';

export function createApiRoot(opts: { config: Config; logger: Logger; clock?: Clock }) {
  const core = createCore(opts);
  const r = createRedisPart(core);
  const alerting = createAlerting(core);
  const control = createSweepControl(core, r);
  const registration = createRegistrationPart(core);
  const watchdog = createWatchdogPart(core, r, alerting, control);
  const feedback = createMentorFeedbackPart(core);
  return {
    config: core.config,
    logger: core.logger,
    clock: core.clock,
    redis: r.redis,
    queues: r.queues,
    /** A programme's sweep lock (its Redis key is shown beside its state). */
    lockFor: (p: ProgrammeRef) => r.lockFor(programmeLockName(p)),
    repositories: { ...core.repositories, workers: r.workers, ...feedback.repositories },
    services: {
      tokens: core.tokens,
      programmes: core.programmes,
      effectiveness: core.effectiveness,
      digests: core.digests,
      activities: registration.activities,
      assignments: registration.assignments,
      absences: registration.absences,
      snoozes: registration.snoozes,
      ops: control.ops,
      opsFor: control.opsFor,
      sweepLock: r.sweepLock,
      alerts: alerting.alerts,
      watchdog,
      preferences: feedback.preferences,
      unsubscribe: feedback.unsubscribe,
      deliveryEvents: feedback.deliveryEvents,
    },
    async close() {
      await r.close();
      alerting.close();
      await Promise.all([registration.close(), core.close()]);
    },
  };
}

/** What buildApp needs (the tests' all-in-one container has it too). */
export type ApiRoot = Omit<ReturnType<typeof createApiRoot>, 'close'>;
