/**
 * Batched dispatch writes (issue 7): concurrent jobs' reminder writes go to the database as one
 * statement, and each job still gets exactly the outcome it would have got writing alone.
 * Real PostgreSQL and Redis, as everywhere else.
 */
import { addDays } from '@reminders/core/domain/calendar';
import { reminderKey } from '@reminders/core/domain/reminder-rules';
import { Pool } from 'pg';
import { createContainer } from '@reminders/core/container';
import { createDispatchPool } from '@reminders/core/db/dispatch-pool';
import { createReminderRepository } from '@reminders/core/repositories/reminder-repository';
import { createReminderSchedulerService } from '@reminders/core/services/reminder-scheduler-service';
import { createLogger } from '@reminders/core/logger';
import type { ReminderWrite, ReminderWriteResult } from '@reminders/core/repositories/reminder-repository';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { createAssignment, createSilentAssignments, duplicateKeys, recordFanOut, setProgrammeDelivery } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait-for';

const today = '2026-11-28';
const JOB = 'reminder-sweep';

let env: TestEnv;
let h: Harness;

beforeEach(async () => {
  env = await createTestEnv();
  h = await startHarness(env, { now: '2026-11-28T06:00:00Z', startWorkers: false });
});

afterEach(async () => {
  await h?.stop();
  await env?.destroy();
});

type Run = { runId: number; fencingToken: bigint };
const startRun = (workerId: string): Promise<Run> =>
  h.c.repositories.executionLog.startRun({ jobName: JOB, trigger: 'manual', workerId, now: h.clock.now() });

/** A dispatch job's whole payload: the run and the assignment. */
const write = (run: Run, assignmentId: number): ReminderWrite => ({ runId: run.runId, assignmentId });
/** What the sweep records before it enqueues jobs: the run fanned these assignments out, seeing this anchor. */
const fanOut = (run: Run, ids: number[], anchor: string) => recordFanOut(h.prisma, run.runId, ids, anchor);

/** Outcomes without the database ids, which differ between two passes over the same writes. */
const shape = (r: ReminderWriteResult | Error) =>
  r instanceof Error ? { error: r.message } : { ...r, ...('reminder' in r ? { reminder: { ...r.reminder, reminderId: 'id' } } : {}) };

async function writtenRows() {
  const reminders = await h.prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT reminder_key, assignment_id, anchor_date::text, sequence_number, due_date::text, escalated, run_id, fencing_token::text, email_status::text
      FROM reminders ORDER BY reminder_key`;
  const notifications = await h.prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT r.reminder_key, n.recipient_type::text, n.recipient_id, n.title, n.body
      FROM notifications n JOIN reminders r ON r.id = n.reminder_id ORDER BY 1, 2`;
  return { reminders, notifications };
}

