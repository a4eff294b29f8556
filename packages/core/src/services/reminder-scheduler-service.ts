/**
 * ReminderSchedulerService: evaluates which assignments are due and fans out one
 * `reminder-dispatch` job per due assignment. Pages with keyset pagination and adds jobs with
 * `addBulk` a page at a time, so memory stays bounded however many assignments there are.
 * Then it fans out one job per reminder of an earlier run whose e-mail was never delivered: that
 * run's own jobs can no longer send it (its fencing token is stale), so this run adopts it.
 * The fan-out waits while the dispatch queue already holds `maxBacklog` waiting jobs, so Redis
 * holds a bounded backlog (not every due assignment's job at once) however large the sweep.
 */
import type { Queue } from 'bullmq';
import { DISPATCH_JOB, SWEEP_SCHEDULER_ID, dispatchJobOptions, type DispatchPayload } from '../jobs/job-catalog';
import { dispatchJobId } from '../domain/reminder-rules';
import type { ReminderRules } from '../domain/reminder-rules';
import { idempotencyKey } from '../domain/reminder-rules';
import type { DueAssignment, DueAssignmentRepository } from '../repositories/due-assignment-repository';

export type SweepContext = {
  runId: number;
  fencingToken: bigint;
  now: Date;
  /** Checked between pages: once true (lock lost, shutdown) the sweep stops adding jobs. */
  shouldStop: () => boolean;
  /** Called after each page with the running total of jobs enqueued. */
  onProgress?: (enqueued: number) => Promise<void> | void;
};

/** `enqueued` counts every job, `redelivered` those that re-send an earlier run's undelivered e-mail. */
export type SweepResult = { enqueued: number; stopped: boolean; redelivered: number };

export type ReminderSchedulerDeps = {
  dueAssignments: DueAssignmentRepository;
  dispatchQueue: Queue<DispatchPayload>;
  rules: ReminderRules;
  timeZone: string;
  pageSize: number;
  maxAttempts: number;
  retryBackoffMs: number;
  /** Whether e-mail is configured (SMTP_URL): only then are undelivered e-mails re-sent. @defaultValue false */
  emailEnabled?: boolean;
  /** The execution log's job name. @defaultValue SWEEP_SCHEDULER_ID */
  jobName?: string;
  /** The fan-out pauses while more jobs than this wait in the dispatch queue. @defaultValue 20000 */
  maxBacklog?: number;
  /** How often a paused fan-out looks at the backlog again. @defaultValue 50 */
  backlogPollMs?: number;
};

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createReminderSchedulerService(deps: ReminderSchedulerDeps) {
  const jobOptions = dispatchJobOptions(deps.maxAttempts, deps.retryBackoffMs);
  const maxBacklog = Math.max(deps.maxBacklog ?? 20_000, deps.pageSize);

  /** Adds one page once the backlog leaves room for it; false when the sweep must stop instead. */
  async function addPage(ctx: SweepContext, page: DueAssignment[]): Promise<boolean> {
    while ((await deps.dispatchQueue.getWaitingCount()) + page.length > maxBacklog) {
      if (ctx.shouldStop()) return false;
      await wait(deps.backlogPollMs ?? 50);
    }
    if (ctx.shouldStop()) return false;
    await deps.dispatchQueue.addBulk(page.map((d) => toJob(d, ctx, jobOptions)));
    return true;
  }

  return {
    countActive: () => deps.dueAssignments.countActive(),
    countDue: (now: Date) => deps.dueAssignments.countDue({ now, timeZone: deps.timeZone, rules: deps.rules }),

    async sweep(ctx: SweepContext): Promise<SweepResult> {
      let enqueued = 0;
      /** Pages through one source with keyset pagination, adding each page; false when told to stop. */
      async function fanOut<T extends DueAssignment>(fetchPage: (afterId: number) => Promise<T[]>, cursor: (row: T) => number): Promise<number | null> {
        let afterId = 0;
        let added = 0;
        for (;;) {
          if (ctx.shouldStop()) return null;
          const page = await fetchPage(afterId);
          if (page.length === 0) return added;
          afterId = cursor(page[page.length - 1]!);
          if (!(await addPage(ctx, page))) return null;
          added += page.length;
          enqueued += page.length;
          await ctx.onProgress?.(enqueued);
          if (page.length < deps.pageSize) return added;
        }
      }
      const base = { now: ctx.now, timeZone: deps.timeZone, rules: deps.rules, limit: deps.pageSize };
      const due = await fanOut((afterId) => deps.dueAssignments.findDuePage({ ...base, afterId }), (d) => d.assignmentId);
      if (due === null) return { enqueued, stopped: true, redelivered: 0 };
      if (!deps.emailEnabled) return { enqueued, stopped: false, redelivered: 0 };
      const redelivered = await fanOut(
        (afterId) => deps.dueAssignments.findUndeliveredPage({ ...base, jobName: deps.jobName ?? SWEEP_SCHEDULER_ID, currentRunId: ctx.runId, afterId }),
        (r) => r.reminderId,
      );
      return { enqueued, stopped: redelivered === null, redelivered: redelivered ?? 0 };
    },
  };
}

function toJob(d: DueAssignment, ctx: SweepContext, opts: ReturnType<typeof dispatchJobOptions>) {
  const key = idempotencyKey(d.assignmentId, d.anchorDate, d.sequenceNumber);
  const data: DispatchPayload = {
    runId: ctx.runId,
    fencingToken: ctx.fencingToken.toString(),
    assignmentId: d.assignmentId,
    anchorDate: d.anchorDate,
    sequenceNumber: d.sequenceNumber,
    dueDate: d.dueDate,
    escalated: d.escalated,
    idempotencyKey: key,
  };
  return { name: DISPATCH_JOB, data, opts: { ...opts, jobId: dispatchJobId(key, ctx.fencingToken) } };
}

export type ReminderSchedulerService = ReturnType<typeof createReminderSchedulerService>;
