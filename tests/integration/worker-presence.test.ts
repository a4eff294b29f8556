/**
 * Worker heartbeats and the `no_workers` alert: every worker process beats into a Redis sorted set;
 * the watchdog (which also runs in the API) alerts once per outage when none has beaten for
 * WORKER_ABSENT_ALERT_MINUTES. Real Redis and Postgres, an injected clock, a local webhook receiver.
 */
import { Redis } from 'ioredis';
import { createWorkerRegistry, WORKER_STALE_MS, type WorkerRegistry } from '@reminders/core/repositories/worker-registry';
import { redisKeys } from '@reminders/core/redis-keys';
import { startWatchdogLoop } from '@reminders/core/services/watchdog-loop';
import { createPrisma } from '@reminders/core/db/prisma';
import { createWatchdogStateRepository } from '@reminders/core/repositories/watchdog-state-repository';
import { createLogger } from '@reminders/core/logger';
import { createTestEnv, TEST_REDIS_URL, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { freePort, startCli } from '../helpers/run-cli';
import { waitFor } from '../helpers/wait-for';

const T0 = '2026-11-28T06:00:00Z';
const at = (iso: string) => new Date(iso);

let env: TestEnv;
let redis: Redis;
let registry: WorkerRegistry;

beforeEach(async () => {
  env = await createTestEnv();
  redis = new Redis(TEST_REDIS_URL);
  registry = createWorkerRegistry({ redis, prefix: env.redisPrefix });
});

afterEach(async () => {
  redis.disconnect();
  await env.destroy();
});

describe('the worker registry', () => {
  it('lists workers whose last beat is within 30 s, newest first; remove takes one off at once', async () => {
    expect(await registry.live(at(T0))).toEqual([]);
    expect(await registry.lastSeen()).toBeNull();
    await registry.beat('worker-1', at('2026-11-28T05:59:40Z'));
    await registry.beat('worker-2', at('2026-11-28T05:59:55Z'));
    await registry.beat('worker-old', at('2026-11-28T05:50:00Z'));
    expect(await registry.live(at(T0))).toEqual([
      { workerId: 'worker-2', lastSeen: at('2026-11-28T05:59:55Z') },
      { workerId: 'worker-1', lastSeen: at('2026-11-28T05:59:40Z') },
    ]);
    // Exactly WORKER_STALE_MS old is still live; a millisecond more is not.
    expect((await registry.live(new Date(at('2026-11-28T05:59:40Z').getTime() + WORKER_STALE_MS))).map((w) => w.workerId)).toEqual(['worker-2', 'worker-1']);
    expect((await registry.live(new Date(at('2026-11-28T05:59:40Z').getTime() + WORKER_STALE_MS + 1))).map((w) => w.workerId)).toEqual(['worker-2']);
    expect(await registry.lastSeen()).toEqual(at('2026-11-28T05:59:55Z'));
    // A beat moves the worker's score; it stays one member.
    await registry.beat('worker-1', at('2026-11-28T06:00:05Z'));
    expect(await registry.lastSeen()).toEqual(at('2026-11-28T06:00:05Z'));
    expect(await registry.known()).toBe(3);
    await registry.remove('worker-1', at('2026-11-28T06:00:07Z'));
    expect((await registry.live(at(T0))).map((w) => w.workerId)).toEqual(['worker-2']);
    expect(await registry.known()).toBe(2);
    // The clean stop is the newest sign of life.
    expect(await registry.lastSeen()).toEqual(at('2026-11-28T06:00:07Z'));
  });

  it('drops members older than 7 days when listing', async () => {
    await registry.beat('gone-long-ago', at('2026-11-20T05:00:00Z'));
    await registry.beat('gone-yesterday', at('2026-11-27T06:00:00Z'));
    expect(await registry.live(at(T0))).toEqual([]);
    expect(await redis.zrange(redisKeys(env.redisPrefix).workers, '0', '-1')).toEqual(['gone-yesterday']);
    expect(await registry.lastSeen()).toEqual(at('2026-11-27T06:00:00Z'));
  });
});

describe('the worker app', () => {
  it('beats on start (by its clock) and takes itself off the registry on a clean stop', async () => {
    const h = await startHarness(env, { now: T0, overrides: { WORKER_ID: 'worker-under-test' } });
    try {
      expect(await registry.live(h.clock.now())).toEqual([{ workerId: 'worker-under-test', lastSeen: at(T0) }]);
      expect((await h.c.services.watchdog.tick()).workersAlive).toBe(1);
    } finally {
      await h.stop();
    }
    expect(await registry.live(at(T0))).toEqual([]);
    expect(await registry.known()).toBe(0);
  });
});

describe('the no_workers alert', () => {
  let h: Harness;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeEach(async () => {
    hook = await startWebhookReceiver();
    // The container only (no worker started): these tests play the workers' heartbeats themselves.
    h = await startHarness(env, { now: T0, startWorkers: false, overrides: { ALERT_WEBHOOK_URL: hook.url, WORKER_ABSENT_ALERT_MINUTES: '5' } });
  });

  afterEach(async () => {
    await h.stop();
    await hook.close();
  });

  const tick = () => h.c.services.watchdog.tick();
  /** What the webhook received about workers (the unregistered job scheduler alerts too; not the subject here). */
  const sent = () => hook.received.filter((r) => r.kind === 'no_workers');
  const noWorkerAlerts = () => h.prisma.alert.findMany({ where: { kind: 'no_workers' }, orderBy: { id: 'asc' } });

  it('never any worker: quiet within the grace from when watching began, then one alert however many ticks follow', async () => {
    expect(await tick()).toMatchObject({ workersAlive: 0, workersAbsent: false });
    h.clock.advance(4 * 60_000 + 59_000);
    expect(await tick()).toMatchObject({ workersAlive: 0, workersAbsent: false });
    expect(sent()).toEqual([]);
    h.clock.advance(1000);
    expect(await tick()).toMatchObject({ workersAlive: 0, workersAbsent: true });
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60_000);
      expect((await tick()).workersAbsent).toBe(true);
    }
    expect(sent()).toHaveLength(1);
    expect(sent()[0]!.text).toMatch(/No reminder worker is running/);
    expect(sent()[0]!.details).toMatchObject({ lastSeen: null, workersKnown: 0 });
    const [alert] = await noWorkerAlerts();
    expect(alert!.incidentKey).toBe(`none-seen-since-${at(T0).toISOString()}`);
    expect(alert!.message).toMatch(/No worker heartbeat has been seen since watching began at 2026-11-28T06:00:00.000Z \(5 minutes ago; WORKER_ABSENT_ALERT_MINUTES is 5\)/);
    expect(alert!.message).toMatch(/no sweep runs .* no reminder jobs are processed/);
  });

  it('a live worker keeps it quiet; once it stops beating the alert comes WORKER_ABSENT_ALERT_MINUTES after its last beat', async () => {
    for (let i = 0; i < 30; i++) {
      await registry.beat('worker-1', h.clock.now()); // every 10 s, for 5 minutes
      expect(await tick()).toMatchObject({ workersAlive: 1, workersAbsent: false });
      h.clock.advance(10_000);
    }
    const lastBeat = new Date(h.clock.now().getTime() - 10_000);
    h.clock.advance(20_001); // three beats missed: stale
    expect(await tick()).toMatchObject({ workersAlive: 0, workersAbsent: false });
    h.clock.set(new Date(lastBeat.getTime() + 5 * 60_000 - 1000));
    expect((await tick()).workersAbsent).toBe(false);
    h.clock.set(new Date(lastBeat.getTime() + 5 * 60_000));
    expect((await tick()).workersAbsent).toBe(true);
    expect(sent()).toHaveLength(1);
    expect(sent()[0]!.details).toMatchObject({ lastSeen: lastBeat.toISOString(), workersKnown: 1 });
    expect((await noWorkerAlerts()).map((a) => a.incidentKey)).toEqual([`last-seen-${lastBeat.toISOString()}`]);
  });

  it('a worker that comes back and dies again is a new outage: a second alert', async () => {
    await registry.beat('worker-1', h.clock.now());
    h.clock.advance(6 * 60_000);
    await tick();
    await tick();
    expect(sent()).toHaveLength(1);

    await registry.beat('worker-2', h.clock.now()); // a worker is started
    expect(await tick()).toMatchObject({ workersAlive: 1, workersAbsent: false });
    h.clock.advance(10 * 60_000); // and dies
    expect((await tick()).workersAbsent).toBe(true);
    await tick();
    expect(sent()).toHaveLength(2);
    expect((await noWorkerAlerts()).map((a) => a.incidentKey)).toEqual([`last-seen-${at(T0).toISOString()}`, `last-seen-${new Date(at(T0).getTime() + 6 * 60_000).toISOString()}`]);
  });

  it('the only worker restarted by a deploy (a clean stop, then a new one) raises nothing', async () => {
    await tick(); // watching begins at T0
    h.clock.advance(24 * 3600_000); // a day with a worker beating, then a deploy stops it cleanly
    await registry.beat('worker-old', new Date(h.clock.now().getTime() - 5000));
    await registry.remove('worker-old', h.clock.now());
    const stoppedAt = h.clock.now();
    h.clock.advance(40_000);
    expect(await tick()).toMatchObject({ workersAlive: 0, workersAbsent: false });
    await registry.beat('worker-new', h.clock.now());
    expect(await tick()).toMatchObject({ workersAlive: 1, workersAbsent: false });
    expect(sent()).toEqual([]);
    // Had no new worker come, the clean stop dates the outage.
    await registry.remove('worker-new', stoppedAt);
    h.clock.set(new Date(stoppedAt.getTime() + 5 * 60_000));
    expect((await tick()).workersAbsent).toBe(true);
    expect((await noWorkerAlerts()).map((a) => a.incidentKey)).toEqual([`last-seen-${stoppedAt.toISOString()}`]);
  });

  it('status shows the live workers and when the last one beat', async () => {
    await registry.beat('worker-1', new Date(h.clock.now().getTime() - 4000));
    const s = await h.c.services.ops.status();
    expect(s.workers).toEqual({ live: [{ workerId: 'worker-1', lastSeen: new Date(h.clock.now().getTime() - 4000) }], lastSeen: new Date(h.clock.now().getTime() - 4000) });
    h.clock.advance(60_000);
    expect((await h.c.services.ops.status()).workers.live).toEqual([]);
  });
});

