/**
 * The sweep's read side: which active assignments have a reminder due that has not been written
 * (the blast-radius guard's count, the dry run's list; the fan-out itself records its pages in
 * run-dispatch-repository.ts with the same arithmetic).
 * Keyset pagination on id (bounded memory, no OFFSET); all date arithmetic happens in SQL, each
 * assignment under its own programme's rules and in its programme's time zone (issue 15), and
 * mirrors domain/reminder-rules.ts.
 */
import { Prisma } from '../generated/prisma/client';
import type { PrismaClient } from '../db/prisma';
import { dateColumnToIso } from '../domain/calendar';

export type DueAssignment = {
  assignmentId: number;
  anchorDate: string;
  sequenceNumber: number;
  dueDate: string;
  escalated: boolean;
};

/** Which assignments a query looks at: one programme's, or every programme's (null). */
export type ProgrammeScope = { programmeId?: number | null };

const inScope = (s: ProgrammeScope) => (s.programmeId == null ? Prisma.empty : Prisma.sql`AND a.programme_id = ${s.programmeId}`);

/**
 * Each active assignment with its programme's today, anchor and the sequence number of the
 * reminder due for its silence (meaningful where `silent >= first_after_days`).
 */
const reckoning = (now: Date) => Prisma.sql`
          FROM assignments a
          JOIN programmes p ON p.id = a.programme_id
          CROSS JOIN LATERAL (SELECT (${now}::timestamptz AT TIME ZONE p.time_zone)::date AS today,
                                     COALESCE(a.last_contact_date, a.assigned_date) AS anchor) x
          CROSS JOIN LATERAL (SELECT x.today - x.anchor AS silent,
                                     1 + ((x.today - x.anchor) - p.first_after_days) / p.repeat_every_days AS seq) y`;

export function createDueAssignmentRepository(prisma: PrismaClient) {
  return {
    countActive: async (s: ProgrammeScope = { programmeId: null }): Promise<number> => {
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM assignments a WHERE a.status = 'active' ${inScope(s)}`;
      return Number(row?.n ?? 0);
    },

    /** How many reminders a sweep at `now` would send: the blast-radius guard's measure. */
    async countDue(p: { now: Date } & ProgrammeScope): Promise<number> {
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n
        ${reckoning(p.now)}
         WHERE a.status = 'active' ${inScope(p)}
           AND y.silent >= p.first_after_days AND (p.stop_after IS NULL OR y.seq <= p.stop_after)
           AND NOT EXISTS (
                 SELECT 1 FROM reminders r
                  WHERE r.assignment_id = a.id AND r.anchor_date = x.anchor AND r.sequence_number = y.seq)`;
      return Number(row?.n ?? 0);
    },

    /**
     * Both of the blast-radius guard's figures in one pass over the active assignments (issue 17:
     * it used to be two scans before the first job): how many are active, and how many of them a
     * sweep at `now` would send a reminder (the same arithmetic as countDue).
     */
    async countActiveAndDue(p: { now: Date } & ProgrammeScope): Promise<{ active: number; due: number }> {
      // (assignment, anchor, sequence) is unique in reminders: the left join adds no rows.
      const [row] = await prisma.$queryRaw<{ active: bigint; due: bigint }[]>`
        SELECT count(*) AS active,
               count(*) FILTER (WHERE y.silent >= p.first_after_days AND (p.stop_after IS NULL OR y.seq <= p.stop_after) AND r.id IS NULL) AS due
        ${reckoning(p.now)}
          LEFT JOIN reminders r ON r.assignment_id = a.id AND r.anchor_date = x.anchor AND r.sequence_number = y.seq
                                AND y.silent >= p.first_after_days AND (p.stop_after IS NULL OR y.seq <= p.stop_after)
         WHERE a.status = 'active' ${inScope(p)}`;
      return { active: Number(row?.active ?? 0), due: Number(row?.due ?? 0) };
    },

    async findDuePage(p: { now: Date; afterId: number; limit: number } & ProgrammeScope): Promise<DueAssignment[]> {
      const rows = await prisma.$queryRaw<{ id: number; anchor: Date; seq: number; due: Date; escalated: boolean }[]>`
        SELECT a.id, x.anchor, y.seq, (x.anchor + p.first_after_days + (y.seq - 1) * p.repeat_every_days) AS due,
               y.seq >= p.escalate_after AS escalated
        ${reckoning(p.now)}
         WHERE a.status = 'active' ${inScope(p)}
           AND a.id > ${p.afterId}
           AND y.silent >= p.first_after_days AND (p.stop_after IS NULL OR y.seq <= p.stop_after)
           AND NOT EXISTS (
                 SELECT 1 FROM reminders r
                  WHERE r.assignment_id = a.id AND r.anchor_date = x.anchor AND r.sequence_number = y.seq)
         ORDER BY a.id
         LIMIT ${p.limit}`;
      return rows.map((r) => ({
        assignmentId: r.id,
        anchorDate: dateColumnToIso(r.anchor),
        sequenceNumber: Number(r.seq),
        dueDate: dateColumnToIso(r.due),
        escalated: r.escalated,
      }));
    },
  };
}

export type DueAssignmentRepository = ReturnType<typeof createDueAssignmentRepository>;
