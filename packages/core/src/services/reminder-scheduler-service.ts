/**
 * ReminderSchedulerService: evaluates which assignments are due and fans out one
 * `reminder-dispatch` job per due assignment. Pages with keyset pagination: each page is recorded
 * in the run's dispatch record (`run_dispatches`, one statement that finds and records it) and then
 * added with `addBulk`, so memory stays bounded however many assignments there are. The same pass
 * picks up reminders of earlier runs whose e-mail was never delivered (no live lease): that run's
 * own jobs can no longer send it (fenced), so this run adopts it.
 * A job names only the run and the assignment (DESIGN.md, "Postgres decides").
 * The fan-out waits while the dispatch queue already holds `maxBacklog` waiting jobs, so Redis
 * holds a bounded backlog (not every due assignment's job at once) however large the sweep.
 * Fairness between programmes (issue 15): every run's first page goes to the head of the shared
 * queue (`lifo`) without waiting for room, so a small programme whose slot comes while a big one
 * is dispatching is not queued behind that backlog (a first page adds at most SWEEP_PAGE_SIZE).
 */
import type { Queue } from 'bullmq';
import { DISPATCH_JOB, dispatchJobOptions, type DispatchPayload } from '../jobs/job-catalog';
import { dispatchJobId } from '../domain/reminder-rules';
import type { DueAssignmentRepository } from '../repositories/due-assignment-repository';
import type { RunDispatchRepository } from '../repositories/run-dispatch-repository';

export type SweepContext = {
  runId: number;
  now: Date;
  /** The programme whose assignments this run sweeps (null: every programme's). */
  programmeId: number | null;
  /** Checked between pages: once true (lock lost, shutdown, pause) the sweep stops adding jobs. */
  shouldStop: () => boolean;
  /** Called after each page with the running total of jobs enqueued. */
  onProgress?: (enqueued: number) => Promise<void> | void;
};

export type SweepResult = { enqueued: number; stopped: boolean };

/** What became of a job whose dispatch never reported, as the queue tells it. */
export type LostJob = { assignmentId: number; state: string; reason: string };

export type ReminderSchedulerDeps = {
  dueAssignments: DueAssignmentRepository;
  runDispatches: RunDispatchRepository;
  dispatchQueue: Queue<DispatchPayload>;
  pageSize: number;
  maxAttempts: number;
  retryBackoffMs: number;
  /** Whether e-mail is configured (SMTP_URL): only then are undelivered e-mails re-sent. @defaultValue false */
  emailEnabled?: boolean;
  /** The fan-out pauses while more jobs than this wait in the dispatch queue. @defaultValue 20000 */
  maxBacklog?: number;
  /** How often a paused fan-out looks at the backlog again. @defaultValue 50 */
  backlogPollMs?: number;
  /**
   * A run that has fanned out this many gets run_dispatches' planner statistics refreshed, and
   * again each time it has grown STATS_REFRESH_GROWTH times since (10k, 40k, 160k, ...: a few
   * ANALYZEs however large the run, none for a small one). @defaultValue 10000
   */
  statsRefreshAt?: number;
};

const STATS_REFRESH_GROWTH = 4;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Job states from which a job still reports (runs, retries). */
const ALIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export function createReminderSchedulerService(deps: ReminderSchedulerDeps) {
  const jobOptions = dispatchJobOptions(deps.maxAttempts, deps.retryBackoffMs);
  const maxBacklog = Math.max(deps.maxBacklog ?? 20_000, deps.pageSize);

  /** Waits until the backlog leaves room for a page; false when the sweep must stop instead. */
  async function roomForPage(ctx: SweepContext): Promise<boolean> {
    while ((await deps.dispatchQueue.getWaitingCount()) + deps.pageSize > maxBacklog) {
      if (ctx.shouldStop()) return false;
      await wait(deps.backlogPollMs ?? 50);
    }
    return !ctx.shouldStop();
  }

  return {
    // Each assignment is judged by its own programme's rules, in its programme's time zone.
    countActive: (programmeId: number | null) => deps.dueAssignments.countActive({ programmeId }),
    countDue: (now: Date, programmeId: number | null) => deps.dueAssignments.countDue({ now, programmeId }),
    /** Active and due in one scan (the guard needs both before the first job). */
    countActiveAndDue: (now: Date, programmeId: number | null) => deps.dueAssignments.countActiveAndDue({ now, programmeId }),

    async sweep(ctx: SweepContext): Promise<SweepResult> {
      let enqueued = 0;
      let afterId = 0;
      let refreshStatsAt = deps.statsRefreshAt ?? 10_000;
      for (;;) {
        // The run's first jobs go to the head of the queue without waiting for room (fairness).
        const first = enqueued === 0;
        if (first ? ctx.shouldStop() : !(await roomForPage(ctx))) return { enqueued, stopped: true };
        const { ids, scanned, lastId } = await deps.runDispatches.fanOutPage({
          runId: ctx.runId,
          now: ctx.now,
          programmeId: ctx.programmeId,
          emailEnabled: deps.emailEnabled ?? false,
          afterId,
          limit: deps.pageSize,
        });
        // A page of assignments none of which is due adds nothing and goes on.
        if (ids.length) await deps.dispatchQueue.addBulk(ids.map((assignmentId) => ({ name: DISPATCH_JOB, data: { runId: ctx.runId, assignmentId }, opts: { ...jobOptions, jobId: dispatchJobId(ctx.runId, assignmentId), ...(first ? { lifo: true } : {}) } })));
        enqueued += ids.length;
        if (enqueued >= refreshStatsAt) {
          refreshStatsAt = enqueued * STATS_REFRESH_GROWTH;
          // Only the plans' speed depends on it: a refusal (a role that does not own the table) changes nothing else.
          await deps.runDispatches.refreshStatistics().catch(() => undefined);
        }
        await ctx.onProgress?.(enqueued);
        if (scanned < deps.pageSize || lastId === null) return { enqueued, stopped: false };
        afterId = lastId;
      }
    },

    /**
     * Of the given unsettled dispatches, the ones whose job can no longer report: failed by the
     * queue without the processor settling it (stalled past its limit, a payload refused), removed
     * (Bull Board, a clean), or completed without a record. Jobs still waiting, running or delayed
     * for a retry are not lost.
     */
    async findLost(runId: number, assignmentIds: number[]): Promise<LostJob[]> {
      const lost: LostJob[] = [];
      for (let i = 0; i < assignmentIds.length; i += 100) {
        const chunk = assignmentIds.slice(i, i + 100);
        const states = await Promise.all(chunk.map((id) => deps.dispatchQueue.getJobState(dispatchJobId(runId, id))));
        for (let k = 0; k < chunk.length; k++) {
          const state = states[k]!;
          if (ALIVE.has(state)) continue;
          let reason = state === 'unknown' ? 'job removed from the queue before it reported' : `job ${state} without reporting`;
          if (state === 'failed') {
            const job = await deps.dispatchQueue.getJob(dispatchJobId(runId, chunk[k]!));
            if (job?.failedReason) reason = `job failed without reporting: ${job.failedReason}`.slice(0, 500);
          }
          lost.push({ assignmentId: chunk[k]!, state, reason });
        }
      }
      return lost;
    },
  };
}

export type ReminderSchedulerService = ReturnType<typeof createReminderSchedulerService>;
