/** Thin job processors: parse the payload with the catalog's schema, call one service, map the result. */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { dispatchPayload } from '@reminders/core/jobs/job-catalog';
import type { WorkerRoot } from './composition';
import { UnrecordedDeliveryError } from '@reminders/core/services/reminder-dispatch-service';

/**
 * The payload claims nothing: the gate reads trigger, actor, confirm and slot from the sweep
 * request the job names (or from the job scheduler's own job id) and refuses anything else.
 * A refused job fails without retries and never starts a run.
 */
export function createSweepProcessor(c: Pick<WorkerRoot, 'services'>) {
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

/**
 * A dispatch job names (run, assignment) and nothing else; the outcome is recorded in the run's
 * dispatch record by the statements that do the work. A payload that is not exactly that, or that
 * names an assignment its run did not fan out, can only have been written to the queue by hand: it
 * is refused (no retry), logged and audited, and writes nothing.
 */
export function createDispatchProcessor(c: Pick<WorkerRoot, 'services' | 'repositories' | 'logger' | 'clock'>) {
  const refuse = async (job: Job, why: string): Promise<never> => {
    c.logger.warn({ queue: job.queueName, jobId: job.id, why }, 'dispatch job refused: it writes nothing');
    await c.repositories.audit
      .record({ actor: 'system:worker', action: 'dispatch.refused', targetType: 'job', targetId: job.id ?? null, after: { data: job.data as object, why }, now: c.clock.now() })
      .catch((err: Error) => c.logger.error({ err: { message: err.message } }, 'could not audit a refused dispatch job'));
    throw new UnrecoverableError(`refused: ${why}`);
  };
  return async (job: Job, token?: string) => {
    const parsed = dispatchPayload.safeParse(job.data);
    if (!parsed.success) return refuse(job, `payload is not { runId, assignmentId }: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const r = await c.services.dispatch.dispatch(parsed.data, finalAttempt).catch((err: Error) => {
      // Sent but not recorded: a retry would only send it again. The job fails for good (the run
      // counts it lost); after EMAIL_LEASE_SECONDS a later run may send it once more, same Message-ID.
      throw err instanceof UnrecordedDeliveryError ? new UnrecoverableError(err.message) : err;
    });
    if (r.outcome === 'refused') return refuse(job, r.reason);
    if (r.outcome === 'wait') {
      // Another sender holds this e-mail's lease: come back just after it ends (not an attempt).
      await job.moveToDelayed(r.until.getTime() + 250, token);
      throw new DelayedError(r.reason);
    }
    return r;
  };
}
