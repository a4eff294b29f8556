/**
 * Alerting and the watchdog, with an injected clock, a local webhook receiver and a local SMTP
 * server: each alert fires exactly when it should, once per incident, and recovery is announced.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { createAssignment, createSilentAssignments, reminderRows } from '../helpers/fixtures';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { startSmtpSink } from '../helpers/smtp-sink';
import { waitFor } from '../helpers/wait-for';
import { createAlertService } from '@reminders/core/services/alert-service';
import { createWebhookAlertChannel } from '@reminders/core/channels/alert-channels';
import { addDays } from '@reminders/core/domain/calendar';

let env: TestEnv;
let h: Harness;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

const MORNING = '2026-11-28T06:00:00Z'; // 07:00 in Oslo

beforeEach(async () => {
  env = await createTestEnv();
  hook = await startWebhookReceiver();
  smtp = await startSmtpSink();
});

afterEach(async () => {
  await h?.stop();
  await hook.close();
  await smtp.close();
  await env.destroy();
});

async function harness(overrides: Record<string, string> = {}, opts: { startWorkers?: boolean; sweepWorker?: boolean } = {}) {
  h = await startHarness(env, {
    now: MORNING,
    // These tests move the clock hours at a time, far past the in-process workers' heartbeats (taken
    // on that clock every 10 real seconds): no_workers is not their subject (worker-presence.test.ts).
    overrides: { ALERT_WEBHOOK_URL: hook.url, SMTP_URL: smtp.url, ALERT_EMAIL_TO: 'oncall@example.org', WORKER_ABSENT_ALERT_MINUTES: '1440', ...overrides },
    ...opts,
  });
  return h;
}

/** Makes the next runs fail for a reason an operator would recognise: the assignments table is gone. */
const breakDatabase = () => h.prisma.$executeRawUnsafe('ALTER TABLE assignments RENAME TO assignments_moved');
const repairDatabase = () => h.prisma.$executeRawUnsafe('ALTER TABLE assignments_moved RENAME TO assignments');

describe('consecutive failures and recovery', () => {
  it('alerts once when the counter reaches the threshold, not again for the same streak, and announces recovery', async () => {
    await harness({ ALERT_FAILURE_THRESHOLD: '3' });
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: '2026-11-01' });
    await breakDatabase();
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await h.run()).status);
    expect(statuses).toEqual(['failed', 'failed']);
    expect(hook.received).toHaveLength(0);

    expect((await h.run()).status).toBe('failed'); // third failure: the alert
    expect(hook.kinds()).toEqual(['consecutive_failures']);
    expect(hook.received[0]!.text).toMatch(/failed 3 times in a row/);
    expect(smtp.received.map((m) => m.to)).toEqual([['oncall@example.org']]);

    expect((await h.run()).status).toBe('failed'); // fourth: same incident, no new alert
    expect(hook.kinds()).toEqual(['consecutive_failures']);
    expect((await h.prisma.sweepState.findFirstOrThrow()).consecutiveFailures).toBe(4);

    await repairDatabase();
    const ok = await h.run();
    expect(ok.status).toBe('succeeded');
    expect(hook.kinds()).toEqual(['consecutive_failures', 'recovered']);
    expect((await h.prisma.sweepState.findFirstOrThrow()).consecutiveFailures).toBe(0);
    const stored = await h.prisma.alert.findMany({ orderBy: { id: 'asc' } });
    expect(stored.map((a) => [a.kind, a.incidentKey, a.deliveredAt !== null])).toEqual([
      ['consecutive_failures', stored[0]!.incidentKey, true],
      ['recovered', stored[0]!.incidentKey, true],
    ]);

    // A new streak after recovery is a new incident.
    await breakDatabase();
    for (let i = 0; i < 3; i++) await h.run();
    expect(hook.kinds()).toEqual(['consecutive_failures', 'recovered', 'consecutive_failures']);
  });

  it('a success with no alerted streak before it sends no recovery', async () => {
    await harness({ ALERT_FAILURE_THRESHOLD: '3' });
    await breakDatabase();
    await h.run();
    await repairDatabase();
    await h.run();
    expect(hook.received).toHaveLength(0);
  });

  it('a failing alert channel never fails a run; the delivery is recorded and retried by the watchdog', async () => {
    await harness({ ALERT_FAILURE_THRESHOLD: '1', ALERT_EMAIL_TO: '', SMTP_URL: '' });
    hook.fail(100);
    await breakDatabase();
    const r = await h.run();
    expect(r.status).toBe('failed');
    const [alert] = await h.prisma.alert.findMany();
    expect(alert).toMatchObject({ kind: 'consecutive_failures', deliveredAt: null, deliveryAttempts: 3 });
    expect(alert!.lastError).toMatch(/webhook answered 500/);
    hook.fail(0);
    await repairDatabase();
    await h.c.services.watchdog.tick();
    expect(hook.kinds()).toContain('consecutive_failures');
    expect((await h.prisma.alert.findUniqueOrThrow({ where: { id: alert!.id } })).deliveredAt).not.toBeNull();
  });
});

