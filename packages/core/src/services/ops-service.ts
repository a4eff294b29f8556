/**
 * Manual operations on the sweep, shared by the REST API and the CLI: trigger (with dry run and
 * blast-radius confirm / cancel), pause, resume, status, run history and the lock. Every change
 * is written to the admin audit log with who made it.
 */
import { Job, type Queue } from 'bullmq';
import type { Clock } from '../clock';
import { localDate } from '../domain/calendar';
import { AppError } from '../errors';
import { sweepRequestJobId, type SweepPayload } from '../jobs/job-catalog';
import type { SweepLock } from '../lock';
import type { AuditRepository } from '../repositories/audit-repository';
import type { DueAssignmentRepository } from '../repositories/due-assignment-repository';
import type { ExecutionLogRepository } from '../repositories/execution-log-repository';
import type { SweepStateRepository } from '../repositories/sweep-state-repository';
import type { WorkerRegistry } from '../repositories/worker-registry';
import type { JobSchedulerRegistration } from './job-scheduler-registration';
import type { SweepRequests } from './sweep-requests';

export type OpsServiceDeps = {
  jobName: string;
  /** The programme whose sweep this operates (issue 15). @defaultValue 1 (`default`) */
  programmeId?: number;
  sweepQueue: Queue<SweepPayload>;
  /** Only read: whether someone paused it in Bull Board (status, trigger --wait). */
  dispatchQueue?: Queue;
  lock: SweepLock;
  executionLog: ExecutionLogRepository;
  sweepState: SweepStateRepository;
  dueAssignments: DueAssignmentRepository;
  audit: AuditRepository;
  /** Its schedule: the job scheduler on REMINDER_CRON for default, the programme tick for the others. */
  schedule: Pick<JobSchedulerRegistration, 'read' | 'check'>;
  clock: Clock;
  /** The programme's time zone now (its calendar day is the dry run's "today"); it may change at run time. */
  timeZone: () => Promise<string>;
  /** A run whose heartbeat is older than this is not alive (lock release may proceed). */
  staleAfterMs: number;
  workers: WorkerRegistry;
  sweepRequests: SweepRequests;
  /** The furthest a pause's `until` may be, in days (PAUSE_MAX_DAYS). @defaultValue 14 */
  pauseMaxDays?: number;
};

