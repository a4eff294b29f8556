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
 * Each active assignment with its programme's today, anchor and the reminder due for its silence
 * (`y.due`, `y.seq`, `y.due_date`): reminder_due() in SQL (migration 20261203000000) counts the
 * silence under the programme's absence policy (a mentor's absent days are not silence under
 * `freeze`), leaves out snoozed assignments and absent mentors under `freeze`, and applies the
 * stop rule: one definition for the fan-out, the write, this read side and the contact view.
 */
const reckoning = (now: Date) => Prisma.sql`
          FROM assignments a
          JOIN programmes p ON p.id = a.programme_id
          CROSS JOIN LATERAL (SELECT (${now}::timestamptz AT TIME ZONE p.time_zone)::date AS today,
                                     COALESCE(a.last_contact_date, a.assigned_date) AS anchor) x
          CROSS JOIN LATERAL reminder_due(a.peer_mentor_id, x.anchor, x.today, p.first_after_days, p.repeat_every_days,
                                          p.stop_after, p.absence_policy, a.snoozed_until) y`;

/**
 * Written already: this sequence number, or a later one of the same silence (an absence
 * registered afterwards for past days lowers the silence, and must not bring an earlier number back).
 */
const written = Prisma.sql`EXISTS (SELECT 1 FROM reminders r
                   WHERE r.assignment_id = a.id AND r.anchor_date = x.anchor AND r.sequence_number >= y.seq)`;

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
         WHERE a.status = 'active' ${inScope(p)} AND y.due AND NOT ${written}`;
      return Number(row?.n ?? 0);
    },

    /**
     * Both of the blast-radius guard's figures in one pass over the active assignments (issue 17:
     * it used to be two scans before the first job): how many are active, and how many of them a
     * sweep at `now` would send a reminder (the same arithmetic as countDue).
     */
    async countActiveAndDue(p: { now: Date } & ProgrammeScope): Promise<{ active: number; due: number }> {
      const [row] = await prisma.$queryRaw<{ active: bigint; due: bigint }[]>`
        SELECT count(*) AS active, count(*) FILTER (WHERE y.due AND NOT ${written}) AS due
        ${reckoning(p.now)}
         WHERE a.status = 'active' ${inScope(p)}`;
      return { active: Number(row?.active ?? 0), due: Number(row?.due ?? 0) };
    },

    async findDuePage(p: { now: Date; afterId: number; limit: number } & ProgrammeScope): Promise<DueAssignment[]> {
      const rows = await prisma.$queryRaw<{ id: number; anchor: Date; seq: number; due: Date; escalated: boolean }[]>`
        SELECT a.id, x.anchor, y.seq, y.due_date AS due, y.seq >= p.escalate_after AS escalated
        ${reckoning(p.now)}
         WHERE a.status = 'active' ${inScope(p)}
           AND a.id > ${p.afterId}
           AND y.due AND NOT ${written}
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