describe('alert delivery', () => {
  it('retries a refused webhook and records the attempts', async () => {
    await harness();
    const service = createAlertService({
      alerts: h.c.repositories.alerts,
      channels: [createWebhookAlertChannel({ url: hook.url })],
      clock: h.clock,
      logger: h.c.logger,
      sleep: async () => undefined,
    });
    hook.fail(2);
    expect(await service.raise({ kind: 'long_run', incidentKey: 'run-1', title: 'Long', text: 'still going' })).toBe(true);
    expect(await service.raise({ kind: 'long_run', incidentKey: 'run-1', title: 'Long', text: 'still going' })).toBe(false);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({ text: expect.stringContaining('Long'), kind: 'long_run', details: { incident: 'run-1' } });
    const [row] = await h.prisma.alert.findMany();
    expect(row).toMatchObject({ deliveryAttempts: 3, lastError: null });
  });
});

describe('long runs', () => {
  it('raises long_run while the run is still going, once', async () => {
    await harness({ ALERT_MAX_RUN_MINUTES: '30' }, { startWorkers: false });
    await createSilentAssignments(h.prisma, 3, '2026-11-01');
    const running = h.run(); // no dispatch worker: the run waits for its jobs
    await waitFor('the run to be waiting', async () => (await h.prisma.cronExecutionLog.count({ where: { status: 'running', remindersEnqueued: 3 } })) === 1);
    h.clock.advance(29 * 60_000);
    expect((await h.c.services.watchdog.tick()).longRuns).toEqual([]);
    h.clock.advance(2 * 60_000);
    const report = await h.c.services.watchdog.tick();
    expect(report.longRuns).toHaveLength(1);
    await h.c.services.watchdog.tick();
    // (The injected clock runs ahead of Redis, so the watchdog also reports the scheduler; not this test's subject.)
    expect(hook.kinds().filter((k) => k === 'long_run')).toHaveLength(1);
    expect(hook.received.find((r) => r.kind === 'long_run')!.text).toMatch(/running for 31 minutes/);
    await h.startWorkers();
    expect((await running).status).toBe('succeeded');
  });
});

