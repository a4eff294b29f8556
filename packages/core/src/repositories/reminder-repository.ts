/**
 * The dispatch's write side. One statement per batch of reminders (all of one run) checks the
 * run's fencing token, re-checks each assignment, inserts the reminders under their unique
 * idempotency keys and writes the in-app notification(s): atomic, one round trip for the whole
 * batch, and a stale run can never write. A single write is a batch of one.
 *
 * It runs on the dispatch's own `pg` pool (see db/dispatch-pool.ts): prepared statements, and
 * none of Prisma's per-query overhead on the hottest path of the service.
 */
import type { Pool } from 'pg';
import { roundsByKey } from '../services/micro-batcher';
import { writeBatchSql, type WriteBatchRow } from './reminder-write-sql';

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

/** Deadlock or serialization failure: the statement did nothing and can be run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_TRIES = 4;

export function createReminderRepository(pool: Pool) {
  async function existing(keys: string[]) {
    const { rows } = await pool.query<{ key: string; id: number; run_id: number | null; email_status: string; email_attempts: number }>({
      name: 'reminder-existing',
      text: `SELECT idempotency_key AS key, id, run_id, email_status::text AS email_status, email_attempts FROM reminders WHERE idempotency_key = ANY($1::text[])`,
      values: [keys],
    });
    return new Map(rows.map((r) => [r.key, r]));
  }

  async function runWithRetry(ws: ReminderWrite[]): Promise<WriteBatchRow[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await pool.query<WriteBatchRow>(writeBatchSql(ws))).rows;
      } catch (err) {
        if (attempt >= MAX_TRIES || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      }
    }
  }

  /** One statement for writes of the same run with distinct idempotency keys. */
  async function writeRound(ws: ReminderWrite[]): Promise<(ReminderWriteResult | Error)[]> {
    const byKey = new Map((await runWithRetry(ws)).map((r) => [r.key, r]));
    const results = ws.map((w): ReminderWriteResult | 'conflict' => {
      const row = byKey.get(w.idempotencyKey);
      if (!row || !row.fence_ok) return { outcome: 'fenced' };
      if (row.status === null) return { outcome: 'skipped', reason: 'assignment_missing' };
      if (row.status !== 'active') return { outcome: 'skipped', reason: 'assignment_not_active' };
      if (row.anchor === null || row.anchor !== w.anchorDate) return { outcome: 'skipped', reason: 'contact_registered' };
      if (row.reminder_id !== null) return { outcome: 'written', reminderId: row.reminder_id, email: emailTarget(w, row) };
      return 'conflict';
    });
    const conflicts = ws.filter((_, i) => results[i] === 'conflict').map((w) => w.idempotencyKey);
    const prior = conflicts.length ? await existing(conflicts) : new Map();
    return results.map((r, i) => {
      if (r !== 'conflict') return r;
      const w = ws[i]!;
      const p = prior.get(w.idempotencyKey);
      if (!p) return new Error(`reminder ${w.idempotencyKey} neither inserted nor found`);
      return {
        outcome: 'exists',
        reminderId: p.id,
        runId: p.run_id,
        emailStatus: p.email_status,
        emailAttempts: p.email_attempts,
        email: emailTarget(w, byKey.get(w.idempotencyKey)!),
      };
    });
  }

  /**
   * Writes a batch: one statement per run (fencing token) and, should one key appear twice, per
   * round, so each write gets exactly the outcome it would have got on its own.
   */
  async function writeMany(ws: ReminderWrite[]): Promise<(ReminderWriteResult | Error)[]> {
    const out: (ReminderWriteResult | Error)[] = new Array(ws.length);
    const groups = new Map<string, { item: ReminderWrite; index: number }[]>();
    ws.forEach((item, index) => {
      const g = `${item.jobName}\u0000${item.runId}\u0000${item.fencingToken}\u0000${item.emailEnabled}`;
      const list = groups.get(g) ?? [];
      list.push({ item, index });
      groups.set(g, list);
    });
    for (const group of groups.values()) {
      for (const round of roundsByKey(group, (g) => g.item.idempotencyKey)) {
        const results = await writeRound(round.map((r) => r.item.item));
        round.forEach((r, k) => (out[r.item.index] = results[k]!));
      }
    }
    return out;
  }

  /** Claims the next attempt for each reminder; same rules as `claimEmailAttempt`, one statement per round. */
  async function claimEmailAttempts(claims: { reminderId: number; seenAttempts: number }[]): Promise<(number | null)[]> {
    const out: (number | null)[] = new Array(claims.length).fill(null);
    for (const round of roundsByKey(claims, (c) => c.reminderId)) {
      const { rows: claimed } = await pool.query<{ id: number }>({
        name: 'reminder-claim-email',
        text: `UPDATE reminders r SET email_status = 'reserved', email_attempts = r.email_attempts + 1
                 FROM unnest($1::int[], $2::int[]) AS u(id, seen)
                WHERE r.id = u.id AND r.email_attempts = u.seen AND r.email_status IN ('reserved', 'failed')
               RETURNING r.id`,
        values: [round.map((c) => c.item.reminderId), round.map((c) => c.item.seenAttempts)],
      });
      const ids = new Set(claimed.map((c) => c.id));
      for (const c of round) if (ids.has(c.item.reminderId)) out[c.index] = c.item.seenAttempts + 1;
    }
    return out;
  }

  async function markEmailsSent(sent: { reminderId: number; now: Date }[]): Promise<void> {
    await pool.query({
      name: 'reminder-mark-sent',
      text: `UPDATE reminders r SET email_status = 'sent', email_sent_at = u.at, email_last_error = NULL
               FROM unnest($1::int[], $2::timestamptz[]) AS u(id, at)
              WHERE r.id = u.id`,
      values: [sent.map((s) => s.reminderId), sent.map((s) => s.now.toISOString())],
    });
  }

  return {
    writeMany,
    async write(w: ReminderWrite): Promise<ReminderWriteResult> {
      const [r] = await writeMany([w]);
      if (r instanceof Error) throw r;
      return r!;
    },

    claimEmailAttempts,
    /**
     * Claims the next e-mail attempt for a reminder. Optimistic on the attempt count, so two jobs
     * can never both believe they own the same attempt. Returns the attempt number, or null.
     */
    claimEmailAttempt: async (reminderId: number, seenAttempts: number): Promise<number | null> =>
      (await claimEmailAttempts([{ reminderId, seenAttempts }]))[0] ?? null,

    markEmailsSent,
    markEmailSent: (reminderId: number, now: Date) => markEmailsSent([{ reminderId, now }]),

    markEmailFailed: async (reminderId: number, error: string) => {
      await pool.query(`UPDATE reminders SET email_status = 'failed', email_last_error = $2 WHERE id = $1`, [reminderId, error.slice(0, 2000)]);
    },
  };
}

function emailTarget(w: ReminderWrite, row: WriteBatchRow): EmailTarget | null {
  if (!w.emailEnabled || !row.mentor_email) return null;
  return {
    mentorName: row.mentor_name ?? '',
    mentorEmail: row.mentor_email,
    contactName: row.contact_name ?? '',
    coordinatorEmail: w.escalated ? row.coordinator_email : null,
  };
}

export type ReminderRepository = ReturnType<typeof createReminderRepository>;
