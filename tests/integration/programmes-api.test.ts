/**
 * Issue 15, programmes over HTTP: create / list / show / change / delete and moving an assignment,
 * each change with one audit row; every refusal answers with a precise problem and changes
 * nothing; roles as ROUTE_ROLES says; delete refused while assignments or runs belong to it, and
 * always for `default`.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

const NOW = '2026-12-01T09:00:00Z';
let env: TestEnv;
let api: ApiHarness;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

/** Everything a refused request must leave as it was. */
const snapshot = async () =>
  JSON.stringify([
    await api.prisma.programme.findMany({ orderBy: { id: 'asc' } }),
    await api.prisma.sweepState.findMany({ orderBy: { programmeId: 'asc' } }),
    await api.prisma.adminAuditLog.count(),
    await api.prisma.assignment.findMany({ orderBy: { id: 'asc' }, select: { id: true, programmeId: true } }),
  ], (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
const audits = (action: string) => api.prisma.adminAuditLog.findMany({ where: { action }, orderBy: { id: 'asc' } });

const oslo = { slug: 'oslo-youth', name: '  Oslo youth  ', time_zone: 'Europe/Oslo', send_at: '08:30', first_after_days: 10, repeat_every_days: 5, escalate_after: 2, stop_after: 6, default_locale: 'en' };

describe('create, list, show, change', () => {
  it('creates a programme with its sweep state and an audit row', async () => {
    const res = await api.call({ method: 'POST', url: '/v1/programmes', payload: oslo, as: 'admin' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      slug: 'oslo-youth',
      name: 'Oslo youth',
      time_zone: 'Europe/Oslo',
      send_at: '08:30',
      first_after_days: 10,
      repeat_every_days: 5,
      escalate_after: 2,
      stop_after: 6,
      default_locale: 'en',
      delivery: 'digest',
      absence_policy: 'freeze',
      from_environment: false,
      created_at: new Date(NOW).toISOString(),
      updated_at: new Date(NOW).toISOString(),
    });
    const row = await api.prisma.programme.findUniqueOrThrow({ where: { slug: 'oslo-youth' } });
    expect(await api.prisma.sweepState.findUnique({ where: { programmeId: row.id } })).toMatchObject({ jobName: 'reminder-sweep:oslo-youth' });
    const [audit] = await audits('programme.create');
    expect(audit).toMatchObject({ actor: 'test-admin', targetType: 'programme', targetId: 'oslo-youth', before: null });
    expect(audit!.after).toMatchObject({ slug: 'oslo-youth', sendAt: '08:30', stopAfter: 6 });
  });

  it("takes what is left out from the default programme", async () => {
    const res = await api.call({ method: 'POST', url: '/v1/programmes', payload: { slug: 'bergen', name: 'Bergen' }, as: 'admin' });
    expect(res.statusCode).toBe(201);
    const def = (await api.call({ method: 'GET', url: '/v1/programmes/default', as: 'viewer' })).json();
    expect(res.json()).toMatchObject({ time_zone: def.time_zone, send_at: def.send_at, first_after_days: def.first_after_days, stop_after: def.stop_after, default_locale: def.default_locale });
  });

  it('lists every programme, default first, and shows one with its usage', async () => {
    const list = await api.call({ method: 'GET', url: '/v1/programmes', as: 'viewer' });
    expect(list.statusCode).toBe(200);
    expect(list.json().programmes.map((p: { slug: string }) => p.slug)).toEqual(['default', 'oslo-youth', 'bergen']);
    const show = await api.call({ method: 'GET', url: '/v1/programmes/oslo-youth', as: 'viewer' });
    expect(show.statusCode).toBe(200);
    expect(show.json()).toMatchObject({ slug: 'oslo-youth', usage: { assignments: 0, runs: 0 } });
  });

  it('changes settings, audits before and after, and ends default\'s tie to the environment', async () => {
    const res = await api.call({ method: 'PATCH', url: '/v1/programmes/oslo-youth', payload: { send_at: '09:15', stop_after: null, slug: 'oslo-youth' }, as: 'admin' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ send_at: '09:15', stop_after: null, first_after_days: 10 });
    const [audit] = await audits('programme.update');
    expect(audit).toMatchObject({ targetId: 'oslo-youth', before: expect.objectContaining({ sendAt: '08:30', stopAfter: 6 }), after: expect.objectContaining({ sendAt: '09:15', stopAfter: null }) });

    expect((await api.prisma.programme.findUniqueOrThrow({ where: { id: 1 } })).fromEnvironment).toBe(true);
    const def = await api.call({ method: 'PATCH', url: '/v1/programmes/default', payload: { name: 'Everyone else' }, as: 'admin' });
    expect(def.statusCode).toBe(200);
    expect(def.json()).toMatchObject({ name: 'Everyone else', from_environment: false });
  });

  it('sets delivery and absence_policy on create and update, shows them, and audits them', async () => {
    const res = await api.call({ method: 'POST', url: '/v1/programmes', payload: { slug: 'tromso', name: 'Tromsø', delivery: 'each', absence_policy: 'cover' }, as: 'admin' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ delivery: 'each', absence_policy: 'cover' });
    expect(await api.prisma.programme.findUniqueOrThrow({ where: { slug: 'tromso' } })).toMatchObject({ delivery: 'each', absencePolicy: 'cover' });
    expect((await audits('programme.create')).at(-1)!.after).toMatchObject({ slug: 'tromso', delivery: 'each', absencePolicy: 'cover' });

    const upd = await api.call({ method: 'PATCH', url: '/v1/programmes/tromso', payload: { absence_policy: 'freeze' }, as: 'admin' });
    expect(upd.statusCode).toBe(200);
    expect(upd.json()).toMatchObject({ delivery: 'each', absence_policy: 'freeze' });
    expect((await audits('programme.update')).at(-1)).toMatchObject({ before: expect.objectContaining({ absencePolicy: 'cover' }), after: expect.objectContaining({ absencePolicy: 'freeze', delivery: 'each' }) });
    expect((await api.call({ method: 'GET', url: '/v1/programmes/tromso', as: 'viewer' })).json()).toMatchObject({ delivery: 'each', absence_policy: 'freeze' });
    const listed = (await api.call({ method: 'GET', url: '/v1/programmes', as: 'viewer' })).json().programmes;
    expect(listed.find((p: { slug: string }) => p.slug === 'default')).toMatchObject({ delivery: 'digest', absence_policy: 'freeze' });
  });
});

describe('refusals change nothing', () => {
  const cases: [string, Record<string, unknown>, number, RegExp][] = [
    ['POST /v1/programmes', { ...oslo, slug: 'Bad_Slug' }, 400, /slug/],
    ['POST /v1/programmes', { ...oslo, slug: '-lead' }, 400, /slug/],
    ['POST /v1/programmes', { ...oslo, slug: 'x'.repeat(49) }, 400, /slug/],
    ['POST /v1/programmes', { ...oslo, slug: 'oslo-youth' }, 409, /already exists/],
    ['POST /v1/programmes', { slug: 'no-name' }, 400, /name/],
    ['POST /v1/programmes', { ...oslo, slug: 'n1', name: '   ' }, 400, /name/],
    ['POST /v1/programmes', { ...oslo, slug: 'n2', name: 'x'.repeat(201) }, 400, /name/],
    ['POST /v1/programmes', { ...oslo, slug: 'n3', time_zone: 'Mars/Olympus' }, 400, /time_zone must be an IANA time zone/],
    ['POST /v1/programmes', { ...oslo, slug: 'n4', send_at: '24:00' }, 400, /send_at/],
    ['POST /v1/programmes', { ...oslo, slug: 'n5', send_at: '7:00' }, 400, /send_at/],
    ['POST /v1/programmes', { ...oslo, slug: 'n6', first_after_days: 0 }, 400, /first_after_days/],
    ['POST /v1/programmes', { ...oslo, slug: 'n7', repeat_every_days: 366 }, 400, /repeat_every_days/],
    ['POST /v1/programmes', { ...oslo, slug: 'n8', escalate_after: 101 }, 400, /escalate_after/],
    ['POST /v1/programmes', { ...oslo, slug: 'n9', stop_after: 0 }, 400, /stop_after/],
    ['POST /v1/programmes', { ...oslo, slug: 'n10', escalate_after: 4, stop_after: 3 }, 400, /stop_after must be null or at least escalate_after \(4\)/],
    ['POST /v1/programmes', { ...oslo, slug: 'n11', default_locale: 'de' }, 400, /default_locale/],
    ['POST /v1/programmes', { ...oslo, slug: 'n12', extra: 1 }, 400, /unknown field/],
    ['POST /v1/programmes', { ...oslo, slug: 'n13', delivery: 'weekly' }, 400, /delivery/],
    ['POST /v1/programmes', { ...oslo, slug: 'n14', absence_policy: 'ignore' }, 400, /absence_policy/],
    ['PATCH /v1/programmes/oslo-youth', { delivery: 'DIGEST' }, 400, /delivery/],
    ['PATCH /v1/programmes/oslo-youth', { absence_policy: null }, 400, /absence_policy/],
    ['PATCH /v1/programmes/oslo-youth', { slug: 'renamed' }, 400, /slug cannot be changed/],
    ['PATCH /v1/programmes/oslo-youth', {}, 400, /nothing to change/],
    ['PATCH /v1/programmes/oslo-youth', { escalate_after: 50, stop_after: 10 }, 400, /stop_after must be null or at least escalate_after/],
    ['PATCH /v1/programmes/oslo-youth', { time_zone: 'Europe/Nowhere' }, 400, /time_zone/],
    ['PATCH /v1/programmes/nope', { name: 'x' }, 404, /programme "nope" does not exist/],
    ['PATCH /v1/programmes/NOPE', { name: 'x' }, 400, /slug/],
  ];
  it.each(cases)('%s %j -> %s', async (route, payload, status, detail) => {
    const [method, url] = route.split(' ') as ['POST', string];
    const before = await snapshot();
    const res = await api.call({ method, url, payload, as: 'admin' });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(`${body.detail} ${(body.errors ?? []).map((e: { pointer: string; detail: string }) => `${e.pointer} ${e.detail}`).join('; ')}`).toMatch(detail);
    expect(await snapshot()).toBe(before);
  });

  it('answers 404 for an unknown programme', async () => {
    expect((await api.call({ method: 'GET', url: '/v1/programmes/nope', as: 'viewer' })).statusCode).toBe(404);
    expect((await api.call({ method: 'DELETE', url: '/v1/programmes/nope', as: 'admin' })).statusCode).toBe(404);
  });
});

describe('roles', () => {
  it('lets a viewer read and refuses it every change', async () => {
    const before = await snapshot();
    expect((await api.call({ method: 'GET', url: '/v1/programmes', as: 'viewer' })).statusCode).toBe(200);
    for (const as of ['viewer', 'operator', 'service'] as const) {
      expect((await api.call({ method: 'POST', url: '/v1/programmes', payload: { slug: 'sneaky', name: 'x' }, as })).statusCode).toBe(403);
      expect((await api.call({ method: 'PATCH', url: '/v1/programmes/oslo-youth', payload: { name: 'x' }, as })).statusCode).toBe(403);
      expect((await api.call({ method: 'DELETE', url: '/v1/programmes/bergen', as })).statusCode).toBe(403);
    }
    expect((await api.call({ method: 'GET', url: '/v1/programmes', as: 'service' })).statusCode).toBe(403);
    expect(await snapshot()).toBe(before);
  });
});

describe('move and delete', () => {
  let assignmentId: number;
  beforeAll(async () => {
    assignmentId = (await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' })).assignmentId;
  });

  it('moves an assignment, audited with its reason', async () => {
    const res = await api.call({ method: 'POST', url: `/v1/assignments/${assignmentId}/programme`, payload: { programme: 'oslo-youth', reason: 'Contact moved to Oslo' }, as: 'admin' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ assignment_id: assignmentId, from: 'default', to: 'oslo-youth', audit: { actor: 'test-admin', reason: 'Contact moved to Oslo' } });
    const row = await api.prisma.assignment.findUniqueOrThrow({ where: { id: assignmentId } });
    expect(row.programmeId).toBe((await api.prisma.programme.findUniqueOrThrow({ where: { slug: 'oslo-youth' } })).id);
    const [audit] = await audits('assignment.move_programme');
    expect(audit).toMatchObject({ targetType: 'assignment', targetId: String(assignmentId), before: { programme: 'default' }, after: { programme: 'oslo-youth' }, reason: 'Contact moved to Oslo' });
  });

  it.each([
    ['no reason', { programme: 'default' }, 400],
    ['a short reason', { programme: 'default', reason: 'ab' }, 400],
    ['an unknown programme', { programme: 'nope', reason: 'a good reason' }, 404],
    ['the programme it is in', { programme: 'oslo-youth', reason: 'a good reason' }, 409],
  ])('refuses a move with %s, changing nothing', async (_label, payload, status) => {
    const before = await snapshot();
    const res = await api.call({ method: 'POST', url: `/v1/assignments/${assignmentId}/programme`, payload, as: 'admin' });
    expect(res.statusCode).toBe(status);
    expect(await snapshot()).toBe(before);
  });

  it('answers 404 for an unknown assignment', async () => {
    const res = await api.call({ method: 'POST', url: '/v1/assignments/999999/programme', payload: { programme: 'default', reason: 'a good reason' }, as: 'admin' });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toBe('assignment 999999 does not exist');
  });

  it('refuses to delete a programme with assignments, saying how many', async () => {
    const before = await snapshot();
    const res = await api.call({ method: 'DELETE', url: '/v1/programmes/oslo-youth', as: 'admin' });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toBe('programme "oslo-youth" has 1 assignment; move them to another programme first');
    expect(await snapshot()).toBe(before);
  });

  it('refuses to delete a programme with runs, and default always', async () => {
    const bergen = await api.prisma.programme.findUniqueOrThrow({ where: { slug: 'bergen' } });
    await api.prisma.cronExecutionLog.create({ data: { jobName: 'reminder-sweep:bergen', trigger: 'manual', status: 'succeeded', workerId: 'test', programmeId: bergen.id } });
    const before = await snapshot();
    const runs = await api.call({ method: 'DELETE', url: '/v1/programmes/bergen', as: 'admin' });
    expect(runs.statusCode).toBe(409);
    expect(runs.json().detail).toMatch(/has 1 run in the execution log/);
    const def = await api.call({ method: 'DELETE', url: '/v1/programmes/default', as: 'admin' });
    expect(def.statusCode).toBe(409);
    expect(def.json().detail).toMatch(/"default" cannot be deleted/);
    expect(await snapshot()).toBe(before);
  });

  it('deletes an unused programme with its sweep state, audited', async () => {
    await api.call({ method: 'POST', url: `/v1/assignments/${assignmentId}/programme`, payload: { programme: 'default', reason: 'Back to default' }, as: 'admin' });
    const id = (await api.prisma.programme.findUniqueOrThrow({ where: { slug: 'oslo-youth' } })).id;
    const res = await api.call({ method: 'DELETE', url: '/v1/programmes/oslo-youth', as: 'admin' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ slug: 'oslo-youth' });
    expect(await api.prisma.programme.findUnique({ where: { id } })).toBeNull();
    expect(await api.prisma.sweepState.findUnique({ where: { programmeId: id } })).toBeNull();
    const [audit] = await audits('programme.delete');
    expect(audit).toMatchObject({ actor: 'test-admin', targetId: 'oslo-youth', after: null, before: expect.objectContaining({ slug: 'oslo-youth' }) });
  });
});
