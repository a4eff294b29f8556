/**
 * Who may start a sweep, decided in PostgreSQL, not by a job's payload (DESIGN.md, "Postgres decides").
 *
 * Requesting: a manual trigger, a watchdog catch-up or retry first writes a `sweep_requests` row,
 * then enqueues a job that names only that row (job id `sweep-request-<id>`). If Redis is down the
 * row stays, and the watchdog enqueues it when Redis is back.
 *
 * Admitting (the sweep worker, before anything else): a job is run only when
 *  - it names a request that exists and has not been consumed (consumed here, exactly once), or
 *  - it came from the configured job scheduler: `repeatJobKey` is the scheduler id, its id is
 *    `repeat:<scheduler id>:<slot millis>` as BullMQ 6 builds it, that slot is a real REMINDER_CRON
 *    slot in REMINDER_TZ that has come (and is not older than the watchdog's look-back), and no
 *    job has run that slot before (a `scheduled` request row, created already consumed, records it).
 * Anything else is refused: no sweep, a log line, an audit row (`sweep.refused` by
 * `system:worker`) with the job's id and payload, and the job fails with the reason.
 */
import { CronExpressionParser } from 'cron-parser';
import type { JobsOptions, Queue } from 'bullmq';
import type { Clock } from '../clock';
import { SWEEP_JOB, sweepJobOptions, sweepPayload, sweepRequestJobId, type SweepPayload } from '../jobs/job-catalog';
import type { Logger } from '../logger';
import type { AuditRepository } from '../repositories/audit-repository';
import type { RunTrigger } from '../repositories/execution-log-repository';
import type { SweepRequest, SweepRequestRepository } from '../repositories/sweep-request-repository';
import type { RunRequest } from './sweep-run-service';

/** What the gate looks at on a BullMQ job (a `Job` has all of it). */
export type SweepJobLike = { id?: string; name: string; data: unknown; repeatJobKey?: string; opts: Pick<JobsOptions, 'delay'>; stalledCounter?: number };

/**
 * BullMQ hands a job whose worker died (its lock expired) to another worker once more, with
 * `stalledCounter` raised: that second delivery of the very job that consumed the request may run
 * it again (the new run closes the dead one's row). `queue.add` cannot set that counter, so a
 * replayed copy is not mistaken for it.
 */
const isStalledRedelivery = (job: SweepJobLike, consumedBy: string | null) => (job.stalledCounter ?? 0) > 0 && !!job.id && job.id === consumedBy;

export type Admission = { ok: true; request: RunRequest; requestId: number } | { ok: false; reason: string };

export type SweepRequestsDeps = {
  requests: SweepRequestRepository;
  queue: Queue<SweepPayload>;
  audit: AuditRepository;
  schedulerId: string;
  cron: string;
  timeZone: string;
  clock: Clock;
  logger: Logger;
};

const toRunRequest = (r: SweepRequest): RunRequest => ({ trigger: r.trigger, triggeredBy: r.requestedBy, confirmRunId: r.confirmRunId ?? undefined, scheduledFor: r.slot, programmeId: r.programmeId });

/** A scheduler slot older than this is refused (the watchdog's catch-up stands in for it). */
const SLOT_LOOKBACK_MS = 48 * 3600_000;
/** A scheduler job is created delayed until its slot; one processed earlier than this was not. */
const SLOT_EARLY_SLACK_MS = 60_000;

