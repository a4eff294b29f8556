/** Thin job processors: parse the payload with the catalog's schema, call one service, record the result. */
import { UnrecoverableError, type Job } from 'bullmq';
import { dispatchPayload } from '@reminders/core/jobs/job-catalog';
import type { Container } from '@reminders/core/container';
import { RetryableDeliveryError } from '@reminders/core/services/reminder-dispatch-service';

/**
 * The payload claims nothing: the gate reads trigger, actor, confirm and slot from the sweep
 * request the job names (or from the job scheduler's own job id) and refuses anything else.
 * A refused job fails without retries and never starts a run.
 */
export function createSweepProcessor(c: Container) {
  return async (job: Job) => {
    const admitted = await c.services.sweepRequests.admit(job);
    if (!admitted.ok) {
      await c.services.sweepRequests.refuse(job, admitted.reason);
      throw new UnrecoverableError(`sweep job refused: ${admitted.reason}`);
    }
    const result = await c.services.sweepRun.run(admitted.request);
    await c.services.sweepRequests.settled(admitted.requestId, result.runId);
    return { runId: result.runId, status: result.status, requestId: admitted.requestId };
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
