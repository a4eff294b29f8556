/**
 * `npm start` (= `reminders start`): migrates, runs the API and the worker, stops cleanly on
 * SIGTERM; a bad configuration value or an unreachable dependency stops it with one clear line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { freePort, runCli, startCli } from '../helpers/run-cli';
import { waitFor } from '../helpers/wait-for';
import { WORKER_OLD_SPACE_MB, WORKER_SEMI_SPACE_MB } from '@reminders/core/worker-heap';

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv({ migrate: false });
});

afterAll(async () => {
  await env.destroy();
});

it('migrates, serves /healthz, connects the worker, and stops on SIGTERM', async () => {
  const port = await freePort();
  const { child, output, exited } = startCli(['start'], env.env({ PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'production' }));
  try {
    await waitFor('the worker to be ready', () => output().includes('"worker ready"'), 40_000);
    const health = await waitFor('GET /healthz', () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => (r.ok ? r.json() : null), () => null), 20_000);
    expect(health).toEqual({ status: 'ok' });
    const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
    expect(ready).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    expect(output()).toMatch(/applied migrations: 20261128000000_init/);
    expect(output()).toMatch(/"job scheduler verified"/);
    // The worker child runs under its heap caps (worker-heap.ts), the API under V8's defaults.
    const heapLimitMb = Number(/"heapLimitMb":(\d+)[^\n]*"worker ready"/.exec(output())?.[1]);
    expect(heapLimitMb).toBeGreaterThanOrEqual(WORKER_OLD_SPACE_MB);
    expect(heapLimitMb).toBeLessThan(WORKER_OLD_SPACE_MB + 3 * WORKER_SEMI_SPACE_MB + 32);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(output()).toMatch(/"worker stopped"/);
});

it('a worker killed mid-run is named with its signal and restarted; the API keeps serving', async () => {
  const port = await freePort();
  const { child, output, exited } = startCli(['start', '--no-migrate'], env.env({ PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'production' }));
  try {
    await waitFor('the worker to be ready', () => output().includes('"worker ready"'), 40_000);
    await waitFor('GET /healthz', () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false), 20_000);
    const workerPid = await waitFor('the worker pid', () => childPids(child.pid!).find((pid) => cmdline(pid).includes('serve-worker')) ?? null);
    process.kill(workerPid, 'SIGKILL');
    await waitFor('the death to be reported', () => /reminders start: serve-worker \(pid \d+\) died \(killed by SIGKILL\); restarting it in 1 s/.test(output()), 10_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await waitFor('a new worker', () => childPids(child.pid!).some((pid) => pid !== workerPid && cmdline(pid).includes('serve-worker')), 20_000);
    await waitFor('the new worker to be ready', () => (output().match(/"worker ready"/g) ?? []).length >= 2, 40_000);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});

function childPids(parent: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(parent);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

it.each([
  [{ REDIS_URL: 'nonsense' }, /^Invalid configuration: REDIS_URL must be a URL starting with redis:\/\//],
  [{ REMINDER_TZ: 'Mars/Olympus' }, /^Invalid configuration: REMINDER_TZ must be an IANA time zone/],
  [{ PORT: 'eighty' }, /^Invalid configuration: PORT must be a whole number/],
])('a bad value (%j) stops start-up with exit code 1 and one line', async (overrides, message) => {
  const r = await runCli(['start'], env.env(overrides));
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
});

it('an unreachable Postgres or Redis is named, with where it looked and how to start it', async () => {
  const pg = await runCli(['start'], env.env({ DATABASE_URL: 'postgresql://postgres:secret@127.0.0.1:1/reminders' }));
  expect(pg.code).toBe(1);
  expect(pg.stderr).toMatch(/^error: Cannot reach PostgreSQL at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/reminders .*Start it \(on Debian: pg_ctlcluster/);
  expect(pg.stderr).not.toContain('secret');
  const redis = await runCli(['start'], env.env({ REDIS_URL: 'redis://127.0.0.1:1' }));
  expect(redis.code).toBe(1);
  expect(redis.stderr).toMatch(/^error: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*redis-server --daemonize yes/);
});