export function createSweepRequests(deps: SweepRequestsDeps) {
  const log = deps.logger.child({ component: 'sweep-requests' });
  const schedulerJobId = new RegExp(`^repeat:${deps.schedulerId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)$`);

  function isCronSlot(slot: Date): boolean {
    if (slot.getTime() % 1000 !== 0) return false;
    const it = CronExpressionParser.parse(deps.cron, { tz: deps.timeZone, currentDate: new Date(slot.getTime() - 1000) });
    return it.next().toDate().getTime() === slot.getTime();
  }

  async function enqueue(r: SweepRequest): Promise<string> {
    const jobId = sweepRequestJobId(r.id);
    await deps.queue.add(SWEEP_JOB, { requestId: r.id }, { ...sweepJobOptions, jobId });
    await deps.requests.markEnqueued(r.id, deps.clock.now());
    return jobId;
  }

  async function admitScheduled(job: SweepJobLike): Promise<Admission> {
    const m = job.id ? schedulerJobId.exec(job.id) : null;
    if (job.repeatJobKey !== deps.schedulerId || !m) return { ok: false, reason: `job ${job.id} names no sweep request and is not a job of the scheduler ${deps.schedulerId}` };
    const slot = new Date(Number(m[1]));
    if (!isCronSlot(slot)) return { ok: false, reason: `${slot.toISOString()} is not a slot of REMINDER_CRON "${deps.cron}" in ${deps.timeZone}` };
    const now = deps.clock.now().getTime();
    if (slot.getTime() - now > SLOT_EARLY_SLACK_MS) return { ok: false, reason: `slot ${slot.toISOString()} has not come yet` };
    if (now - slot.getTime() > SLOT_LOOKBACK_MS) return { ok: false, reason: `slot ${slot.toISOString()} is more than 48 hours old` };
    const dedupeKey = `scheduled:${slot.getTime()}`;
    const taken = await deps.requests.create({ trigger: 'scheduled', requestedBy: `scheduler:${deps.schedulerId}`, slot, dedupeKey, now: deps.clock.now(), consumed: true, jobId: job.id });
    if (taken) return { ok: true, requestId: taken.id, request: { trigger: 'scheduled', scheduledFor: slot } };
    const earlier = await deps.requests.byDedupeKey(dedupeKey);
    if (earlier && isStalledRedelivery(job, earlier.jobId)) return { ok: true, requestId: earlier.id, request: { trigger: 'scheduled', scheduledFor: slot } };
    return { ok: false, reason: `slot ${slot.toISOString()} has already been run by a scheduler job` };
  }

  async function admitRequest(job: SweepJobLike, requestId: number): Promise<Admission> {
    if (job.id !== sweepRequestJobId(requestId)) return { ok: false, reason: `job ${job.id} names sweep request ${requestId}, whose job id is ${sweepRequestJobId(requestId)}` };
    const r = await deps.requests.consume(requestId, job.id, deps.clock.now());
    if (!r) {
      const existing = await deps.requests.get(requestId);
      if (!existing) return { ok: false, reason: `sweep request ${requestId} does not exist` };
      if (isStalledRedelivery(job, existing.jobId)) return { ok: true, requestId, request: toRunRequest(existing) };
      return { ok: false, reason: `sweep request ${requestId} was already consumed at ${existing.consumedAt!.toISOString()}${existing.runId ? ` by run ${existing.runId}` : ''}` };
    }
    return { ok: true, requestId: r.id, request: toRunRequest(r) };
  }

  return {
    isCronSlot,

    /** A request by id (what a job's `requestId` names). */
    get: (id: number) => deps.requests.get(id),

    /** Records a request (not yet enqueued); null when `dedupeKey` was taken already. */
    record: (r: { trigger: Exclude<RunTrigger, 'scheduled'>; requestedBy: string; confirmRunId?: number; slot?: Date; dedupeKey?: string; programmeId?: number }) => deps.requests.create({ ...r, now: deps.clock.now() }),

    /** Enqueues the one job of a recorded request; a second call adds nothing (same job id). */
    enqueue,

    /** Enqueues watchdog requests recorded while Redis was down. Returns the job ids enqueued. */
    async enqueuePending(): Promise<string[]> {
      const pending = await deps.requests.pendingEnqueue(new Date(deps.clock.now().getTime() - SLOT_LOOKBACK_MS));
      const out: string[] = [];
      for (const r of pending) out.push(await enqueue(r));
      return out;
    },

    /** Decides whether a sweep job may run, and as what. Consumes its request on success. */
    async admit(job: SweepJobLike): Promise<Admission> {
      const parsed = sweepPayload.safeParse(job.data ?? {});
      if (!parsed.success) return { ok: false, reason: `payload is not { requestId }: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
      if (parsed.data.requestId) return admitRequest(job, parsed.data.requestId);
      return admitScheduled(job);
    },

    /** A refused job: no run, a log line and an audit row; the caller fails the job. */
    async refuse(job: SweepJobLike, reason: string): Promise<void> {
      log.warn({ jobId: job.id, name: job.name, data: job.data, repeatJobKey: job.repeatJobKey, reason }, 'sweep job refused: no run started');
      await deps.audit.record({
        actor: 'system:worker',
        action: 'sweep.refused',
        targetType: 'sweep-job',
        targetId: job.id ?? null,
        after: { jobId: job.id ?? null, name: job.name, data: job.data ?? null, repeatJobKey: job.repeatJobKey ?? null, delay: job.opts.delay ?? null },
        reason,
        now: deps.clock.now(),
      });
    },

    /** Links a consumed request to the run it produced (the execution log's row). */
    settled: (requestId: number, runId: number) => deps.requests.attachRun(requestId, runId),
  };
}

export type SweepRequests = ReturnType<typeof createSweepRequests>;
