/**
 * "Postgres decides" (issue 12): the findings where Redis held a piece of the truth, each
 * reproduced against the real PostgreSQL, Redis and a real SMTP server.
 *  - a dispatch job's payload carried authority (forged key, sequence, escalation);
 *  - a run's counts came from a Redis hash, and a job the queue failed or that was removed kept its
 *    run waiting until RUN_TIMEOUT_MINUTES;
 *  - a pause did not stop a run in progress;
 *  - e-mail: a failed "sent" mark after SMTP accepted re-sent; an in-flight e-mail of an earlier
 *    run was adopted and re-sent by the next run.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { addDays } from '@reminders/core/domain/calendar';
import { DISPATCH_QUEUE, DISPATCH_JOB } from '@reminders/core/jobs/job-catalog';
import { dispatchJobId } from '@reminders/core/domain/reminder-rules';
import { createReminderDispatchService } from '@reminders/core/services/reminder-dispatch-service';
import { createRedis } from '@reminders/core/redis';
import { createServiceMetrics } from '@reminders/api/metrics/service-metrics';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { createAssignment, createSilentAssignments, recordFanOut, reminderRows, setProgrammeDelivery } from '../helpers/fixtures';
import { startSmtpSink } from '../helpers/smtp-sink';
import { waitFor } from '../helpers/wait-for';

const TODAY = '2026-11-28';
const MORNING = '2026-11-28T06:00:00Z';

let env: TestEnv;
let h: Harness;
let smtp: Awaited<ReturnType<typeof startSmtpSink>> | null = null;

async function harness(overrides: Record<string, string> = {}, startWorkers = true) {
  env = await createTestEnv();
  h = await startHarness(env, { now: MORNING, startWorkers, overrides });
  // The per-reminder outbox is what these tests take apart (digests: digest-delivery.test.ts).
  await setProgrammeDelivery(h.prisma, { delivery: 'each' });
  return h;
}

afterEach(async () => {
  await h?.stop();
  await env?.destroy();
  await smtp?.close();
  smtp = null;
});

const messageIds = () => smtp!.received.map((m) => /^Message-ID:\s*(\S+)/im.exec(m.raw)?.[1]);

describe('a dispatch job carries no authority', () => {
  it('a forged payload (made-up key, sequence 9, escalated) is refused and audited: nothing written, nothing e-mailed', async () => {
    smtp = await startSmtpSink();
    await harness({ SMTP_URL: smtp.url });
    // Contacted today: nothing is due for it.
    const a = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: TODAY, mentorEmail: 'mia@example.org', coordinatorEmail: 'kari@example.org' });
    const run = await h.c.repositories.executionLog.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'w', now: h.clock.now() });
    const forged = { runId: run.runId, fencingToken: run.fencingToken.toString(), assignmentId: a.assignmentId, anchorDate: TODAY, sequenceNumber: 9, dueDate: TODAY, escalated: true, idempotencyKey: 'forged-1' };
    // What `POST /admin/queues/api/queues/reminder-dispatch/add` does: a job straight onto the queue.
    const job = await h.c.queues.dispatch.add(DISPATCH_JOB, forged as never, { jobId: 'forged-1' });
    await waitFor('the forged job to fail', async () => (await job.getState()) === 'failed');
    expect((await h.c.queues.dispatch.getJob('forged-1'))?.failedReason).toMatch(/^refused: payload is not \{ runId, assignmentId \}/);
    expect((await h.c.queues.dispatch.getJob('forged-1'))?.attemptsMade).toBe(1); // not retried
    expect(await reminderRows(h.prisma)).toEqual([]);
    expect(smtp.received).toEqual([]);
    const audit = await h.prisma.adminAuditLog.findMany();
    expect(audit).toEqual([expect.objectContaining({ actor: 'system:worker', action: 'dispatch.refused', targetType: 'job', targetId: 'forged-1' })]);
    expect(JSON.stringify(audit[0]!.after)).toContain('forged-1');
  });

  it('a well-formed job for an assignment its run did not fan out writes nothing, even when one is due', async () => {
    await harness();
    const due = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(TODAY, -14) });
    const run = await h.c.repositories.executionLog.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'w', now: h.clock.now() });
    const job = await h.c.queues.dispatch.add(DISPATCH_JOB, { runId: run.runId, assignmentId: due.assignmentId }, { jobId: dispatchJobId(run.runId, due.assignmentId) });
    await waitFor('the job to fail', async () => (await job.getState()) === 'failed');
    expect((await h.c.queues.dispatch.getJob(job.id!))?.failedReason).toBe(`refused: run ${run.runId} did not fan out assignment ${due.assignmentId}`);
    expect(await reminderRows(h.prisma)).toEqual([]);
    // The real sweep sends it, with the reminder the rules give: #1, not escalated.
    await h.c.repositories.executionLog.finish(run.runId, { status: 'abandoned', now: h.clock.now(), counts: {} });
    expect((await h.run()).status).toBe('succeeded');
    expect(await reminderRows(h.prisma)).toEqual([expect.objectContaining({ assignmentId: due.assignmentId, sequenceNumber: 1, escalated: false })]);
  });

  it('two reminders for one (assignment, anchor, sequence) cannot exist, whatever their keys', async () => {
    await harness();
    const a = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(TODAY, -14) });
    const row = { assignmentId: a.assignmentId, anchorDate: new Date(`${addDays(TODAY, -14)}T00:00:00Z`), sequenceNumber: 1, dueDate: new Date(`${TODAY}T00:00:00Z`), fencingToken: 1n };
    await h.prisma.reminder.create({ data: { ...row, reminderKey: 'one' } });
    await expect(h.prisma.reminder.create({ data: { ...row, reminderKey: 'forged-2' } })).rejects.toThrow(/Unique constraint/);
  });
});

describe('the run\'s record is PostgreSQL', () => {
  it('jobs removed from the queue or failed by it without running end the run promptly as lost, and the counts equal the rows', async () => {
    await harness({}, false);
    await createSilentAssignments(h.prisma, 30, addDays(TODAY, -20));
    const started = Date.now();
    const running = h.run();
    await waitFor('the fan-out', async () => (await h.c.queues.dispatch.getWaitingCount()) === 30);
    const ids = (await h.prisma.runDispatch.findMany({ orderBy: { assignmentId: 'asc' } })).map((d) => ({ runId: d.runId, assignmentId: d.assignmentId }));
    // Removed in Bull Board (or by a clean): three jobs vanish.
    for (const d of ids.slice(0, 3)) await h.c.queues.dispatch.remove(dispatchJobId(d.runId, d.assignmentId));
    // Failed by the queue without the processor running (a job stalled past its limit ends so): two.
    const thiefConnection = createRedis(h.config.redisUrl);
    const thief = new Worker(DISPATCH_QUEUE, null, { connection: thiefConnection, prefix: env.redisPrefix });
    for (let i = 0; i < 2; i++) {
      const job = (await thief.getNextJob('thief'))!;
      // As BullMQ fails a job stalled past maxStalledCount: for good, no retry, no processor.
      await job.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), 'thief', false);
    }
    await thief.close();
    thiefConnection.disconnect();
    await h.startWorkers();
    const result = await running;
    expect(Date.now() - started).toBeLessThan(20_000); // not RUN_TIMEOUT_MINUTES
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^5 of 30 reminder jobs were lost \(/);
    const log = await h.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: result.runId } });
    expect(log).toMatchObject({ remindersEnqueued: 30, remindersSent: 25, remindersLost: 5, remindersSkipped: 0, remindersFailed: 0 });
    expect(await h.prisma.reminder.count({ where: { runId: result.runId } })).toBe(25);
    const lost = await h.prisma.runDispatch.findMany({ where: { outcome: 'lost' }, select: { reason: true } });
    expect(lost.map((l) => l.reason).sort()).toEqual([
      ...Array(3).fill('job removed from the queue before it reported'),
      ...Array(2).fill('job failed without reporting: job stalled more than allowable limit'),
    ].sort());
    // Nothing is lost for good: the next run sends the five.
    const next = await h.run();
    expect(next).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ remindersSent: 5, remindersEnqueued: 5 }) });
    expect(await h.prisma.reminder.count()).toBe(30);
    // /metrics agrees with the rows.
    const text = await createServiceMetrics(h.c).text();
    expect(text).toMatch(/^reminders_reminders_total\{programme="default",outcome="sent"\} 30$/m);
    expect(text).toMatch(/^reminders_reminders_total\{programme="default",outcome="lost"\} 5$/m);
  });

  it('a pause stops a run in progress: its writes are fenced at once and it ends cancelled; the run after resume sends everything', async () => {
    await harness({}, false);
    await createSilentAssignments(h.prisma, 40, addDays(TODAY, -20));
    const running = h.run();
    await waitFor('the fan-out', async () => (await h.c.queues.dispatch.getWaitingCount()) === 40);
    await h.c.services.ops.pause({ by: 'ops-anna', reason: 'wrong template' });
    await h.startWorkers();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(result.error).toMatch(/^paused while running \(by ops-anna: wrong template\): stopped writing; 40 of 40 reminders not sent/);
    expect(await reminderRows(h.prisma)).toEqual([]);
    // Neither a success nor a failure: no failure streak, no alert.
    expect((await h.prisma.sweepState.findFirstOrThrow()).consecutiveFailures).toBe(0);
    await h.c.services.ops.resume({ by: 'ops-anna' });
    expect(await h.run()).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ remindersSent: 40 }) });
  });
});

describe('the e-mail outbox', () => {
  it('a "sent" mark that fails once is retried, never the e-mail; one that cannot be recorded does not re-send either', async () => {
    smtp = await startSmtpSink();
    await harness({ SMTP_URL: smtp.url });
    const [a, b] = await Promise.all([
      createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(TODAY, -14), mentorEmail: 'mia@example.org' }),
      createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(TODAY, -14), mentorEmail: 'ola@example.org' }),
    ]);
    const run = await h.c.repositories.executionLog.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'w', now: h.clock.now() });
    await recordFanOut(h.prisma, run.runId, [a.assignmentId, b.assignmentId], addDays(TODAY, -14));
    const real = h.c.repositories.reminders;
    let failMarks = 1;
    const flaky = { ...real, markEmailsSent: async (m: Parameters<typeof real.markEmailsSent>[0]) => (failMarks-- > 0 ? Promise.reject(new Error('connection terminated')) : real.markEmailsSent(m)) };
    const emailChannel = (await import('@reminders/core/channels/email-channel')).createEmailChannel({ smtpUrl: smtp.url, from: 'r@example.org' });
    try {
      const links = { appBaseUrl: 'https://app.example.org', unsubscribe: { urlFor: async (id: number) => `https://api.example.org/v1/unsubscribe/${id}` } };
      const dispatch = createReminderDispatchService({ reminders: flaky, email: emailChannel, links, clock: h.clock, logger: h.c.logger, markTries: 3 });
      expect(await dispatch.dispatch({ runId: run.runId, assignmentId: a.assignmentId }, false)).toMatchObject({ outcome: 'sent' });
      expect(smtp.received).toHaveLength(1);
      expect(await h.prisma.reminder.findFirstOrThrow({ where: { assignmentId: a.assignmentId } })).toMatchObject({ emailStatus: 'sent', emailAttempts: 1 });

      failMarks = 99; // the database stays away
      await expect(dispatch.dispatch({ runId: run.runId, assignmentId: b.assignmentId }, false)).rejects.toThrow(/was accepted but could not be recorded/);
      expect(smtp.received).toHaveLength(2);
      // Its lease stands: no other sender takes it up before EMAIL_LEASE_SECONDS (the documented window).
      const again = await h.c.repositories.reminders.claimEmail({ reminderId: (await h.prisma.reminder.findFirstOrThrow({ where: { assignmentId: b.assignmentId } })).id, runId: run.runId });
      expect(again).toMatchObject({ claimed: false, why: 'leased' });
    } finally {
      emailChannel.close();
    }
  });

  it('an e-mail still leased by an earlier run is not adopted by the next run until the lease expires, then sent once', async () => {
    smtp = await startSmtpSink();
    await harness({ SMTP_URL: smtp.url });
    const a = await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: addDays(TODAY, -14), mentorEmail: 'mia@example.org' });
    // An earlier run wrote the reminder and claimed its e-mail; it timed out with the message in flight.
    const earlier = await h.c.repositories.executionLog.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'w-earlier', now: h.clock.now() });
    await recordFanOut(h.prisma, earlier.runId, a.assignmentId, addDays(TODAY, -14));
    const w = await h.c.repositories.reminders.write({ runId: earlier.runId, assignmentId: a.assignmentId });
    const reminderId = (w as { reminder: { reminderId: number } }).reminder.reminderId;
    expect(await h.c.repositories.reminders.claimEmail({ reminderId, runId: earlier.runId })).toEqual({ claimed: true, attempt: 1 });
    await h.c.repositories.executionLog.finish(earlier.runId, { status: 'timed_out', now: h.clock.now(), counts: {} });

    const next = await h.run();
    expect(next).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ remindersEnqueued: 0 }) });
    expect(smtp.received).toEqual([]);

    await h.prisma.$executeRaw`UPDATE reminders SET email_lease_until = now() - interval '1 second' WHERE id = ${reminderId}`;
    const adopting = await h.run();
    expect(adopting).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ remindersEnqueued: 1, remindersSent: 1 }) });
    expect(messageIds()).toEqual([`<a${a.assignmentId}-${addDays(TODAY, -14).replace(/-/g, '')}-1@follow-up-reminders>`]);
    expect(await h.prisma.reminder.findUniqueOrThrow({ where: { id: reminderId } })).toMatchObject({ emailStatus: 'sent', emailAttempts: 2 });
  });
});
