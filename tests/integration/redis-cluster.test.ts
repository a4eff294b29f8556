/**
 * The whole service on a real three-primary Redis Cluster (finding 9): `reminders start` with the
 * README's form REDIS_URL=redis+cluster://h1:p1,h2:p2 and REDIS_PREFIX={reminders} serves /healthz
 * and /readyz, `trigger --wait` runs a sweep, `lock status` answers; then the primary that holds
 * the {reminders} slot is killed (SIGKILL), its replica takes over, and the next sweep succeeds.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { freePort, runCli, startCli, stopCli, type CliProcess } from '../helpers/run-cli';
import { createSilentAssignments } from '../helpers/fixtures';
import { startClusterTopology, type ClusterTopology } from '../helpers/redis-topology';
import { waitFor } from '../helpers/wait-for';
import { checkRedis } from '@reminders/core/preflight';
import { createPrisma, type PrismaClient } from '@reminders/core/db/prisma';
import { addDays, localDate } from '@reminders/core/domain/calendar';

let cluster: ClusterTopology;
let env: TestEnv;
let prisma: PrismaClient;
let service: CliProcess | undefined;
let vars: Record<string, string>;
let port: number;

beforeAll(async () => {
  [cluster, env] = await Promise.all([startClusterTopology(), createTestEnv({ migrate: false })]);
  port = await freePort();
  vars = env.env({ REDIS_URL: cluster.url(2), REDIS_PREFIX: '{reminders}', PORT: String(port), LOCK_TTL_MS: '3000', WORKER_ID: 'cluster-worker' });
}, 60_000);

afterAll(async () => {
  try {
    await stopCli(service);
    await prisma?.$disconnect();
    await env?.destroy();
  } finally {
    await cluster?.destroy();
  }
}, 60_000);

/** On a failed expectation, what the service printed says why (its last lines). */
const serviceTail = () => (service ? service.output().split('\n').slice(-40).join('\n') : '');

const get = (p: string) => fetch(`http://127.0.0.1:${port}${p}`).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));

it('npm start on the Cluster serves /healthz and /readyz, and trigger --wait runs a sweep', async () => {
  service = startCli(['start'], { ...vars, LOG_LEVEL: 'info' });
  await waitFor('the worker to be ready', () => {
    if (service!.child.exitCode !== null) throw new Error(`start exited: ${service!.output()}`);
    return service!.output().includes('"worker ready"');
  }, 40_000);
  await waitFor('GET /healthz', () => get('/healthz').then((r) => r.status === 200, () => false), 20_000);
  expect((await get('/healthz')).body).toEqual({ status: 'ok' });
  expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ok', checks: { postgres: 'ok', redis: 'ok' } } });

  prisma = createPrisma(env.databaseUrl);
  await createSilentAssignments(prisma, 30, addDays(localDate(new Date(), 'Europe/Oslo'), -20));
  const r = await runCli(['trigger', '--wait'], vars, 60_000);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/^run \d+ succeeded [\s\S]*evaluated 30, enqueued 30, sent 30,/);
  expect(await prisma.reminder.count()).toBe(30);
  expect(await runCli(['lock', 'status'], vars)).toMatchObject({ code: 0, stdout: 'lock {reminders}:lock:reminder-sweep is free\n' });

  // /metrics (BullMQ's queue metrics included) and Bull Board's API, which reads several queues' keys.
  const token = (await runCli(['token', 'create', '--name', 'cluster-viewer', '--role', 'viewer'], vars)).stdout.trim();
  const auth = { authorization: `Bearer ${token}` };
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: auth });
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/reminders_runs_total\{[^}]*status="succeeded"[^}]*\} 1/);
  for (const p of ['/admin/queues/api/queues?activeQueue=reminder-dispatch&status=completed&page=1', '/admin/queues/api/redis/stats']) {
    const board = await fetch(`http://127.0.0.1:${port}${p}`, { headers: auth });
    expect({ p, status: board.status, body: board.status === 200 ? '' : await board.text() }).toEqual({ p, status: 200, body: '' });
  }
}, 90_000);

it('after the primary of the {reminders} slot is killed, its replica takes over and the next sweep succeeds', async () => {
  const primary = await cluster.primaryFor('{reminders}');
  const replica = await cluster.replicaOf(primary.id);
  await cluster.process(primary.port).kill('SIGKILL');
  await cluster.waitForPromotion(replica.id);
  await createSilentAssignments(prisma, 10, addDays(localDate(new Date(), 'Europe/Oslo'), -20));
  const r = await runCli(['trigger', '--wait'], vars, 60_000);
  expect({ ...r, service: r.code === 0 ? '' : serviceTail() }).toMatchObject({ stderr: '', service: '' });
  expect(r.stdout).toMatch(/^run \d+ succeeded [\s\S]*enqueued 10, sent 10,/);
  expect(await prisma.reminder.count()).toBe(40);
  const dupes = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (SELECT 1 FROM reminders GROUP BY assignment_id, anchor_date, sequence_number HAVING count(*) > 1) d`;
  expect(Number(dupes[0]!.n)).toBe(0);
  await waitFor('/readyz ok on the new primary', () => get('/readyz').then((x) => x.status === 200, () => false), 20_000);
  expect(await runCli(['lock', 'status'], vars)).toMatchObject({ code: 0, stdout: 'lock {reminders}:lock:reminder-sweep is free\n' });
  expect(service!.child.exitCode).toBeNull();
}, 90_000);

it('preflight reaches the Cluster from a single seed node, and names an unreachable one without its password', async () => {
  // Was: "Cannot reach Redis at redis+cluster://127.0.0.1:7101 (Redis is already connecting/connected)".
  await expect(checkRedis({ redisUrl: cluster.url(1) })).resolves.toBeUndefined();
  await expect(checkRedis({ redisUrl: 'redis+cluster://app:hunter2@127.0.0.1:1' })).rejects.toThrow(/^Cannot reach Redis at redis\+cluster:\/\/app:\*\*\*@127\.0\.0\.1:1 \(/);
}, 30_000);
