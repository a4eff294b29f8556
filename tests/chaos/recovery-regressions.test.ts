/**
 * Deterministic versions of two bugs the chaos suite found (see docs/reliability.md), against the
 * real Postgres, Redis and an in-process SMTP server:
 *  - an e-mail that failed through every retry (SMTP down) was never sent, because the next run
 *    skips assignments that already have their reminder row: now the next run adopts it;
 *  - a run frozen past its lock TTL, whose row the newer run had closed as abandoned, still
 *    recorded its late "failed" (failure counter, consecutive_failures alert) after the newer run
 *    had succeeded: now its outcome is not recorded.
 */
import type { RedlockAbortSignal } from '@sesamecare-oss/redlock';
import { addDays } from '@reminders/core/domain/calendar';
import type { SweepLock } from '@reminders/core/lock';
import { createSweepRunService, type RunResult } from '@reminders/core/services/sweep-run-service';
import { createAssignment, createSilentAssignments, reminderRows, setProgrammeDelivery } from '../helpers/fixtures';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { startSmtpSink } from '../helpers/smtp-sink';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { waitFor } from '../helpers/wait-for';

const TODAY = '2026-11-28';
const MORNING = '2026-11-28T06:00:00Z'; // 07:00 in Oslo

let env: TestEnv;
let h: Harness;

afterEach(async () => {
  await h?.stop();
  await env?.destroy();
});

it('an e-mail that failed through every retry is sent by the next run, once', async () => {
  const smtp = await startSmtpSink();
  try {
    env = await createTestEnv();
    h = await startHarness(env, { now: MORNING, overrides: { SMTP_URL: smtp.url, EMAIL_MAX_ATTEMPTS: '2', ALERT_FAILURE_THRESHOLD: '1' } });
    // One e-mail per reminder, sent by the run (digests have their own retries: digest-delivery.test.ts).
    await setProgrammeDelivery(h.prisma, { delivery: 'each' });
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(TODAY, -14), mentorEmail: 'mia@example.org' });
    // Contact registered after the failed run: that reminder's e-mail must not be re-sent.
    const contacted = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(TODAY, -15), mentorEmail: 'max@example.org' });
    smtp.refuse(100);
    const down = await h.run();
    expect(down).toMatchObject({ status: 'failed', error: '2 of 2 reminders failed delivery' });
    expect((await reminderRows(h.prisma)).map((r) => r.emailStatus)).toEqual(['failed', 'failed']);

    smtp.refuse(0);
    await h.prisma.$executeRaw`INSERT INTO activities (assignment_id, activity_type, occurred_at) VALUES (${contacted.assignmentId}, 'call', '2026-11-28T05:00:00Z')`;
    h.clock.advance(3600_000);
    const back = await h.run();
    expect(back).toMatchObject({ status: 'succeeded', counts: { remindersEnqueued: 1, remindersSent: 1, remindersFailed: 0 } });
    expect(smtp.received.map((m) => m.to)).toEqual([['mia@example.org']]);
    const rows = new Map((await reminderRows(h.prisma)).map((r) => [r.assignmentId, r]));
    expect(rows.get(contacted.assignmentId)).toMatchObject({ emailStatus: 'failed', emailAttempts: 2 });
    expect([...rows.values()].find((r) => r.assignmentId !== contacted.assignmentId)).toMatchObject({ emailStatus: 'sent', emailAttempts: 3, runId: down.runId });
    expect(await h.prisma.notification.count()).toBe(2);

    // Delivered now: later runs leave it alone.
    const again = await h.run();
    expect(again.counts).toMatchObject({ remindersEnqueued: 0 });
    expect(smtp.received).toHaveLength(1);
  } finally {
    await smtp.close();
  }
});

it('a run that finishes after a newer run closed its row records no outcome and raises no alert', async () => {
  env = await createTestEnv();
  h = await startHarness(env, { now: MORNING, startWorkers: false, overrides: { ALERT_FAILURE_THRESHOLD: '1' } });
  await createSilentAssignments(h.prisma, 5, addDays(TODAY, -20));
  const c = h.c;
  // The stale run's lock is one whose loss the test decides (as a frozen process would find out).
  const lost = new AbortController();
  const staleLock: SweepLock = {
    key: 'test-stale-lock',
    withLock: async (routine) => ({ acquired: true, value: await routine(lost.signal as RedlockAbortSignal, async () => undefined) }),
    status: async () => ({ held: true, ttlMs: 1000, holder: null }),
    ttl: async () => 1000,
    forceRelease: async () => true,
  };
  const finished: RunResult[] = [];
  const stale = createSweepRunService({
    jobName: 'reminder-sweep',
    workerId: 'frozen',
    lock: staleLock,
    executionLog: c.repositories.executionLog,
    sweepState: c.repositories.sweepState,
    scheduler: c.services.scheduler,
    runDispatches: c.repositories.runDispatches,
    clock: h.clock,
    logger: c.logger,
    runTimeoutMs: 3600_000,
    blastRadius: h.config.blastRadius,
    pollMs: 20,
    onFinished: async (r) => void finished.push(r),
  });
  const staleRun = stale.run({ trigger: 'scheduled' });
  await waitFor('the stale run to fan out', async () => (await c.queues.dispatch.getJobCounts('waiting')).waiting === 5);
  // The newer run takes over (no worker runs yet, so nothing settles): it closes the stale row.
  const newerRun = h.run();
  await waitFor('the newer run to close the stale row', async () => (await h.prisma.cronExecutionLog.findFirst({ where: { workerId: 'frozen' } }))?.status === 'abandoned');
  // The frozen process wakes up and finds its lock gone.
  lost.abort(new Error('lock extension failed'));
  const late = await staleRun;
  expect(late).toMatchObject({ status: 'abandoned', superseded: true });
  // Its jobs' rows were settled by the newer run when it closed the row, so the stale run may
  // have stopped waiting before it noticed the lost lock: either way its outcome is not recorded.
  expect(late.error).toMatch(/^superseded by a newer run; this run would have ended (failed: lock lost|succeeded)/);
  expect(finished).toEqual([]);
  const row = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: late.runId } });
  expect(row.status).toBe('abandoned');
  expect(row.error).toMatch(/closed by run/);

  await h.startWorkers();
  const newer = await newerRun;
  expect(newer.status).toBe('succeeded');
  expect(newer.counts?.remindersSent).toBe(5);
  // The stale run's jobs were all refused by the fencing token.
  await waitFor('the stale jobs to be processed', async () => (await c.repositories.runDispatches.unsettled(late.runId)) === 0);
  expect(await c.repositories.runDispatches.tally(late.runId)).toMatchObject({ sent: 0, skipped: 5, total: 5 });
  expect((await h.prisma.sweepState.findFirstOrThrow()).consecutiveFailures).toBe(0);
  expect(await h.prisma.alert.count({ where: { kind: 'consecutive_failures' } })).toBe(0);
  expect(await reminderRows(h.prisma)).toHaveLength(5);
});