const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped_locked', 'skipped_disabled', 'timed_out', 'abandoned', 'awaiting_confirmation', 'cancelled'] as const;
export type RunStatusName = (typeof RUN_STATUSES)[number];
export const isRunStatus = (s: string): s is RunStatusName => (RUN_STATUSES as readonly string[]).includes(s);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createOpsService(deps: OpsServiceDeps) {
  const now = () => deps.clock.now();

  async function heldRun(runId: number) {
    const run = await deps.executionLog.get(runId);
    if (!run || run.jobName !== deps.jobName) throw new AppError('not_found', 'run-not-found', `run ${runId} does not exist`);
    if (run.status !== 'awaiting_confirmation' || run.resolvedAt) {
      throw new AppError('conflict', 'run-not-held', `run ${runId} is ${run.resolvedAt ? `already resolved by ${run.resolvedBy}` : run.status}, not awaiting confirmation`);
    }
    return run;
  }

  async function runIsAlive(runId: number | undefined): Promise<boolean> {
    if (!runId) return false;
    const run = await deps.executionLog.get(runId);
    if (!run || run.status !== 'running') return false;
    const beat = (run.heartbeatAt ?? run.startedAt).getTime();
    return now().getTime() - beat < deps.staleAfterMs;
  }

  /** Queues paused in Bull Board (BullMQ's own pause, not the sweep's pause state). */
  async function queuesPaused() {
    const [sweep, dispatch] = await Promise.all([deps.sweepQueue.isPaused(), deps.dispatchQueue ? deps.dispatchQueue.isPaused() : false]);
    return { sweep, dispatch };
  }

  return {
    /**
     * Records an audited sweep request, then enqueues the job that names it; `confirmRunId` lets a
     * held run go ahead. The worker takes trigger, actor and confirm from the request, never from
     * the job. Returns the BullMQ job id.
     */
    async trigger(p: { by: string; confirmRunId?: number }): Promise<{ jobId: string }> {
      if (p.confirmRunId) await heldRun(p.confirmRunId);
      // The request and its audit row exist before any job does: the job only points at them.
      const request = (await deps.sweepRequests.record({ trigger: 'manual', requestedBy: p.by, confirmRunId: p.confirmRunId, programmeId: deps.programmeId }))!;
      const jobId = sweepRequestJobId(request.id);
      await deps.audit.record({
        actor: p.by,
        action: p.confirmRunId ? 'sweep.confirm' : 'sweep.trigger',
        targetType: 'sweep',
        targetId: p.confirmRunId ? String(p.confirmRunId) : jobId,
        after: { jobId, requestId: request.id },
        now: now(),
      });
      await deps.sweepRequests.enqueue(request);
      return { jobId };
    },

    /** Cancels a run held by the blast-radius guard: nothing is sent for it. */
    async cancelHeld(p: { by: string; runId: number; reason?: string }) {
      await heldRun(p.runId);
      if (!(await deps.executionLog.resolveHeld(p.runId, { by: p.by, now: now(), cancel: true }))) {
        throw new AppError('conflict', 'run-not-held', `run ${p.runId} was resolved by someone else meanwhile`);
      }
      await deps.audit.record({ actor: p.by, action: 'sweep.cancel', targetType: 'run', targetId: String(p.runId), reason: p.reason ?? null, now: now() });
      return deps.executionLog.get(p.runId);
    },

    /** Waits (polling) until the manual run's job finished, then returns its execution-log row. */
    async waitForRun(jobId: string, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await Job.fromId(deps.sweepQueue, jobId);
        if (!job) throw new AppError('not_found', 'job-not-found', `sweep job ${jobId} not found`);
        const state = await job.getState();
        if (state === 'completed') {
          // It may have completed between reading the job and reading its state: read it again
          // for the return value (else a finished run looks like one that never started).
          const done = (await Job.fromId(deps.sweepQueue, jobId)) ?? job;
          const runId = (done.returnvalue as { runId?: number } | null)?.runId;
          return runId ? deps.executionLog.get(runId) : null;
        }
        if (state === 'failed') {
          // A confirmed run that started leaves its id on the held run: it did start, and was
          // interrupted (worker killed, lock lost); saying "could not start" would be wrong.
          const requestId = (job.data as { requestId?: number }).requestId;
          const confirmRunId = requestId ? (await deps.sweepRequests.get(requestId))?.confirmRunId : null;
          const held = confirmRunId ? await deps.executionLog.get(confirmRunId) : null;
          if (held?.continuedByRunId) {
            const run = await deps.executionLog.get(held.continuedByRunId);
            throw new AppError('unprocessable', 'run-interrupted', `run ${held.continuedByRunId} (confirming run ${confirmRunId}) started but was interrupted: ${job.failedReason}; it is ${run?.status ?? 'unknown'} now, see \`npx reminders runs\``);
          }
          throw new AppError('unprocessable', 'run-failed-to-start', `the run could not start: ${job.failedReason}`);
        }
        // A queue paused in Bull Board holds the run (sweep: it never starts; dispatch: it never
        // finishes): say so now instead of timing out.
        const paused = await queuesPaused();
        if (paused.sweep && state !== 'active') throw new AppError('conflict', 'queue-paused', `the reminder-sweep queue is paused (in Bull Board), so job ${jobId} waits; resume it in the board (queue menu > Resume)`);
        if (paused.dispatch) throw new AppError('conflict', 'queue-paused', `the reminder-dispatch queue is paused (in Bull Board), so the run cannot finish sending; resume it in the board (queue menu > Resume)`);
        if (Date.now() > deadline) throw new AppError('conflict', 'wait-timed-out', `sweep job ${jobId} still ${state} after ${Math.round(timeoutMs / 1000)} s; see \`npx reminders runs\``);
        await sleep(250);
      }
    },

    /** Who would be reminded if the sweep ran now; writes and sends nothing. */
    async dryRun(p: { limit: number }) {
      const at = now();
      const [due, page] = await Promise.all([
        deps.dueAssignments.countDue({ now: at, programmeId: deps.programmeId ?? 1 }),
        deps.dueAssignments.findDuePage({ now: at, afterId: 0, limit: p.limit, programmeId: deps.programmeId ?? 1 }),
      ]);
      return { today: localDate(at, await deps.timeZone()), due, shown: page.length, reminders: page };
    },

    /** Pauses the sweep; changing an existing pause needs `replace` (else 409, nothing changes). */
    async pause(p: { by: string; reason: string; until?: Date | null; replace?: boolean }) {
      const reason = p.reason.trim();
      if (!reason) throw new AppError('invalid', 'reason-required', 'a reason is required to pause the sweep');
      if (p.until && Number.isNaN(p.until.getTime())) throw new AppError('invalid', 'invalid-until', 'until is not a time that can be read');
      if (p.until && p.until.getTime() <= now().getTime()) throw new AppError('invalid', 'until-in-past', `--until ${p.until.toISOString()} is not in the future`);
      const maxDays = deps.pauseMaxDays ?? 14;
      if (p.until && p.until.getTime() > now().getTime() + maxDays * 86_400_000) {
        throw new AppError('invalid', 'until-too-far', `--until ${p.until.toISOString()} is more than PAUSE_MAX_DAYS (${maxDays}) days away; pause for at most ${maxDays} days (or without an end, which raises pause_overdue)`);
      }
      const before = await deps.sweepState.get(deps.jobName);
      if (!before.enabled && !p.replace) {
        throw new AppError('conflict', 'already-paused', `the sweep is already paused by ${before.pausedBy}: ${before.pauseReason}${before.pausedUntil ? ` (until ${before.pausedUntil.toISOString()})` : ''}; use --replace (HTTP: "replace": true) to change that pause`);
      }
      const after = await deps.sweepState.pause(deps.jobName, { by: p.by, reason, until: p.until ?? null, now: now() });
      await deps.audit.record({ actor: p.by, action: before.enabled ? 'sweep.pause' : 'sweep.pause.replace', targetType: 'sweep', targetId: deps.jobName, before: pick(before), after: pick(after), reason, now: now() });
      return after;
    },

    async resume(p: { by: string }) {
      const before = await deps.sweepState.get(deps.jobName);
      if (before.enabled) throw new AppError('conflict', 'not-paused', 'the sweep is not paused');
      const after = await deps.sweepState.resume(deps.jobName);
      await deps.audit.record({ actor: p.by, action: 'sweep.resume', targetType: 'sweep', targetId: deps.jobName, before: pick(before), after: pick(after), now: now() });
      return after;
    },

    /** Ends pauses whose `until` has passed (called before each run and by the watchdog). */
    async resumeExpiredPause(): Promise<boolean> {
      const ended = await deps.sweepState.resumeIfExpired(deps.jobName, now());
      if (!ended) return false;
      await deps.audit.record({ actor: 'system:auto-resume', action: 'sweep.resume', targetType: 'sweep', targetId: deps.jobName, before: ended, reason: 'pause reached its end time', now: now() });
      return true;
    },

    async status() {
      const [state, schedule, lock, current, lastRuns, counts, liveWorkers, workersLastSeen, paused] = await Promise.all([
        deps.sweepState.get(deps.jobName),
        deps.schedule.read(),
        deps.lock.status(),
        deps.executionLog.running(deps.jobName),
        deps.executionLog.recent(deps.jobName, 5),
        deps.sweepQueue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
        deps.workers.live(now()),
        deps.workers.lastSeen(),
        queuesPaused(),
      ]);
      return {
        enabled: state.enabled,
        pause: state.enabled ? null : { reason: state.pauseReason, by: state.pausedBy, at: state.pausedAt, until: state.pausedUntil },
        consecutiveFailures: state.consecutiveFailures,
        lastSuccessAt: state.lastSuccessAt,
        schedule: schedule ? { ...schedule, problem: await deps.schedule.check() } : { id: deps.jobName, pattern: null, tz: null, next: null, problem: 'job scheduler is missing' },
        lock,
        currentRun: current,
        lastRuns,
        sweepQueue: counts,
        queuesPaused: paused,
        workers: { live: liveWorkers, lastSeen: workersLastSeen },
      };
    },

    async run(runId: number) {
      const run = await deps.executionLog.get(runId);
      if (!run || run.jobName !== deps.jobName) throw new AppError('not_found', 'run-not-found', `run ${runId} does not exist`);
      return run;
    },

    runs: (p: { limit: number; status?: RunStatusName }) => deps.executionLog.recent(deps.jobName, p.limit, p.status),

    lockStatus: () => deps.lock.status(),

    /**
     * Releases the sweep lock. Refused while the holder's run is alive (heartbeat recent) unless
     * `force`; a `running` row of a dead holder is closed as abandoned on the way.
     */
    async releaseLock(p: { by: string; force?: boolean; reason?: string }) {
      const before = await deps.lock.status();
      if (!before.held) throw new AppError('conflict', 'lock-not-held', 'the sweep lock is not held');
      const alive = await runIsAlive(before.holder?.runId);
      if (alive && !p.force) {
        throw new AppError('conflict', 'holder-alive', `run ${before.holder!.runId} on ${before.holder!.workerId} is alive (recent heartbeat); use --force to release anyway`);
      }
      await deps.lock.forceRelease();
      let closedRun: number | null = null;
      const running = await deps.executionLog.running(deps.jobName);
      if (running) {
        await deps.executionLog.finish(running.id, { status: 'abandoned', now: now(), counts: {}, error: `abandoned: lock released by ${p.by}${p.force ? ' (forced)' : ''}` });
        closedRun = running.id;
      }
      await deps.audit.record({ actor: p.by, action: 'lock.release', targetType: 'lock', targetId: deps.lock.key, before, after: { closedRun, forced: !!p.force, holderWasAlive: alive }, reason: p.reason ?? null, now: now() });
      return { released: true, closedRun, holderWasAlive: alive };
    },
  };
}

function pick(s: { enabled: boolean; pauseReason: string | null; pausedBy: string | null; pausedAt: Date | null; pausedUntil: Date | null }) {
  return { enabled: s.enabled, pauseReason: s.pauseReason, pausedBy: s.pausedBy, pausedAt: s.pausedAt, pausedUntil: s.pausedUntil };
}

export type OpsService = ReturnType<typeof createOpsService>;
