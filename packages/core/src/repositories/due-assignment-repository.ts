/**
 * The sweep's read side: which active assignments have a reminder due that has not been written
 * (the blast-radius guard's count, the dry run's list; the fan-out itself records its pages in
 * run-dispatch-repository.ts with the same arithmetic).
 * Keyset pagination on id (bounded memory, no OFFSET); all date arithmetic happens in SQL, in the
 * organisation's time zone, and mirrors domain/reminder-rules.ts.
 */
import type { PrismaClient } from '../db/prisma';
import type { ReminderRules } from '../domain/reminder-rules';
import { dateColumnToIso } from '../domain/calendar';

export type DueAssignment = {
  assignmentId: number;
  anchorDate: string;
  sequenceNumber: number;
  dueDate: string;
  escalated: boolean;
};

export function createDueAssignmentRepository(prisma: PrismaClient) {
  return {
    countActive: async (): Promise<number> => {
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM assignments WHERE status = 'active'`;
      return Number(row?.n ?? 0);
    },

    /** How many reminders a sweep at `now` would send: the blast-radius guard's measure. */
    async countDue(p: { now: Date; timeZone: string; rules: ReminderRules }): Promise<number> {
      const { firstAfterDays: first, repeatEveryDays: every } = p.rules;
      const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
        WITH today AS (SELECT (${p.now}::timestamptz AT TIME ZONE ${p.timeZone})::date AS d)
        SELECT count(*) AS n
          FROM assignments a
          CROSS JOIN today
          CROSS JOIN LATERAL (SELECT COALESCE(a.last_contact_date, a.assigned_date) AS anchor) x
          CROSS JOIN LATERAL (SELECT 1 + ((today.d - x.anchor) - ${first}::int) / ${every}::int AS seq) y
         WHERE a.status = 'active'
           AND today.d - x.anchor >= ${first}::int
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
    async countActiveAndDue(p: { now: Date; timeZone: string; rules: ReminderRules }): Promise<{ active: number; due: number }> {
      const { firstAfterDays: first, repeatEveryDays: every } = p.rules;
      // (assignment, anchor, sequence) is unique in reminders: the left join adds no rows.
      const [row] = await prisma.$queryRaw<{ active: bigint; due: bigint }[]>`
        WITH today AS (SELECT (${p.now}::timestamptz AT TIME ZONE ${p.timeZone})::date AS d)
        SELECT count(*) AS active,
               count(*) FILTER (WHERE today.d - x.anchor >= ${first}::int AND r.id IS NULL) AS due
          FROM assignments a
          CROSS JOIN today
          CROSS JOIN LATERAL (SELECT COALESCE(a.last_contact_date, a.assigned_date) AS anchor) x
          CROSS JOIN LATERAL (SELECT 1 + ((today.d - x.anchor) - ${first}::int) / ${every}::int AS seq) y
          LEFT JOIN reminders r ON r.assignment_id = a.id AND r.anchor_date = x.anchor AND r.sequence_number = y.seq
                                AND today.d - x.anchor >= ${first}::int
         WHERE a.status = 'active'`;
      return { active: Number(row?.active ?? 0), due: Number(row?.due ?? 0) };
    },

    async findDuePage(p: { now: Date; timeZone: string; rules: ReminderRules; afterId: number; limit: number }): Promise<DueAssignment[]> {
      const { firstAfterDays: first, repeatEveryDays: every, escalateAfter } = p.rules;
      const rows = await prisma.$queryRaw<
        { id: number; anchor: Date; seq: number; due: Date }[]
      >`
        WITH today AS (SELECT (${p.now}::timestamptz AT TIME ZONE ${p.timeZone})::date AS d)
        SELECT a.id, x.anchor, y.seq, (x.anchor + ${first}::int + (y.seq - 1) * ${every}::int) AS due
          FROM assignments a
          CROSS JOIN today
          CROSS JOIN LATERAL (SELECT COALESCE(a.last_contact_date, a.assigned_date) AS anchor) x
          CROSS JOIN LATERAL (SELECT 1 + ((today.d - x.anchor) - ${first}::int) / ${every}::int AS seq) y
         WHERE a.status = 'active'
           AND a.id > ${p.afterId}
           AND today.d - x.anchor >= ${first}::int
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
        escalated: Number(r.seq) >= escalateAfter,
      }));
    },
  };
}

export type DueAssignmentRepository = ReturnType<typeof createDueAssignmentRepository>;
