/**
 * The batched reminder write as one SQL statement. Callers pass writes of one run (same job name,
 * fencing token and e-mail setting) with distinct idempotency keys. Per batch:
 *   - the fencing token is checked once, FOR SHARE on scheduler_state, so a newer run's
 *     `startRun` waits for this statement and a stale token writes nothing;
 *   - every assignment is re-checked FOR SHARE (locked in id order, the order bulk activity
 *     registration updates them in, so the two cannot deadlock): a contact registered after the
 *     fan-out, a closed or missing assignment writes nothing for that row;
 *   - reminders are inserted in key order (concurrent batches meet their keys in the same order)
 *     with ON CONFLICT DO NOTHING: a conflict means "already written";
 *   - the mentor's notification, and the coordinator's from the escalation on, are written with it.
 * One result row per input write tells the caller which of those happened.
 */
import type { QueryConfig } from 'pg';
import type { ReminderWrite } from './reminder-repository';

export type WriteBatchRow = {
  key: string;
  fence_ok: boolean;
  status: string | null;
  /** The assignment's anchor now, as YYYY-MM-DD. */
  anchor: string | null;
  reminder_id: number | null;
  mentor_name: string | null;
  mentor_email: string | null;
  coordinator_email: string | null;
  contact_name: string | null;
};

/**
 * Prepared once per connection (the `name`): the statement is parsed once and, after a few runs,
 * PostgreSQL keeps a generic plan for it.
 */
export function writeBatchSql(ws: ReminderWrite[]): QueryConfig {
  const first = ws[0]!;
  return {
    name: 'reminder-write-batch',
    values: [
      ws.map((w) => w.assignmentId),
      ws.map((w) => w.idempotencyKey),
      ws.map((w) => w.anchorDate),
      ws.map((w) => w.sequenceNumber),
      ws.map((w) => w.dueDate),
      ws.map((w) => w.escalated),
      first.jobName,
      first.fencingToken,
      first.runId,
      first.emailEnabled,
    ],
    text: `
    WITH input AS (
      SELECT * FROM unnest($1::int[], $2::text[], $3::text[],
                           $4::int[], $5::date[], $6::boolean[])
        AS i(assignment_id, idempotency_key, anchor_text, sequence_number, due_date, escalated)
    ), fence AS (
      SELECT 1 FROM scheduler_state
       WHERE job_name = $7 AND last_fencing_token = $8::bigint
         FOR SHARE
    ), target AS (
      SELECT a.id, a.status, COALESCE(a.last_contact_date, a.assigned_date) AS anchor,
             a.peer_mentor_id, a.coordinator_id, pm.name AS mentor_name, pm.email AS mentor_email,
             c.email AS coordinator_email, ct.name AS contact_name
        FROM assignments a
        JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
        JOIN contacts ct ON ct.id = a.contact_id
        LEFT JOIN coordinators c ON c.id = a.coordinator_id
       WHERE a.id = ANY($1::int[])
       ORDER BY a.id
         FOR SHARE OF a
    ), ins AS (
      INSERT INTO reminders (assignment_id, idempotency_key, anchor_date, sequence_number, due_date,
                             escalated, run_id, fencing_token, email_status)
      SELECT t.id, i.idempotency_key, i.anchor_text::date, i.sequence_number, i.due_date,
             i.escalated, $9::int, $8::bigint,
             (CASE WHEN $10::boolean AND t.mentor_email IS NOT NULL THEN 'reserved' ELSE 'not_applicable' END)::email_status
        FROM input i
        JOIN target t ON t.id = i.assignment_id
        CROSS JOIN fence
       WHERE t.status = 'active' AND t.anchor = i.anchor_text::date
       ORDER BY i.idempotency_key
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING id, idempotency_key
    ), written AS (
      SELECT ins.id, i.anchor_text, i.sequence_number, i.escalated, t.peer_mentor_id, t.coordinator_id, t.mentor_name, t.contact_name
        FROM ins
        JOIN input i ON i.idempotency_key = ins.idempotency_key
        JOIN target t ON t.id = i.assignment_id
    ), notify AS (
      INSERT INTO notifications (reminder_id, recipient_type, recipient_id, title, body)
      SELECT w.id, 'peer_mentor'::recipient_type, w.peer_mentor_id,
             'Time to contact ' || w.contact_name,
             'You have not registered contact with ' || w.contact_name || ' since ' || w.anchor_text
               || '. Please get in touch and register the activity (reminder ' || w.sequence_number::text || ').'
        FROM written w
      UNION ALL
      SELECT w.id, 'coordinator'::recipient_type, w.coordinator_id,
             w.mentor_name || ' has not contacted ' || w.contact_name,
             'No contact registered since ' || w.anchor_text || '; ' || w.sequence_number::text
               || ' reminders have been sent to ' || w.mentor_name || '.'
        FROM written w
       WHERE w.escalated AND w.coordinator_id IS NOT NULL
    )
    SELECT i.idempotency_key AS key, EXISTS (SELECT 1 FROM fence) AS fence_ok, t.status::text AS status, t.anchor::text AS anchor,
           ins.id AS reminder_id,
           -- the e-mail's addressing, only needed (and only sent back) when e-mail is on
           CASE WHEN $10::boolean THEN t.mentor_name END AS mentor_name, CASE WHEN $10::boolean THEN t.mentor_email END AS mentor_email,
           CASE WHEN $10::boolean THEN t.coordinator_email END AS coordinator_email, CASE WHEN $10::boolean THEN t.contact_name END AS contact_name
      FROM input i
      LEFT JOIN target t ON t.id = i.assignment_id
      LEFT JOIN ins ON ins.idempotency_key = i.idempotency_key`,
  };
}
