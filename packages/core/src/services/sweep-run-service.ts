/**
 * One sweep run, end to end:
 *   paused? -> skipped_disabled.  lock held? -> skipped_locked.
 *   otherwise: running row + fencing token -> close stale rows -> ReminderSchedulerService fans out
 *   -> wait until every dispatch has settled -> final status and counts -> release lock -> failure counter.
 * The run's record is PostgreSQL: what it fanned out and what became of each (`run_dispatches`) is
 * written by the statements that do the work, and the run waits on and counts those rows. A job the
 * queue failed or lost without reporting is found and settled as `lost`, so the run ends promptly.
 * A pause stops the run: its writes are fenced at once, and the run ends `cancelled`.
 */
import type { Clock } from '../clock';
import type { LockHolder, SweepLock } from '../lock';
import type { Logger } from '../logger';
import type { ExecutionLogRepository, RunCounts, RunTrigger, FinishStatus } from '../repositories/execution-log-repository';
import type { SweepStateRepository } from '../repositories/sweep-state-repository';
import type { RunDispatchRepository } from '../repositories/run-dispatch-repository';
import type { ReminderSchedulerService } from './reminder-scheduler-service';
import { judgeBlastRadius, type BlastRadiusSettings } from './blast-radius-guard';

export type RunRequest = {
  trigger: RunTrigger;
  triggeredBy?: string | null;
  scheduledFor?: Date | null;
  /** Go ahead with a run the blast-radius guard held (its id), bypassing the guard once. */
  confirmRunId?: number;
  /** The programme to sweep (issue 15). @defaultValue 1 (`default`) */
  programmeId?: number;
};

export class RunRequestError extends Error {
  override name = 'RunRequestError';
}

export type RunResult = {
  runId: number;
  status: FinishStatus | 'skipped_locked' | 'skipped_disabled';
  counts?: RunCounts;
  error?: string | null;
  /**
   * The run's row had already been closed (as abandoned) by a newer run when it finished: it lost
   * the lock while frozen or cut off, and the newer run took over. Its outcome is not recorded.
   */
  superseded?: boolean;
};

