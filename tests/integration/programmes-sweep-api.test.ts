/**
 * Issue 15: each programme's sweep over HTTP at /v1/programmes/:slug/... (the /v1/sweep routes
 * stay default's): pausing one leaves the other running, runs and locks are the programme's own,
 * an unknown slug is a 404 that changes nothing.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

let env: TestEnv;
let api: ApiHarness;
let nycId: number;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
  nycId = (await api.c.services.programmes.create({ slug: 'nyc', name: 'New York chapter', timeZone: 'America/New_York', sendAt: '09:00' }, 'test')).id;
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

it("pauses one programme's sweep and not the other's", async () => {
  const paused = await api.call({ method: 'POST', url: '/v1/programmes/nyc/sweep/pause', as: 'operator', payload: { reason: 'chapter on holiday' } });
  expect(paused.statusCode).toBe(200);
  const nyc = (await api.call({ method: 'GET', url: '/v1/programmes/nyc/sweep/status', as: 'viewer' })).json();
  const dflt = (await api.call({ method: 'GET', url: '/v1/sweep/status', as: 'viewer' })).json();
  expect([nyc.enabled, dflt.enabled]).toEqual([false, true]);
  expect(nyc.lock.key).toMatch(/:lock:reminder-sweep:nyc$/);
  expect(nyc.schedule).toMatchObject({ id: 'programme-tick', pattern: 'daily at 09:00', tz: 'America/New_York' });
  const audit = await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'sweep.pause' } });
  expect(audit.targetId).toBe('reminder-sweep:nyc');
});

it("a trigger records a request for that programme; its runs are its own", async () => {
  const r = await api.call({ method: 'POST', url: '/v1/programmes/nyc/sweep/trigger', as: 'operator', payload: {} });
  expect(r.statusCode).toBe(202);
  const request = await api.prisma.sweepRequest.findFirstOrThrow({ where: { trigger: 'manual' }, orderBy: { id: 'desc' } });
  expect(request.programmeId).toBe(nycId);
  const other = await api.prisma.cronExecutionLog.create({ data: { jobName: 'reminder-sweep', trigger: 'manual', status: 'succeeded', workerId: 'w' } });
  expect((await api.call({ method: 'GET', url: `/v1/programmes/nyc/runs/${other.id}`, as: 'viewer' })).statusCode).toBe(404);
  expect((await api.call({ method: 'GET', url: `/v1/runs/${other.id}`, as: 'viewer' })).statusCode).toBe(200);
  expect((await api.call({ method: 'GET', url: '/v1/programmes/nyc/runs', as: 'viewer' })).json()).toEqual([]);
});

it('an unknown programme is a 404 problem and changes nothing', async () => {
  const before = await api.prisma.sweepRequest.count();
  const probes = [['POST', '/v1/programmes/nope/sweep/trigger', {}], ['POST', '/v1/programmes/nope/sweep/pause', { reason: 'x' }], ['GET', '/v1/programmes/nope/sweep/status', undefined]] as const;
  for (const [method, url, payload] of probes) {
    const res = await api.call({ method, url, as: 'admin', payload });
    expect({ url, status: res.statusCode, type: res.json().type }).toEqual({ url, status: 404, type: expect.stringMatching(/programme-not-found$/) });
  }
  expect(await api.prisma.sweepRequest.count()).toBe(before);
});

it("a programme's preview counts today in its own time zone", async () => {
  // 03:00 on the 29th in Oslo (default), still the 28th (22:00) in New York.
  (api.clock as unknown as { set: (iso: string) => void }).set('2026-11-29T03:00:00Z');
  const nyc = (await api.call({ method: 'GET', url: '/v1/programmes/nyc/sweep/preview', as: 'viewer' })).json();
  const dflt = (await api.call({ method: 'GET', url: '/v1/sweep/preview', as: 'viewer' })).json();
  expect([nyc.today, dflt.today]).toEqual(['2026-11-28', '2026-11-29']);
});
