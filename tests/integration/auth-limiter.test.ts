/**
 * The failed-authentication limiter: one count per address in Redis, shared by every API process
 * and by the Bull Board sign-in; it never refuses a valid token, however many bad ones came from
 * the same address.
 */
import { buildApp } from '@reminders/api/app';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

let env: TestEnv;
let api: ApiHarness;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
});

afterAll(async () => {
  await api?.close();
  await env.destroy();
});

const basic = (token: string) => `Basic ${Buffer.from(`ops:${token}`).toString('base64')}`;

it('a valid token from an address that sent 1,000 bad ones still gets 200 (admin, operator and service alike)', async () => {
  const app = await buildApp({ root: api.c, authFailures: { max: 20, windowMs: 60_000 } });
  const ip = '198.51.100.7';
  const statuses = new Map<number, number>();
  for (let i = 0; i < 1000; i++) {
    const r = await app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: `Bearer rmd_${'x'.repeat(43)}` }, remoteAddress: ip });
    statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
  }
  expect(Object.fromEntries(statuses)).toEqual({ 401: 20, 429: 980 });
  expect((await app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: `Bearer ${api.tokens.admin}` }, remoteAddress: ip })).statusCode).toBe(200);
  expect((await app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: `Bearer ${api.tokens.operator}` }, remoteAddress: ip })).statusCode).toBe(200);
  const service = await app.inject({ method: 'POST', url: '/v1/activities', headers: { authorization: `Bearer ${api.tokens.service}` }, payload: {}, remoteAddress: ip });
  expect(service.statusCode).toBe(400); // past authentication: the empty body is what is refused
  expect((await app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: basic(api.tokens.viewer) }, remoteAddress: ip })).statusCode).toBe(200);
  await app.close();
});

it('one count across API processes: failures on one instance block failures on another', async () => {
  const a = await buildApp({ root: api.c, authFailures: { max: 4, windowMs: 60_000 } });
  const b = await buildApp({ root: api.c, authFailures: { max: 4, windowMs: 60_000 } });
  const ip = '198.51.100.8';
  const bad = (app: typeof a) => app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: 'Bearer nope' }, remoteAddress: ip });
  expect([(await bad(a)).statusCode, (await bad(b)).statusCode, (await bad(a)).statusCode, (await bad(b)).statusCode]).toEqual([401, 401, 401, 401]);
  expect((await bad(a)).statusCode).toBe(429);
  expect((await bad(b)).statusCode).toBe(429);
  await a.close();
  await b.close();
});

it('Bull Board sign-in failures are counted with the rest; the board answers 429 once over the limit', async () => {
  const app = await buildApp({ root: api.c, authFailures: { max: 3, windowMs: 60_000 } });
  const ip = '198.51.100.9';
  const board = (token: string) => app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: basic(token) }, remoteAddress: ip });
  for (let i = 0; i < 2; i++) expect((await board(`rmd_${'y'.repeat(43)}`)).statusCode).toBe(401);
  expect((await app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: 'Bearer nope' }, remoteAddress: ip })).statusCode).toBe(401);
  const blocked = await board('rmd_wrong');
  expect(blocked.statusCode).toBe(429);
  expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect((await board(api.tokens.operator)).statusCode).toBe(200);
  await app.close();
});

it('the window ends (in Redis, on its own clock): failures are answered 401 again', async () => {
  const app = await buildApp({ root: api.c, authFailures: { max: 1, windowMs: 1000 } });
  const ip = '198.51.100.10';
  const bad = () => app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: 'Bearer nope' }, remoteAddress: ip });
  expect((await bad()).statusCode).toBe(401);
  expect((await bad()).statusCode).toBe(429);
  // Redis expires the count; the injected clock cannot move Redis's time, so this one waits.
  await new Promise((r) => setTimeout(r, 1100));
  expect((await bad()).statusCode).toBe(401);
  await app.close();
});