describe('missed runs', () => {
  it('a scheduled slot with no run is detected after the grace period and caught up exactly once', async () => {
    await harness({ MISSED_RUN_GRACE_MINUTES: '15' }, { sweepWorker: true });
    await h.c.services.schedule.ensure();
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: '2026-11-01' });
    h.clock.set('2026-11-27T12:00:00Z'); // the watchdog starts watching here
    expect((await h.c.services.watchdog.tick()).missedSlots).toEqual([]);
    h.clock.set('2026-11-28T06:10:00Z'); // 07:10 Oslo: inside the grace period
    expect((await h.c.services.watchdog.tick()).missedSlots).toEqual([]);
    h.clock.set('2026-11-28T06:20:00Z'); // 07:20: the 07:00 slot has no run
    const report = await h.c.services.watchdog.tick();
    expect(report.missedSlots).toEqual(['2026-11-28T06:00:00.000Z']);
    expect(report.catchUps).toEqual(['2026-11-28T06:00:00.000Z']);
    const run = await waitFor('the catch-up run', () => h.prisma.cronExecutionLog.findFirst({ where: { trigger: 'catchup', NOT: { status: 'running' } } }));
    expect(run).toMatchObject({ status: 'succeeded', remindersSent: 1, triggeredBy: 'watchdog' });
    expect(run.scheduledFor!.toISOString()).toBe('2026-11-28T06:00:00.000Z');
    // The next ticks see the slot covered: no second alert, no second catch-up.
    h.clock.set('2026-11-28T06:30:00Z');
    expect((await h.c.services.watchdog.tick()).missedSlots).toEqual([]);
    expect(hook.kinds()).toEqual(['missed_run']);
    expect(await h.prisma.cronExecutionLog.count({ where: { trigger: 'catchup' } })).toBe(1);
    expect(await reminderRows(h.prisma)).toHaveLength(1);
  });

  it('a scheduled run that failed gets exactly one catch-up run', async () => {
    await harness({ MISSED_RUN_GRACE_MINUTES: '15' }, { sweepWorker: true });
    await h.c.services.schedule.ensure();
    await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: '2026-11-01' });
    h.clock.set('2026-11-27T12:00:00Z');
    await h.c.services.watchdog.tick();
    h.clock.set('2026-11-28T06:00:00Z');
    await breakDatabase();
    const failed = await h.run({ trigger: 'scheduled', scheduledFor: new Date('2026-11-28T06:00:00Z') });
    expect(failed.status).toBe('failed');
    await repairDatabase();
    h.clock.set('2026-11-28T06:20:00Z');
    expect((await h.c.services.watchdog.tick()).catchUps).toEqual(['2026-11-28T06:00:00.000Z']);
    const run = await waitFor('the catch-up run', () => h.prisma.cronExecutionLog.findFirst({ where: { trigger: 'catchup', NOT: { status: 'running' } } }));
    expect(run).toMatchObject({ status: 'succeeded', remindersSent: 1 });
    h.clock.set('2026-11-28T06:40:00Z');
    expect((await h.c.services.watchdog.tick()).missedSlots).toEqual([]);
    expect(await h.prisma.cronExecutionLog.count({ where: { trigger: 'catchup' } })).toBe(1);
  });

  it('MISSED_RUN_POLICY=alert only alerts', async () => {
    await harness({ MISSED_RUN_POLICY: 'alert' });
    await h.c.services.schedule.ensure();
    h.clock.set('2026-11-27T12:00:00Z');
    await h.c.services.watchdog.tick();
    h.clock.set('2026-11-28T08:00:00Z');
    const report = await h.c.services.watchdog.tick();
    expect(report.missedSlots).toHaveLength(1);
    expect(report.catchUps).toEqual([]);
    const queued = await h.c.queues.sweep.getJobs(['waiting', 'delayed', 'active', 'completed']);
    expect(queued.filter((j) => j.id?.startsWith('catchup'))).toEqual([]);
    expect(JSON.stringify(hook.received.find((r) => r.kind === 'missed_run'))).toMatch(/MISSED_RUN_POLICY=alert: trigger a run by hand/);
  });
});

describe('the job scheduler', () => {
  it('a missing scheduler raises scheduler_missing once per day and is re-registered', async () => {
    // The clock stays at the harness's fixed MORNING: BullMQ computes the scheduler's `next` from
    // the real time, which is always later, so the check holds on any date (a clock set to the
    // real time drifted away from the harness's worker heartbeats and raised no_workers too).
    await harness();
    const report = await h.c.services.watchdog.tick();
    expect(report.scheduleProblem).toBe('job scheduler reminder-sweep is missing');
    expect(await h.c.services.schedule.check()).toBeNull();
    await h.c.queues.sweep.removeJobScheduler('reminder-sweep');
    await h.c.services.watchdog.tick();
    expect(hook.kinds()).toEqual(['scheduler_missing']);
  });
});

describe('pauses', () => {
  it('a pause with an end time is resumed when it passes, and audited', async () => {
    await harness();
    await h.c.services.ops.pause({ by: 'ops-anna', reason: 'maintenance', until: new Date('2026-11-28T08:00:00Z') });
    h.clock.set('2026-11-28T07:59:00Z');
    expect((await h.c.services.watchdog.tick()).resumed).toBe(false);
    h.clock.set('2026-11-28T08:01:00Z');
    expect((await h.c.services.watchdog.tick()).resumed).toBe(true);
    expect((await h.prisma.sweepState.findFirstOrThrow()).enabled).toBe(true);
    const audit = await h.prisma.adminAuditLog.findMany({ orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ['ops-anna', 'sweep.pause'],
      ['system:auto-resume', 'sweep.resume'],
    ]);
  });

  it('an open-ended pause older than ALERT_PAUSE_MAX_HOURS raises pause_overdue once', async () => {
    await harness({ ALERT_PAUSE_MAX_HOURS: '24' });
    await h.c.services.ops.pause({ by: 'ops-anna', reason: 'bad import' });
    h.clock.advance(23 * 3600_000);
    expect((await h.c.services.watchdog.tick()).pauseOverdue).toBe(false);
    h.clock.advance(2 * 3600_000);
    expect((await h.c.services.watchdog.tick()).pauseOverdue).toBe(true);
    await h.c.services.watchdog.tick();
    expect(hook.kinds().filter((k) => k === 'pause_overdue')).toHaveLength(1);
  });
});

