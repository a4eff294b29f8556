/** The execution log: one `cron_execution_log` row per run, from `running` to a terminal status. */
import { Prisma, type PrismaClient } from '../db/prisma';

export type RunTrigger = 'scheduled' | 'manual' | 'catchup' | 'retry';
/** How a run ends for good. */
export type FinalStatus = 'succeeded' | 'failed' | 'timed_out' | 'abandoned' | 'cancelled';
/** What `finish` writes: a final status, or a run held by the blast-radius guard until an operator confirms it. */
export type FinishStatus = FinalStatus | 'awaiting_confirmation';
export type SkipStatus = 'skipped_locked' | 'skipped_disabled';

export type RunCounts = {
  assignmentsEvaluated: number;
  remindersEnqueued: number;
  remindersSent: number;
  remindersSuppressed: number;
  remindersSkipped: number;
  remindersFailed: number;
  /** Jobs that ended without reporting (failed by the queue without running, removed by hand). */
  remindersLost: number;
};

export type RunStart = {
  jobName: string;
  /** The programme whose sweep this is (`default`, 1, when not given). */
  programmeId?: number;
  trigger: RunTrigger;
  workerId: string;
  now: Date;
  scheduledFor?: Date | null;
  triggeredBy?: string | null;
};

/** The dispatch counts of the row being updated, from its records (`cron_execution_log` in scope). */
const COUNTS_FROM_RECORDS = Prisma.sql`
  reminders_enqueued = (SELECT count(*) FROM run_dispatches d WHERE d.run_id = cron_execution_log.id),
  reminders_sent = (SELECT count(*) FROM run_dispatches d WHERE d.run_id = cron_execution_log.id AND d.outcome = 'sent'),
  reminders_suppressed = (SELECT count(*) FROM run_dispatches d WHERE d.run_id = cron_execution_log.id AND d.outcome = 'suppressed'),
  reminders_skipped = (SELECT count(*) FROM run_dispatches d WHERE d.run_id = cron_execution_log.id AND d.outcome = 'skipped'),
  reminders_failed = (SELECT count(*) FROM run_dispatches d WHERE d.run_id = cron_execution_log.id AND d.outcome = 'failed'),
  reminders_lost = (SELECT count(*) FROM run_dispatches d WHERE d.run_id = cron_execution_log.id AND d.outcome = 'lost')`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Tx = Pick<PrismaClient, '$executeRaw' | '$queryRaw'>;

/**
 * Settles the records of runs that are ending with jobs still unreported (lock lost, timed out,
 * failed, abandoned): the run gave up on them, and the next run sends what is still due. Their
 * late jobs are fenced and write nothing (an e-mail already claimed may still go out: its
 * reminder is marked sent; the record keeps this outcome).
 */
async function settleUnreported(tx: Tx, runIds: number[], status: FinishStatus): Promise<void> {
  const reason = `the run ended (${status}) before this job reported; the next run sends what is still due`;
  await tx.$executeRaw`
    UPDATE run_dispatches SET outcome = 'skipped', reason = ${reason}, settled_at = clock_timestamp()
     WHERE run_id = ANY(${runIds}::int[]) AND outcome IS NULL`;
}

