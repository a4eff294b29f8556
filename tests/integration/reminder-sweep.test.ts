/**
 * The reference for how the daily reminder sweep behaves (the runbook links here).
 * Everything runs against the real PostgreSQL and Redis, with an injected clock.
 *
 * Rules under test (defaults): first reminder after 14 silent days, then every 7 days while the
 * silence lasts; from reminder 3 on the coordinator is notified too. Days are calendar days in
 * Europe/Oslo.
 */
import { addDays, localDate } from '@reminders/core/domain/calendar';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { createAssignment, createSilentAssignments, duplicateKeys, reminderRows, recordFanOut, setProgrammeDelivery } from '../helpers/fixtures';
import { startChildWorker } from '../helpers/child-worker';
import { waitFor } from '../helpers/wait-for';
import { startSmtpSink } from '../helpers/smtp-sink';

const TZ = 'Europe/Oslo';
/** 07:00 in Oslo on the given local date (Oslo is UTC+1 in winter, UTC+2 in summer). */
const osloMorning = (d: string) => new Date(`${d}T07:00:00${Number(d.slice(5, 7)) >= 4 && Number(d.slice(5, 7)) <= 10 ? '+02:00' : '+01:00'}`);

let env: TestEnv;
let h: Harness;

async function freshHarness(opts: Parameters<typeof startHarness>[1] = { now: '2026-11-28T06:00:00Z' }) {
  env = await createTestEnv();
  h = await startHarness(env, opts);
  return h;
}

afterEach(async () => {
  await h?.stop();
  await env?.destroy();
});

describe('who is due', () => {
  const today = '2026-11-28';

  it('reminds exactly the silent active assignments, repeats every 7 days and escalates from reminder 3', async () => {
    await freshHarness({ now: osloMorning(today).toISOString() });
    const p = h.prisma;
    const due14 = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -14) });
    const notDue13 = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -13) });
    const repeat21 = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -21) });
    const escalate28 = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -28) });
    const neverContacted = await createAssignment(p, { assignedDate: addDays(today, -14), lastContactDate: null });
    const closed = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: '2026-02-01', status: 'closed' });
    const paused = await createAssignment(p, { assignedDate: '2026-01-01', lastContactDate: '2026-02-01', status: 'paused' });

    const result = await h.run();
    expect(result).toMatchObject({ status: 'succeeded', error: null });
    expect(result.counts).toMatchObject({ assignmentsEvaluated: 5, remindersEnqueued: 4, remindersSent: 4, remindersSuppressed: 0, remindersFailed: 0 });

    const rows = await reminderRows(p);
    const byAssignment = new Map(rows.map((r) => [r.assignmentId, r]));
    expect([...byAssignment.keys()].sort()).toEqual(
      [due14.assignmentId, repeat21.assignmentId, escalate28.assignmentId, neverContacted.assignmentId].sort(),
    );
    expect(byAssignment.get(due14.assignmentId)).toMatchObject({ sequenceNumber: 1, escalated: false });
    expect(byAssignment.get(repeat21.assignmentId)).toMatchObject({ sequenceNumber: 2, escalated: false });
    expect(byAssignment.get(escalate28.assignmentId)).toMatchObject({ sequenceNumber: 3, escalated: true });
    expect(byAssignment.get(neverContacted.assignmentId)).toMatchObject({ sequenceNumber: 1 });
    for (const id of [notDue13, closed, paused].map((a) => a.assignmentId)) expect(byAssignment.has(id)).toBe(false);
    expect(byAssignment.get(due14.assignmentId)!.reminderKey).toBe(`a${due14.assignmentId}-${addDays(today, -14).replace(/-/g, '')}-1`);

    // Every reminder has the mentor's in-app notification; only the escalated one also tells the coordinator.
    const notes = await p.notification.findMany({ orderBy: { id: 'asc' } });
    expect(notes.filter((n) => n.recipientType === 'peer_mentor')).toHaveLength(4);
    const coordinatorNotes = notes.filter((n) => n.recipientType === 'coordinator');
    expect(coordinatorNotes).toHaveLength(1);
    expect(coordinatorNotes[0]!.recipientId).toBe(escalate28.coordinatorId);

    // A second run the same day (a manual trigger, a catch-up) finds nothing new to send.
    const again = await h.run();
    expect(again.status).toBe('succeeded');
    expect(again.counts?.remindersEnqueued).toBe(0);
    expect(await reminderRows(p)).toHaveLength(4);
  });

  it('repeats while the silence lasts: day 14, 21, 28 (escalated), and nothing in between', async () => {
    const anchor = '2026-11-01';
    await freshHarness({ now: osloMorning(anchor).toISOString() });
    const a = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: anchor });
    const sentOn: Record<string, number> = {};
    for (let d = 0; d <= 30; d++) {
      const day = addDays(anchor, d);
      h.clock.set(osloMorning(day));
      const r = await h.run();
      expect(r.status).toBe('succeeded');
      if (r.counts!.remindersSent) sentOn[day] = r.counts!.remindersSent;
    }
    expect(sentOn).toEqual({ '2026-11-15': 1, '2026-11-22': 1, '2026-11-29': 1 });
    const rows = await reminderRows(h.prisma);
    expect(rows.map((r) => [r.sequenceNumber, r.escalated, r.dueDate.toISOString().slice(0, 10)])).toEqual([
      [1, false, '2026-11-15'],
      [2, false, '2026-11-22'],
      [3, true, '2026-11-29'],
    ]);
    expect(rows.every((r) => r.assignmentId === a.assignmentId)).toBe(true);
  });

  it('catches up a missed day: a reminder due yesterday is sent today, once', async () => {
    const today2 = '2026-11-28';
    await freshHarness({ now: osloMorning(today2).toISOString() });
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today2, -15) });
    const r = await h.run({ trigger: 'catchup' });
    expect(r.counts?.remindersSent).toBe(1);
    const [row] = await reminderRows(h.prisma);
    expect(row).toMatchObject({ sequenceNumber: 1 });
    expect(row!.dueDate.toISOString().slice(0, 10)).toBe(addDays(today2, -1));
    h.clock.set(osloMorning(addDays(today2, 1)));
    expect((await h.run()).counts?.remindersSent).toBe(0);
  });
});

