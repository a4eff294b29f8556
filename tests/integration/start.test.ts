/**
 * `npm start` (= `reminders start`): migrates, runs the API and the worker, stops cleanly on
 * SIGTERM; a bad configuration value or an unreachable dependency stops it with one clear line.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { freePort, runCli, startCli } from '../helpers/run-cli';
import { waitFor } from '../helpers/wait-for';

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
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(output()).toMatch(/"worker stopped"/);
});

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
