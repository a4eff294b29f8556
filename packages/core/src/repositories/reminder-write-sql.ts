/**
 * The batched reminder write as one SQL statement. A job names only (run, assignment): everything
 * else is derived here, from the database and the rules (DESIGN.md, "Postgres decides"). Per batch
 * (all of one run):
 *   - the fence: the run is `running`, its fencing token is the current one of its sweep (its
 *     programme's sweep_state row, by the run's job name) and that sweep is not paused, read FOR
 *     SHARE, so a newer run's `startRun` and a pause wait for this statement, and once they commit
 *     no write of the stale or paused run gets through;
 *   - only assignments the run fanned out (`run_dispatches`) are considered: a job for any other
 *     assignment writes nothing;
 *   - every assignment is re-read FOR SHARE (in id order, the order bulk activity registration
 *     updates them in, so the two cannot deadlock), and today's reminder is computed from its
 *     contact date, the run's calendar day in its programme's time zone and its programme's rules
 *     (issue 15): anchor, sequence, due date, escalation and the key never come from a payload;
 *   - reminders are inserted in key order with ON CONFLICT DO NOTHING (the key and
 *     (assignment, anchor, sequence) are both unique): a conflict means "already written";
 *   - the mentor's notification, and the coordinator's from the escalation on, are written with it;
 *   - the run's dispatch record is settled in the same statement wherever the outcome is already
 *     final (in-app only, skipped, fenced, paused); an e-mail still to send settles when it is sent.
 * One result row per input assignment tells the caller which of those happened.
 */
import type { QueryConfig } from 'pg';

export type WriteBatchContext = {
  /** Whether an e-mail channel is configured (SMTP_URL); reminders for mentors with an address are then `reserved`. */
  emailEnabled: boolean;
};

