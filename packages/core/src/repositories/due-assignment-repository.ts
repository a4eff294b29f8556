/**
 * The sweep's read side: which active assignments have a reminder due that has not been written.
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

/** A reminder written by an earlier run whose e-mail was never delivered. */
export type UndeliveredReminder = DueAssignment & { reminderId: number; idempotencyKey: string };

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

    /**
     * Reminders written by earlier runs (of the last `repeatEveryDays` days: after that the next
     * reminder supersedes them) whose e-mail was never delivered: the SMTP server was down through
     * every retry, or the worker died between writing the row and sending. Only while the
     * assignment is still active and silent since the reminder's anchor, and the mentor has an
     * address. Keyset pagination on the reminder id; recent runs are found through their index.
     */
    async findUndeliveredPage(p: { jobName: string; now: Date; timeZone: string; rules: ReminderRules; currentRunId: number; afterId: number; limit: number }): Promise<UndeliveredReminder[]> {
      const rows = await prisma.$queryRaw<{ id: number; assignment_id: number; anchor_date: Date; sequence_number: number; due_date: Date; escalated: boolean; idempotency_key: string }[]>`
        WITH today AS (SELECT (${p.now}::timestamptz AT TIME ZONE ${p.timeZone})::date AS d)
        SELECT r.id, r.assignment_id, r.anchor_date, r.sequence_number, r.due_date, r.escalated, r.idempotency_key
          FROM reminders r
          JOIN assignments a ON a.id = r.assignment_id
          JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
          CROSS JOIN today
         WHERE r.run_id IN (SELECT l.id FROM cron_execution_log l
                             WHERE l.job_name = ${p.jobName} AND l.id <> ${p.currentRunId}
                               AND l.started_at >= ${p.now}::timestamptz - make_interval(days => ${p.rules.repeatEveryDays}::int + 1))
           AND r.id > ${p.afterId}
           AND r.email_status IN ('reserved', 'failed')
           AND r.due_date > today.d - ${p.rules.repeatEveryDays}::int
           AND a.status = 'active'
           AND COALESCE(a.last_contact_date, a.assigned_date) = r.anchor_date
           AND pm.email IS NOT NULL
         ORDER BY r.id
         LIMIT ${p.limit}`;
      return rows.map((r) => ({
        reminderId: r.id,
        idempotencyKey: r.idempotency_key,
        assignmentId: r.assignment_id,
        anchorDate: dateColumnToIso(r.anchor_date),
        sequenceNumber: Number(r.sequence_number),
        dueDate: dateColumnToIso(r.due_date),
        escalated: r.escalated,
      }));
    },
  };
}

export type DueAssignmentRepository = ReturnType<typeof createDueAssignmentRepository>;