describe('the watchdog loop', () => {
  it('ticks on its interval, one process at a time under the PostgreSQL lease (no Redis involved)', async () => {
    const logger = createLogger(env.config());
    const prisma = createPrisma(env.databaseUrl);
    const state = createWatchdogStateRepository(prisma);
    let inTick = 0;
    let overlapped = false;
    let ticks = 0;
    const tick = async () => {
      inTick += 1;
      if (inTick > 1) overlapped = true;
      ticks += 1;
      await new Promise((r) => setTimeout(r, 100)); // a tick that takes a while, so two loops would collide
      inTick -= 1;
    };
    // Two "processes" on the same database, both firing every 300 ms.
    const loops = ['proc-a', 'proc-b'].map((holder) => startWatchdogLoop({ state, jobName: 'reminder-sweep', holder, intervalSeconds: 0.3, tick, logger }));
    try {
      await waitFor('a few ticks', () => ticks >= 3, 10_000);
    } finally {
      for (const l of loops) l.stop();
    }
    await waitFor('in-flight ticks to end', () => inTick === 0, 5000);
    expect(overlapped).toBe(false);
    // Each tick released its lease on the way out.
    await waitFor('the lease to be free', async () => (await prisma.watchdogState.findUniqueOrThrow({ where: { jobName: 'reminder-sweep' } })).leaseHolder === null, 5000);
    await prisma.$disconnect();
  });
});


describe('serve-api', () => {
  it('runs the watchdog itself: with every worker gone it raises no_workers', async () => {
    // The only worker beat 10 minutes ago (the real clock here: a child process).
    await registry.beat('worker-1', new Date(Date.now() - 10 * 60_000));
    const { child, output, exited } = startCli(['serve-api'], env.env({ PORT: String(await freePort()), LOG_LEVEL: 'info', WATCHDOG_INTERVAL_SECONDS: '5', WORKER_ABSENT_ALERT_MINUTES: '5' }));
    try {
      await waitFor('the API to raise no_workers', () => output().includes('"msg":"No reminder worker is running"'), 20_000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
