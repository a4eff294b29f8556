/**
 * A mentor's absences (mentor_absences): registered, listed and cancelled, each change with its
 * admin_audit_log row in the same transaction. Cancelled rows stay for the audit trail and count
 * for nothing (absence_facts leaves them out).
 */
import type { PrismaClient } from '../db/prisma';
import { dateColumnToIso } from '../domain/calendar';
import { DEFAULT_PROGRAMME_ID } from '../domain/programme';
import type { MentorAbsence as AbsenceRow } from '../generated/prisma/client';

export type Absence = {
  id: number;
  peerMentorId: number;
  /** First absent day, YYYY-MM-DD. */
  from: string;
  /** Last absent day (included). */
  to: string;
  reason: string | null;
  createdBy: string;
  createdAt: Date;
  cancelledAt: Date | null;
  cancelledBy: string | null;
};

const toAbsence = (r: AbsenceRow): Absence => ({
  id: r.id,
  peerMentorId: r.peerMentorId,
  from: dateColumnToIso(r.startsOn),
  to: dateColumnToIso(r.endsOn),
  reason: r.reason,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
  cancelledAt: r.cancelledAt,
  cancelledBy: r.cancelledBy,
});

/** What the audit log keeps of an absence. */
const audited = (a: Absence) => ({ absenceId: a.id, from: a.from, to: a.to, reason: a.reason, cancelledAt: a.cancelledAt, cancelledBy: a.cancelledBy });

const day = (d: string) => new Date(`${d}T00:00:00Z`);

export function createAbsenceRepository(prisma: PrismaClient) {
  return {
    /**
     * Whether the mentor exists, and their "today": the latest local date among the time zones of
     * the programmes their assignments belong to (the default programme's with none).
     */
    async mentorToday(mentorId: number, now: Date): Promise<string | null> {
      const [row] = await prisma.$queryRaw<{ today: Date | null }[]>`
        SELECT COALESCE(
                 (SELECT max((${now}::timestamptz AT TIME ZONE p.time_zone)::date)
                    FROM assignments a JOIN programmes p ON p.id = a.programme_id
                   WHERE a.peer_mentor_id = m.id),
                 (SELECT (${now}::timestamptz AT TIME ZONE p.time_zone)::date FROM programmes p WHERE p.id = ${DEFAULT_PROGRAMME_ID})) AS today
          FROM peer_mentors m WHERE m.id = ${mentorId}`;
      return row?.today ? dateColumnToIso(row.today) : null;
    },

    /** The mentor's active assignments with their programme's slug (whose next reminder an absence moves). */
    activeAssignments: async (mentorId: number): Promise<{ assignmentId: number; programme: string }[]> =>
      (
        await prisma.assignment.findMany({
          where: { peerMentorId: mentorId, status: 'active' },
          select: { id: true, programme: { select: { slug: true } } },
          orderBy: { id: 'asc' },
        })
      ).map((a) => ({ assignmentId: a.id, programme: a.programme.slug })),

    list: async (mentorId: number, includeCancelled: boolean): Promise<Absence[]> =>
      (
        await prisma.mentorAbsence.findMany({
          where: { peerMentorId: mentorId, ...(includeCancelled ? {} : { cancelledAt: null }) },
          orderBy: [{ startsOn: 'asc' }, { id: 'asc' }],
        })
      ).map(toAbsence),

    /** A new absence and its `absence.create` audit row, in one transaction. */
    create: (p: { mentorId: number; from: string; to: string; reason: string | null; actor: string; now: Date }): Promise<Absence> =>
      prisma.$transaction(async (tx) => {
        const row = toAbsence(
          await tx.mentorAbsence.create({
            data: { peerMentorId: p.mentorId, startsOn: day(p.from), endsOn: day(p.to), reason: p.reason, createdBy: p.actor, createdAt: p.now },
          }),
        );
        await tx.adminAuditLog.create({
          data: { actor: p.actor, action: 'absence.create', targetType: 'peer_mentor', targetId: String(p.mentorId), after: audited(row) as object, createdAt: p.now },
        });
        return row;
      }),

    /**
     * Cancels an absence (of `mentorId` when given) and writes `absence.cancel`; one already
     * cancelled is answered as it is (`changed: false`, no new audit row). Null if there is none.
     */
    cancel: (p: { absenceId: number; mentorId?: number; actor: string; now: Date }): Promise<{ absence: Absence; changed: boolean } | null> =>
      prisma.$transaction(async (tx) => {
        const [locked] = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM mentor_absences WHERE id = ${p.absenceId} FOR UPDATE`;
        if (!locked) return null;
        const current = toAbsence(await tx.mentorAbsence.findUniqueOrThrow({ where: { id: p.absenceId } }));
        if (p.mentorId !== undefined && current.peerMentorId !== p.mentorId) return null;
        if (current.cancelledAt) return { absence: current, changed: false };
        const row = toAbsence(await tx.mentorAbsence.update({ where: { id: p.absenceId }, data: { cancelledAt: p.now, cancelledBy: p.actor } }));
        await tx.adminAuditLog.create({
          data: {
            actor: p.actor,
            action: 'absence.cancel',
            targetType: 'peer_mentor',
            targetId: String(row.peerMentorId),
            before: audited(current) as object,
            after: JSON.parse(JSON.stringify(audited(row))) as object,
            createdAt: p.now,
          },
        });
        return { absence: row, changed: true };
      }),
  };
}

export type AbsenceRepository = ReturnType<typeof createAbsenceRepository>;
