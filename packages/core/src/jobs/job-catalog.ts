/**
 * Every queue and job the service uses: names, payload schemas, retry and removal defaults.
 * Processors parse their payload with the schema here before doing anything.
 */
import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

// The sweep's names, each in its own role (they share one value, the contract's `reminder-sweep`,
// so what operators know by it stays true; code names the role it means).
export const SWEEP_QUEUE = 'reminder-sweep';
export const DISPATCH_QUEUE = 'reminder-dispatch';
/** The BullMQ job scheduler id (and the execution log's job_name). */
export const SWEEP_SCHEDULER_ID = 'reminder-sweep';
/** The redlock lock around a whole run: `<prefix>:lock:reminder-sweep` (redis-keys.ts). */
export const SWEEP_LOCK_NAME = 'reminder-sweep';
/** The short lock behind which one replica upserts the job scheduler. */
export const SCHEDULE_REGISTRATION_LOCK_NAME = 'scheduler-registration';
export const SWEEP_JOB = 'sweep';
export const DISPATCH_JOB = 'dispatch';

/**
 * A sweep job carries no authority: it names a `sweep_requests` row (written, and for a person's
 * trigger audited, before the job was enqueued) and the worker reads trigger, actor, confirm and
 * slot from that row. The job scheduler's own jobs carry nothing; their slot is their job id.
 */
export const sweepPayload = z.object({
  requestId: z.number().int().positive().optional(),
});
export type SweepPayload = z.infer<typeof sweepPayload>;

/** The job id of a request's job: one job per request, so a second add of it is a no-op. */
export const sweepRequestJobId = (requestId: number) => `sweep-request-${requestId}`;

/**
 * A dispatch job carries no authority (DESIGN.md, "Postgres decides"): it names the run and the
 * assignment, nothing else. The write derives anchor, sequence, due date, escalation, the key and
 * the fencing token from the database and the rules, and writes only for an assignment its run
 * fanned out (`run_dispatches`) while that run is the running one. Anything more in a payload is
 * refused, not ignored: it can only come from someone writing to the queue by hand.
 */
export const dispatchPayload = z
  .object({
    runId: z.number().int().positive(),
    assignmentId: z.number().int().positive(),
  })
  .strict();
export type DispatchPayload = z.infer<typeof dispatchPayload>;

/** A sweep is never retried by BullMQ: the run records its own failure and the next run catches up. */
export const sweepJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 500, age: 30 * 24 * 3600 },
  removeOnFail: { count: 500, age: 30 * 24 * 3600 },
};

/** Dispatch retries with exponential backoff (e-mail outages); kept a day so job ids still dedupe. */
export function dispatchJobOptions(maxAttempts: number, backoffMs: number): JobsOptions {
  return {
    attempts: maxAttempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 200_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
