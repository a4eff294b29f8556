/**
 * Finding 7: after a failed run nothing ran again that day. The watchdog now retries the day's
 * failed (timed-out, abandoned) run after RUN_RETRY_AFTER_MINUTES, as trigger `retry`, at most
 * RUN_RETRY_MAX per local day; not while paused, not after a later success, once per failed run.
 * Real Postgres and Redis, the real sweep worker, an injected clock.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { createAssignment } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait-for';

let env: TestEnv;
let h: Harness;

const MORNING = '2026-11-28T06:00:00Z'; // 07:00 in Oslo
const minutes = (n: number) => n * 60_000;

beforeEach(async () => {
  env = await createTestEnv();
});

afterEach(async () => {
  await h?.stop();
  await env.destroy();
});

async function harness(overrides: Record<string, string> = {}) {
  // The clock moves an hour at a time, far from the in-process worker's heartbeats: no_workers is not the subject.
  h = await startHarness(env, { now: MORNING, sweepWorker: true, overrides: { WORKER_ABSENT_ALERT_MINUTES: '1440', ...overrides } });
  await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: '2026-11-01' });
  // The first tick starts watching: the 07:00 slot itself is not this test's subject.
  await h.c.services.watchdog.tick();
}

const breakDatabase = () => h.prisma.$executeRawUnsafe('ALTER TABLE assignments RENAME TO assignments_moved');
const repairDatabase = () => h.prisma.$executeRawUnsafe('ALTER TABLE assignments_moved RENAME TO assignments');
const finishedRetries = () => h.prisma.cronExecutionLog.findMany({ where: { trigger: 'retry', NOT: { status: 'running' } }, orderBy: { id: 'asc' } });

async function failedRun() {
  await breakDatabase();
  const r = await h.run();
  expect(r.status).toBe('failed');
  return r.runId;
}

describe('same-day retry of a failed run', () => {
  it('retries after RUN_RETRY_AFTER_MINUTES as trigger `retry`, and not again once it succeeded', async () => {
    await harness({ RUN_RETRY_AFTER_MINUTES: '30' });
    const failed = await failedRun();
    await repairDatabase();
    h.clock.advance(minutes(29));
    expect((await h.c.services.watchdog.tick()).retry).toBeNull();
    h.clock.advance(minutes(2));
    const report = await h.c.services.watchdog.tick();
    expect(report.retry).toMatchObject({ failedRunId: failed, enqueued: true });
    const [retry] = await waitFor('the retry run', async () => ((await finishedRetries()).length ? finishedRetries() : null));
    expect(retry).toMatchObject({ status: 'succeeded', triggeredBy: 'watchdog', remindersSent: 1 });
    const request = await waitFor('the request to name its run', () => h.prisma.sweepRequest.findFirst({ where: { trigger: 'retry', NOT: { runId: null } } }));
    expect(request).toMatchObject({ requestedBy: 'watchdog', dedupeKey: `retry-after-run-${failed}`, runId: retry!.id });
    // A later run of the day succeeded: nothing more to retry.
    h.clock.advance(minutes(60));
    expect((await h.c.services.watchdog.tick()).retry).toBeNull();
    expect(await h.prisma.cronExecutionLog.count({ where: { trigger: 'retry' } })).toBe(1);
  });

  it('is bounded by RUN_RETRY_MAX per local day', async () => {
    await harness({ RUN_RETRY_AFTER_MINUTES: '10', RUN_RETRY_MAX: '2' });
    await failedRun(); // and the database stays broken: every retry fails too
    for (let i = 1; i <= 2; i++) {
      h.clock.advance(minutes(11));
      expect((await h.c.services.watchdog.tick()).retry).not.toBeNull();
      await waitFor(`retry ${i} to fail`, async () => (await finishedRetries()).length === i);
    }
    h.clock.advance(minutes(11));
    expect((await h.c.services.watchdog.tick()).retry).toBeNull();
    expect((await finishedRetries()).map((r) => r.status)).toEqual(['failed', 'failed']);
    // A new local day (Oslo) starts a new count: the next day's failed run is retried again.
    h.clock.set('2026-11-29T06:00:00Z');
    expect((await h.run()).status).toBe('failed');
    h.clock.advance(minutes(11));
    expect((await h.c.services.watchdog.tick()).retry).not.toBeNull();
    await waitFor('the next day\'s retry', async () => (await finishedRetries()).length === 3);
    await repairDatabase();
  });

  it('a timed-out or abandoned run is retried like a failed one', async () => {
    await harness({ RUN_RETRY_AFTER_MINUTES: '30' });
    const stuck = await h.prisma.cronExecutionLog.create({ data: { jobName: 'reminder-sweep', trigger: 'scheduled', status: 'abandoned', startedAt: h.clock.now(), finishedAt: h.clock.now(), workerId: 'gone', error: 'abandoned: lock released by ops-anna' } });
    h.clock.advance(minutes(31));
    expect((await h.c.services.watchdog.tick()).retry).toMatchObject({ failedRunId: stuck.id });
    const [retry] = await waitFor('the retry run', async () => ((await finishedRetries()).length ? finishedRetries() : null));
    expect(retry).toMatchObject({ status: 'succeeded', remindersSent: 1 });
  });

  it('does not retry while the sweep is paused; does once it is resumed', async () => {
    await harness({ RUN_RETRY_AFTER_MINUTES: '30' });
    await failedRun();
    await repairDatabase();
    await h.c.services.ops.pause({ by: 'ops-anna', reason: 'checking the import' });
    h.clock.advance(minutes(31));
    expect((await h.c.services.watchdog.tick()).retry).toBeNull();
    await h.c.services.ops.resume({ by: 'ops-anna' });
    expect((await h.c.services.watchdog.tick()).retry).not.toBeNull();
    await waitFor('the retry run', async () => (await finishedRetries()).length === 1);
  });

  it('two ticks racing request one retry, and one job', async () => {
    await harness({ RUN_RETRY_AFTER_MINUTES: '30' });
    await h.stop(); // no worker: the request stays queued, so the open-request check cannot hide a race
    h = await startHarness(env, { now: h.clock.now().toISOString(), overrides: { WORKER_ABSENT_ALERT_MINUTES: '1440' } });
    await failedRun();
    h.clock.advance(minutes(31));
    const reports = await Promise.all([h.c.services.watchdog.tick(), h.c.services.watchdog.tick(), h.c.services.watchdog.tick()]);
    expect(reports.filter((r) => r.retry !== null)).toHaveLength(1);
    expect(await h.prisma.sweepRequest.count({ where: { trigger: 'retry' } })).toBe(1);
    const jobs = await h.c.queues.sweep.getJobs(['waiting', 'delayed', 'active']);
    // (The watchdog also registered the missing job scheduler, whose next job waits too.)
    expect(jobs.map((j) => j.id).filter((id) => id?.startsWith('sweep-request-'))).toEqual([`sweep-request-${reports.find((r) => r.retry)!.retry!.requestId}`]);
    await repairDatabase();
  });
});
