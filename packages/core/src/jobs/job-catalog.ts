/**
 * Every queue and job the service uses: names, payload schemas, retry and removal defaults.
 * Processors parse their payload with the schema here before doing anything.
 */
import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

export const SWEEP_QUEUE = 'reminder-sweep';
export const DISPATCH_QUEUE = 'reminder-dispatch';
/** The BullMQ job scheduler id (and the execution log's job_name). */
export const SWEEP_SCHEDULER_ID = 'reminder-sweep';
export const SWEEP_JOB = 'sweep';
export const DISPATCH_JOB = 'dispatch';

export const sweepPayload = z.object({
  trigger: z.enum(['scheduled', 'manual', 'catchup']),
  triggeredBy: z.string().max(200).optional(),
  confirmRunId: z.number().int().positive().optional(),
  /** The cron slot a catch-up run stands in for (ISO time), so the watchdog sees it covered. */
  slot: z.string().datetime().optional(),
});
export type SweepPayload = z.infer<typeof sweepPayload>;

export const dispatchPayload = z.object({
  runId: z.number().int().positive(),
  fencingToken: z.string().regex(/^\d+$/),
  assignmentId: z.number().int().positive(),
  anchorDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  sequenceNumber: z.number().int().positive(),
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  escalated: z.boolean(),
  idempotencyKey: z.string().min(1),
});
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
