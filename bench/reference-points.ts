/**
 * The reference points a sweep run is compared with, on the same data and machine ((d), the
 * dispatch's own statements with no queue, is in statements-reference.ts):
 *   (a) queue floor: the same number of BullMQ jobs, same options and workers, no-op processor;
 *   (b) naive baseline: one sequential loop, per assignment a query, an insert and the same
 *       delivery (in-app notification, e-mail when on), no queue; time-boxed, rate extrapolated;
 *   (c) set-based lower bound: one INSERT ... SELECT writing the same reminder and notification rows.
 * (b) and (c) write real rows; the caller empties reminders and notifications between measurements.
 * (b) runs with the dispatch pool's session setting (enable_seqscan = off, see
 * packages/core/src/db/dispatch-pool.ts), so its foreign-key checks' cached plans do not turn
 * quadratic on the fresh reminders table: the comparison is between designs, not that trap.
 * (c) needs no such help: its foreign-key checks run at the end of the statement, when every
 * reminder is already in the table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '@reminders/core/config';
import type { EmailChannel } from '@reminders/core/channels/email-channel';
import { reminderKey } from '@reminders/core/domain/reminder-rules';
import { FLOOR_QUEUE } from './noop-worker';
import { cpuSnapshot, cpuUsage, type CpuUsage } from './cpu-accounting';
import { peakRssSampler } from './bench-env';

const NOOP_WORKER = path.resolve(__dirname, 'noop-worker.ts');
const KEYED_LOOKUPS = '-c enable_seqscan=off';

/** `seconds`: from the first job seen in the queue to the queue drained (polled every 25 ms), like the run's dispatch phase. */
export type FloorResult = { jobs: number; seconds: number; perSecond: number; fanOutSeconds: number; peakWorkerRssMb: number[]; cpu: CpuUsage };

/** (a) Spawns `workers` no-op worker processes; worker 1 fans out `jobs` jobs a page at a time, as the sweep does. */
export async function queueFloor(o: { vars: Record<string, string>; prefix: string; redisUrl: string; jobs: number; workers: number; pageSize: number; timeoutMs: number }): Promise<FloorResult> {
  const procs: ChildProcess[] = [];
  const rss = [] as ReturnType<typeof peakRssSampler>[];
  const redis = new Redis(o.redisUrl);
  const queue = new Queue(FLOOR_QUEUE, { connection: redis, prefix: o.prefix });
  try {
    for (let i = 0; i < o.workers; i++) {
      const proc = spawn(process.execPath, ['-r', 'tsx/cjs', NOOP_WORKER], {
        env: { PATH: process.env.PATH ?? '', ...o.vars, WORKER_ID: `floor-${i + 1}` },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      procs.push(proc);
      rss.push(peakRssSampler(proc.pid!));
      await new Promise<void>((resolve, reject) => {
        proc.stdout!.on('data', (b: Buffer) => b.toString().includes('"worker ready"') && resolve());
        proc.on('exit', (code) => reject(new Error(`no-op worker exited with ${code}`)));
      });
    }
    const before = cpuSnapshot();
    const t0 = performance.now();
    let fanOutMs = 0;
    const produced = new Promise<void>((resolve) =>
      procs[0]!.on('message', () => {
        fanOutMs = performance.now() - t0;
        resolve();
      }),
    );
    procs[0]!.send({ produce: o.jobs, pageSize: o.pageSize });
    let done = false;
    void produced.then(() => (done = true));
    // Timed like the run's dispatch phase: from the first job seen in the queue to drained.
    let firstSeen = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 25));
      if (performance.now() - t0 > o.timeoutMs) throw new Error(`queue floor did not drain within ${o.timeoutMs} ms`);
      const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed');
      if (!firstSeen && Object.values(c).some((n) => n > 0)) firstSeen = performance.now();
      if (done && Object.entries(c).every(([type, n]) => type === 'completed' || n === 0)) break;
    }
    const ms = performance.now() - (firstSeen || t0);
    const cpu = cpuUsage(before, cpuSnapshot(), procs.map((p) => p.pid!));
    return { jobs: o.jobs, seconds: ms / 1000, perSecond: o.jobs / (ms / 1000), fanOutSeconds: fanOutMs / 1000, peakWorkerRssMb: rss.map((r) => r.peakMb()), cpu };
  } finally {
    for (const r of rss) r.stop();
    await Promise.all(
      procs.map((p) => (p.exitCode === null ? new Promise((r) => { p.on('exit', r); p.kill('SIGTERM'); }) : undefined)),
    );
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
  }
}