export type SweepRunDeps = {
  jobName: string;
  /** The programme this sweep covers (null: every programme's assignments, each under its own rules). @defaultValue null */
  programmeId?: number | null;
  workerId: string;
  lock: SweepLock;
  executionLog: ExecutionLogRepository;
  sweepState: SweepStateRepository;
  scheduler: ReminderSchedulerService;
  runDispatches: RunDispatchRepository;
  clock: Clock;
  logger: Logger;
  /** A run still waiting for its jobs after this long is finalised as `timed_out`. */
  runTimeoutMs: number;
  /** How often the run checks whether its jobs have settled (one indexed count). @defaultValue 100 */
  pollMs?: number;
  /**
   * When nothing has settled for this long, the run asks the queue about the jobs still
   * unsettled: those that can no longer report are `lost`. Also how long a paused run waits for
   * what was already in flight. @defaultValue 2000
   */
  quietMs?: number;
  /** How often the run re-reads the pause state while it waits. @defaultValue 1000 */
  pauseCheckMs?: number;
  /** Dispatch records of runs finished this long ago are deleted (their counts stay in the log). @defaultValue 30 days */
  dispatchRecordRetentionMs?: number;
  /** The purge of old dispatch records, shared by every programme's sweep. @defaultValue one of its own */
  purge?: ReturnType<typeof createDispatchRecordPurge>;
  /** Called after every finished run (alerts hook in here). */
  onFinished?: (result: RunResult & { consecutiveFailures: number }) => Promise<void>;
  /** Called when the blast-radius guard holds a run. */
  onHeld?: (held: { runId: number; reason: string }) => Promise<void>;
  blastRadius: BlastRadiusSettings;
  /** Called before a run looks at the pause state (ends pauses whose end time has passed). */
  beforeRun?: () => Promise<unknown>;
  /** Set when the process is shutting down: the run stops fanning out and is finalised as failed. */
  isShuttingDown?: () => boolean;
};

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Deletes dispatch records of runs finished longer than the retention ago: every programme's at
 * once, so at most once an hour per process (shared by every programme's sweep in the process),
 * not once per run: 1,000 programmes whose runs come together would repeat it 1,000 times.
 */
export function createDispatchRecordPurge(deps: Pick<SweepRunDeps, 'runDispatches' | 'dispatchRecordRetentionMs'>, everyMs = 3600_000) {
  let lastAt = -Infinity;
  return async (now: Date, rlog: Logger): Promise<void> => {
    if (now.getTime() - lastAt < everyMs) return;
    lastAt = now.getTime();
    const before = new Date(now.getTime() - (deps.dispatchRecordRetentionMs ?? 30 * 24 * 3600_000));
    const purged = await deps.runDispatches.purgeFinishedBefore(before).catch((err: Error) => {
      rlog.warn({ err: { message: err.message } }, 'could not purge old dispatch records; the next run tries again');
      lastAt = -Infinity;
      return 0;
    });
    if (purged) rlog.info({ purged }, 'old dispatch records purged');
  };
}

export function createSweepRunService(deps: SweepRunDeps) {
  const pollMs = deps.pollMs ?? 100;
  const log = deps.logger.child({ component: 'sweep-run' });

  async function execute(req: RunRequest, signal: AbortSignal & { error?: Error }, setHolder: (h: LockHolder) => Promise<void>): Promise<RunResult> {
    const startedAt = deps.clock.now();
    const { runId, fencingToken } = await deps.executionLog.startRun({
      jobName: deps.jobName,
      programmeId: deps.programmeId ?? undefined,
      trigger: req.trigger,
      workerId: deps.workerId,
      now: startedAt,
      scheduledFor: req.scheduledFor,
      triggeredBy: req.triggeredBy,
    });
    await setHolder({ workerId: deps.workerId, runId, since: startedAt.toISOString() });
    const rlog = log.child({ runId, fencingToken: fencingToken.toString(), trigger: req.trigger });
    const stale = await deps.executionLog.closeStale(deps.jobName, runId, startedAt);
    if (stale.length) rlog.warn({ stale }, 'closed running rows left by workers that stopped');
    const counts: RunCounts = {
      assignmentsEvaluated: 0,
      remindersEnqueued: 0,
      remindersSent: 0,
      remindersSuppressed: 0,
      remindersSkipped: 0,
      remindersFailed: 0,
      remindersLost: 0,
    };
    const lockLost = () => signal.aborted;
    const pause = watchPause();
    const stopping = () => lockLost() || pause.paused() !== null || (deps.isShuttingDown?.() ?? false);
    let status: FinishStatus = 'succeeded';
    let error: string | null = null;
    try {
      if (req.confirmRunId) {
        counts.assignmentsEvaluated = await deps.scheduler.countActive(deps.programmeId ?? null);
        const by = req.triggeredBy ?? 'unknown';
        if (!(await deps.executionLog.resolveHeld(req.confirmRunId, { by, now: startedAt, continuedByRunId: runId }))) {
          throw new RunRequestError(`run ${req.confirmRunId} is not awaiting confirmation (already resolved?)`);
        }
        rlog.warn({ confirmed: req.confirmRunId, by }, 'held run confirmed by an operator; blast-radius guard bypassed');
      } else {
        // One pass over the assignments gives both the evaluated count and the guard's measure.
        const { active, due } = await deps.scheduler.countActiveAndDue(startedAt, deps.programmeId ?? null);
        counts.assignmentsEvaluated = active;
        const history = await deps.executionLog.recentEnqueuedMedian(deps.jobName, 14, deps.blastRadius.minHistory);
        const verdict = judgeBlastRadius(due, history, deps.blastRadius);
        if (verdict.hold) {
          const error = `held by the blast-radius guard: ${verdict.reason}; nothing was sent. Confirm with \`npx reminders trigger --confirm ${runId}\` or cancel with \`npx reminders trigger --cancel ${runId}\``;
          await deps.executionLog.finish(runId, { status: 'awaiting_confirmation', now: deps.clock.now(), counts, error });
          rlog.warn({ due, history }, 'run held by the blast-radius guard');
          await deps.onHeld?.({ runId, reason: verdict.reason });
          return { runId, status: 'awaiting_confirmation', counts, error };
        }
      }
      await purgeOldRecords(startedAt, rlog);
      const sweep = await deps.scheduler.sweep({
        runId,
        now: startedAt,
        programmeId: deps.programmeId ?? null,
        shouldStop: stopping,
        onProgress: (n) => deps.executionLog.heartbeat(runId, deps.clock.now(), { remindersEnqueued: n }),
      });
      counts.remindersEnqueued = sweep.enqueued;
      rlog.info({ enqueued: sweep.enqueued }, 'fan-out finished');
      const waited = await waitForSettled(runId, startedAt, stopping, pause, rlog);
      Object.assign(counts, waited.counts);
      await pause.check(); // a pause that came after the last look still ends the run as paused
      const pausedBy = pause.paused();
      if (pausedBy !== null && !lockLost()) {
        status = 'cancelled';
        error = `paused while running (${pausedBy}): stopped writing; ${counts.remindersSkipped} of ${counts.remindersEnqueued} reminders not sent, the first run after the pause ends sends what is still due`;
      } else if (waited.timedOut) {
        status = 'timed_out';
        error = `run exceeded RUN_TIMEOUT_MINUTES (${Math.round(deps.runTimeoutMs / 60000)} min) with ${waited.unsettled} of ${counts.remindersEnqueued} reminder jobs unsettled`;
      }
      if (status === 'succeeded' && (sweep.stopped || stopping())) {
        status = 'failed';
        error = lockLost()
          ? `lock lost (extension failed: ${signal.error?.message ?? 'unknown'}); stopped writing`
          : 'worker shutting down; stopped before the run finished';
      }
      if (status === 'succeeded' && counts.remindersLost > 0) {
        status = 'failed';
        error = `${counts.remindersLost} of ${counts.remindersEnqueued} reminder jobs were lost (${waited.lostReason ?? 'failed or removed without reporting'}); the next run sends what is still due`;
      }
      if (status === 'succeeded' && counts.remindersFailed > 0) {
        status = 'failed';
        error = `${counts.remindersFailed} of ${counts.remindersEnqueued} reminders failed delivery`;
      }
    } catch (err) {
      status = 'failed';
      error = (err as Error).message;
      rlog.error({ err }, 'run failed');
      // Whatever the dispatches had settled before the failure is still the run's record.
      Object.assign(counts, await readCounts(runId).catch(() => ({})));
    } finally {
      pause.stop();
    }
    const finishedAt = deps.clock.now();
    if (!(await deps.executionLog.finish(runId, { status, now: finishedAt, counts, error }))) {
      // A newer run holds the lock and has closed this row: the failure counter and the alerts
      // are its business now, not this stale run's (whose late "failed" would read as a new incident).
      rlog.warn({ status, counts, error }, 'run finished after a newer run had closed its row as abandoned; outcome not recorded');
      return { runId, status: 'abandoned', counts, error: `superseded by a newer run; this run would have ended ${status}${error ? `: ${error}` : ''}`, superseded: true };
    }
    rlog.info({ status, counts, error }, 'run finished');
    return { runId, status, counts, error };
  }

  /** The run's counts, from its dispatch record. */
  async function readCounts(runId: number): Promise<Partial<RunCounts>> {
    const t = await deps.runDispatches.tally(runId);
    return {
      remindersEnqueued: t.total,
      remindersSent: t.sent,
      remindersSuppressed: t.suppressed,
      remindersSkipped: t.skipped,
      remindersFailed: t.failed,
      remindersLost: t.lost,
    };
  }

  /** Re-reads the pause state every `pauseCheckMs` while the run lives; `paused()` says by whom, or null. */
  function watchPause() {
    let pausedBy: string | null = null;
    const check = async () => {
      const state = await deps.sweepState.get(deps.jobName).catch(() => null);
      if (state && !state.enabled && pausedBy === null) pausedBy = `by ${state.pausedBy ?? 'unknown'}: ${state.pauseReason ?? 'no reason given'}`;
    };
    const timer = setInterval(() => void check(), deps.pauseCheckMs ?? 1000);
    return { paused: () => pausedBy, stop: () => clearInterval(timer), check };
  }

  const purgeOldRecords = deps.purge ?? createDispatchRecordPurge(deps);

  /**
   * Waits until every dispatch of the run has an outcome. While something settles it just
   * counts; when nothing has for `quietMs`, it asks the queue about what is left and settles the
   * jobs that can no longer report as `lost`. Paused: once what was in flight has settled, the rest
   * is settled as skipped (its writes are fenced anyway) and the run ends.
   */
  async function waitForSettled(runId: number, startedAt: Date, stopping: () => boolean, pause: ReturnType<typeof watchPause>, rlog: Logger) {
    const quietMs = deps.quietMs ?? 2000;
    let unsettled = await deps.runDispatches.unsettled(runId);
    let lastChange = Date.now();
    let lastBeat = Date.now();
    let lostReason: string | null = null;
    let timedOut = false;
    while (unsettled > 0) {
      const elapsed = deps.clock.now().getTime() - startedAt.getTime();
      if (elapsed > deps.runTimeoutMs) {
        timedOut = true;
        break;
      }
      if (Date.now() - lastChange >= quietMs) {
        if (pause.paused() !== null) {
          await deps.runDispatches.settleRemaining(runId, 'all', 'skipped', 'paused');
        } else {
          const lost = await deps.scheduler.findLost(runId, await deps.runDispatches.unsettledPage(runId, 1000));
          if (lost.length) {
            lostReason ??= lost[0]!.reason;
            for (const reason of new Set(lost.map((l) => l.reason))) {
              await deps.runDispatches.settleRemaining(runId, lost.filter((l) => l.reason === reason).map((l) => l.assignmentId), 'lost', reason);
            }
            rlog.warn({ lost: lost.length, example: lost[0] }, 'reminder jobs ended without reporting; counted as lost');
          }
        }
        lastChange = Date.now();
      }
      if (stopping() && pause.paused() === null) break;
      await wait(pollMs);
      const now = await deps.runDispatches.unsettled(runId);
      if (now !== unsettled) lastChange = Date.now();
      unsettled = now;
      if (Date.now() - lastBeat > 5_000) {
        lastBeat = Date.now();
        await deps.executionLog.heartbeat(runId, deps.clock.now());
      }
    }
    return { unsettled, timedOut, lostReason, counts: await readCounts(runId) };
  }

  return {
    /** Runs one sweep; never throws for a run-level failure (the execution log row says what happened). */
    async run(req: RunRequest): Promise<RunResult> {
      if (req.confirmRunId) {
        const held = await deps.executionLog.get(req.confirmRunId);
        if (!held || held.jobName !== deps.jobName) throw new RunRequestError(`run ${req.confirmRunId} does not exist`);
        if (held.status !== 'awaiting_confirmation' || held.resolvedAt) {
          throw new RunRequestError(`run ${req.confirmRunId} is ${held.resolvedAt ? 'already resolved' : held.status}, not awaiting confirmation`);
        }
      }
      const base = {
        jobName: deps.jobName,
        programmeId: deps.programmeId ?? undefined,
        trigger: req.trigger,
        workerId: deps.workerId,
        now: deps.clock.now(),
        scheduledFor: req.scheduledFor,
        triggeredBy: req.triggeredBy,
      };
      await deps.beforeRun?.();
      const state = await deps.sweepState.get(deps.jobName);
      if (!state.enabled) {
        const reason = `paused by ${state.pausedBy ?? 'unknown'}: ${state.pauseReason ?? 'no reason given'}`;
        const runId = await deps.executionLog.recordSkipped({ ...base, status: 'skipped_disabled', reason });
        log.info({ runId, reason }, 'run skipped: sweep is paused');
        return { runId, status: 'skipped_disabled', error: reason };
      }
      let locked: Awaited<ReturnType<typeof deps.lock.withLock<RunResult>>>;
      try {
        locked = await deps.lock.withLock((signal, setHolder) => execute(req, signal, setHolder));
      } catch (err) {
        // The lock could not even be asked for (Redis unreachable): still leave a row and count a failure.
        const error = (err as Error).message;
        const runId = await deps.executionLog.recordSkipped({ ...base, status: 'failed', reason: error });
        log.error({ runId, err }, 'run could not start');
        const result: RunResult = { runId, status: 'failed', error };
        const consecutiveFailures = await deps.sweepState.recordOutcome(deps.jobName, false, deps.clock.now());
        await deps.onFinished?.({ ...result, consecutiveFailures });
        return result;
      }
      if (!locked.acquired) {
        const reason = 'another run holds the sweep lock';
        const runId = await deps.executionLog.recordSkipped({ ...base, status: 'skipped_locked', reason });
        log.info({ runId }, 'run skipped: lock held');
        return { runId, status: 'skipped_locked', error: reason };
      }
      const result = locked.value;
      // A run held for confirmation or stopped by a pause is neither a success nor a failure.
      if (result.status !== 'awaiting_confirmation' && result.status !== 'cancelled' && !result.superseded) {
        const consecutiveFailures = await deps.sweepState.recordOutcome(deps.jobName, result.status === 'succeeded', deps.clock.now());
        await deps.onFinished?.({ ...result, consecutiveFailures });
      }
      return result;
    },
  };
}

export type SweepRunService = ReturnType<typeof createSweepRunService>;
