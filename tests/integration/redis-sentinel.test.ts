/**
 * The service on a real Sentinel deployment (a primary, a replica, three sentinels), in database 3
 * of it: REDIS_URL=redis+sentinel://s1,s2,s3/<name>/3. During a run `lock status` says held and
 * the key is in db 3 of the primary (and not in db 0); the primary is then killed (SIGKILL)
 * mid-run, the sentinels promote the replica, and the run or the next one completes with exactly
 * one reminder per due assignment.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { runCli, startCli, stopCli, type CliProcess } from '../helpers/run-cli';
import { createSilentAssignments } from '../helpers/fixtures';
import { redisCli, startSentinelTopology, type SentinelTopology } from '../helpers/redis-topology';
import { waitFor } from '../helpers/wait-for';
import { createPrisma, type PrismaClient } from '@reminders/core/db/prisma';
import { addDays, localDate } from '@reminders/core/domain/calendar';

const DUE = 1500;
let sentinel: SentinelTopology;
let env: TestEnv;
let prisma: PrismaClient;
let worker: CliProcess | undefined;
let vars: Record<string, string>;

beforeAll(async () => {
  [sentinel, env] = await Promise.all([startSentinelTopology(), createTestEnv()]);
  prisma = createPrisma(env.databaseUrl);
  await createSilentAssignments(prisma, DUE, addDays(localDate(new Date(), 'Europe/Oslo'), -20));
  // Small batches and a short lock TTL, so the run lasts a few seconds and the kill lands inside it.
  vars = env.env({ REDIS_URL: sentinel.url(3), LOCK_TTL_MS: '2000', DISPATCH_CONCURRENCY: '1', SWEEP_PAGE_SIZE: '25', WORKER_ID: 'sentinel-worker', LOG_LEVEL: 'info' });
  worker = startCli(['serve-worker'], vars);
  await waitFor('the worker to be ready', () => {
    if (worker!.child.exitCode !== null) throw new Error(`serve-worker exited: ${worker!.output()}`);
    return worker!.output().includes('"worker ready"');
  }, 40_000);
}, 60_000);

afterAll(async () => {
  try {
    await stopCli(worker);
    await prisma?.$disconnect();
    await env?.destroy();
  } finally {
    await sentinel?.destroy();
  }
}, 60_000);

it('a run on Sentinel db 3 holds its lock there; after the primary is killed mid-run, exactly one reminder per due assignment', async () => {
  const key = `${env.redisPrefix}:lock:reminder-sweep`;
  const cli = (...args: string[]) => runCli(args, { ...vars, LOG_LEVEL: 'silent' }, 60_000);
  expect((await cli('trigger')).code).toBe(0);
  await waitFor('the run to dispatch', async () => (await prisma.reminder.count()) >= 20, 30_000, 20);

  const held = await cli('lock', 'status');
  expect(held.stdout).toMatch(new RegExp(`^lock ${key} held by sentinel-worker for run \\d+ since `));
  const primary = await sentinel.primaryPort();
  expect(Number(await redisCli(primary, '-n', '3', 'pttl', key))).toBeGreaterThan(0);
  expect(await redisCli(primary, '-n', '0', 'exists', key)).toBe('0');

  await sentinel.servers.find((s) => s.port === primary)!.kill('SIGKILL');
  await sentinel.waitForFailover(primary);

  // The interrupted run ends by itself (succeeded, or failed when its lock or jobs were lost)...
  const first = await prisma.cronExecutionLog.findFirstOrThrow({ orderBy: { id: 'asc' } });
  await waitFor('the interrupted run to end', async () => (await prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: first.id } })).status !== 'running', 40_000, 100);
  // ...and a run triggered after it sends whatever is still missing; a lock left on the new
  // primary by the dead run expires within LOCK_TTL_MS.
  await waitFor('a run after the failover to succeed', async () => {
    const r = await cli('trigger', '--wait', '--timeout', '30');
    return /^run \d+ succeeded/.test(r.stdout);
  }, 60_000, 500);
  expect(await prisma.reminder.count()).toBe(DUE);
  const perAssignment = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM reminders GROUP BY assignment_id HAVING count(*) <> 1`;
  expect(perAssignment).toEqual([]);
  const runs = await prisma.cronExecutionLog.findMany({ select: { status: true } });
  expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  expect(worker!.child.exitCode).toBeNull();
}, 120_000);
