/** Thin job processors: parse the payload with the catalog's schema, call one service, record the result. */
import type { Job } from 'bullmq';
import { dispatchPayload, sweepPayload } from '@reminders/core/jobs/job-catalog';
import type { Container } from '@reminders/core/container';
import { RetryableDeliveryError } from '@reminders/core/services/reminder-dispatch-service';

export function createSweepProcessor(c: Container) {
  return async (job: Job) => {
    const p = sweepPayload.parse(job.data);
    // A scheduler job fires at timestamp + delay: that is the slot it stands for.
    // A catch-up run carries the slot it replaces.
    const scheduledFor = p.trigger === 'scheduled' ? new Date(job.timestamp + (job.opts.delay ?? 0)) : p.slot ? new Date(p.slot) : null;
    const result = await c.services.sweepRun.run({ trigger: p.trigger, triggeredBy: p.triggeredBy, confirmRunId: p.confirmRunId, scheduledFor });
    return { runId: result.runId, status: result.status };
  };
}

export function createDispatchProcessor(c: Container) {
  return async (job: Job) => {
    const p = dispatchPayload.parse(job.data);
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const r = await c.services.dispatch.dispatch(p, finalAttempt);
      await c.services.outcomes.record(p.runId, job.id!, r.outcome);
      return r;
    } catch (err) {
      if (finalAttempt || !(err instanceof RetryableDeliveryError)) {
        if (finalAttempt) await c.services.outcomes.record(p.runId, job.id!, 'failed');
      }
      throw err;
    }
  };
}