export type WriteBatchRow = {
  assignment_id: number;
  /** The run is the running one, with the current fencing token, and the sweep is not paused. */
  fence_ok: boolean;
  paused: boolean;
  /** The run fanned this assignment out. */
  in_run: boolean;
  status: string | null;
  /** The assignment's anchor now, and the one the fan-out saw (YYYY-MM-DD). */
  anchor: string | null;
  fanout_anchor: string | null;
  due: boolean;
  key: string | null;
  sequence_number: number | null;
  escalated: boolean | null;
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
export function writeBatchSql(runId: number, assignmentIds: number[], ctx: WriteBatchContext): QueryConfig {
  return {
    name: 'reminder-write-batch',
    values: [assignmentIds, runId, ctx.emailEnabled],
    text: `
    WITH state AS (
      SELECT s.last_fencing_token, s.enabled FROM sweep_state s
       WHERE s.job_name = (SELECT job_name FROM cron_execution_log WHERE id = $2::int) FOR SHARE
    ), fence AS (
      SELECT l.fencing_token, l.started_at
        FROM cron_execution_log l
        JOIN state s ON s.last_fencing_token = l.fencing_token AND s.enabled
       WHERE l.id = $2::int AND l.status = 'running'
    ), input AS (
      SELECT DISTINCT u.assignment_id, d.anchor_date AS fanout_anchor, d.assignment_id IS NOT NULL AS in_run
        FROM unnest($1::int[]) AS u(assignment_id)
        LEFT JOIN run_dispatches d ON d.run_id = $2::int AND d.assignment_id = u.assignment_id
    ), target AS (
      SELECT a.id, a.status, COALESCE(a.last_contact_date, a.assigned_date) AS anchor,
             a.peer_mentor_id, a.coordinator_id, pm.name AS mentor_name, pm.email AS mentor_email,
             c.email AS coordinator_email, ct.name AS contact_name,
             pr.time_zone, pr.first_after_days AS first_after, pr.repeat_every_days AS repeat_every, pr.escalate_after, pr.stop_after
        FROM assignments a
        JOIN programmes pr ON pr.id = a.programme_id
        JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
        JOIN contacts ct ON ct.id = a.contact_id
        LEFT JOIN coordinators c ON c.id = a.coordinator_id
       WHERE a.id IN (SELECT assignment_id FROM input WHERE in_run)
       ORDER BY a.id
         FOR SHARE OF a
    ), due AS (
      -- Every target row, with is_due saying whether its reminder is due (not a WHERE: filtered,
      -- this CTE was estimated at one row, and every join to it became a nested loop of CTE
      -- scans, batch size squared tuple visits each: two thirds of the statement at 250 a batch).
      -- The run's calendar day is counted in each assignment's programme's time zone.
      SELECT t.*, y.seq, t.anchor + t.first_after + (y.seq - 1) * t.repeat_every AS due_date, y.seq >= t.escalate_after AS escalated,
             'a' || t.id::text || '-' || to_char(t.anchor, 'YYYYMMDD') || '-' || y.seq::text AS reminder_key,
             (t.status = 'active' AND td.today - t.anchor >= t.first_after AND (t.stop_after IS NULL OR y.seq <= t.stop_after)) AS is_due
        FROM target t
        CROSS JOIN fence f
        CROSS JOIN LATERAL (SELECT (f.started_at AT TIME ZONE t.time_zone)::date AS today) td
        CROSS JOIN LATERAL (SELECT 1 + ((td.today - t.anchor) - t.first_after) / t.repeat_every AS seq) y
    ), ins AS (
      INSERT INTO reminders (assignment_id, reminder_key, anchor_date, sequence_number, due_date,
                             escalated, run_id, fencing_token, email_status)
      SELECT d.id, d.reminder_key, d.anchor, d.seq, d.due_date, d.escalated, $2::int, f.fencing_token,
             (CASE WHEN $3::boolean AND d.mentor_email IS NOT NULL THEN 'reserved' ELSE 'not_applicable' END)::email_status
        FROM due d
        CROSS JOIN fence f
       WHERE d.is_due
       ORDER BY d.reminder_key
      ON CONFLICT DO NOTHING
      RETURNING id, assignment_id, email_status
    ), notify AS (
      INSERT INTO notifications (reminder_id, recipient_type, recipient_id, title, body)
      SELECT ins.id, 'peer_mentor'::recipient_type, d.peer_mentor_id,
             'Time to contact ' || d.contact_name,
             'You have not registered contact with ' || d.contact_name || ' since ' || d.anchor::text
               || '. Please get in touch and register the activity (reminder ' || d.seq::text || ').'
        FROM ins JOIN due d ON d.id = ins.assignment_id
      UNION ALL
      SELECT ins.id, 'coordinator'::recipient_type, d.coordinator_id,
             d.mentor_name || ' has not contacted ' || d.contact_name,
             'No contact registered since ' || d.anchor::text || '; ' || d.seq::text
               || ' reminders have been sent to ' || d.mentor_name || '.'
               || CASE WHEN d.seq = d.stop_after THEN ' This was the last reminder: the mentor is not reminded again for this silence; please follow up.' ELSE '' END
        FROM ins JOIN due d ON d.id = ins.assignment_id
       WHERE d.escalated AND d.coordinator_id IS NOT NULL
    ), verdict AS (
      -- The outcome wherever it is already final; NULL while an e-mail is still to send or a
      -- conflict is still to look at (the caller settles those).
      SELECT i.assignment_id, ins.id AS reminder_id,
             CASE
               WHEN NOT EXISTS (SELECT 1 FROM fence) THEN 'skipped'
               WHEN t.id IS NULL OR t.status <> 'active' OR d.id IS NULL THEN 'skipped'
               WHEN ins.id IS NOT NULL AND ins.email_status = 'not_applicable' THEN 'sent'
             END AS outcome,
             CASE
               WHEN NOT EXISTS (SELECT 1 FROM fence) THEN
                 CASE WHEN (SELECT NOT enabled FROM state) THEN 'paused' ELSE 'fenced' END
               WHEN t.id IS NULL THEN 'assignment_missing'
               WHEN t.status <> 'active' THEN 'assignment_not_active'
               WHEN d.id IS NULL AND t.anchor <> i.fanout_anchor THEN 'contact_registered'
               WHEN d.id IS NULL THEN 'not_due'
             END AS reason
        FROM input i
        LEFT JOIN target t ON t.id = i.assignment_id
        LEFT JOIN due d ON d.id = i.assignment_id AND d.is_due
        LEFT JOIN ins ON ins.assignment_id = i.assignment_id
       WHERE i.in_run
    ), settle AS (
      UPDATE run_dispatches rd
         SET outcome = v.outcome::dispatch_outcome, reason = v.reason, reminder_id = v.reminder_id, settled_at = clock_timestamp()
        FROM verdict v
       WHERE rd.run_id = $2::int AND rd.assignment_id = v.assignment_id AND v.outcome IS NOT NULL AND rd.outcome IS NULL
    )
    SELECT i.assignment_id, EXISTS (SELECT 1 FROM fence) AS fence_ok, COALESCE((SELECT NOT enabled FROM state), false) AS paused,
           i.in_run, t.status::text AS status, t.anchor::text AS anchor, i.fanout_anchor::text AS fanout_anchor,
           d.id IS NOT NULL AS due, d.reminder_key AS key, d.seq AS sequence_number, d.escalated,
           ins.id AS reminder_id,
           -- the e-mail's addressing, only needed (and only sent back) when e-mail is on
           CASE WHEN $3::boolean THEN t.mentor_name END AS mentor_name, CASE WHEN $3::boolean THEN t.mentor_email END AS mentor_email,
           CASE WHEN $3::boolean THEN t.coordinator_email END AS coordinator_email, CASE WHEN $3::boolean THEN t.contact_name END AS contact_name
      FROM input i
      LEFT JOIN target t ON t.id = i.assignment_id
      LEFT JOIN due d ON d.id = i.assignment_id AND d.is_due
      LEFT JOIN ins ON ins.assignment_id = i.assignment_id`,
  };
}