describe('one statement for many jobs, the same outcome for each', () => {
  it('a batch mixing new, duplicate, fenced, contact-registered, closed and missing assignments gives each row its own outcome', async () => {
    const p = h.prisma;
    const anchor = addDays(today, -14);
    const fresh = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: anchor });
    const escalated = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -28) });
    const alreadyWritten = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: anchor });
    const twiceInBatch = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: anchor });
    const contacted = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -2) });
    const closed = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: anchor, status: 'closed' });
    const staleTarget = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: anchor });

    const notFannedOut = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: anchor });

    const stale = await startRun('w-old');
    await fanOut(stale, [staleTarget.assignmentId], anchor);
    const run = await startRun('w-new');
    await fanOut(run, [fresh.assignmentId, alreadyWritten.assignmentId, twiceInBatch.assignmentId, closed.assignmentId, 999_999], anchor);
    await fanOut(run, [escalated.assignmentId], addDays(today, -28));
    await fanOut(run, [contacted.assignmentId], anchor); // the sweep saw the old anchor; contact came since
    const batch = [
      write(run, fresh.assignmentId),
      write(run, escalated.assignmentId),
      write(run, alreadyWritten.assignmentId),
      write(run, twiceInBatch.assignmentId),
      write(run, twiceInBatch.assignmentId),
      write(run, contacted.assignmentId),
      write(run, closed.assignmentId),
      write(run, 999_999),
      write(stale, staleTarget.assignmentId),
      write(run, notFannedOut.assignmentId), // a job its run never fanned out (forged): writes nothing
    ];
    const repo = h.c.repositories.reminders;
    const prior = () => repo.write(batch[2]!);

    // Reference: every write on its own, one after another.
    expect(await prior()).toMatchObject({ outcome: 'written' });
    const single: (ReminderWriteResult | Error)[] = [];
    for (const w of batch) single.push(await repo.write(w).catch((e: Error) => e));
    const singleRows = await writtenRows();

    // Same starting point, then the whole list as one batch.
    await p.$executeRaw`TRUNCATE notifications, reminders`;
    expect(await prior()).toMatchObject({ outcome: 'written' });
    const batched = await repo.writeMany(batch);

    const email = null;
    // Anchor, sequence, escalation and key come from the database and the rules, never a payload.
    const facts = (a: { assignmentId: number }, anchorDate: string, sequenceNumber = 1) => ({
      reminderId: 'id', key: reminderKey(a.assignmentId, anchorDate, sequenceNumber), anchorDate, sequenceNumber, escalated: sequenceNumber >= 3,
    });
    expect(batched.map(shape)).toEqual([
      { outcome: 'written', reminder: facts(fresh, anchor), email },
      { outcome: 'written', reminder: facts(escalated, addDays(today, -28), 3), email },
      { outcome: 'exists', reminder: facts(alreadyWritten, anchor), runId: run.runId, emailStatus: 'not_applicable', email },
      { outcome: 'written', reminder: facts(twiceInBatch, anchor), email },
      { outcome: 'exists', reminder: facts(twiceInBatch, anchor), runId: run.runId, emailStatus: 'not_applicable', email },
      { outcome: 'skipped', reason: 'contact_registered' },
      { outcome: 'skipped', reason: 'assignment_not_active' },
      { outcome: 'skipped', reason: 'assignment_missing' },
      { outcome: 'fenced' },
      { outcome: 'not_in_run' },
    ]);
    expect(batched.map(shape)).toEqual(single.map(shape));
    expect(await writtenRows()).toEqual(singleRows);

    // The written rows: 4 reminders (one per key), the mentor's notification each, plus the
    // coordinator's for the escalated one; nothing for the refused rows.
    expect(singleRows.reminders).toHaveLength(4);
    expect(singleRows.notifications).toHaveLength(5);
    expect(singleRows.notifications.filter((n) => n.recipient_type === 'coordinator')).toEqual([
      expect.objectContaining({ reminder_key: reminderKey(escalated.assignmentId, addDays(today, -28), 3), recipient_id: escalated.coordinatorId }),
    ]);
    expect(await duplicateKeys(p)).toBe(0);
  });

  it('a stale fencing token refuses the whole batch: nothing written, every job told so', async () => {
    await createSilentAssignments(h.prisma, 20, addDays(today, -20));
    const ids = (await h.prisma.assignment.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id);
    const old = await startRun('w-old');
    await fanOut(old, ids, addDays(today, -20));
    await startRun('w-new'); // takes the next token: `old` is now stale

    const results = await h.c.repositories.reminders.writeMany(ids.map((id) => write(old, id)));
    expect(results).toEqual(ids.map(() => ({ outcome: 'fenced' })));

    // Through the dispatch service, as concurrent jobs: one statement, all refused.
    const dispatch = h.c.services.dispatch;
    const before = dispatch.batchStats().writes.batches;
    const outcomes = await Promise.all(ids.map((id) => dispatch.dispatch(write(old, id), true)));
    expect(outcomes).toEqual(ids.map(() => ({ outcome: 'skipped', reason: 'fenced: a newer run has started' })));
    expect(dispatch.batchStats().writes.batches - before).toBe(1);
    expect(await h.prisma.reminder.count()).toBe(0);
    expect(await h.prisma.notification.count()).toBe(0);
  });

  it('concurrent jobs are grouped: 300 dispatches, a handful of statements, each job its own reminder', async () => {
    await createSilentAssignments(h.prisma, 300, addDays(today, -14));
    const ids = (await h.prisma.assignment.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id);
    const run = await startRun('w-1');
    await fanOut(run, ids, addDays(today, -14));
    const dispatch = h.c.services.dispatch;
    const outcomes = await Promise.all(ids.map((id) => dispatch.dispatch(write(run, id), true)));
    expect(new Set(outcomes.map((o) => o.outcome))).toEqual(new Set(['sent']));
    expect(new Set(outcomes.map((o) => ('reminderId' in o ? o.reminderId : null))).size).toBe(300);
    // A batch holds up to half the worker's concurrency (25 at the default 50).
    const maxBatch = Math.ceil(h.config.dispatchConcurrency / 2);
    expect(dispatch.batchStats().writes).toMatchObject({ batches: Math.ceil(300 / maxBatch), largest: maxBatch });
    expect(await h.prisma.reminder.count()).toBe(300);
    expect(await h.prisma.notification.count()).toBe(300);
  });

  it('two workers writing the same reminders at once, in opposite orders: each written exactly once, no deadlock surfaces', async () => {
    await createSilentAssignments(h.prisma, 400, addDays(today, -14));
    const ids = (await h.prisma.assignment.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id);
    const run = await startRun('w-1');
    await fanOut(run, ids, addDays(today, -14));
    const other = createContainer({ config: h.config, logger: createLogger(h.config), clock: h.clock });
    try {
      const jobs = ids.map((id) => write(run, id));
      const [a, b] = await Promise.all([
        Promise.all(jobs.map((j) => h.c.services.dispatch.dispatch(j, true))),
        Promise.all([...jobs].reverse().map((j) => other.services.dispatch.dispatch(j, true))),
      ]);
      // Same run on both sides, so the loser of each race reads the row as its own run's: "sent".
      expect([...a, ...b].every((o) => o.outcome === 'sent')).toBe(true);
      expect(await h.prisma.reminder.count()).toBe(400);
      expect(await h.prisma.notification.count()).toBe(400);
      expect(await duplicateKeys(h.prisma)).toBe(0);
    } finally {
      await other.close();
    }
  });
});

