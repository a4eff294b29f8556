/**
 * One sweep run, end to end:
 *   paused? -> skipped_disabled.  lock held? -> skipped_locked.
 *   otherwise: running row + fencing token -> close stale rows -> ReminderSchedulerService fans out
 *   -> wait until every job has settled -> final status and counts -> release lock -> failure counter.
 */
import type { Clock } from '../clock';
import type { LockHolder, SweepLock } from '../lock';
import type { Logger } from '../logger';
import type { ExecutionLogRepository, RunCounts, RunTrigger, TerminalStatus } from '../repositories/execution-log-repository';
import type { SchedulerStateRepository } from '../repositories/scheduler-state-repository';
import type { ReminderSchedulerService } from './reminder-scheduler-service';
import type { RunOutcomes } from './run-outcomes';
import { judgeBlastRadius, type BlastRadiusSettings } from './blast-radius-guard';

export type RunRequest = {
  trigger: RunTrigger;
  triggeredBy?: string | null;
  scheduledFor?: Date | null;
  /** Go ahead with a run the blast-radius guard held (its id), bypassing the guard once. */
  confirmRunId?: number;
};

export class RunRequestError extends Error {
  override name = 'RunRequestError';
}

export type RunResult = {
  runId: number;
  status: TerminalStatus | 'skipped_locked' | 'skipped_disabled';
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
  workerId: string;
  lock: SweepLock;
  executionLog: ExecutionLogRepository;
  schedulerState: SchedulerStateRepository;
  scheduler: ReminderSchedulerService;
  outcomes: RunOutcomes;
  clock: Clock;
  logger: Logger;
  /** A run still waiting for its jobs after this long is finalised as `timed_out`. */
  runTimeoutMs: number;
  /** How often the run checks whether its jobs have settled (one HLEN). @defaultValue 100 */
  pollMs?: number;
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

export function createSweepRunService(deps: SweepRunDeps) {
  const pollMs = deps.pollMs ?? 100;
  const log = deps.logger.child({ component: 'sweep-run' });

  async function execute(req: RunRequest, signal: AbortSignal & { error?: Error }, setHolder: (h: LockHolder) => Promise<void>): Promise<RunResult> {
    const startedAt = deps.clock.now();
    const { runId, fencingToken } = await deps.executionLog.startRun({
      jobName: deps.jobName,
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
    };
    const lockLost = () => signal.aborted;
    const stopping = () => lockLost() || (deps.isShuttingDown?.() ?? false);
    let status: TerminalStatus = 'succeeded';
    let error: string | null = null;
    try {
      counts.assignmentsEvaluated = await deps.scheduler.countActive();
      if (req.confirmRunId) {
        const by = req.triggeredBy ?? 'unknown';
        if (!(await deps.executionLog.resolveHeld(req.confirmRunId, { by, now: startedAt, continuedByRunId: runId }))) {
          throw new RunRequestError(`run ${req.confirmRunId} is not awaiting confirmation (already resolved?)`);
        }
        rlog.warn({ confirmed: req.confirmRunId, by }, 'held run confirmed by an operator; blast-radius guard bypassed');
      } else {
        const due = await deps.scheduler.countDue(startedAt);
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
      const sweep = await deps.scheduler.sweep({
        runId,
        fencingToken,
        now: startedAt,
        shouldStop: stopping,
        onProgress: (n) => deps.executionLog.heartbeat(runId, deps.clock.now(), { remindersEnqueued: n }),
      });
      counts.remindersEnqueued = sweep.enqueued;
      rlog.info({ enqueued: sweep.enqueued, redelivered: sweep.redelivered }, 'fan-out finished');
      const waited = await waitForSettled(runId, sweep.enqueued, startedAt, stopping);
      Object.assign(counts, waited.counts);
      if (waited.timedOut) {
        status = 'timed_out';
        error = `run exceeded RUN_TIMEOUT_MINUTES (${Math.round(deps.runTimeoutMs / 60000)} min) with ${sweep.enqueued - waited.settled} of ${sweep.enqueued} reminder jobs unsettled`;
      }
      if (status === 'succeeded' && (sweep.stopped || stopping())) {
        status = 'failed';
        error = lockLost()
          ? `lock lost (extension failed: ${signal.error?.message ?? 'unknown'}); stopped writing`
          : 'worker shutting down; stopped before the run finished';
      }
      if (status === 'succeeded' && counts.remindersFailed > 0) {
        status = 'failed';
        error = `${counts.remindersFailed} of ${counts.remindersEnqueued} reminders failed delivery`;
      }
    } catch (err) {
      status = 'failed';
      error = (err as Error).message;
      rlog.error({ err }, 'run failed');
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

  async function waitForSettled(runId: number, expected: number, startedAt: Date, stopping: () => boolean) {
    let settled = await deps.outcomes.settled(runId);
    let lastBeat = Date.now();
    while (settled < expected) {
      const elapsed = deps.clock.now().getTime() - startedAt.getTime();
      if (elapsed > deps.runTimeoutMs) break;
      if (stopping()) break;
      await wait(pollMs);
      settled = await deps.outcomes.settled(runId);
      if (Date.now() - lastBeat > 5_000) {
        lastBeat = Date.now();
        await deps.executionLog.heartbeat(runId, deps.clock.now());
      }
    }
    const tally = await deps.outcomes.tally(runId);
    return {
      settled,
      timedOut: settled < expected && !stopping(),
      counts: {
        remindersSent: tally.sent,
        remindersSuppressed: tally.suppressed,
        remindersSkipped: tally.skipped,
        remindersFailed: tally.failed,
      },
    };
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
        trigger: req.trigger,
        workerId: deps.workerId,
        now: deps.clock.now(),
        scheduledFor: req.scheduledFor,
        triggeredBy: req.triggeredBy,
      };
      await deps.beforeRun?.();
      const state = await deps.schedulerState.get(deps.jobName);
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
        const consecutiveFailures = await deps.schedulerState.recordOutcome(deps.jobName, false, deps.clock.now());
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
      if (result.status !== 'awaiting_confirmation' && !result.superseded) {
        const consecutiveFailures = await deps.schedulerState.recordOutcome(deps.jobName, result.status === 'succeeded', deps.clock.now());
        await deps.onFinished?.({ ...result, consecutiveFailures });
      }
      return result;
    },
  };
}

export type SweepRunService = ReturnType<typeof createSweepRunService>;
