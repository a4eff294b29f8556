/**
 * The lock lives in the database REDIS_URL names (finding 1): redlock's scripts SELECT their own
 * `db` setting, so a lock taken without it landed in db 0 while every reader looked in db N.
 * Held through the real container, read through the real CLI, the API and redis-cli.
 */
import { execFileSync } from 'node:child_process';
import { createTestEnv, deleteRedisPrefix, TEST_REDIS_URL, type TestEnv } from '../helpers/test-env';
import { runCli } from '../helpers/run-cli';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

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
