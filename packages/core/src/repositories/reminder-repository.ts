/**
 * The dispatch's write side. One statement re-checks the assignment, checks the run's fencing
 * token, inserts the reminder under its unique idempotency key and writes the in-app
 * notification(s): atomic, one round trip, and a stale run can never write.
 */
import type { PrismaClient } from '../db/prisma';
import { dateColumnToIso } from '../domain/calendar';

export type ReminderWrite = {
  jobName: string;
  runId: number;
  fencingToken: string;
  assignmentId: number;
  anchorDate: string;
  sequenceNumber: number;
  dueDate: string;
  escalated: boolean;
  idempotencyKey: string;
  /** Whether an e-mail channel is configured (SMTP_URL); reminders for mentors with an address are then `reserved`. */
  emailEnabled: boolean;
};

export type ReminderWriteResult =
  | { outcome: 'written'; reminderId: number; email: EmailTarget | null }
  | { outcome: 'fenced' }
  | { outcome: 'skipped'; reason: 'assignment_missing' | 'assignment_not_active' | 'contact_registered' }
  | { outcome: 'exists'; reminderId: number; runId: number | null; emailStatus: string; emailAttempts: number; email: EmailTarget | null };

export type EmailTarget = {
  mentorName: string;
  mentorEmail: string;
  contactName: string;
  coordinatorEmail: string | null;
};

type Row = {
  fence_ok: boolean;
  status: string | null;
  anchor: Date | null;
  reminder_id: number | null;
  mentor_name: string | null;
  mentor_email: string | null;
  coordinator_email: string | null;
  contact_name: string | null;
};

export function createReminderRepository(prisma: PrismaClient) {
  async function existing(key: string) {
    const [r] = await prisma.$queryRaw<{ id: number; run_id: number | null; email_status: string; email_attempts: number }[]>`
      SELECT id, run_id, email_status::text, email_attempts FROM reminders WHERE idempotency_key = ${key}`;
    return r;
  }

  return {
    async write(w: ReminderWrite): Promise<ReminderWriteResult> {
      const [row] = await prisma.$queryRaw<Row[]>`
        WITH fence AS (
          SELECT 1 FROM scheduler_state
           WHERE job_name = ${w.jobName} AND last_fencing_token = ${w.fencingToken}::bigint
             FOR SHARE
        ), target AS (
          SELECT a.id, a.status, COALESCE(a.last_contact_date, a.assigned_date) AS anchor,
                 a.peer_mentor_id, a.coordinator_id, pm.name AS mentor_name, pm.email AS mentor_email,
                 c.email AS coordinator_email, ct.name AS contact_name
            FROM assignments a
            JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
            JOIN contacts ct ON ct.id = a.contact_id
            LEFT JOIN coordinators c ON c.id = a.coordinator_id
           WHERE a.id = ${w.assignmentId}
             FOR SHARE OF a
        ), ins AS (
          INSERT INTO reminders (assignment_id, idempotency_key, anchor_date, sequence_number, due_date,
                                 escalated, run_id, fencing_token, email_status)
          SELECT t.id, ${w.idempotencyKey}, ${w.anchorDate}::date, ${w.sequenceNumber}, ${w.dueDate}::date,
                 ${w.escalated}, ${w.runId}, ${w.fencingToken}::bigint,
                 (CASE WHEN ${w.emailEnabled} AND t.mentor_email IS NOT NULL THEN 'reserved' ELSE 'not_applicable' END)::email_status
            FROM target t, fence
           WHERE t.status = 'active' AND t.anchor = ${w.anchorDate}::date
          ON CONFLICT (idempotency_key) DO NOTHING
          RETURNING id
        ), notify AS (
          INSERT INTO notifications (reminder_id, recipient_type, recipient_id, title, body)
          SELECT ins.id, 'peer_mentor'::recipient_type, t.peer_mentor_id,
                 'Time to contact ' || t.contact_name,
                 'You have not registered contact with ' || t.contact_name || ' since ' || ${w.anchorDate}
                   || '. Please get in touch and register the activity (reminder ' || ${w.sequenceNumber}::text || ').'
            FROM ins, target t
          UNION ALL
          SELECT ins.id, 'coordinator'::recipient_type, t.coordinator_id,
                 t.mentor_name || ' has not contacted ' || t.contact_name,
                 'No contact registered since ' || ${w.anchorDate} || '; ' || ${w.sequenceNumber}::text
                   || ' reminders have been sent to ' || t.mentor_name || '.'
            FROM ins, target t
           WHERE ${w.escalated} AND t.coordinator_id IS NOT NULL
          RETURNING 1
        )
        SELECT EXISTS (SELECT 1 FROM fence) AS fence_ok, t.status::text AS status, t.anchor,
               (SELECT id FROM ins) AS reminder_id, (SELECT count(*) FROM notify) AS notified,
               t.mentor_name, t.mentor_email, t.coordinator_email, t.contact_name
          FROM (SELECT 1) one LEFT JOIN target t ON true`;
      if (!row || !row.fence_ok) return { outcome: 'fenced' };
      if (row.status === null) return { outcome: 'skipped', reason: 'assignment_missing' };
      if (row.status !== 'active') return { outcome: 'skipped', reason: 'assignment_not_active' };
      if (row.anchor === null || dateColumnToIso(row.anchor) !== w.anchorDate) return { outcome: 'skipped', reason: 'contact_registered' };
      const email: EmailTarget | null =
        w.emailEnabled && row.mentor_email
          ? {
              mentorName: row.mentor_name ?? '',
              mentorEmail: row.mentor_email,
              contactName: row.contact_name ?? '',
              coordinatorEmail: w.escalated ? row.coordinator_email : null,
            }
          : null;
      if (row.reminder_id !== null) return { outcome: 'written', reminderId: row.reminder_id, email };
      const prior = await existing(w.idempotencyKey);
      if (!prior) throw new Error(`reminder ${w.idempotencyKey} neither inserted nor found`);
      return {
        outcome: 'exists',
        reminderId: prior.id,
        runId: prior.run_id,
        emailStatus: prior.email_status,
        emailAttempts: prior.email_attempts,
        email,
      };
    },

    /**
     * Claims the next e-mail attempt for a reminder. Optimistic on the attempt count, so two jobs
     * can never both believe they own the same attempt. Returns the attempt number, or null.
     */
    async claimEmailAttempt(reminderId: number, seenAttempts: number): Promise<number | null> {
      const n = await prisma.$executeRaw`
        UPDATE reminders SET email_status = 'reserved', email_attempts = email_attempts + 1
         WHERE id = ${reminderId} AND email_attempts = ${seenAttempts} AND email_status IN ('reserved', 'failed')`;
      return n === 1 ? seenAttempts + 1 : null;
    },

    markEmailSent: async (reminderId: number, now: Date) => {
      await prisma.$executeRaw`
        UPDATE reminders SET email_status = 'sent', email_sent_at = ${now}, email_last_error = NULL WHERE id = ${reminderId}`;
    },

    markEmailFailed: async (reminderId: number, error: string) => {
      await prisma.$executeRaw`
        UPDATE reminders SET email_status = 'failed', email_last_error = ${error.slice(0, 2000)} WHERE id = ${reminderId}`;
    },
  };
}

export type ReminderRepository = ReturnType<typeof createReminderRepository>;
