/**
 * `run_dispatches`: a run's own record of what it fanned out, one row per assignment, and what
 * became of each (DESIGN.md, "Postgres decides": the run's record is the database). The fan-out
 * writes the rows before it enqueues a job for them; the dispatch settles each row in the same
 * statement as its reminder (or its e-mail's result); the run counts and waits on these rows, and
 * settles as `lost` the ones whose job ended without reporting.
 */
import type { PrismaClient } from '../db/prisma';
import { Prisma } from '../generated/prisma/client';

export type DispatchOutcome = 'sent' | 'suppressed' | 'skipped' | 'failed' | 'lost';
export type DispatchTally = Record<DispatchOutcome, number> & { total: number; unsettled: number };

/** One page of a fan-out: the assignments it judged (`scanned`, up to the last id) and those it recorded as due (ascending). */
export type FanOutPage = { ids: number[]; scanned: number; lastId: number | null };

export function createRunDispatchRepository(prisma: PrismaClient) {
  return {
    /**
     * Records the next page (by assignment id, after `afterId`) of what this run must dispatch and
     * returns its assignment ids: every active assignment whose reminder for today is due and not
     * yet written, and, with e-mail on, every one whose reminder is written but its e-mail still
     * undelivered with no live lease (an earlier run's SMTP outage or crash: adopted by this run).
     * One pass over the due set; the dispatch re-derives everything itself.
     */
    async fanOutPage(p: { runId: number; now: Date; programmeId: number | null; emailEnabled: boolean; afterId: number; limit: number }): Promise<FanOutPage> {
      // Each assignment under its own programme's rules and calendar (issue 15); one programme's
      // assignments, or every programme's (null).
      const scope = p.programmeId === null ? Prisma.empty : Prisma.sql`AND a.programme_id = ${p.programmeId}`;
      // The page is the next `limit` active assignments by id, read from the (programme_id,
      // status, id) or (status, id) index; only they are judged. Judging first and taking the
      // first `limit` due ones let the planner, which cannot estimate how many are due, judge
      // every assignment after `afterId` and sort them on every page: 1.7 s a page at 1,000,000
      // assignments, the whole fan-out quadratic.
      const [row] = await prisma.$queryRaw<{ scanned: number; last_id: number | null; ids: number[] }[]>`
        WITH page AS MATERIALIZED (
          SELECT a.id FROM assignments a
           WHERE a.status = 'active' ${scope} AND a.id > ${p.afterId}
           ORDER BY a.id
           LIMIT ${p.limit}
        ), picked AS (
          SELECT a.id, x.anchor
            FROM page
            JOIN assignments a ON a.id = page.id
            JOIN programmes pr ON pr.id = a.programme_id
            CROSS JOIN LATERAL (SELECT (${p.now}::timestamptz AT TIME ZONE pr.time_zone)::date AS today,
                                       COALESCE(a.last_contact_date, a.assigned_date) AS anchor) x
            -- Silence under the absence policy, snooze, the stop rule: one definition (due-assignment-repository.ts).
            CROSS JOIN LATERAL reminder_due(a.peer_mentor_id, x.anchor, x.today, pr.first_after_days, pr.repeat_every_days,
                                            pr.stop_after, pr.absence_policy, a.snoozed_until) y
            LEFT JOIN reminders r ON r.assignment_id = a.id AND r.anchor_date = x.anchor AND r.sequence_number = y.seq
           WHERE y.due
             AND ((r.id IS NULL
                   AND NOT EXISTS (SELECT 1 FROM reminders r2
                                    WHERE r2.assignment_id = a.id AND r2.anchor_date = x.anchor AND r2.sequence_number > y.seq))
                  OR (${p.emailEnabled}::boolean AND r.email_status IN ('reserved', 'failed')
                      AND (r.email_lease_until IS NULL OR r.email_lease_until <= clock_timestamp())
                      AND EXISTS (SELECT 1 FROM peer_mentors pm WHERE pm.id = a.peer_mentor_id AND pm.email IS NOT NULL)))
        ), recorded AS (
          INSERT INTO run_dispatches (run_id, assignment_id, anchor_date)
          SELECT ${p.runId}::int, id, anchor FROM picked
          ON CONFLICT DO NOTHING
          RETURNING assignment_id
        )
        SELECT (SELECT count(*) FROM page)::int AS scanned, (SELECT max(id) FROM page) AS last_id,
               COALESCE((SELECT array_agg(assignment_id ORDER BY assignment_id) FROM recorded), '{}') AS ids`;
      return { ids: row!.ids, scanned: row!.scanned, lastId: row!.last_id };
    },

    /**
     * Refreshes the planner's statistics of run_dispatches: a running run's records are new to them
     * (autovacuum analyzes after the fact), and the run's own reads (its unsettled count, the
     * operators' views) are planned on them. The dispatch's statements no longer depend on it:
     * they reach a run's records by key whatever the statistics (reminder-write-sql.ts; until
     * 2026-12-07 a plan made on stale ones read every unsettled record of the run per batch).
     * ANALYZE samples a fixed number of rows whatever the table's size (~50 ms) and blocks no write.
     */
    async refreshStatistics(): Promise<void> {
      await prisma.$executeRaw`ANALYZE run_dispatches`;
    },

    /** How many of the run's dispatches have no outcome yet. */
    async unsettled(runId: number): Promise<number> {
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM run_dispatches WHERE run_id = ${runId} AND outcome IS NULL`;
      return Number(row?.n ?? 0);
    },

    /** Up to `limit` unsettled assignment ids, lowest first. */
    async unsettledPage(runId: number, limit: number): Promise<number[]> {
      const rows = await prisma.$queryRaw<{ assignment_id: number }[]>`
        SELECT assignment_id FROM run_dispatches WHERE run_id = ${runId} AND outcome IS NULL ORDER BY assignment_id LIMIT ${limit}`;
      return rows.map((r) => r.assignment_id);
    },

    /** The run's counts, from its rows. */
    async tally(runId: number): Promise<DispatchTally> {
      const rows = await prisma.$queryRaw<{ outcome: DispatchOutcome | null; n: bigint }[]>`
        SELECT outcome::text AS outcome, count(*) AS n FROM run_dispatches WHERE run_id = ${runId} GROUP BY outcome`;
      const t: DispatchTally = { sent: 0, suppressed: 0, skipped: 0, failed: 0, lost: 0, total: 0, unsettled: 0 };
      for (const r of rows) {
        const n = Number(r.n);
        t.total += n;
        if (r.outcome === null) t.unsettled += n;
        else t[r.outcome] += n;
      }
      return t;
    },

    /** Settles the given (still unsettled) dispatches with one outcome; returns how many it settled. */
    async settleRemaining(runId: number, assignmentIds: number[] | 'all', outcome: DispatchOutcome, reason: string): Promise<number> {
      const ids = assignmentIds === 'all' ? null : assignmentIds;
      return prisma.$executeRaw`
        UPDATE run_dispatches SET outcome = ${outcome}::dispatch_outcome, reason = ${reason}, settled_at = clock_timestamp()
         WHERE run_id = ${runId} AND outcome IS NULL AND (${ids}::int[] IS NULL OR assignment_id = ANY(${ids}::int[]))`;
    },

    /** Deletes the records of runs that finished before `before` (the execution log keeps their counts). */
    purgeFinishedBefore: (before: Date): Promise<number> =>
      prisma.$executeRaw`
        DELETE FROM run_dispatches WHERE run_id IN (
          SELECT id FROM cron_execution_log WHERE status <> 'running' AND finished_at < ${before})`,
  };
}

export type RunDispatchRepository = ReturnType<typeof createRunDispatchRepository>;
