/** Small builders for domain rows, written through Prisma exactly as the service would see them. */
import type { PrismaClient } from '@reminders/core/db/prisma';

export type AssignmentFixture = {
  assignedDate: string;
  lastContactDate?: string | null;
  status?: 'active' | 'paused' | 'closed';
  mentorEmail?: string | null;
  coordinatorEmail?: string | null;
  withCoordinator?: boolean;
  /** The programme it belongs to (default: `default`, id 1). */
  programmeId?: number;
};

const day = (d: string) => new Date(`${d}T00:00:00Z`);

export async function createAssignment(prisma: PrismaClient, f: AssignmentFixture) {
  const coordinator =
    f.withCoordinator === false
      ? null
      : await prisma.coordinator.create({ data: { name: 'Cora Coordinator', email: f.coordinatorEmail ?? null } });
  const mentor = await prisma.peerMentor.create({
    data: { name: 'Mia Mentor', email: f.mentorEmail ?? null, coordinatorId: coordinator?.id ?? null },
  });
  const contact = await prisma.contact.create({ data: { name: 'Conrad Contact' } });
  const a = await prisma.assignment.create({
    data: {
      peerMentorId: mentor.id,
      contactId: contact.id,
      coordinatorId: coordinator?.id ?? null,
      status: f.status ?? 'active',
      assignedDate: day(f.assignedDate),
      lastContactDate: f.lastContactDate ? day(f.lastContactDate) : null,
      ...(f.programmeId ? { programmeId: f.programmeId } : {}),
    },
  });
  return { assignmentId: a.id, mentorId: mentor.id, coordinatorId: coordinator?.id ?? null };
}

/** Many assignments in one statement (for load-ish tests): all active, silent since `anchor`. */
export async function createSilentAssignments(prisma: PrismaClient, n: number, anchor: string, mentorEmail: string | null = null) {
  await prisma.$executeRaw`
    WITH c AS (INSERT INTO coordinators (name) VALUES ('Bulk Coordinator') RETURNING id),
         m AS (INSERT INTO peer_mentors (name, email, coordinator_id) SELECT 'Bulk Mentor', ${mentorEmail}, id FROM c RETURNING id, coordinator_id),
         k AS (INSERT INTO contacts (name) SELECT 'Contact ' || g FROM generate_series(1, ${n}::int) g RETURNING id)
    INSERT INTO assignments (peer_mentor_id, contact_id, coordinator_id, assigned_date)
    SELECT m.id, k.id, m.coordinator_id, ${anchor}::date FROM k, m`;
}

export async function reminderRows(prisma: PrismaClient) {
  return prisma.reminder.findMany({ orderBy: [{ assignmentId: 'asc' }, { id: 'asc' }] });
}

export async function duplicateKeys(prisma: PrismaClient): Promise<number> {
  const [r] = await prisma.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM (
      SELECT assignment_id, anchor_date, sequence_number FROM reminders
      GROUP BY 1, 2, 3 HAVING count(*) > 1) d`;
  return Number(r?.n ?? 0);
}

/** Records that `runId` fanned out these assignments (what the sweep writes before it enqueues their jobs). */
export async function recordFanOut(prisma: PrismaClient, runId: number, assignmentIds: number | number[], anchorDate: string) {
  const ids = Array.isArray(assignmentIds) ? assignmentIds : [assignmentIds];
  await prisma.$executeRaw`INSERT INTO run_dispatches (run_id, assignment_id, anchor_date) SELECT ${runId}::int, unnest(${ids}::int[]), ${anchorDate}::date`;
}

/** Sets a programme's delivery (digest | each) and absence policy (freeze | cover). */
export async function setProgrammeDelivery(prisma: PrismaClient, p: { delivery?: 'digest' | 'each'; absencePolicy?: 'freeze' | 'cover'; programmeId?: number }) {
  await prisma.programme.update({ where: { id: p.programmeId ?? 1 }, data: { ...(p.delivery ? { delivery: p.delivery } : {}), ...(p.absencePolicy ? { absencePolicy: p.absencePolicy } : {}) } });
}

/** One mentor (and coordinator) with several assignments, each silent since `lastContactDate`; contacts named `names`. */
export async function createMentorWithAssignments(
  prisma: PrismaClient,
  f: { names: string[]; lastContactDate: string | string[]; mentorEmail?: string | null; mentorName?: string; coordinatorEmail?: string | null; locale?: 'nb' | 'en' | null; programmeId?: number },
) {
  const coordinator = await prisma.coordinator.create({ data: { name: 'Cora Coordinator', email: f.coordinatorEmail ?? null } });
  const mentor = await prisma.peerMentor.create({ data: { name: f.mentorName ?? 'Mia Mentor', email: f.mentorEmail ?? null, coordinatorId: coordinator.id, locale: f.locale ?? null } });
  const assignmentIds: number[] = [];
  for (const [i, name] of f.names.entries()) {
    const contact = await prisma.contact.create({ data: { name } });
    const last = Array.isArray(f.lastContactDate) ? f.lastContactDate[i]! : f.lastContactDate;
    const a = await prisma.assignment.create({
      data: { peerMentorId: mentor.id, contactId: contact.id, coordinatorId: coordinator.id, assignedDate: day('2026-01-01'), lastContactDate: day(last), ...(f.programmeId ? { programmeId: f.programmeId } : {}) },
    });
    assignmentIds.push(a.id);
  }
  return { mentorId: mentor.id, coordinatorId: coordinator.id, assignmentIds };
}
