/**
 * The dispatch's write side: the batched reminder write (reminder-write-sql.ts) and the e-mail
 * outbox. A job names (run, assignment) only; each statement fences itself and settles the run's
 * dispatch record (run_dispatches) where the outcome is final.
 *
 * The e-mail outbox has leases (DESIGN.md, "Postgres decides"): a claim takes the next attempt
 * and says who holds it until when; only the holder of that attempt may mark it sent or failed;
 * a row whose lease has expired (its holder died or froze) may be claimed again. The one window
 * that stays: SMTP accepted a message and its sender died before the mark; after the lease the
 * message is sent once more, with the same Message-ID.
 *
 * It runs on the dispatch's own `pg` pool (see db/dispatch-pool.ts): prepared statements, and
 * none of Prisma's per-query overhead on the hottest path of the service.
 */
import type { Pool, QueryConfig } from 'pg';
import { roundsByKey } from '../services/micro-batcher';
import { writeBatchSql, type WriteBatchRow } from './reminder-write-sql';
import { inAppCatalog } from '../messages/in-app-catalog';
import type { DispatchOutcome } from './run-dispatch-repository';

/** One dispatch job's write: the run and the assignment, nothing else. */
export type ReminderWrite = { runId: number; assignmentId: number };

/** What the database says the reminder is (never what a payload said). */
export type ReminderFacts = { reminderId: number; key: string; anchorDate: string; sequenceNumber: number; escalated: boolean };

export type ReminderWriteResult =
  | { outcome: 'written'; reminder: ReminderFacts; email: EmailTarget | null }
  | { outcome: 'fenced' }
  | { outcome: 'paused' }
  | { outcome: 'not_in_run' }
  | { outcome: 'skipped'; reason: 'assignment_missing' | 'assignment_not_active' | 'contact_registered' | 'not_due' }
  | { outcome: 'exists'; reminder: ReminderFacts; runId: number | null; emailStatus: string; email: EmailTarget | null };

/** What a per-reminder e-mail (delivery `each`) is addressed and rendered from. */
export type EmailTarget = {
  assignmentId: number;
  mentorId: number;
  mentorName: string;
  mentorEmail: string;
  mentorLocale: string;
  contactName: string;
  programmeName: string;
  /** The coordinator has been told too (escalated, and the assignment has one). */
  coordinatorInformed: boolean;
  /** The stop rule's last reminder for this silence. */
  lastReminder: boolean;
};

export type EmailClaim = { reminderId: number; runId: number };
export type EmailClaimResult =
  | { claimed: true; attempt: number }
  /** The fence refused it (stale run, or paused). */
  | { claimed: false; why: 'fenced' | 'paused' }
  /** Another attempt holds a live lease until `until`. */
  | { claimed: false; why: 'leased'; until: Date }
  /** Nothing to send any more (sent meanwhile). */
  | { claimed: false; why: 'done'; sentByRunId: number | null }
  /** The mentor turned e-mail off, or the address bounced, since the reminder was written: in-app only now. */
  | { claimed: false; why: 'withdrawn'; preference: 'opted_out' | 'undeliverable' | 'no_address' };

export type EmailMark = { reminderId: number; attempt: number; runId: number; assignmentId: number; at: Date };

/** Deadlock or serialization failure: the statement did nothing and can be run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_TRIES = 4;

export type ReminderRepositoryOptions = {
  /** Whether an e-mail channel is configured (SMTP_URL). */
  emailEnabled: boolean;
  /** EMAIL_LEASE_SECONDS: how long a claimed attempt belongs to its claimer. */
  emailLeaseSeconds: number;
  /** Who claims (WORKER_ID), recorded on the lease for operators. */
  owner: string;
};

