/**
 * With Redis unreachable the service still answers: /readyz says 503 within seconds, and a run
 * that cannot take its lock leaves a failed execution-log row and counts as a failure.
 */
import { buildApp } from '@reminders/api/app';
import { createContainer } from '@reminders/core/container';
import { createLogger } from '@reminders/core/logger';
import { createTestEnv, type TestEnv } from '../helpers/test-env';

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await env.destroy();
});

function containerWithoutRedis() {
  const config = env.config({ REDIS_URL: 'redis://127.0.0.1:1' });
  return createContainer({ config, logger: createLogger(config) });
}

it('/readyz answers 503 naming Redis, quickly, while Redis is down', async () => {
  const c = containerWithoutRedis();
  const app = await buildApp({ root: c });
  try {
    const started = Date.now();
    const r = await app.inject({ method: 'GET', url: '/readyz' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: 'unavailable', checks: { postgres: 'ok', redis: expect.stringMatching(/^error: /) } });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  } finally {
    await app.close();
    await c.close();
  }
});

it('GET /v1/sweep/status answers a 503 naming Redis within a second (it took 7.6 s and answered 500)', async () => {
  const c = containerWithoutRedis();
  const app = await buildApp({ root: c });
  try {
    const { token } = await c.services.tokens.create({ name: 'status-viewer', role: 'viewer', createdBy: 'test' });
    const started = Date.now();
    const r = await app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: `Bearer ${token}` } });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(r.statusCode).toBe(503);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json()).toMatchObject({ type: '/problems/redis-unavailable', detail: expect.stringMatching(/Redis \(REDIS_URL\) is not reachable/) });
  } finally {
    await app.close();
    await c.close();
  }
});

it('a run that cannot take the lock leaves a failed row and counts a failure', async () => {
  const c = containerWithoutRedis();
  try {
    const r = await c.services.sweepRun.run({ trigger: 'scheduled' });
    expect(r.status).toBe('failed');
    const row = await c.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: r.runId } });
    expect(row).toMatchObject({ status: 'failed', trigger: 'scheduled' });
    expect(row.error).toMatch(/could not take the sweep lock/);
    expect(row.finishedAt).not.toBeNull();
    expect((await c.prisma.sweepState.findFirstOrThrow()).consecutiveFailures).toBe(1);
  } finally {
    await c.close();
  }
});
