/**
 * Pauses: `until` at most PAUSE_MAX_DAYS away, `replace` needed to change a pause in force (409
 * otherwise, nothing changes), a 400 for any time that does not parse (a leap second, Feb 30),
 * and pause_overdue for a long pause with an end time too.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

let env: TestEnv;
let api: ApiHarness;
const clock = () => api.clock as unknown as { now(): Date; advance(ms: number): void };

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
});

afterAll(async () => {
  await api?.close();
  await env.destroy();
});

const pause = (payload: object) => api.call({ method: 'POST', url: '/v1/sweep/pause', payload, as: 'operator' });
const state = () => api.prisma.sweepState.findFirst();

it.each([
  ['2016-12-31T23:59:60Z', /date-time|until/],
  ['2026-02-30T10:00:00Z', /date-time|until/],
  ['2026-12-01T24:00:00Z', /date-time|until/],
  ['not a time', /date-time|until/],
])('until %j is a 400 problem+json (never a 500) and changes nothing', async (until, detail) => {
  const r = await pause({ reason: 'x', until });
  expect(r.statusCode).toBe(400);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.json().detail).toMatch(detail);
  expect((await state())?.enabled ?? true).toBe(true);
});

it('until beyond PAUSE_MAX_DAYS (14) is refused: 9999-12-31T23:59:59Z too', async () => {
  for (const until of ['9999-12-31T23:59:59Z', '2026-12-12T06:00:01Z']) {
    const r = await pause({ reason: 'x', until });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ type: '/problems/until-too-far' });
    expect(r.json().detail).toMatch(/more than PAUSE_MAX_DAYS \(14\) days away/);
  }
  expect((await pause({ reason: 'two weeks', until: '2026-12-12T06:00:00Z' })).statusCode).toBe(200);
  expect((await api.call({ method: 'POST', url: '/v1/sweep/resume', as: 'operator' })).statusCode).toBe(200);
});

it('pausing a paused sweep is a 409 that changes nothing; replace: true changes it and is audited', async () => {
  expect((await pause({ reason: 'first', until: '2026-11-29T06:00:00Z' })).statusCode).toBe(200);
  const again = await pause({ reason: 'second' });
  expect(again.statusCode).toBe(409);
  expect(again.json()).toMatchObject({ type: '/problems/already-paused' });
  expect(again.json().detail).toMatch(/already paused by test-operator: first \(until 2026-11-29T06:00:00.000Z\); use --replace/);
  expect(await state()).toMatchObject({ pauseReason: 'first' });
  const replaced = await pause({ reason: 'second', replace: true });
  expect(replaced.statusCode).toBe(200);
  expect(replaced.json()).toMatchObject({ pause_reason: 'second', paused_until: null });
  expect(await api.prisma.adminAuditLog.count({ where: { action: 'sweep.pause.replace' } })).toBe(1);
  await api.call({ method: 'POST', url: '/v1/sweep/resume', as: 'operator' });
});

it('a pause with an end time longer than ALERT_PAUSE_MAX_HOURS raises pause_overdue once', async () => {
  expect((await pause({ reason: 'long import', until: '2026-12-08T06:00:00Z' })).statusCode).toBe(200);
  clock().advance(23 * 3_600_000);
  await api.c.services.watchdog.tick();
  expect(await api.prisma.alert.count({ where: { kind: 'pause_overdue' } })).toBe(0);
  clock().advance(2 * 3_600_000);
  await api.c.services.watchdog.tick();
  await api.c.services.watchdog.tick();
  const alerts = await api.prisma.alert.findMany({ where: { kind: 'pause_overdue' } });
  expect(alerts).toHaveLength(1);
  expect(alerts[0]!.message).toMatch(/paused for 25 hours.*until 2026-12-08T06:00:00.000Z/);
});
