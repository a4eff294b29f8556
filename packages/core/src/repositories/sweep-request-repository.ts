/**
 * sweep_requests: the audited record a sweep job names. Written before the job is enqueued;
 * consumed once by the worker (an UPDATE ... WHERE consumed_at IS NULL, so two copies of a job
 * cannot both run a sweep). `dedupeKey` makes a request once-only: a second create with the same
 * key returns null instead of a second request.
 */
import { Prisma, type PrismaClient } from '../db/prisma';
import type { RunTrigger } from './execution-log-repository';

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

    /** Watchdog requests (catch-up, retry) recorded but not yet on the queue (Redis was down). */
    pendingEnqueue: (since: Date) =>
      prisma.sweepRequest.findMany({ where: { enqueuedAt: null, consumedAt: null, trigger: { in: ['catchup', 'retry'] }, createdAt: { gte: since } }, orderBy: { id: 'asc' } }),

    /** Requests not yet taken by a worker (queued or waiting for Redis), created since `since`. */
    countOpen: (since: Date, triggers: RunTrigger[]) => prisma.sweepRequest.count({ where: { consumedAt: null, trigger: { in: triggers }, createdAt: { gte: since } } }),

    /** Requests of one trigger created on the local day `day` (YYYY-MM-DD) of `timeZone`. */
    async countOnLocalDay(trigger: RunTrigger, day: string, timeZone: string): Promise<number> {
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM sweep_requests
         WHERE trigger = ${trigger}::run_trigger AND (created_at AT TIME ZONE ${timeZone})::date = ${day}::date`;
      return Number(row!.n);
    },
  };
}

export type SweepRequestRepository = ReturnType<typeof createSweepRequestRepository>;