export function createExecutionLogRepository(prisma: PrismaClient) {
  return {
    /** Takes the next fencing token and writes the `running` row, in one transaction. */
    async startRun(s: RunStart): Promise<{ runId: number; fencingToken: bigint }> {
      return prisma.$transaction(async (tx) => {
        const [state] = await tx.$queryRaw<{ last_fencing_token: bigint }[]>`
          UPDATE sweep_state SET last_fencing_token = last_fencing_token + 1, updated_at = ${s.now}
          WHERE job_name = ${s.jobName} RETURNING last_fencing_token`;
        if (!state) throw new Error(`sweep_state has no row for ${s.jobName}; run \`npx reminders migrate\``);
        const row = await tx.cronExecutionLog.create({
          data: {
            jobName: s.jobName,
            programmeId: s.programmeId ?? 1,
            trigger: s.trigger,
            status: 'running',
            scheduledFor: s.scheduledFor ?? null,
            startedAt: s.now,
            heartbeatAt: s.now,
            workerId: s.workerId,
            fencingToken: state.last_fencing_token,
            triggeredBy: s.triggeredBy ?? null,
          },
          select: { id: true },
        });
        return { runId: row.id, fencingToken: state.last_fencing_token };
      });
    },

    /** A run that did not start: lock held, scheduler paused, or the lock could not be asked for (failed). */
    async recordSkipped(s: RunStart & { status: SkipStatus | 'failed'; reason: string }): Promise<number> {
      const row = await prisma.cronExecutionLog.create({
        data: {
          jobName: s.jobName,
          programmeId: s.programmeId ?? 1,
          trigger: s.trigger,
          status: s.status,
          scheduledFor: s.scheduledFor ?? null,
          startedAt: s.now,
          finishedAt: s.now,
          durationMs: 0,
          workerId: s.workerId,
          triggeredBy: s.triggeredBy ?? null,
          error: s.reason,
        },
        select: { id: true },
      });
      return row.id;
    },

    /**
     * Closes `running` rows other than `exceptRunId`. Called by a run that holds the lock, so any
     * other `running` row belongs to a worker that died or lost the lock.
     */
    async closeStale(jobName: string, exceptRunId: number, now: Date): Promise<{ id: number; workerId: string }[]> {
      // Their counts are their dispatch records, whose unsettled rest is settled now (as in finish).
      return prisma.$transaction(async (tx) => {
        const stale = await tx.$queryRaw<{ id: number }[]>`
          SELECT id FROM cron_execution_log WHERE job_name = ${jobName} AND status = 'running' AND id <> ${exceptRunId} ORDER BY id FOR UPDATE`;
        if (!stale.length) return [];
        const ids = stale.map((r) => r.id);
        await settleUnreported(tx, ids, 'abandoned');
        return tx.$queryRaw<{ id: number; workerId: string }[]>`
          UPDATE cron_execution_log
             SET status = 'abandoned', finished_at = ${now},
                 ${COUNTS_FROM_RECORDS},
                 duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (${now}::timestamptz - started_at)) * 1000)::int),
                 error = COALESCE(error || '; ', '') || 'abandoned: worker ' || worker_id || ' stopped before finishing (last heartbeat '
                         || COALESCE(to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'never') || '); closed by run ' || ${exceptRunId}::text
           WHERE id = ANY(${ids}::int[])
          RETURNING id, worker_id AS "workerId"`;
      });
    },

    async heartbeat(runId: number, now: Date, counts: Partial<RunCounts> = {}): Promise<void> {
      await prisma.cronExecutionLog.updateMany({ where: { id: runId, status: 'running' }, data: { heartbeatAt: now, ...counts } });
    },

    /**
     * Writes the terminal status and the counts; a row already closed (e.g. abandoned by a newer
     * run) is left alone. The dispatch counts are the run's records: what is still unsettled is
     * settled here as skipped, in the same transaction, so the log equals the records and stays so
     * (a late job of a finished run is fenced, and a record once settled never changes).
     */
    async finish(runId: number, f: { status: FinishStatus; now: Date; counts: Partial<RunCounts>; error?: string | null }): Promise<boolean> {
      const once = () =>
        prisma.$transaction(async (tx) => {
          const [row] = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM cron_execution_log WHERE id = ${runId} AND status = 'running' FOR UPDATE`;
          if (!row) return false;
          await settleUnreported(tx, [runId], f.status);
          await tx.$executeRaw`
            UPDATE cron_execution_log
               SET status = ${f.status}::run_status, finished_at = ${f.now}, heartbeat_at = ${f.now},
                   duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (${f.now}::timestamptz - started_at)) * 1000)::int),
                   error = ${f.error ?? null},
                   assignments_evaluated = COALESCE(${f.counts.assignmentsEvaluated ?? null}::int, assignments_evaluated),
                   ${COUNTS_FROM_RECORDS}
             WHERE id = ${runId}`;
          return true;
        });
      // A run whose finish fails would stay `running` while its worker lives on (found by
      // pg-terminate: connections cut just before it). Retried; an attempt whose commit landed
      // although its answer was lost is recognised by its own status and finish time.
      for (let attempt = 1; ; attempt++) {
        try {
          if (await once()) return true;
          if (attempt === 1) return false;
          const row = await prisma.cronExecutionLog.findUnique({ where: { id: runId }, select: { status: true, finishedAt: true } });
          return row?.status === f.status && row.finishedAt?.getTime() === f.now.getTime();
        } catch (err) {
          if (attempt >= 6) throw err;
          await sleep(100 * 2 ** attempt);
        }
      }
    },

    /**
     * Median reminders enqueued by the last `n` successful runs that enqueued any (null with fewer
     * than `min`): a no-op run (an operator's extra trigger, a catch-up after a run that did the day)
     * says nothing about a normal day, and counting it made the next real run look like an incident.
     */
    async recentEnqueuedMedian(jobName: string, n: number, min: number): Promise<{ median: number; samples: number } | null> {
      const rows = await prisma.cronExecutionLog.findMany({
        where: { jobName, status: 'succeeded', remindersEnqueued: { gt: 0 } },
        orderBy: { id: 'desc' },
        take: n,
        select: { remindersEnqueued: true },
      });
      if (rows.length < min) return null;
      const v = rows.map((r) => r.remindersEnqueued).sort((a, b) => a - b);
      const mid = Math.floor(v.length / 2);
      return { median: v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2, samples: v.length };
    },

    /** Marks a held run confirmed (continued by `continuedByRunId`) or cancelled; false when it was not held or already resolved. */
    async resolveHeld(runId: number, r: { by: string; now: Date; continuedByRunId?: number; cancel?: boolean }): Promise<boolean> {
      const n = await prisma.cronExecutionLog.updateMany({
        where: { id: runId, status: 'awaiting_confirmation', resolvedAt: null },
        data: {
          resolvedBy: r.by,
          resolvedAt: r.now,
          continuedByRunId: r.continuedByRunId ?? null,
          ...(r.cancel ? { status: 'cancelled' as const } : {}),
        },
      });
      return n.count === 1;
    },

    get: (runId: number) => prisma.cronExecutionLog.findUnique({ where: { id: runId } }),

    recent: (jobName: string, limit: number, status?: Prisma.CronExecutionLogWhereInput['status']) =>
      prisma.cronExecutionLog.findMany({
        where: { jobName, ...(status ? { status } : {}) },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: limit,
      }),

    running: (jobName: string) => prisma.cronExecutionLog.findFirst({ where: { jobName, status: 'running' }, orderBy: { id: 'desc' } }),

    /** Runs still `running` that started before `before`: the watchdog's long runs. */
    runningStartedBefore: (jobName: string, before: Date) =>
      prisma.cronExecutionLog.findMany({
        where: { jobName, status: 'running', startedAt: { lt: before } },
        select: { id: true, startedAt: true, workerId: true, remindersEnqueued: true },
      }),

    /** Which of `slots` have a run that did its job (or was told not to): not failed, timed out or abandoned. */
    async coveredSlots(jobName: string, slots: Date[]): Promise<Date[]> {
      const rows = await prisma.cronExecutionLog.findMany({
        where: { jobName, scheduledFor: { in: slots }, status: { notIn: ['failed', 'timed_out', 'abandoned'] } },
        select: { scheduledFor: true },
      });
      return rows.map((r) => r.scheduledFor!);
    },

    /** The latest run started on local day `day` (in `timeZone`) that was not skipped, or undefined. */
    async lastUnskippedOnLocalDay(jobName: string, day: string, timeZone: string) {
      const [last] = await prisma.$queryRaw<{ id: number; status: string; ended: Date }[]>`
        SELECT id, status::text AS status, coalesce(finished_at, started_at) AS ended FROM cron_execution_log
         WHERE job_name = ${jobName} AND status NOT IN ('skipped_locked', 'skipped_disabled')
           AND (started_at AT TIME ZONE ${timeZone})::date = ${day}::date
         ORDER BY started_at DESC, id DESC LIMIT 1`;
      return last;
    },

    /** The first failed run of the streak that ends at (or includes) `runId`, or null when there is none. */
    async failureStreakStart(jobName: string, runId: number): Promise<number | null> {
      const [row] = await prisma.$queryRaw<{ start: number | null }[]>`
        SELECT min(id) AS start FROM cron_execution_log
         WHERE job_name = ${jobName} AND status IN ('failed', 'timed_out') AND id <= ${runId}
           AND id > COALESCE((SELECT max(id) FROM cron_execution_log
                               WHERE job_name = ${jobName} AND status = 'succeeded' AND id < ${runId}), 0)`;
      return row?.start ?? null;
    },
  };
}

export type ExecutionLogRepository = ReturnType<typeof createExecutionLogRepository>;
