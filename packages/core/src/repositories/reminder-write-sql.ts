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
 *   - the silence, the sequence number and whether one is due come from reminder_due() (issue 16:
 *     absences under the programme's policy, snoozes, the stop rule), as in the fan-out;
 *   - reminders are inserted in key order with ON CONFLICT DO NOTHING (the key and
 *     (assignment, anchor, sequence) are both unique): a conflict means "already written";
 *   - each reminder records the e-mail circumstance that applied (`preference_applied`: e-mail per
 *     reminder, in the digest, opted out, address undeliverable, no address, no channel, covered by
 *     the coordinator while the mentor is absent) and so its e-mail state: `reserved` for this
 *     dispatch to send, `digest` for the digest outbox, `not_applicable` for in-app only; the
 *     coordinator's copy (escalations, covered absences) always goes through the digest outbox;
 *   - the mentor's notification (not while covered), and the coordinator's from the escalation on
 *     or while covering, are written with it, in the recipient's locale, from the templates'
 *     format strings (messages/), naming the contact by first name only;
 *   - the run's dispatch record is settled in the same statement wherever the outcome is already
 *     final (in-app only, skipped, fenced, paused); an e-mail still to send settles when it is sent.
 * One result row per input assignment tells the caller which of those happened.
 */
import type { QueryConfig } from 'pg';
import { contactFirstNameSql, mentorFirstNameSql } from '../messages/names';

export type WriteBatchContext = {
  /** Whether an e-mail channel is configured (SMTP_URL); without one every reminder is in-app only (`no_channel`). */
  emailEnabled: boolean;
  /** The in-app texts per locale (`inAppCatalog()`), PostgreSQL format() strings. */
  inApp: string;
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
  /** The new reminder's e-mail state (`reserved`: this dispatch sends it). */
  email_status: string | null;
  preference: string | null;
  stop_after: number | null;
  /** The e-mail's addressing, only with e-mail on. */
  mentor_id: number | null;
  mentor_name: string | null;
  mentor_email: string | null;
  mentor_locale: string | null;
  coordinator_id: number | null;
  contact_name: string | null;
  programme_name: string | null;
};

/**
 * Prepared once per connection (the `name`) and run on its generic plan (db/dispatch-pool.ts):
 * the batch's ids come in through batch_items(), which the planner sizes at 250 rows, so the
 * plan's joins between CTEs are hashed whatever the batch's size.
 */
export function writeBatchSql(runId: number, assignmentIds: number[], ctx: WriteBatchContext): QueryConfig {
  return {
    name: 'reminder-write-batch',
    values: [assignmentIds, runId, ctx.emailEnabled, ctx.inApp],
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
      -- Each item's record looked up by primary key (LATERAL ... OFFSET 0: one lookup per item,
      -- never a hash join over the run's records, which a plan made on earlier runs' statistics
      -- chose: every record of the run read per batch).
      SELECT DISTINCT u.assignment_id, d.anchor_date AS fanout_anchor, d.assignment_id IS NOT NULL AS in_run
        FROM batch_items($1::int[]) AS u(assignment_id)
        LEFT JOIN LATERAL (SELECT x.assignment_id, x.anchor_date FROM run_dispatches x
                            WHERE x.run_id = $2::int AND x.assignment_id = u.assignment_id OFFSET 0) d ON true
    ), target AS (
      SELECT a.id, a.status, COALESCE(a.last_contact_date, a.assigned_date) AS anchor, a.snoozed_until,
             a.peer_mentor_id, a.coordinator_id, pm.name AS mentor_name, pm.email AS mentor_email, pm.reminder_email,
             mea.undeliverable_at IS NOT NULL AS mentor_undeliverable,
             c.email AS coordinator_email, cea.undeliverable_at IS NOT NULL AS coordinator_undeliverable, ct.name AS contact_name,
             COALESCE(pm.locale, pr.default_locale) AS mentor_locale, COALESCE(c.locale, pr.default_locale) AS coordinator_locale,
             pr.name AS programme_name, pr.time_zone, pr.first_after_days AS first_after, pr.repeat_every_days AS repeat_every,
             pr.escalate_after, pr.stop_after, pr.absence_policy, pr.delivery
        FROM assignments a
        JOIN programmes pr ON pr.id = a.programme_id
        JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
        JOIN contacts ct ON ct.id = a.contact_id
        LEFT JOIN coordinators c ON c.id = a.coordinator_id
        LEFT JOIN email_addresses mea ON mea.address = lower(pm.email)
        LEFT JOIN email_addresses cea ON cea.address = lower(c.email)
       WHERE a.id IN (SELECT assignment_id FROM input WHERE in_run)
       ORDER BY a.id
         FOR SHARE OF a
    ), due AS (
      -- Every target row, with is_due saying whether its reminder is due (not a WHERE: filtered,
      -- this CTE was estimated at one row, and every join to it became a nested loop of CTE
      -- scans, batch size squared tuple visits each: two thirds of the statement at 250 a batch).
      -- The run's calendar day is counted in each assignment's programme's time zone.
      SELECT t.*, y.seq, y.due_date, y.seq >= t.escalate_after AS escalated,
             'a' || t.id::text || '-' || to_char(t.anchor, 'YYYYMMDD') || '-' || y.seq::text AS reminder_key,
             cv.covered,
             (t.status = 'active' AND y.due
              -- covering needs someone to cover: without a coordinator an absent mentor's reminder waits
              AND NOT (y.absent_today AND t.absence_policy = 'cover' AND t.coordinator_id IS NULL)
              -- a later number of this silence is written already (an absence registered for past days lowers the count)
              AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.assignment_id = t.id AND r.anchor_date = t.anchor AND r.sequence_number > y.seq)) AS is_due,
             (CASE WHEN cv.covered THEN 'covered'
                   WHEN NOT $3::boolean THEN 'no_channel'
                   WHEN t.mentor_email IS NULL THEN 'no_address'
                   WHEN NOT t.reminder_email THEN 'opted_out'
                   WHEN t.mentor_undeliverable THEN 'undeliverable'
                   WHEN t.delivery = 'digest' THEN 'digest'
                   ELSE 'each' END)::email_preference AS preference,
             ($3::boolean AND t.coordinator_email IS NOT NULL AND NOT t.coordinator_undeliverable
              AND (y.seq >= t.escalate_after OR cv.covered)) AS coordinator_mail,
             -- first names only, exactly as the e-mails take them (messages/names.ts)
             ${contactFirstNameSql('t.contact_name', 't.mentor_locale')} AS contact_first,
             ${mentorFirstNameSql('t.mentor_name', 't.coordinator_locale')} AS mentor_first
        FROM target t
        CROSS JOIN fence f
        CROSS JOIN LATERAL (SELECT (f.started_at AT TIME ZONE t.time_zone)::date AS today) td
        CROSS JOIN LATERAL reminder_due(t.peer_mentor_id, t.anchor, td.today, t.first_after, t.repeat_every,
                                        t.stop_after, t.absence_policy, t.snoozed_until) y
        CROSS JOIN LATERAL (SELECT y.absent_today AND t.absence_policy = 'cover' AND t.coordinator_id IS NOT NULL AS covered) cv
    ), ins AS (
      INSERT INTO reminders (assignment_id, reminder_key, anchor_date, sequence_number, due_date,
                             escalated, run_id, fencing_token, email_status, preference_applied, coordinator_email_status)
      SELECT d.id, d.reminder_key, d.anchor, d.seq, d.due_date, d.escalated, $2::int, f.fencing_token,
             (CASE d.preference WHEN 'each' THEN 'reserved' WHEN 'digest' THEN 'digest' ELSE 'not_applicable' END)::email_status,
             d.preference,
             (CASE WHEN d.coordinator_mail THEN 'digest' ELSE 'not_applicable' END)::email_status
        FROM due d
        CROSS JOIN fence f
       WHERE d.is_due
       ORDER BY d.reminder_key
      ON CONFLICT DO NOTHING
      RETURNING id, assignment_id, email_status
    ), notify AS (
      INSERT INTO notifications (reminder_id, recipient_type, recipient_id, title, body)
      SELECT ins.id, 'peer_mentor'::recipient_type, d.peer_mentor_id,
             format(m.t ->> 'mentorTitle', d.contact_first, d.seq::text, d.mentor_first),
             format(m.t ->> 'mentorBody', d.contact_first, d.seq::text, d.mentor_first)
        FROM ins JOIN due d ON d.id = ins.assignment_id
        CROSS JOIN LATERAL (SELECT $4::jsonb -> d.mentor_locale AS t) m
       WHERE NOT d.covered
      UNION ALL
      SELECT ins.id, 'coordinator'::recipient_type, d.coordinator_id,
             format(c.t ->> CASE WHEN d.covered THEN 'coverTitle' ELSE 'coordinatorTitle' END, d.contact_first, d.seq::text, d.mentor_first),
             format(c.t ->> CASE WHEN d.covered THEN 'coverBody' WHEN d.seq = d.stop_after THEN 'coordinatorLastBody' ELSE 'coordinatorBody' END,
                    d.contact_first, d.seq::text, d.mentor_first)
        FROM ins JOIN due d ON d.id = ins.assignment_id
        CROSS JOIN LATERAL (SELECT $4::jsonb -> d.coordinator_locale AS t) c
       WHERE (d.escalated OR d.covered) AND d.coordinator_id IS NOT NULL
    ), verdict AS MATERIALIZED (
      -- The outcome wherever it is already final; NULL while an e-mail is still to send or a
      -- conflict is still to look at (the caller settles those).
      SELECT $2::int AS run_id, i.assignment_id, ins.id AS reminder_id,
             CASE
               WHEN NOT EXISTS (SELECT 1 FROM fence) THEN 'skipped'
               WHEN t.id IS NULL OR t.status <> 'active' OR d.id IS NULL THEN 'skipped'
               WHEN ins.id IS NOT NULL AND ins.email_status <> 'reserved' THEN 'sent'
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
      -- Each verdict's own record, by primary key, whatever the statistics say. Written as a plain
      -- join (rd.run_id = $2 AND rd.assignment_id = v.assignment_id AND rd.outcome IS NULL), a plan
      -- made while the table held mostly earlier runs' settled records put the run's unsettled
      -- ones at a few hundred rows and read all of them per batch through (run_id, outcome)
      -- (test: dispatch-batching, "earlier runs' settled records"). So the run id comes from the
      -- materialized verdict, not from $2 (no scan of the run's records on its own); the keys are
      -- compared as one-element arrays, which PostgreSQL uses as an index lookup per verdict but
      -- never for a hash or merge join; and outcome is tested outside any index (num_nulls).
      UPDATE run_dispatches rd
         SET outcome = v.outcome::dispatch_outcome, reason = v.reason, reminder_id = v.reminder_id, settled_at = clock_timestamp()
        FROM verdict v
       WHERE rd.run_id = ANY (ARRAY[v.run_id]) AND rd.assignment_id = ANY (ARRAY[v.assignment_id])
         AND v.outcome IS NOT NULL AND num_nulls(rd.outcome) = 1
    )
    SELECT i.assignment_id, EXISTS (SELECT 1 FROM fence) AS fence_ok, COALESCE((SELECT NOT enabled FROM state), false) AS paused,
           i.in_run, t.status::text AS status, t.anchor::text AS anchor, i.fanout_anchor::text AS fanout_anchor,
           d.id IS NOT NULL AS due, d.reminder_key AS key, d.seq AS sequence_number, d.escalated,
           ins.id AS reminder_id, ins.email_status::text AS email_status, d.preference::text AS preference, t.stop_after,
           -- the e-mail's addressing, only needed (and only sent back) when e-mail is on
           CASE WHEN $3::boolean THEN t.peer_mentor_id END AS mentor_id, CASE WHEN $3::boolean THEN t.mentor_name END AS mentor_name,
           CASE WHEN $3::boolean THEN t.mentor_email END AS mentor_email, CASE WHEN $3::boolean THEN t.mentor_locale END AS mentor_locale,
           CASE WHEN $3::boolean THEN t.coordinator_id END AS coordinator_id, CASE WHEN $3::boolean THEN t.contact_name END AS contact_name,
           CASE WHEN $3::boolean THEN t.programme_name END AS programme_name
      FROM input i
      LEFT JOIN target t ON t.id = i.assignment_id
      LEFT JOIN due d ON d.id = i.assignment_id AND d.is_due
      LEFT JOIN ins ON ins.assignment_id = i.assignment_id`,
  };
}