describe('no reminder after contact', () => {
  it('an activity registered before the sweep moves last_contact_date and the sweep sends nothing', async () => {
    await freshHarness({ now: osloMorning('2026-11-28').toISOString() });
    const a = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: '2026-11-01' });
    // Inserted straight into the table, as another service would: the database trigger moves the date.
    await h.prisma.$executeRaw`INSERT INTO activities (assignment_id, activity_type, occurred_at) VALUES (${a.assignmentId}, 'call', '2026-11-27T22:30:00Z')`;
    const after = await h.prisma.assignment.findUniqueOrThrow({ where: { id: a.assignmentId } });
    expect(after.lastContactDate!.toISOString().slice(0, 10)).toBe('2026-11-27'); // 23:30 in Oslo

    const r = await h.run();
    expect(r.counts?.remindersEnqueued).toBe(0);
    expect(await reminderRows(h.prisma)).toHaveLength(0);
  });

  it('contact registered after the fan-out but before dispatch: the dispatch re-checks and skips it', async () => {
    await freshHarness({ now: osloMorning('2026-11-28').toISOString(), startWorkers: false });
    const a = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: '2026-11-01' });
    const running = h.run();
    // The job is enqueued but no dispatch worker runs yet.
    await waitForEnqueued(1);
    await h.prisma.$executeRaw`INSERT INTO activities (assignment_id, activity_type, occurred_at, registration_path, registered_by) VALUES (${a.assignmentId}, 'visit', '2026-11-28T05:00:00Z', 'direct', 'mentor-app')`;
    await h.startWorkers();
    const r = await running;
    expect(r.status).toBe('succeeded');
    expect(r.counts).toMatchObject({ remindersEnqueued: 1, remindersSent: 0, remindersSkipped: 1 });
    expect(await reminderRows(h.prisma)).toHaveLength(0);
  });
});

async function waitForEnqueued(n: number) {
  await waitFor(`${n} dispatch job(s) enqueued`, async () => ((await h.c.queues.dispatch.getJobCounts('waiting', 'delayed', 'active', 'completed', 'prioritized')).waiting ?? 0) >= n);
}

