/**
 * Finding 8: the watchdog needed Redis for its lock and its first check, so during a Redis outage
 * nobody heard of a long or missed run. Here Redis is unreachable (REDIS_URL names a closed loopback
 * port) while PostgreSQL is real: long_run, missed_run and redis_unreachable are still raised and
 * delivered to a webhook, no false no_workers is raised, the tick lease works without Redis, and
 * the catch-up recorded meanwhile is enqueued once Redis answers again.
 */
import { createManualClock } from '@reminders/core/clock';
import { createContainer, type Container } from '@reminders/core/container';
import { createLogger } from '@reminders/core/logger';
import { startWatchdogLoop } from '@reminders/core/services/watchdog-loop';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { freePort } from '../helpers/run-cli';
import { waitFor } from '../helpers/wait-for';

let env: TestEnv;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
const containers: Container[] = [];

beforeEach(async () => {
  env = await createTestEnv();
  hook = await startWebhookReceiver();
});

afterEach(async () => {
  await Promise.all(containers.splice(0).map((c) => c.close()));
  await hook.close();
  await env.destroy();
});

function container(clock: ReturnType<typeof createManualClock>, overrides: Record<string, string> = {}) {
  const config = env.config({ ALERT_WEBHOOK_URL: hook.url, ALERT_MAX_RUN_MINUTES: '30', MISSED_RUN_GRACE_MINUTES: '15', WORKER_ABSENT_ALERT_MINUTES: '5', ...overrides });
  const c = createContainer({ config, logger: createLogger(config), clock });
  containers.push(c);
  return c;
}

it('with Redis unreachable the watchdog still raises and delivers long_run, missed_run and redis_unreachable, and no no_workers', async () => {
  const clock = createManualClock('2026-11-27T12:00:00Z');
  const port = await freePort(); // nothing listens there
  const down = container(clock, { REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}` });

  const first = await down.services.watchdog.tick();
  expect(first).toMatchObject({ redisReachable: false, workersAbsent: false, failedChecks: [] });
  expect(first.skippedChecks).toEqual(['workers', 'schedule', 'enqueue']);
  expect(hook.kinds()).toEqual([]); // one failed PING is not an outage yet

  // A run started at 06:00 (07:00 Oslo) on a worker that is now cut off from Redis.
  const run = await down.prisma.cronExecutionLog.create({ data: { jobName: 'reminder-sweep', trigger: 'scheduled', status: 'running', startedAt: new Date('2026-11-28T05:00:00Z'), workerId: 'worker-1' } });
  clock.set('2026-11-28T06:20:00Z'); // the 07:00 slot is 20 minutes past, the run 80 minutes old
  const second = await down.services.watchdog.tick();
  expect(second).toMatchObject({ redisReachable: false, longRuns: [run.id], missedSlots: ['2026-11-28T06:00:00.000Z'], catchUps: ['2026-11-28T06:00:00.000Z'], workersAbsent: false, failedChecks: [] });
  expect(hook.kinds().sort()).toEqual(['long_run', 'missed_run', 'redis_unreachable']);
  const redisAlert = JSON.stringify(hook.received.find((r) => r.kind === 'redis_unreachable'));
  expect(redisAlert).toContain(`redis://:***@127.0.0.1:${port}`);
  expect(redisAlert).toMatch(/has not answered since 2026-11-27T12:00:00.000Z/);
  expect(JSON.stringify(hook.received)).not.toContain('s3cret-pw');
  expect(JSON.stringify(hook.received.find((r) => r.kind === 'missed_run'))).toMatch(/recorded and is queued once Redis answers again/);

  // Once per outage; the catch-up waits in PostgreSQL.
  clock.set('2026-11-28T06:30:00Z');
  await down.services.watchdog.tick();
  expect(hook.kinds().filter((k) => k === 'redis_unreachable')).toHaveLength(1);
  const [catchup] = await down.prisma.sweepRequest.findMany();
  expect(catchup).toMatchObject({ trigger: 'catchup', requestedBy: 'watchdog', enqueuedAt: null, consumedAt: null });
  expect(catchup!.slot!.toISOString()).toBe('2026-11-28T06:00:00.000Z');

  // The tick lease is PostgreSQL's: the loop ticks with Redis down.
  let ticks = 0;
  const loop = startWatchdogLoop({ state: down.repositories.watchdogState, jobName: 'reminder-sweep', holder: 'test', intervalSeconds: 0.2, tick: async () => void (ticks += 1), logger: down.logger });
  try {
    await waitFor('the loop to tick without Redis', () => ticks >= 2, 10_000);
  } finally {
    loop.stop();
  }

  // Redis is back (the same database and prefix, the real Redis): the catch-up is enqueued, the outage closed.
  const up = container(clock);
  const back = await up.services.watchdog.tick();
  expect(back).toMatchObject({ redisReachable: true, enqueued: [`sweep-request-${catchup!.id}`] });
  expect(await up.queues.sweep.getJobState(`sweep-request-${catchup!.id}`)).toBe('waiting');
  expect((await up.prisma.watchdogState.findUniqueOrThrow({ where: { jobName: 'reminder-sweep' } })).redisDownSince).toBeNull();
  expect((await up.prisma.sweepRequest.findUniqueOrThrow({ where: { id: catchup!.id } })).enqueuedAt).not.toBeNull();
});

it('one failing check is reported and does not stop the others', async () => {
  const clock = createManualClock('2026-11-27T12:00:00Z');
  const c = container(clock);
  await c.services.watchdog.tick();
  await c.prisma.cronExecutionLog.create({ data: { jobName: 'reminder-sweep', trigger: 'manual', status: 'running', startedAt: new Date('2026-11-28T05:00:00Z'), workerId: 'worker-1' } });
  await c.prisma.$executeRawUnsafe('ALTER TABLE sweep_state RENAME TO sweep_state_moved'); // the pause check's table
  try {
    clock.set('2026-11-28T06:20:00Z');
    const report = await c.services.watchdog.tick();
    expect(report.failedChecks.map((f) => f.check)).toContain('pause');
    expect(report.longRuns).toHaveLength(1);
    expect(report.missedSlots).toEqual(['2026-11-28T06:00:00.000Z']);
    expect(hook.kinds()).toEqual(expect.arrayContaining(['long_run', 'missed_run']));
  } finally {
    await c.prisma.$executeRawUnsafe('ALTER TABLE sweep_state_moved RENAME TO sweep_state');
  }
});