describe('the blast-radius guard', () => {
  async function history(runs: number, perRun: number) {
    for (let i = 0; i < runs; i++) {
      await createSilentAssignments(h.prisma, perRun, addDays('2026-11-28', -20));
      expect((await h.run()).status).toBe('succeeded');
    }
  }

  it('a run with ten times the usual due count holds, alerts and sends nothing until confirmed', async () => {
    await harness({ BLAST_RADIUS_FLOOR: '50' }, { sweepWorker: true });
    await history(3, 10);
    await createSilentAssignments(h.prisma, 100, '2026-01-01'); // e.g. an import that blanked contact dates
    const before = await h.prisma.reminder.count();
    const held = await h.run({ trigger: 'scheduled' });
    expect(held.status).toBe('awaiting_confirmation');
    expect(held.error).toMatch(/100 reminders due, more than 3 × the median of the last 3 successful runs \(10\)/);
    expect(await h.prisma.reminder.count()).toBe(before);
    expect(hook.kinds()).toEqual(['blast_radius']);
    // Held runs are not failures.
    expect((await h.prisma.sweepState.findFirstOrThrow()).consecutiveFailures).toBe(0);
    // The next scheduled run is held as well (nothing slips through), and alerts once for itself.
    expect((await h.run({ trigger: 'scheduled' })).status).toBe('awaiting_confirmation');

    const { jobId } = await h.c.services.ops.trigger({ by: 'ops-anna', confirmRunId: held.runId });
    const run = await h.c.services.ops.waitForRun(jobId, 30_000);
    expect(run).toMatchObject({ status: 'succeeded', remindersSent: 100 });
    const resolved = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: held.runId } });
    expect(resolved).toMatchObject({ status: 'awaiting_confirmation', resolvedBy: 'ops-anna', continuedByRunId: run!.id });
    // Confirming twice is refused.
    await expect(h.c.services.ops.trigger({ by: 'ops-anna', confirmRunId: held.runId })).rejects.toThrow(/already resolved by ops-anna/);
  });

  it('runs that sent nothing do not count towards the median: no-op triggers do not make the next real run an incident', async () => {
    await harness({ BLAST_RADIUS_FLOOR: '20' });
    await history(3, 10);
    for (let i = 0; i < 5; i++) expect(await h.run()).toMatchObject({ status: 'succeeded' }); // nothing new is due
    await createSilentAssignments(h.prisma, 25, addDays('2026-11-28', -20));
    expect((await h.run()).status).toBe('succeeded'); // 25 < 3 × 10, though the last five runs enqueued 0
    expect(hook.kinds()).toEqual([]);
  });

  it('a held run can be cancelled; nothing is sent for it', async () => {
    await harness({ BLAST_RADIUS_FLOOR: '50' });
    await history(3, 10);
    await createSilentAssignments(h.prisma, 100, '2026-01-01');
    const held = await h.run();
    const cancelled = await h.c.services.ops.cancelHeld({ by: 'ops-anna', runId: held.runId, reason: 'bad import, fixing data' });
    expect(cancelled).toMatchObject({ status: 'cancelled', resolvedBy: 'ops-anna' });
    await expect(h.c.services.ops.cancelHeld({ by: 'ops-anna', runId: held.runId })).rejects.toThrow(/not awaiting confirmation/);
    await expect(h.c.services.ops.cancelHeld({ by: 'ops-anna', runId: 99999 })).rejects.toThrow(/run 99999 does not exist/);
  });

  it('does not hold without enough history or under the floor', async () => {
    await harness({ BLAST_RADIUS_FLOOR: '500' });
    await history(3, 10);
    await createSilentAssignments(h.prisma, 200, '2026-01-01');
    expect((await h.run()).status).toBe('succeeded');
  });
});