describe('daylight saving time (Europe/Oslo)', () => {
  it.each([
    ['spring forward', '2026-03-29'],
    ['fall back', '2026-10-25'],
  ])('%s on %s neither skips nor doubles a reminder, whatever hour the sweep runs', async (_name, dstDay) => {
    await freshHarness({ now: osloMorning(addDays(dstDay, -5)).toISOString() });
    // Reminders due the day before, on, and after the change.
    const anchors = [-15, -14, -13].map((d) => addDays(dstDay, d));
    for (const anchor of anchors) await createAssignment(h.prisma, { assignedDate: '2025-01-01', lastContactDate: anchor });
    const firstRunOfDay = new Map<string, number>();
    // Three runs every local day: just after midnight, in the morning and just before midnight.
    for (let d = -4; d <= 4; d++) {
      const day = addDays(dstDay, d);
      const midnight = Date.parse(`${day}T00:00:00Z`);
      for (const instant of [midnight - 2 * 3600_000 + 30 * 60_000 + 3600_000, osloMorning(day).getTime(), midnight + 21 * 3600_000 + 30 * 60_000]) {
        h.clock.set(new Date(instant));
        const local = localDate(new Date(instant), TZ);
        const r = await h.run();
        expect(r.status).toBe('succeeded');
        if (!firstRunOfDay.has(local)) firstRunOfDay.set(local, r.runId);
      }
    }
    const rows = await reminderRows(h.prisma);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.dueDate.toISOString().slice(0, 10)).sort()).toEqual([addDays(dstDay, -1), dstDay, addDays(dstDay, 1)]);
    // Each reminder was written by the first run of the local calendar day it was due (the one
    // just after local midnight, which is still the previous day in UTC).
    for (const r of rows) expect(r.runId).toBe(firstRunOfDay.get(r.dueDate.toISOString().slice(0, 10)));
  });
});