export type NaiveResult = { processed: number; seconds: number; perSecond: number; timeBoxed: boolean; emailsSent: number };

/**
 * (b) The obvious design: select what is due, then for each assignment, one after another, read
 * it with its mentor and contact, insert the reminder, insert the notification(s) and (with
 * e-mail) send the message and record it. Plain `pg`, autocommit, no queue. Stops after `budgetMs`.
 */
export async function naiveBaseline(o: { databaseUrl: string; config: Config; now: Date; runId: number; fencingToken: bigint; email: EmailChannel | null; budgetMs: number; maxRows: number }): Promise<NaiveResult> {
  const pg = new Client({ connectionString: o.databaseUrl, options: KEYED_LOOKUPS });
  await pg.connect();
  const { firstAfterDays: first, repeatEveryDays: every, escalateAfter } = o.config.rules;
  let processed = 0;
  let emailsSent = 0;
  let timeBoxed = false;
  const t0 = performance.now();
  try {
    const { rows: due } = await pg.query<{ id: number; anchor: string; seq: number; due: string }>(
      `WITH today AS (SELECT ($1::timestamptz AT TIME ZONE $2)::date AS d)
       SELECT a.id, x.anchor::text AS anchor, y.seq, (x.anchor + $3::int + (y.seq - 1) * $4::int)::text AS due
         FROM assignments a CROSS JOIN today
        CROSS JOIN LATERAL (SELECT COALESCE(a.last_contact_date, a.assigned_date) AS anchor) x
        CROSS JOIN LATERAL (SELECT 1 + ((today.d - x.anchor) - $3::int) / $4::int AS seq) y
        WHERE a.status = 'active' AND today.d - x.anchor >= $3::int
          AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.assignment_id = a.id AND r.anchor_date = x.anchor AND r.sequence_number = y.seq)
        ORDER BY a.id
        LIMIT $5`,
      [o.now, o.config.reminderTz, first, every, o.maxRows],
    );
    for (const d of due) {
      if (performance.now() - t0 > o.budgetMs) {
        timeBoxed = true;
        break;
      }
      const escalated = d.seq >= escalateAfter;
      const { rows: [a] } = await pg.query(
        `SELECT a.status, a.peer_mentor_id, a.coordinator_id, pm.name AS mentor_name, pm.email AS mentor_email,
                c.email AS coordinator_email, ct.name AS contact_name
           FROM assignments a JOIN peer_mentors pm ON pm.id = a.peer_mentor_id JOIN contacts ct ON ct.id = a.contact_id
           LEFT JOIN coordinators c ON c.id = a.coordinator_id WHERE a.id = $1`,
        [d.id],
      );
      const withEmail = o.email !== null && a.mentor_email !== null;
      const { rows: [r] } = await pg.query(
        `INSERT INTO reminders (assignment_id, reminder_key, anchor_date, sequence_number, due_date, escalated, run_id, fencing_token, email_status)
         VALUES ($1, $2, $3::date, $4, $5::date, $6, $7, $8, $9::email_status) ON CONFLICT (reminder_key) DO NOTHING RETURNING id`,
        [d.id, reminderKey(d.id, d.anchor, d.seq), d.anchor, d.seq, d.due, escalated, o.runId, o.fencingToken.toString(), withEmail ? 'reserved' : 'not_applicable'],
      );
      processed += 1;
      if (!r) continue;
      await pg.query(
        `INSERT INTO notifications (reminder_id, recipient_type, recipient_id, title, body) VALUES ($1, 'peer_mentor', $2, $3, $4)`,
        [r.id, a.peer_mentor_id, `Time to contact ${a.contact_name}`, `You have not registered contact with ${a.contact_name} since ${d.anchor}. Please get in touch and register the activity (reminder ${d.seq}).`],
      );
      if (escalated && a.coordinator_id !== null) {
        await pg.query(
          `INSERT INTO notifications (reminder_id, recipient_type, recipient_id, title, body) VALUES ($1, 'coordinator', $2, $3, $4)`,
          [r.id, a.coordinator_id, `${a.mentor_name} has not contacted ${a.contact_name}`, `No contact registered since ${d.anchor}; ${d.seq} reminders have been sent to ${a.mentor_name}.`],
        );
      }
      if (withEmail) {
        await o.email!.send({
          to: a.mentor_email,
          cc: escalated ? a.coordinator_email : null,
          subject: `Reminder: time to contact ${a.contact_name}`,
          text:
            `Hello ${a.mentor_name},\n\nNo contact with ${a.contact_name} has been registered since ${d.anchor}. ` +
            `Please get in touch and register the activity.\n\n(Reminder ${d.seq}${escalated ? '; your coordinator has been informed' : ''}.)\n`,
          messageId: `<naive-${reminderKey(d.id, d.anchor, d.seq)}@follow-up-reminders>`,
        });
        await pg.query(`UPDATE reminders SET email_status = 'sent', email_attempts = 1, email_sent_at = now() WHERE id = $1`, [r.id]);
        emailsSent += 1;
      }
    }
  } finally {
    await pg.end();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { processed, seconds, perSecond: processed / seconds, timeBoxed, emailsSent };
}

/** `postgresCpu`: CPU seconds of PostgreSQL's processes over the statement (figures from before 2026-12-07 lack it). */
export type SetBasedResult = { reminders: number; notifications: number; seconds: number; perSecond: number; postgresCpu?: number };

/** (c) Every due reminder and its notifications in one statement: what the database alone needs. */
export async function setBasedLowerBound(o: { databaseUrl: string; config: Config; now: Date; runId: number; fencingToken: bigint; emailEnabled: boolean }): Promise<SetBasedResult> {
  const pg = new Client({ connectionString: o.databaseUrl });
  await pg.connect();
  const { firstAfterDays: first, repeatEveryDays: every, escalateAfter } = o.config.rules;
  try {
    const c0 = cpuSnapshot();
    const t0 = performance.now();
    const { rows: [r] } = await pg.query(
      `WITH today AS (SELECT ($1::timestamptz AT TIME ZONE $2)::date AS d),
       due AS (
         SELECT a.id, x.anchor, y.seq, (x.anchor + $3::int + (y.seq - 1) * $4::int) AS due, y.seq >= $5::int AS escalated,
                a.peer_mentor_id, a.coordinator_id, pm.name AS mentor_name, pm.email AS mentor_email, ct.name AS contact_name
           FROM assignments a CROSS JOIN today
          CROSS JOIN LATERAL (SELECT COALESCE(a.last_contact_date, a.assigned_date) AS anchor) x
          CROSS JOIN LATERAL (SELECT 1 + ((today.d - x.anchor) - $3::int) / $4::int AS seq) y
           JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
           JOIN contacts ct ON ct.id = a.contact_id
          WHERE a.status = 'active' AND today.d - x.anchor >= $3::int
            AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.assignment_id = a.id AND r.anchor_date = x.anchor AND r.sequence_number = y.seq)
       ), ins AS (
         INSERT INTO reminders (assignment_id, reminder_key, anchor_date, sequence_number, due_date, escalated, run_id, fencing_token, email_status)
         SELECT id, 'a' || id || '-' || to_char(anchor, 'YYYYMMDD') || '-' || seq, anchor, seq, due, escalated, $6, $7,
                (CASE WHEN $8 AND mentor_email IS NOT NULL THEN 'reserved' ELSE 'not_applicable' END)::email_status
           FROM due
         ON CONFLICT (reminder_key) DO NOTHING
         RETURNING id, assignment_id
       ), notify AS (
         INSERT INTO notifications (reminder_id, recipient_type, recipient_id, title, body)
         SELECT ins.id, 'peer_mentor'::recipient_type, d.peer_mentor_id, 'Time to contact ' || d.contact_name,
                'You have not registered contact with ' || d.contact_name || ' since ' || d.anchor::text
                  || '. Please get in touch and register the activity (reminder ' || d.seq::text || ').'
           FROM ins JOIN due d ON d.id = ins.assignment_id
         UNION ALL
         SELECT ins.id, 'coordinator'::recipient_type, d.coordinator_id, d.mentor_name || ' has not contacted ' || d.contact_name,
                'No contact registered since ' || d.anchor::text || '; ' || d.seq::text || ' reminders have been sent to ' || d.mentor_name || '.'
           FROM ins JOIN due d ON d.id = ins.assignment_id
          WHERE d.escalated AND d.coordinator_id IS NOT NULL
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM ins)::int AS reminders, (SELECT count(*) FROM notify)::int AS notifications`,
      [o.now, o.config.reminderTz, first, every, escalateAfter, o.runId, o.fencingToken.toString(), o.emailEnabled],
    );
    const seconds = (performance.now() - t0) / 1000;
    const postgresCpu = cpuUsage(c0, cpuSnapshot(), []).postgres;
    return { reminders: r.reminders, notifications: r.notifications, seconds, perSecond: r.reminders / seconds, postgresCpu };
  } finally {
    await pg.end();
  }
}