describe('the e-mail outbox has leases; the run\'s record is the database', () => {
  const emailRepo = () =>
    createReminderRepository(pool, { emailEnabled: true, emailLeaseSeconds: 300, owner: 'w-test' });
  let pool: Pool;
  beforeEach(() => {
    pool = createDispatchPool(env.databaseUrl);
  });
  afterEach(async () => {
    await pool.end();
  });

  async function writtenWithEmail() {
    // Per-reminder delivery: these are the reminder outbox's own leases (digests have theirs).
    await setProgrammeDelivery(h.prisma, { delivery: 'each' });
    const a = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    const run = await startRun('w-1');
    await fanOut(run, [a.assignmentId], addDays(today, -14));
    const repo = emailRepo();
    const w = await repo.write(write(run, a.assignmentId));
    expect(w).toMatchObject({ outcome: 'written', email: { mentorEmail: 'mia@example.org' } });
    return { repo, run, a, id: (w as { reminder: { reminderId: number } }).reminder.reminderId };
  }
  const row = (id: number) => h.prisma.reminder.findUniqueOrThrow({ where: { id } });

  it('two claims of the same e-mail in one batch: only the first gets it; the second sees the live lease', async () => {
    const { repo, run, id } = await writtenWithEmail();
    const [first, second] = await repo.claimEmails([{ reminderId: id, runId: run.runId }, { reminderId: id, runId: run.runId }]);
    expect(first).toEqual({ claimed: true, attempt: 1 });
    expect(second).toMatchObject({ claimed: false, why: 'leased' });
    expect(await row(id)).toMatchObject({ emailStatus: 'reserved', emailAttempts: 1, emailLeaseOwner: 'w-test (run ' + run.runId + ')' });
    expect((await row(id)).emailLeaseUntil!.getTime()).toBeGreaterThan(Date.now() + 290_000);
  });

  it('an expired lease is adopted; the first claimer\'s late marks, sent or failed, are refused', async () => {
    const { repo, run, a, id } = await writtenWithEmail();
    expect(await repo.claimEmail({ reminderId: id, runId: run.runId })).toEqual({ claimed: true, attempt: 1 });
    // The first claimer froze past its lease.
    await h.prisma.$executeRaw`UPDATE reminders SET email_lease_until = now() - interval '1 second' WHERE id = ${id}`;
    expect(await repo.claimEmail({ reminderId: id, runId: run.runId })).toEqual({ claimed: true, attempt: 2 });
    expect(await repo.markEmailSent({ reminderId: id, attempt: 2, runId: run.runId, assignmentId: a.assignmentId, at: h.clock.now() })).toBe(true);
    // The frozen claimer wakes: its failure cannot overwrite `sent`, nor can its own "sent".
    expect(await repo.markEmailFailed({ reminderId: id, attempt: 1, runId: run.runId, assignmentId: a.assignmentId, error: 'late', final: true })).toBe(false);
    expect(await repo.markEmailSent({ reminderId: id, attempt: 1, runId: run.runId, assignmentId: a.assignmentId, at: h.clock.now() })).toBe(false);
    expect(await row(id)).toMatchObject({ emailStatus: 'sent', emailAttempts: 2, emailLastError: null, emailLeaseUntil: null });
    expect(await h.c.repositories.runDispatches.tally(run.runId)).toMatchObject({ sent: 1, failed: 0, total: 1 });
    // Nothing left to claim.
    expect(await repo.claimEmail({ reminderId: id, runId: run.runId })).toEqual({ claimed: false, why: 'done', sentByRunId: run.runId });
  });

  it('a claim is fenced like the write: a stale run or a pause claims nothing', async () => {
    const { repo, run, id } = await writtenWithEmail();
    await h.c.repositories.sweepState.pause(JOB, { by: 'ops', reason: 'incident', until: null, now: h.clock.now() });
    expect(await repo.claimEmail({ reminderId: id, runId: run.runId })).toEqual({ claimed: false, why: 'paused' });
    await h.c.repositories.sweepState.resume(JOB);
    await startRun('w-2');
    expect(await repo.claimEmail({ reminderId: id, runId: run.runId })).toEqual({ claimed: false, why: 'fenced' });
    expect(await row(id)).toMatchObject({ emailStatus: 'reserved', emailAttempts: 0, emailLeaseUntil: null });
  });

  it('a job processed twice is counted once: the counts come from the run\'s dispatch rows', async () => {
    await createSilentAssignments(h.prisma, 250, addDays(today, -14));
    const ids = (await h.prisma.assignment.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((x) => x.id);
    const run = await startRun('w-1');
    await fanOut(run, ids, addDays(today, -14));
    const dispatch = h.c.services.dispatch;
    await Promise.all([...ids.map((id) => dispatch.dispatch(write(run, id), true)), ...ids.slice(0, 50).map((id) => dispatch.dispatch(write(run, id), true))]);
    expect(await h.c.repositories.runDispatches.tally(run.runId)).toEqual({ sent: 250, suppressed: 0, skipped: 0, failed: 0, lost: 0, total: 250, unsettled: 0 });
    expect(await h.prisma.reminder.count({ where: { runId: run.runId } })).toBe(250);
  });
});

describe('the write path stays linear as the reminders table grows', () => {
  /** Writes 400 reminders in batches of 25 on `pool`, closes it, and returns how reminders was scanned meanwhile. */
  async function scansWhileWriting(pool: Pool, run: Run, ids: number[]) {
    const stats = async () => {
      const [r] = await h.prisma.$queryRaw<{ seq: bigint; idx: bigint }[]>`
        SELECT seq_scan AS seq, idx_scan AS idx FROM pg_stat_user_tables WHERE relname = 'reminders'`;
      return { seq: Number(r!.seq), idx: Number(r!.idx ?? 0) };
    };
    const before = await stats();
    const repo = createReminderRepository(pool, { emailEnabled: false, emailLeaseSeconds: 300, owner: 'w-test' });
    for (let i = 0; i < ids.length; i += 25) {
      await repo.writeMany(ids.slice(i, i + 25).map((id) => write(run, id)));
    }
    await pool.end(); // a backend reports its table statistics when it exits
    const after = await waitFor('the writer backend to report its scans', async () => {
      const s = await stats();
      return s.idx > before.idx ? s : null;
    });
    return { seqScans: after.seq - before.seq };
  }

  it('foreign-key checks use the primary key even when reminders was analysed empty (no quadratic first run)', async () => {
    await createSilentAssignments(h.prisma, 800, addDays(today, -14));
    const ids = (await h.prisma.assignment.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id);
    const run = await startRun('w-1');
    await fanOut(run, ids, addDays(today, -14));
    // The trap: statistics say the table is empty (a new installation, the run after a purge), so
    // each connection caches a sequential-scan plan for the notifications -> reminders check.
    await h.prisma.$executeRawUnsafe('ANALYZE reminders');
    const plain = await scansWhileWriting(new Pool({ connectionString: env.databaseUrl, max: 1 }), run, ids.slice(0, 400));
    expect(plain.seqScans).toBeGreaterThan(100); // what the dispatch pool avoids: one scan per notification

    await h.prisma.$executeRaw`TRUNCATE notifications, reminders`;
    await h.prisma.$executeRawUnsafe('ANALYZE reminders');
    const dispatch = await scansWhileWriting(createDispatchPool(env.databaseUrl, { max: 1 }), run, ids.slice(400));
    expect(dispatch.seqScans).toBe(0);
  });
});

describe('the write and its foreign-key checks are planned once per connection', () => {
  /** Planner runs on the dispatch pool's connection while `ids` are written in batches of 100 (superuser's log_planner_stats). */
  async function plannerRunsWhileWriting(run: Run, ids: number[]) {
    const pool = createDispatchPool(env.databaseUrl, { max: 1, extraOptions: '-c log_planner_stats=on -c client_min_messages=log' });
    let plans = 0;
    pool.on('connect', (client) => client.on('notice', (n) => (plans += /PLANNER STATISTICS/.test(n.message ?? '') ? 1 : 0)));
    try {
      const repo = createReminderRepository(pool, { emailEnabled: false, emailLeaseSeconds: 300, owner: 'w-test' });
      let written = 0;
      for (let i = 0; i < ids.length; i += 100) {
        for (const r of await repo.writeMany(ids.slice(i, i + 100).map((id) => write(run, id)))) written += !(r instanceof Error) && r.outcome === 'written' ? 1 : 0;
      }
      return { plans, written };
    } finally {
      await pool.end();
    }
  }

  it('writing 600 reminders in six batches plans a handful of times: the statement once, each foreign-key check once', async () => {
    // Until 2026-12-07 the session's plan_cache_mode = force_custom_plan planned the write for
    // every batch and replanned every foreign-key check, 3 per reminder: 1,806 planner runs here.
    await createSilentAssignments(h.prisma, 600, addDays(today, -14));
    const ids = (await h.prisma.assignment.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id);
    const run = await startRun('w-1');
    await fanOut(run, ids, addDays(today, -14));
    const { plans, written } = await plannerRunsWhileWriting(run, ids);
    expect(written).toBe(600);
    expect(plans).toBeGreaterThanOrEqual(1);
    expect(plans).toBeLessThanOrEqual(10);
  });
});

describe('a fan-out page is the next active assignments by id, judged', () => {
  it('judges `limit` active assignments whatever share of them is due, records the due ones and says where it stopped', async () => {
    await createSilentAssignments(h.prisma, 30, addDays(today, -20));
    const ids = (await h.prisma.assignment.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id);
    // Two of every three were contacted yesterday (not due); one is closed (not judged at all).
    await h.prisma.assignment.updateMany({ where: { id: { in: ids.filter((_, i) => i % 3 !== 0) } }, data: { lastContactDate: new Date(`${addDays(today, -1)}T00:00:00Z`) } });
    await h.prisma.assignment.update({ where: { id: ids[3]! }, data: { status: 'closed' } });
    const run = await startRun('w-1');
    const page = (afterId: number) => h.c.repositories.runDispatches.fanOutPage({ runId: run.runId, now: h.clock.now(), programmeId: null, emailEnabled: false, afterId, limit: 10 });
    const active = ids.filter((_, i) => i !== 3);
    const first = await page(0);
    expect(first).toEqual({ scanned: 10, lastId: active[9], ids: active.slice(0, 10).filter((id) => ids.indexOf(id) % 3 === 0) });
    const rest = [await page(first.lastId!), await page(active[19]!)];
    expect(rest.map((p) => p.scanned)).toEqual([10, 9]);
    expect([first, ...rest].flatMap((p) => p.ids)).toEqual(active.filter((id) => ids.indexOf(id) % 3 === 0));
    expect(await page(active[28]!)).toEqual({ scanned: 0, lastId: null, ids: [] });
  });
});

describe('the fan-out keeps a bounded backlog in Redis', () => {
  it('stops adding jobs while maxBacklog wait in the queue and carries on as workers drain it', async () => {
    await createSilentAssignments(h.prisma, 60, addDays(today, -20));
    const scheduler = createReminderSchedulerService({
      dueAssignments: h.c.repositories.dueAssignments,
      runDispatches: h.c.repositories.runDispatches,
      dispatchQueue: h.c.queues.dispatch,
      pageSize: 10,
      maxAttempts: 1,
      retryBackoffMs: 5,
      maxBacklog: 25,
      backlogPollMs: 10,
    });
    const run = await startRun('w-1');
    let enqueued = 0;
    let peakWaiting = 0;
    const sweeping = scheduler.sweep({ runId: run.runId, now: h.clock.now(), programmeId: null, shouldStop: () => false, onProgress: (n) => void (enqueued = n) });
    const watch = setInterval(() => void h.c.queues.dispatch.getWaitingCount().then((n) => (peakWaiting = Math.max(peakWaiting, n))), 5);
    try {
      // No worker is running: two pages fit under 25, the third would not.
      await waitFor('two pages enqueued', () => enqueued === 20);
      for (let i = 0; i < 10; i++) {
        expect(await h.c.queues.dispatch.getWaitingCount()).toBe(20);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(enqueued).toBe(20);
      await h.startWorkers();
      expect(await sweeping).toEqual({ enqueued: 60, stopped: false });
      await waitFor('every reminder written', async () => (await h.prisma.reminder.count()) === 60);
      expect(peakWaiting).toBeLessThanOrEqual(25);
    } finally {
      clearInterval(watch);
    }
  });
});

describe("a large run's dispatch records are read by primary key", () => {
  /** Writes `ids` in batches of 25 through the dispatch pool; how often each run_dispatches index was scanned meanwhile. */
  async function indexScansWhileWriting(run: Run, ids: number[]) {
    const stats = async () => {
      const rows = await h.prisma.$queryRaw<{ name: string; n: bigint }[]>`
        SELECT indexrelname AS name, idx_scan AS n FROM pg_stat_user_indexes WHERE relname = 'run_dispatches'`;
      return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
    };
    const before = await stats();
    const pool = createDispatchPool(env.databaseUrl, { max: 1 });
    const repo = createReminderRepository(pool, { emailEnabled: false, emailLeaseSeconds: 300, owner: 'w-test' });
    for (let i = 0; i < ids.length; i += 25) await repo.writeMany(ids.slice(i, i + 25).map((id) => write(run, id)));
    await pool.end(); // a backend reports its index statistics when it exits
    const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
    const after = await waitFor('the writer backend to report its scans', async () => {
      const s = await stats();
      return total(s) > total(before) ? s : null;
    });
    return { byRunAndOutcome: after.run_dispatches_outcome_run_id_idx! - before.run_dispatches_outcome_run_id_idx!, byKey: after.run_dispatches_pkey! - before.run_dispatches_pkey! };
  }

  it('planned on statistics from before the run or refreshed during it, the write reads the run\'s records by key only', async () => {
    // Until 2026-12-07 a plan made on statistics from before the run read every unsettled record
    // of the run per batch through (run_id, outcome), and only refreshed statistics avoided it.
    await createSilentAssignments(h.prisma, 8000, addDays(today, -14));
    const ids = (await h.prisma.assignment.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id);
    // The statistics a new run meets: run_dispatches as it was before the run (here: empty).
    await h.prisma.$executeRawUnsafe('ANALYZE run_dispatches');
    const run = await startRun('w-1');
    await fanOut(run, ids, addDays(today, -14));
    const stale = await indexScansWhileWriting(run, ids.slice(0, 300));
    await h.c.repositories.runDispatches.refreshStatistics();
    const refreshed = await indexScansWhileWriting(run, ids.slice(300, 600));
    for (const scans of [stale, refreshed]) {
      expect(scans.byRunAndOutcome).toBe(0);
      expect(scans.byKey).toBeGreaterThanOrEqual(300);
    }
  });

  it('the fan-out refreshes the statistics once a run is large, and again each time it has grown four times; never for a small one', async () => {
    await createSilentAssignments(h.prisma, 100, addDays(today, -20));
    const refreshed: number[] = [];
    let enqueued = 0;
    const scheduler = (statsRefreshAt?: number) =>
      createReminderSchedulerService({
        dueAssignments: h.c.repositories.dueAssignments,
        runDispatches: { ...h.c.repositories.runDispatches, refreshStatistics: async () => void refreshed.push(enqueued) },
        dispatchQueue: h.c.queues.dispatch,
        pageSize: 10,
        maxAttempts: 1,
        retryBackoffMs: 5,
        statsRefreshAt,
      });
    const large = await startRun('w-1');
    await scheduler(20).sweep({ runId: large.runId, now: h.clock.now(), programmeId: null, shouldStop: () => false, onProgress: (n) => void (enqueued = n) });
    // Called before onProgress reports the page, so each entry is the total before that page.
    expect(refreshed).toEqual([10, 70]);
    expect(enqueued).toBe(100);

    await h.c.queues.dispatch.obliterate({ force: true });
    refreshed.length = 0;
    await h.c.repositories.executionLog.finish(large.runId, { status: 'succeeded', now: h.clock.now(), counts: {} });
    const small = await startRun('w-1');
    await scheduler().sweep({ runId: small.runId, now: h.clock.now(), programmeId: null, shouldStop: () => false });
    expect(refreshed).toEqual([]);
  });
});