describe('overlap, scale-out and crashes', () => {
  const today = '2026-11-28';

  async function finishedRuns() {
    return h.prisma.cronExecutionLog.findMany({ where: { NOT: { status: 'running' } }, orderBy: { id: 'asc' } });
  }

  it('20 triggers at once: one run succeeds, the other 19 are skipped_locked, no duplicate reminder', async () => {
    await freshHarness({ now: osloMorning(today).toISOString() });
    await createSilentAssignments(h.prisma, 300, addDays(today, -20));
    // Two replicas' worth of services racing for the same lock.
    const other = await startHarness(env, { now: osloMorning(today).toISOString() });
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : h).run({ trigger: 'manual', triggeredBy: `op${i}` })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 'succeeded')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'skipped_locked')).toHaveLength(19);
      const log = await h.prisma.cronExecutionLog.findMany();
      expect(log).toHaveLength(20);
      expect(log.filter((r) => r.status === 'skipped_locked').every((r) => r.error === 'another run holds the sweep lock' && r.finishedAt)).toBe(true);
      expect(await reminderRows(h.prisma)).toHaveLength(300);
      expect(await duplicateKeys(h.prisma)).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('two worker processes share the dispatch work; every due assignment gets exactly one reminder', async () => {
    await freshHarness({ now: new Date().toISOString(), startWorkers: false });
    await createSilentAssignments(h.prisma, 1500, addDays(localDate(new Date(), TZ), -20));
    const workers = await Promise.all([
      startChildWorker(env, { WORKER_ID: 'worker-a', DISPATCH_CONCURRENCY: '20' }),
      startChildWorker(env, { WORKER_ID: 'worker-b', DISPATCH_CONCURRENCY: '20' }),
    ]);
    try {
      await h.c.services.ops.trigger({ by: 'test' });
      const [run] = await waitFor('the run to finish', async () => {
        const r = await finishedRuns();
        return r.length ? r : null;
      }, 60_000);
      expect(run).toMatchObject({ status: 'succeeded', remindersEnqueued: 1500, remindersSent: 1500, remindersSuppressed: 0 });
      expect(await reminderRows(h.prisma)).toHaveLength(1500);
      expect(await duplicateKeys(h.prisma)).toBe(0);
      const jobs = await h.c.queues.dispatch.getJobs(['completed'], 0, 2000);
      const byWorker = new Map<string, number>();
      for (const j of jobs) byWorker.set(j.processedBy ?? '?', (byWorker.get(j.processedBy ?? '?') ?? 0) + 1);
      expect([...byWorker.keys()].sort()).toEqual(['worker-a', 'worker-b']);
      for (const n of byWorker.values()) expect(n).toBeGreaterThan(100);
    } finally {
      for (const w of workers) w.proc.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
    }
  });

  it('a worker killed (SIGKILL) mid-run: the next run closes the stale row, sends what was missing, duplicates nothing', async () => {
    await freshHarness({ now: new Date().toISOString(), startWorkers: false });
    const n = 3000;
    await createSilentAssignments(h.prisma, n, addDays(localDate(new Date(), TZ), -20));
    const victim = await startChildWorker(env, { WORKER_ID: 'victim', DISPATCH_CONCURRENCY: '2', LOCK_TTL_MS: '1500' });
    await h.c.services.ops.trigger({ by: 'test' });
    await waitFor('some reminders written', async () => (await h.prisma.reminder.count()) >= 100, 60_000, 10);
    victim.proc.kill('SIGKILL');
    await victim.exited;
    const written = await h.prisma.reminder.count();
    expect(written).toBeLessThan(n);
    const stale = await h.prisma.cronExecutionLog.findFirstOrThrow({ where: { status: 'running' } });
    expect(stale.workerId).toBe('victim');

    // The dead worker's lock expires by its TTL; then the next run proceeds.
    await waitFor('the dead worker\'s lock to expire', async () => (await h.c.services.sweepLock.ttl()) < 0, 10_000);
    await h.startWorkers();
    const next = await h.run({ trigger: 'catchup' });
    expect(next.status).toBe('succeeded');
    const closed = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: stale.id } });
    expect(closed.status).toBe('abandoned');
    expect(closed.error).toMatch(/worker victim stopped before finishing/);
    expect(closed.finishedAt).not.toBeNull();
    expect(await h.prisma.reminder.count()).toBe(n);
    expect(await duplicateKeys(h.prisma)).toBe(0);
    // Each reminder has its notification: nothing was left half-written by the kill.
    const [orphans] = await h.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM reminders r WHERE NOT EXISTS (SELECT 1 FROM notifications x WHERE x.reminder_id = r.id)`;
    expect(Number(orphans!.n)).toBe(0);
  });

  it('SIGTERM: the worker stops taking jobs, finishes in-flight ones and closes its run row', async () => {
    await freshHarness({ now: new Date().toISOString(), startWorkers: false });
    const n = 3000;
    await createSilentAssignments(h.prisma, n, addDays(localDate(new Date(), TZ), -20));
    const w = await startChildWorker(env, { WORKER_ID: 'leaving', DISPATCH_CONCURRENCY: '2' });
    await h.c.services.ops.trigger({ by: 'test' });
    await waitFor('some reminders written', async () => (await h.prisma.reminder.count()) >= 100, 60_000, 10);
    w.proc.kill('SIGTERM');
    const exit = await w.exited;
    expect(exit.code).toBe(0);
    const [run] = await h.prisma.cronExecutionLog.findMany();
    expect(run).toMatchObject({ status: 'failed', workerId: 'leaving' });
    expect(run!.error).toMatch(/shutting down/);
    expect(w.output()).toContain('worker stopped');
    // The lock was released on the way out, so the next run starts at once and completes the rest.
    expect(await h.c.services.sweepLock.ttl()).toBeLessThan(0);
    await h.startWorkers();
    const next = await h.run();
    expect(next.status).toBe('succeeded');
    expect(await h.prisma.reminder.count()).toBe(n);
    expect(await duplicateKeys(h.prisma)).toBe(0);
  });
});

describe('the lock and the fencing token', () => {
  const today = '2026-11-28';

  it('a run whose lock is taken over stops writing; its leftover jobs are fenced and cannot write a reminder', async () => {
    await freshHarness({ now: osloMorning(today).toISOString(), startWorkers: false, overrides: { LOCK_TTL_MS: '1200' } });
    await createSilentAssignments(h.prisma, 50, addDays(today, -20));
    const stale = h.run({ trigger: 'scheduled' });
    await waitForEnqueued(50);
    // Simulate the lock expiring under the run (e.g. a long GC pause): the key vanishes, the next
    // extension fails, and the run must stop and say so.
    await h.redis().del(h.c.services.sweepLock.key);
    const staleResult = await stale;
    expect(staleResult.status).toBe('failed');
    expect(staleResult.error).toMatch(/lock lost/);

    // A newer run takes the lock and a higher fencing token; then the workers start.
    const staleRow = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: staleResult.runId } });
    await h.startWorkers();
    const fresh = await h.run();
    expect(fresh.status).toBe('succeeded');
    const freshRow = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: fresh.runId } });
    expect(freshRow.fencingToken! > staleRow.fencingToken!).toBe(true);
    // The stale run's 50 jobs were processed too, and every one of them was refused.
    await waitFor('the stale jobs to be processed', async () => (await h.c.repositories.runDispatches.unsettled(staleResult.runId)) === 0);
    expect(await h.c.repositories.runDispatches.tally(staleResult.runId)).toEqual({ sent: 0, suppressed: 0, skipped: 50, failed: 0, lost: 0, total: 50, unsettled: 0 });
    const rows = await reminderRows(h.prisma);
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.runId === fresh.runId && r.fencingToken === freshRow.fencingToken)).toBe(true);
  });

  it('a write carrying an old fencing token is refused in the same statement', async () => {
    await freshHarness({ now: osloMorning(today).toISOString() });
    const a = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -14) });
    const log = h.c.repositories.executionLog;
    const old = await log.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'w-old', now: h.clock.now() });
    await log.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'w-new', now: h.clock.now() });
    // The old run had fanned the assignment out before the new one started.
    await recordFanOut(h.prisma, old.runId, a.assignmentId, addDays(today, -14));
    const result = await h.c.services.dispatch.dispatch({ runId: old.runId, assignmentId: a.assignmentId }, true);
    expect(result).toEqual({ outcome: 'skipped', reason: 'fenced: a newer run has started' });
    expect(await reminderRows(h.prisma)).toHaveLength(0);
  });

  it('a running row left by a crashed worker is closed as abandoned by the next run, which then proceeds', async () => {
    await freshHarness({ now: osloMorning(today).toISOString() });
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -14) });
    const crashed = await h.c.repositories.executionLog.startRun({ jobName: 'reminder-sweep', trigger: 'scheduled', workerId: 'gone-1', now: new Date(h.clock.now().getTime() - 3600_000) });
    const r = await h.run();
    expect(r.status).toBe('succeeded');
    expect(r.counts?.remindersSent).toBe(1);
    const row = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: crashed.runId } });
    expect(row.status).toBe('abandoned');
    expect(row.error).toContain(`closed by run ${r.runId}`);
    expect(row.durationMs).toBe(3600_000);
  });

  it('a run that outlives RUN_TIMEOUT_MINUTES is finalised as timed_out', async () => {
    await freshHarness({ now: osloMorning(today).toISOString(), startWorkers: false, overrides: { RUN_TIMEOUT_MINUTES: '30' } });
    await createSilentAssignments(h.prisma, 5, addDays(today, -20));
    const running = h.run();
    await waitForEnqueued(5);
    h.clock.advance(31 * 60_000); // no dispatch worker is running, so the jobs never settle
    const r = await running;
    expect(r.status).toBe('timed_out');
    expect(r.error).toMatch(/exceeded RUN_TIMEOUT_MINUTES \(30 min\) with 5 of 5 reminder jobs unsettled/);
    const row = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: r.runId } });
    expect(row).toMatchObject({ status: 'timed_out', remindersEnqueued: 5, durationMs: 31 * 60_000 });
    expect((await h.prisma.sweepState.findFirstOrThrow()).consecutiveFailures).toBe(1);
  });

  it('a paused sweep writes a skipped_disabled row and sends nothing', async () => {
    await freshHarness({ now: osloMorning(today).toISOString() });
    await createSilentAssignments(h.prisma, 3, addDays(today, -20));
    await h.prisma.sweepState.update({ where: { jobName: 'reminder-sweep' }, data: { enabled: false, pausedBy: 'ops-anna', pauseReason: 'data import' } });
    const r = await h.run({ trigger: 'scheduled' });
    expect(r.status).toBe('skipped_disabled');
    const row = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: r.runId } });
    expect(row).toMatchObject({ status: 'skipped_disabled', trigger: 'scheduled', error: 'paused by ops-anna: data import' });
    expect(await reminderRows(h.prisma)).toHaveLength(0);
  });
});

describe('the execution log row', () => {
  it('holds status, trigger, times, duration, counts and worker', async () => {
    await freshHarness({ now: osloMorning('2026-11-28').toISOString(), overrides: { WORKER_ID: 'worker-7' } });
    await createSilentAssignments(h.prisma, 4, '2026-11-01');
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: '2026-11-27' });
    const r = await h.run({ trigger: 'manual', triggeredBy: 'ops-anna' });
    const row = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: r.runId } });
    expect(row).toMatchObject({
      jobName: 'reminder-sweep',
      trigger: 'manual',
      status: 'succeeded',
      triggeredBy: 'ops-anna',
      workerId: 'worker-7',
      assignmentsEvaluated: 5,
      remindersEnqueued: 4,
      remindersSent: 4,
      remindersSuppressed: 0,
      remindersSkipped: 0,
      remindersFailed: 0,
      error: null,
    });
    expect(row.startedAt.toISOString()).toBe(h.clock.now().toISOString());
    expect(row.finishedAt).not.toBeNull();
    expect(row.durationMs).toBe(0); // the injected clock did not move
    expect(row.fencingToken).toBe(1n);
  });
});

describe('e-mail delivery', () => {
  const today = '2026-11-28';
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  beforeEach(async () => {
    smtp = await startSmtpSink();
  });
  afterEach(async () => {
    await smtp.close();
  });

  it('e-mails the mentor (the coordinator gets an escalation of its own); mentors without an address get the in-app reminder only', async () => {
    await freshHarness({ now: osloMorning(today).toISOString(), overrides: { SMTP_URL: smtp.url } });
    await setProgrammeDelivery(h.prisma, { delivery: 'each' });
    const withEmail = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    const escalated = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -28), mentorEmail: 'max@example.org', coordinatorEmail: 'cora@example.org' });
    const noEmail = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -14), mentorEmail: null });
    const r = await h.run();
    expect(r).toMatchObject({ status: 'succeeded', counts: { remindersSent: 3, remindersFailed: 0 } });
    expect(smtp.received.map((m) => m.to).sort()).toEqual([['max@example.org'], ['mia@example.org']]);
    expect(await h.c.services.digestOutbox.drainOnce()).toMatchObject({ sent: 1 });
    expect(smtp.received.map((m) => m.to)).toContainEqual(['cora@example.org']);
    expect(smtp.received).toHaveLength(3);
    const rows = new Map((await reminderRows(h.prisma)).map((x) => [x.assignmentId, x]));
    expect(rows.get(withEmail.assignmentId)).toMatchObject({ emailStatus: 'sent', emailAttempts: 1 });
    expect(rows.get(escalated.assignmentId)).toMatchObject({ emailStatus: 'sent', emailAttempts: 1, escalated: true });
    expect(rows.get(noEmail.assignmentId)).toMatchObject({ emailStatus: 'not_applicable', emailAttempts: 0 });
    expect(smtp.received[0]!.raw).toMatch(/Message-ID: <a\d+-\d{8}-\d@follow-up-reminders>/i);
  });

  it('a refused e-mail is retried with backoff and sent once; the attempts are recorded', async () => {
    await freshHarness({ now: osloMorning(today).toISOString(), overrides: { SMTP_URL: smtp.url, EMAIL_MAX_ATTEMPTS: '4' } });
    await setProgrammeDelivery(h.prisma, { delivery: 'each' });
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    smtp.refuse(2);
    const r = await h.run();
    expect(r).toMatchObject({ status: 'succeeded', counts: { remindersSent: 1, remindersFailed: 0 } });
    expect(smtp.received).toHaveLength(1);
    const [row] = await reminderRows(h.prisma);
    expect(row).toMatchObject({ emailStatus: 'sent', emailAttempts: 3, emailLastError: null });
    expect(await h.prisma.notification.count()).toBe(1);
  });

  it('an e-mail that keeps failing ends as failed, the run says so, and the in-app reminder still stands', async () => {
    await freshHarness({ now: osloMorning(today).toISOString(), overrides: { SMTP_URL: smtp.url, EMAIL_MAX_ATTEMPTS: '2' } });
    await setProgrammeDelivery(h.prisma, { delivery: 'each' });
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    smtp.refuse(10);
    const r = await h.run();
    expect(r.status).toBe('failed');
    expect(r.error).toBe('1 of 1 reminders failed delivery');
    const [row] = await reminderRows(h.prisma);
    expect(row).toMatchObject({ emailStatus: 'failed', emailAttempts: 2 });
    expect(row!.emailLastError).toMatch(/451/);
    expect(await h.prisma.notification.count()).toBe(1);
  });
});

describe('the job scheduler (the cron)', () => {
  it('is upserted on worker start, read back and verified; a changed cron or time zone updates it on the next start', async () => {
    await freshHarness({ now: new Date().toISOString(), startWorkers: false });
    const first = await h.c.services.schedule.ensure();
    expect(first).toMatchObject({ id: 'reminder-sweep', pattern: '0 7 * * *', tz: 'Europe/Oslo' });
    expect(first.next!.getTime()).toBeGreaterThan(Date.now());
    expect(await h.c.services.schedule.check()).toBeNull();

    const changed = await startHarness(env, { now: new Date().toISOString(), startWorkers: false, overrides: { REMINDER_CRON: '30 6 * * 1-5', REMINDER_TZ: 'America/New_York' } });
    try {
      await changed.c.services.schedule.ensure();
      const s = await h.c.queues.sweep.getJobScheduler('reminder-sweep');
      expect(s).toMatchObject({ pattern: '30 6 * * 1-5', tz: 'America/New_York' });
      expect(await h.c.queues.sweep.getJobSchedulers()).toHaveLength(1);
      // The first configuration now sees a mismatch, which is what the watchdog reports.
      expect(await h.c.services.schedule.check()).toMatch(/pattern is "30 6 \* \* 1-5", expected "0 7 \* \* \*"/);
    } finally {
      await changed.stop();
    }
  });

  it('replicas starting together register exactly one scheduler', async () => {
    await freshHarness({ now: new Date().toISOString(), startWorkers: false });
    const replicas = await Promise.all([1, 2, 3, 4].map(() => startHarness(env, { now: new Date().toISOString(), startWorkers: false })));
    try {
      await Promise.all(replicas.map((r) => r.c.services.schedule.ensure()));
      expect(await h.c.queues.sweep.getJobSchedulers()).toHaveLength(1);
      expect(await h.c.services.schedule.check()).toBeNull();
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });

  it('a missing scheduler is reported', async () => {
    await freshHarness({ now: new Date().toISOString(), startWorkers: false });
    expect(await h.c.services.schedule.check()).toBe('job scheduler reminder-sweep is missing');
  });
});

describe('scheduled runs end to end', () => {
  it('the job scheduler fires the sweep, which writes a scheduled run with its slot time', async () => {
    // A every-second cron (six fields) so the test does not wait for 07:00.
    await freshHarness({ now: new Date().toISOString(), startWorkers: false, sweepWorker: true, overrides: { REMINDER_CRON: '* * * * * *' } });
    h.clock.set(new Date());
    await h.c.services.schedule.ensure();
    await h.startWorkers();
    const run = await waitFor('a scheduled run', () => h.prisma.cronExecutionLog.findFirst({ where: { trigger: 'scheduled', NOT: { status: 'running' } } }), 15_000);
    expect(['succeeded', 'skipped_locked']).toContain(run.status);
    expect(run.scheduledFor).not.toBeNull();
    expect(run.scheduledFor!.getMilliseconds()).toBe(0);
  });
});
