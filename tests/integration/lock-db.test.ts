/**
 * The lock lives in the database REDIS_URL names (finding 1): redlock's scripts SELECT their own
 * `db` setting, so a lock taken without it landed in db 0 while every reader looked in db N.
 * Held through the real container, read through the real CLI, the API and redis-cli.
 */
import { execFileSync } from 'node:child_process';
import { createTestEnv, deleteRedisPrefix, TEST_REDIS_URL, type TestEnv } from '../helpers/test-env';
import { runCli } from '../helpers/run-cli';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { loadRunbook, shellLines, shellWords } from '../runbook/markdown';
import { createRedis } from '@reminders/core/redis';
import { createSweepLock } from '@reminders/core/lock';

// A database number of its own, different from the suite's default and from db 0.
const base = new URL(TEST_REDIS_URL);
const DB = Number(base.pathname.slice(1) || '0') === 5 ? 6 : 5;
base.pathname = `/${DB}`;
const REDIS_URL = base.toString();
const redisCli = (db: number, ...args: string[]) =>
  execFileSync('redis-cli', ['-h', base.hostname, '-p', base.port || '6379', '-n', String(db), ...args], { encoding: 'utf8' }).trim();

let env: TestEnv;
let api: ApiHarness;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-03-02T06:00:00Z', overrides: { REDIS_URL } });
});

afterAll(async () => {
  await api?.close();
  await deleteRedisPrefix(env.redisPrefix, REDIS_URL);
  await env.destroy();
});

it(`a held sweep lock is in db ${DB}: lock status, GET /v1/sweep/lock and redis-cli -n ${DB} agree, db 0 has no such key`, async () => {
  const key = `${env.redisPrefix}:lock:reminder-sweep`;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const holding = api.c.services.sweepLock.withLock(async (_signal, setHolder) => {
    await setHolder({ workerId: 'db-test-holder', runId: 41, since: '2026-03-02T06:00:00.000Z' });
    await released;
  });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const cliEnv = env.env({ REDIS_URL });
    const status = await runCli(['lock', 'status'], cliEnv);
    expect(status.stdout).toMatch(new RegExp(`^lock ${key} held by db-test-holder for run 41 since .*; \\d+ ms left`));
    expect(Number(redisCli(DB, 'pttl', key))).toBeGreaterThan(0);
    expect(redisCli(0, 'exists', key)).toBe('0');
    const viaApi = await api.call({ method: 'GET', url: '/v1/sweep/lock', as: 'viewer' });
    expect(viaApi.json()).toMatchObject({ key, held: true, holder: { worker_id: 'db-test-holder', run_id: 41 } });
  } finally {
    release();
  }
  expect(await holding).toEqual({ acquired: true, value: undefined });
  expect(redisCli(DB, 'exists', key)).toBe('0');
});

it(`lock release clears the lock in db ${DB}, so the next run can take it`, async () => {
  const key = `${env.redisPrefix}:lock:reminder-sweep`;
  // A holder that died: its lock stays until the TTL, and the operator releases it.
  redisCli(DB, 'set', key, 'dead-holder', 'PX', '60000');
  const r = await runCli(['lock', 'release', '--force', '--reason', 'test'], env.env({ REDIS_URL }));
  expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^lock released/) });
  expect(redisCli(DB, 'exists', key)).toBe('0');
  const taken = await api.c.services.sweepLock.withLock(async () => redisCli(DB, 'exists', key));
  expect(taken).toEqual({ acquired: true, value: '1' });
});

it(`the runbook's redis-cli stuck-lock commands, pointed at db ${DB}, see the held lock and clear it`, async () => {
  const block = loadRunbook()
    .flatMap((p) => p.blocks)
    .find((b) => b.markers.step === 'redis-cli-lock' && b.lang === 'sh');
  const lines = shellLines(block!.code).map(shellWords);
  expect(lines.map((w) => w.slice(0, 7).join(' '))).toEqual(Array(3).fill('redis-cli -h 10.0.0.5 -p 6379 -n 3'));
  // The runbook's REDIS_URL=redis://10.0.0.5:6379/3 and default prefix, made this test's.
  const run = (words: string[]) => {
    const args = words.slice(7).map((w) => w.replace(/^reminders:/, `${env.redisPrefix}:`));
    return redisCli(DB, ...args);
  };
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const holding = api.c.services.sweepLock.withLock(async (_signal, setHolder) => {
    await setHolder({ workerId: 'worker-2', runId: 118, since: new Date().toISOString() });
    await released;
  });
  try {
    await new Promise((r) => setTimeout(r, 100));
    expect(Number(run(lines[0]!))).toBeGreaterThan(0);
    expect(JSON.parse(run(lines[1]!))).toMatchObject({ workerId: 'worker-2', runId: 118 });
    expect(run(lines[2]!)).toBe('2');
    expect((await runCli(['lock', 'status'], env.env({ REDIS_URL }))).stdout).toMatch(/ is free\n$/);
  } finally {
    release();
  }
  await holding;
});

it('two deployments with the same prefix on different databases of one Redis do not share a lock', async () => {
  const other = new URL(REDIS_URL);
  other.pathname = `/${DB + 1}`;
  const redis = createRedis(other.toString());
  try {
    const theirs = createSweepLock({ redis, prefix: env.redisPrefix, name: 'reminder-sweep', ttlMs: 5_000 });
    const ours = api.c.services.sweepLock;
    const both = await ours.withLock(async () => theirs.withLock(async () => [await ours.status(), await theirs.status()]));
    expect(both).toMatchObject({ acquired: true, value: { acquired: true, value: [{ held: true }, { held: true }] } });
  } finally {
    redis.disconnect();
    await deleteRedisPrefix(env.redisPrefix, other.toString());
  }
});
