/**
 * sweep_requests: the audited record a sweep job names. Written before the job is enqueued;
 * consumed once by the worker (an UPDATE ... WHERE consumed_at IS NULL, so two copies of a job
 * cannot both run a sweep). `dedupeKey` makes a request once-only: a second create with the same
 * key returns null instead of a second request.
 */
import { Prisma, type PrismaClient } from '../db/prisma';
import type { RunTrigger } from './execution-log-repository';
import { DEFAULT_PROGRAMME_ID } from '../domain/programme';

export type SweepRequest = {
  id: number;
  trigger: RunTrigger;
  requestedBy: string;
  confirmRunId: number | null;
  slot: Date | null;
  dedupeKey: string | null;
  createdAt: Date;
  enqueuedAt: Date | null;
  consumedAt: Date | null;
  jobId: string | null;
  runId: number | null;
  programmeId: number;
};

export function createSweepRequestRepository(prisma: PrismaClient) {
  return {
    /** A new request, or null when one with the same `dedupeKey` exists already. */
    async create(r: { trigger: RunTrigger; requestedBy: string; confirmRunId?: number | null; slot?: Date | null; dedupeKey?: string | null; now: Date; consumed?: boolean; jobId?: string; programmeId?: number }): Promise<SweepRequest | null> {
      try {
        return await prisma.sweepRequest.create({
          data: {
            trigger: r.trigger,
            requestedBy: r.requestedBy,
            confirmRunId: r.confirmRunId ?? null,
            slot: r.slot ?? null,
            dedupeKey: r.dedupeKey ?? null,
            createdAt: r.now,
            consumedAt: r.consumed ? r.now : null,
            jobId: r.jobId ?? null,
            programmeId: r.programmeId ?? 1,
          },
        });
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
        throw err;
      }
    },

    get: (id: number) => prisma.sweepRequest.findUnique({ where: { id } }),

    byDedupeKey: (dedupeKey: string) => prisma.sweepRequest.findUnique({ where: { dedupeKey } }),

    markEnqueued: (id: number, now: Date) => prisma.sweepRequest.updateMany({ where: { id, enqueuedAt: null }, data: { enqueuedAt: now } }),

    /** Takes the request for one job: true only for the first caller (exactly once). */
    async consume(id: number, jobId: string, now: Date): Promise<SweepRequest | null> {
      const n = await prisma.sweepRequest.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: now, jobId } });
      return n.count === 1 ? prisma.sweepRequest.findUnique({ where: { id } }) : null;
    },

    attachRun: (id: number, runId: number) => prisma.sweepRequest.update({ where: { id }, data: { runId } }),

    /** Watchdog and programme-tick requests (catch-up, retry, scheduled) recorded but not yet on the queue (Redis was down). */
    pendingEnqueue: (since: Date) =>
      prisma.sweepRequest.findMany({ where: { enqueuedAt: null, consumedAt: null, trigger: { in: ['catchup', 'retry', 'scheduled'] }, createdAt: { gte: since } }, orderBy: { id: 'asc' } }),

    /**
     * The programme tick's one statement (services/programme-tick.ts): for every programme run by
     * the tick whose local send time has come today (in its own time zone) and whose slot is not
     * older than the programme itself, records today's scheduled request, once: the dedupe key
     * `programme:<id>:<local date>` is unique, so replicas, repeated ticks, a restart and the
     * repeated hour of a DST change record it once. Returns the requests recorded now.
     */
    async claimScheduledSlots(now: Date): Promise<SweepRequest[]> {
      return prisma.$queryRaw<SweepRequest[]>`
        WITH local AS (
          SELECT p.id, p.created_at, p.time_zone, p.send_at::time AS send_at,
                 (${now}::timestamptz AT TIME ZONE p.time_zone) AS wall
            FROM programmes p
           WHERE p.id <> ${DEFAULT_PROGRAMME_ID}
        ), slots AS (
          SELECT l.id, l.wall::date AS day, ((l.wall::date + l.send_at) AT TIME ZONE l.time_zone) AS slot, l.created_at
            FROM local l
           WHERE l.wall::time >= l.send_at
        )
        INSERT INTO sweep_requests (trigger, requested_by, slot, dedupe_key, created_at, programme_id)
        SELECT 'scheduled', 'programme-tick', s.slot, 'programme:' || s.id || ':' || s.day::text, ${now}, s.id
          FROM slots s
         WHERE s.slot >= s.created_at
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id, trigger, requested_by AS "requestedBy", confirm_run_id AS "confirmRunId", slot, dedupe_key AS "dedupeKey",
                  created_at AS "createdAt", enqueued_at AS "enqueuedAt", consumed_at AS "consumedAt", job_id AS "jobId",
                  run_id AS "runId", programme_id AS "programmeId"`;
    },

    /** One programme's requests not yet taken by a worker (queued or waiting for Redis), created since `since`. */
    countOpen: (since: Date, triggers: RunTrigger[], programmeId: number) =>
      prisma.sweepRequest.count({ where: { consumedAt: null, trigger: { in: triggers }, createdAt: { gte: since }, programmeId } }),

    /** One programme's requests of one trigger created on the local day `day` (YYYY-MM-DD) of `timeZone`. */
    async countOnLocalDay(trigger: RunTrigger, day: string, timeZone: string, programmeId: number): Promise<number> {
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM sweep_requests
         WHERE trigger = ${trigger}::run_trigger AND programme_id = ${programmeId} AND (created_at AT TIME ZONE ${timeZone})::date = ${day}::date`;
      return Number(row!.n);
    },
  };
}

export type SweepRequestRepository = ReturnType<typeof createSweepRequestRepository>;