export function createReminderRepository(pool: Pool, opts: ReminderRepositoryOptions) {
  const writeContext = { emailEnabled: opts.emailEnabled, inApp: inAppCatalog() };
  async function query<R extends object>(q: QueryConfig): Promise<R[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await pool.query<R>(q)).rows;
      } catch (err) {
        if (attempt >= MAX_TRIES || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      }
    }
  }

  /** The reminders that a conflicting insert met: looked up by their identity, not by a key. */
  async function existing(rows: WriteBatchRow[]) {
    const found = await query<{ assignment_id: number; id: number; key: string; run_id: number | null; email_status: string; anchor: string; seq: number; escalated: boolean }>({
      name: 'reminder-existing',
      text: `SELECT r.assignment_id, r.id, r.reminder_key AS key, r.run_id, r.email_status::text AS email_status,
                    r.anchor_date::text AS anchor, r.sequence_number AS seq, r.escalated
               FROM reminders r
               JOIN unnest($1::int[], $2::date[], $3::int[]) AS u(assignment_id, anchor, seq)
                 ON r.assignment_id = u.assignment_id AND r.anchor_date = u.anchor AND r.sequence_number = u.seq`,
      values: [rows.map((r) => r.assignment_id), rows.map((r) => r.anchor), rows.map((r) => r.sequence_number)],
    });
    return new Map(found.map((r) => [r.assignment_id, r]));
  }

  /** One statement for writes of the same run with distinct assignments. */
  async function writeRound(runId: number, ws: ReminderWrite[]): Promise<(ReminderWriteResult | Error)[]> {
    const rows = await query<WriteBatchRow>(writeBatchSql(runId, ws.map((w) => w.assignmentId), writeContext));
    const byId = new Map(rows.map((r) => [r.assignment_id, r]));
    const conflicts = rows.filter((r) => r.in_run && r.fence_ok && r.due && r.reminder_id === null);
    const prior = conflicts.length ? await existing(conflicts) : new Map();
    return ws.map((w): ReminderWriteResult | Error => {
      const row = byId.get(w.assignmentId);
      if (!row) return new Error(`assignment ${w.assignmentId} missing from the write's answer`);
      if (!row.in_run) return { outcome: 'not_in_run' };
      if (!row.fence_ok) return { outcome: row.paused ? 'paused' : 'fenced' };
      if (row.status === null) return { outcome: 'skipped', reason: 'assignment_missing' };
      if (row.status !== 'active') return { outcome: 'skipped', reason: 'assignment_not_active' };
      if (!row.due) return { outcome: 'skipped', reason: row.anchor !== row.fanout_anchor ? 'contact_registered' : 'not_due' };
      if (row.reminder_id !== null) {
        const reminder = { reminderId: row.reminder_id, key: row.key!, anchorDate: row.anchor!, sequenceNumber: row.sequence_number!, escalated: row.escalated! };
        return { outcome: 'written', reminder, email: row.email_status === 'reserved' ? emailTarget(row, reminder) : null };
      }
      const p = prior.get(w.assignmentId);
      if (!p) return new Error(`reminder for assignment ${w.assignmentId} neither inserted nor found`);
      const reminder = { reminderId: p.id, key: p.key, anchorDate: p.anchor, sequenceNumber: p.seq, escalated: p.escalated };
      return { outcome: 'exists', reminder, runId: p.run_id, emailStatus: p.email_status, email: emailTarget(row, reminder) };
    });
  }

  /**
   * Writes a batch: one statement per run and, should one assignment appear twice, per round, so
   * each write gets exactly the outcome it would have got on its own.
   */
  async function writeMany(ws: ReminderWrite[]): Promise<(ReminderWriteResult | Error)[]> {
    const out: (ReminderWriteResult | Error)[] = new Array(ws.length);
    const byRun = new Map<number, { item: ReminderWrite; index: number }[]>();
    ws.forEach((item, index) => {
      const list = byRun.get(item.runId) ?? [];
      list.push({ item, index });
      byRun.set(item.runId, list);
    });
    for (const [runId, group] of byRun) {
      for (const round of roundsByKey(group, (g) => g.item.assignmentId)) {
        const results = await writeRound(runId, round.map((r) => r.item.item));
        round.forEach((r, k) => (out[r.item.index] = results[k]!));
      }
    }
    return out;
  }

  /**
   * Claims the next e-mail attempt of each reminder, fenced like the write (the run still running
   * with the current token, not paused), with a lease of EMAIL_LEASE_SECONDS.
   */
  async function claimEmails(claims: EmailClaim[]): Promise<EmailClaimResult[]> {
    const out: EmailClaimResult[] = new Array(claims.length);
    for (const round of roundsByKey(claims, (c) => c.reminderId)) {
      const rows = await query<{ id: number; attempt: number | null; withdraw: 'opted_out' | 'undeliverable' | 'no_address' | null; fence_ok: boolean; paused: boolean; email_status: string; lease_until: Date | null; run_id: number | null }>({
        name: 'reminder-claim-email',
        text: `
          WITH runs AS (
            SELECT l.id, l.job_name, l.fencing_token, l.status FROM cron_execution_log l WHERE l.id = ANY($2::int[])
          ), state AS (
            -- Each run's own sweep (its programme's state row), read FOR SHARE as the write does.
            SELECT s.job_name, s.last_fencing_token, s.enabled FROM sweep_state s
             WHERE s.job_name IN (SELECT job_name FROM runs) FOR SHARE
          ), fence AS (
            SELECT r.id FROM runs r JOIN state s ON s.job_name = r.job_name AND s.last_fencing_token = r.fencing_token AND s.enabled
             WHERE r.status = 'running'
          ), u AS (
            -- Sized by the planner (batch_items), so the joins of u with the CTEs below are hashed.
            SELECT b.item AS id, ($2::int[])[b.ord] AS run_id FROM batch_items($1::int[]) b
          ), open AS (
            -- Claimable rows, and whether the mentor still takes e-mail at that address: opted
            -- out or bounced since the write, the reminder stays in-app only and is not sent.
            SELECT r.id, u.run_id,
                   CASE WHEN pm.email IS NULL THEN 'no_address' WHEN NOT pm.reminder_email THEN 'opted_out'
                        WHEN ea.undeliverable_at IS NOT NULL THEN 'undeliverable' END AS withdraw
              FROM u JOIN fence f ON f.id = u.run_id
              JOIN reminders r ON r.id = u.id
              JOIN assignments a ON a.id = r.assignment_id
              JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
              LEFT JOIN email_addresses ea ON ea.address = lower(pm.email)
             WHERE r.email_status IN ('reserved', 'failed')
               AND (r.email_lease_until IS NULL OR r.email_lease_until <= clock_timestamp())
          ), claimed AS (
            UPDATE reminders r
               SET email_status = 'reserved', email_attempts = r.email_attempts + 1,
                   email_lease_owner = $3 || ' (run ' || o.run_id::text || ')',
                   email_lease_until = clock_timestamp() + make_interval(secs => $4::int)
              FROM open o
             WHERE r.id = o.id AND o.withdraw IS NULL
            RETURNING r.id, r.email_attempts
          ), withdrawn AS (
            UPDATE reminders r
               SET email_status = 'not_applicable', preference_applied = o.withdraw::email_preference,
                   email_lease_owner = NULL, email_lease_until = NULL
              FROM open o
             WHERE r.id = o.id AND o.withdraw IS NOT NULL
            RETURNING r.id, o.withdraw
          )
          SELECT u.id, c.email_attempts AS attempt, w.withdraw, EXISTS (SELECT 1 FROM fence f WHERE f.id = u.run_id) AS fence_ok,
                 COALESCE((SELECT NOT s.enabled FROM runs x JOIN state s ON s.job_name = x.job_name WHERE x.id = u.run_id), false) AS paused,
                 r.email_status::text AS email_status, r.email_lease_until AS lease_until, r.run_id
            FROM u
            LEFT JOIN claimed c ON c.id = u.id
            LEFT JOIN withdrawn w ON w.id = u.id
            LEFT JOIN reminders r ON r.id = u.id`,
        values: [round.map((c) => c.item.reminderId), round.map((c) => c.item.runId), opts.owner, opts.emailLeaseSeconds],
      });
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const c of round) {
        const r = byId.get(c.item.reminderId);
        if (r?.attempt != null) out[c.index] = { claimed: true, attempt: r.attempt };
        else if (r?.withdraw) out[c.index] = { claimed: false, why: 'withdrawn', preference: r.withdraw };
        else if (!r || !r.fence_ok) out[c.index] = { claimed: false, why: r?.paused ? 'paused' : 'fenced' };
        else if ((r.email_status === 'reserved' || r.email_status === 'failed') && r.lease_until) out[c.index] = { claimed: false, why: 'leased', until: r.lease_until };
        else out[c.index] = { claimed: false, why: 'done', sentByRunId: r.run_id };
      }
    }
    return out;
  }

  /**
   * Marks sent the attempts their callers hold (a lease taken over meanwhile is not overwritten)
   * and settles each job's dispatch as sent. Returns, per mark, whether the attempt was still ours.
   */
  async function markEmailsSent(marks: EmailMark[]): Promise<boolean[]> {
    const rows = await query<{ id: number }>({
      name: 'reminder-mark-sent',
      text: `
        WITH u AS (
          SELECT * FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::int[], $5::int[]) AS u(id, attempt, at, run_id, assignment_id)
        ), marked AS (
          UPDATE reminders r SET email_status = 'sent', email_sent_at = u.at, email_last_error = NULL,
                                 email_lease_owner = NULL, email_lease_until = NULL
            FROM u
           WHERE r.id = u.id AND r.email_attempts = u.attempt AND r.email_status = 'reserved'
          RETURNING r.id
        ), settle AS (
          -- By primary key per mark, as the write's settle (reminder-write-sql.ts): keys as
          -- one-element arrays (no hash join over the run's records), outcome outside any index.
          UPDATE run_dispatches rd SET outcome = 'sent', reminder_id = u.id, settled_at = clock_timestamp()
            FROM u
           WHERE rd.run_id = ANY (ARRAY[u.run_id]) AND rd.assignment_id = ANY (ARRAY[u.assignment_id]) AND num_nulls(rd.outcome) = 1
        )
        SELECT id FROM marked`,
      values: [marks.map((m) => m.reminderId), marks.map((m) => m.attempt), marks.map((m) => m.at.toISOString()), marks.map((m) => m.runId), marks.map((m) => m.assignmentId)],
    });
    const ours = new Set(rows.map((r) => r.id));
    return marks.map((m) => ours.has(m.reminderId));
  }

  return {
    writeMany,
    async write(w: ReminderWrite): Promise<ReminderWriteResult> {
      const [r] = await writeMany([w]);
      if (r instanceof Error) throw r;
      return r!;
    },

    claimEmails,
    claimEmail: async (c: EmailClaim): Promise<EmailClaimResult> => (await claimEmails([c]))[0]!,

    markEmailsSent,
    markEmailSent: async (m: EmailMark): Promise<boolean> => (await markEmailsSent([m]))[0]!,

    /**
     * Records a failed attempt, only if it is still the caller's (a late copy of a job can never
     * overwrite `sent` or a newer attempt); releases the lease so the retry may claim at once.
     * On the last attempt the job's dispatch settles as failed. Returns whether it was still ours.
     */
    async markEmailFailed(m: Omit<EmailMark, 'at'> & { error: string; final: boolean }): Promise<boolean> {
      const rows = await query<{ id: number }>({
        name: 'reminder-mark-failed',
        text: `
          WITH marked AS (
            UPDATE reminders SET email_status = 'failed', email_last_error = $3, email_lease_owner = NULL, email_lease_until = NULL
             WHERE id = $1 AND email_attempts = $2 AND email_status = 'reserved'
            RETURNING id
          ), settle AS (
            -- outcome tested outside any index: the lookup is by primary key whatever the statistics.
            UPDATE run_dispatches SET outcome = 'failed', reason = $3, reminder_id = $1, settled_at = clock_timestamp()
             WHERE $6::boolean AND run_id = $4 AND assignment_id = $5 AND num_nulls(outcome) = 1 AND EXISTS (SELECT 1 FROM marked)
          )
          SELECT id FROM marked`,
        values: [m.reminderId, m.attempt, `e-mail: ${m.error}`.slice(0, 2000), m.runId, m.assignmentId, m.final],
      });
      return rows.length === 1;
    },

    /** Settles one job's dispatch whose outcome the caller decided (duplicates, e-mails sent elsewhere). */
    async settle(s: { runId: number; assignmentId: number; outcome: DispatchOutcome; reason?: string | null; reminderId?: number | null }): Promise<void> {
      await query({
        name: 'run-dispatch-settle',
        // outcome tested outside any index: the lookup is by primary key whatever the statistics.
        text: `UPDATE run_dispatches SET outcome = $3::dispatch_outcome, reason = $4, reminder_id = $5, settled_at = clock_timestamp()
                WHERE run_id = $1 AND assignment_id = $2 AND num_nulls(outcome) = 1`,
        values: [s.runId, s.assignmentId, s.outcome, s.reason ?? null, s.reminderId ?? null],
      });
    },
  };
}

function emailTarget(row: WriteBatchRow, reminder: ReminderFacts): EmailTarget | null {
  if (!row.mentor_email || row.mentor_id === null) return null;
  return {
    assignmentId: row.assignment_id,
    mentorId: row.mentor_id,
    mentorName: row.mentor_name ?? '',
    mentorEmail: row.mentor_email,
    mentorLocale: row.mentor_locale ?? 'nb',
    contactName: row.contact_name ?? '',
    programmeName: row.programme_name ?? '',
    coordinatorInformed: reminder.escalated && row.coordinator_id !== null,
    lastReminder: row.stop_after !== null && reminder.sequenceNumber === row.stop_after,
  };
}

export type ReminderRepository = ReturnType<typeof createReminderRepository>;
