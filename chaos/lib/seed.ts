/**
 * The data every scenario starts from, in a fresh database: `due` assignments with a reminder due
 * today (one in five far enough along to be escalated to the coordinator), plus assignments that
 * must never be reminded (recent contact, closed, paused). Every second mentor has an e-mail
 * address. Anchors sit in the middle of their reminder window, so a scenario that runs across
 * local midnight still expects the same reminder keys.
 */
import type { PrismaClient } from '@reminders/core/db/prisma';
import { addDays, dateColumnToIso, localDate } from '@reminders/core/domain/calendar';
import { currentReminder, reminderKey, type ReminderRules } from '@reminders/core/domain/reminder-rules';

export type ExpectedReminder = {
  key: string;
  assignmentId: number;
  escalated: boolean;
  coordinatorId: number | null;
  mentorEmail: string | null;
};

export type Seeded = { due: number; total: number };

export async function seedScenarioData(prisma: PrismaClient, p: { due: number; timeZone: string }): Promise<Seeded> {
  const today = localDate(new Date(), p.timeZone);
  const extra = Math.max(4, Math.ceil(p.due / 10));
  const total = p.due + extra;
  const coordinators = Math.max(1, Math.ceil(total / 50));
  const mentors = Math.max(2, Math.ceil(total / 4));
  await prisma.$executeRaw`
    INSERT INTO coordinators (name, email)
    SELECT 'Coordinator ' || g, 'coordinator' || g || '@example.org' FROM generate_series(1, ${coordinators}::int) g`;
  await prisma.$executeRaw`
    INSERT INTO peer_mentors (name, email, coordinator_id)
    SELECT 'Mentor ' || g, CASE WHEN g % 2 = 0 THEN 'mentor' || g || '@example.org' END, 1 + (g % ${coordinators}::int)
      FROM generate_series(1, ${mentors}::int) g`;
  await prisma.$executeRaw`INSERT INTO contacts (name) SELECT 'Contact ' || g FROM generate_series(1, ${total}::int) g`;
  // g <= due: due today (every fifth escalated); then, in turn: recent contact, closed, paused.
  await prisma.$executeRaw`
    INSERT INTO assignments (peer_mentor_id, contact_id, coordinator_id, status, assigned_date, last_contact_date)
    SELECT pm.id, g, pm.coordinator_id,
           (CASE WHEN g <= ${p.due}::int THEN 'active' WHEN (g - ${p.due}::int) % 3 = 1 THEN 'closed'
                 WHEN (g - ${p.due}::int) % 3 = 2 THEN 'paused' ELSE 'active' END)::assignment_status,
           ${addDays(today, -400)}::date,
           CASE WHEN g <= ${p.due}::int AND g % 5 = 0 THEN ${addDays(today, -31)}::date
                WHEN g <= ${p.due}::int THEN ${addDays(today, -17)}::date
                WHEN (g - ${p.due}::int) % 3 = 0 THEN ${addDays(today, -3)}::date
                ELSE ${addDays(today, -31)}::date END
      FROM generate_series(1, ${total}::int) g
      JOIN peer_mentors pm ON pm.id = 1 + ((g - 1) % ${mentors}::int)
     ORDER BY g`;
  return { due: p.due, total };
}

/**
 * The reminders that must exist once the system has recovered: one per assignment that was due
 * when the scenario started. `exclude` drops assignments whose contact a scenario registered
 * (they may or may not have been reminded before that, both are right).
 */
export async function expectedReminders(prisma: PrismaClient, p: { timeZone: string; rules: ReminderRules; assignmentIds?: number[] }): Promise<Map<string, ExpectedReminder>> {
  const today = localDate(new Date(), p.timeZone);
  const rows = await prisma.$queryRaw<{ id: number; anchor: Date; coordinator_id: number | null; email: string | null }[]>`
    SELECT a.id, COALESCE(a.last_contact_date, a.assigned_date) AS anchor, a.coordinator_id, pm.email
      FROM assignments a JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
     WHERE a.status = 'active' ORDER BY a.id`;
  const out = new Map<string, ExpectedReminder>();
  for (const r of rows) {
    if (p.assignmentIds && !p.assignmentIds.includes(r.id)) continue;
    const anchor = dateColumnToIso(r.anchor);
    const due = currentReminder(anchor, today, p.rules);
    if (!due) continue;
    const key = reminderKey(r.id, anchor, due.sequenceNumber);
    out.set(key, { key, assignmentId: r.id, escalated: due.escalated, coordinatorId: r.coordinator_id, mentorEmail: r.email });
  }
  return out;
}
