/**
 * Issue 4, route-by-role matrix: every route in ROUTE_ROLES x {no token, wrong scheme, malformed,
 * unknown, revoked, each role} gives 401 / 403 / 2xx exactly as the table says; public routes
 * answer everyone. Also: failed attempts are rate-limited per address and logged without the
 * token, last_used_at is recorded, and a /v1 route missing from the table stops start-up.
 */
import type { InjectOptions } from 'fastify';
import { buildApp } from '@reminders/api/app';
import { PUBLIC_ROUTES, ROUTE_ROLES, SIGNED_LINK_ROUTES } from '@reminders/api/route-roles';
import { ROLES, type Role } from '@reminders/core/auth/roles';
import { generateToken } from '@reminders/core/auth/api-token';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { captureLogs } from '../helpers/log-capture';

const NOW = '2026-11-28T06:00:00Z';

let env: TestEnv;
let api: ApiHarness;
let assignmentId: number;
let mentorId: number;
let revoked: string;
const { lines: logLines, sink: logSink } = captureLogs();

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW, logTo: logSink });
  ({ assignmentId, mentorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01', mentorEmail: 'matrix@example.org' }));
  revoked = (await api.c.services.tokens.create({ name: 'revoked-admin', role: 'admin', createdBy: 'test' })).token;
  await api.c.services.tokens.revoke('revoked-admin', 'test');
  await api.c.services.programmes.create({ slug: 'matrix-target', name: 'Matrix target' }, 'test');
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

let n = 0;
/** A request that succeeds for an allowed role; every key of ROUTE_ROLES needs one. */
const VALID: Record<string, () => Promise<InjectOptions>> = {
  'POST /v1/activities': async () => ({
    method: 'POST',
    url: '/v1/activities',
    payload: { assignment_id: assignmentId, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registration_path: 'direct', registered_by: 'mia' },
  }),
  'POST /v1/activities/bulk': async () => ({
    method: 'POST',
    url: '/v1/activities/bulk',
    payload: { items: [{ assignment_id: assignmentId, activity_type: 'visit', occurred_at: '2026-11-27T11:00:00Z', registered_by: 'cora' }] },
  }),
  'GET /v1/assignments/:id': async () => ({ method: 'GET', url: `/v1/assignments/${assignmentId}` }),
  'POST /v1/assignments/:id/contact-correction': async () => ({
    method: 'POST',
    url: `/v1/assignments/${assignmentId}/contact-correction`,
    payload: { last_contact_date: '2026-11-20', reason: 'matrix test' },
  }),
  'GET /v1/tokens': async () => ({ method: 'GET', url: '/v1/tokens' }),
  'POST /v1/tokens': async () => ({ method: 'POST', url: '/v1/tokens', payload: { name: `made-${++n}`, role: 'viewer' } }),
  'POST /v1/tokens/:name/revoke': async () => {
    const name = `victim-${++n}`;
    await api.c.services.tokens.create({ name, role: 'viewer', createdBy: 'test' });
    return { method: 'POST', url: `/v1/tokens/${name}/revoke` };
  },
  'GET /v1/programmes': async () => ({ method: 'GET', url: '/v1/programmes' }),
  'GET /v1/programmes/:slug': async () => ({ method: 'GET', url: '/v1/programmes/default' }),
  'POST /v1/programmes': async () => ({ method: 'POST', url: '/v1/programmes', payload: { slug: `made-${++n}`, name: 'Matrix programme' } }),
  'PATCH /v1/programmes/:slug': async () => ({ method: 'PATCH', url: '/v1/programmes/matrix-target', payload: { name: `Matrix target ${++n}` } }),
  'DELETE /v1/programmes/:slug': async () => {
    const slug = `doomed-${++n}`;
    await api.c.services.programmes.create({ slug, name: 'To be deleted' }, 'test');
    return { method: 'DELETE', url: `/v1/programmes/${slug}` };
  },
  'GET /v1/programmes/:slug/stats': async () => ({ method: 'GET', url: '/v1/programmes/matrix-target/stats?from=2026-11-01&to=2026-11-28' }),
  'POST /v1/assignments/:id/programme': async () => {
    const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' });
    return { method: 'POST', url: `/v1/assignments/${id}/programme`, payload: { programme: 'matrix-target', reason: 'matrix test' } };
  },
  'POST /v1/sweep/trigger': async () => ({ method: 'POST', url: '/v1/sweep/trigger', payload: {} }),
  'GET /v1/sweep/preview': async () => ({ method: 'GET', url: '/v1/sweep/preview' }),
  'POST /v1/sweep/pause': async () => ({ method: 'POST', url: '/v1/sweep/pause', payload: { reason: 'matrix test', replace: true } }),
  'POST /v1/sweep/resume': async () => {
    await api.c.services.ops.pause({ by: 'test', reason: 'matrix test', until: null, replace: true });
    return { method: 'POST', url: '/v1/sweep/resume' };
  },
  'GET /v1/sweep/status': async () => ({ method: 'GET', url: '/v1/sweep/status' }),
  'GET /v1/runs': async () => ({ method: 'GET', url: '/v1/runs' }),
  'GET /v1/runs/:id': async () => ({ method: 'GET', url: `/v1/runs/${(await heldRun()).id}` }),
  'POST /v1/runs/:id/cancel': async () => ({ method: 'POST', url: `/v1/runs/${(await heldRun()).id}/cancel`, payload: {} }),
  'GET /v1/sweep/lock': async () => ({ method: 'GET', url: '/v1/sweep/lock' }),
  'POST /v1/sweep/lock/release': async () => {
    // A lock left by a dead worker: release is allowed.
    await api.c.redis.set(api.c.services.sweepLock.key, 'dead-worker', 'PX', 60_000);
    return { method: 'POST', url: '/v1/sweep/lock/release', payload: {} };
  },
  'GET /v1/alerts': async () => ({ method: 'GET', url: '/v1/alerts' }),
  'POST /v1/peer-mentors/:id/absences': async () => {
    const { mentorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' });
    return { method: 'POST', url: `/v1/peer-mentors/${mentorId}/absences`, payload: { from: '2026-12-01', to: '2026-12-05' } };
  },
  'GET /v1/peer-mentors/:id/absences': async () => {
    const { mentorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01' });
    return { method: 'GET', url: `/v1/peer-mentors/${mentorId}/absences` };
  },
  'DELETE /v1/peer-mentors/:id/absences/:absenceId': async () => {
    const { mentorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01' });
    const { absence } = await api.c.services.absences.add({ mentorId, from: '2026-12-01', to: '2026-12-05', actor: 'test' });
    return { method: 'DELETE', url: `/v1/peer-mentors/${mentorId}/absences/${absence.id}` };
  },
  'PUT /v1/assignments/:id/snooze': async () => ({ method: 'PUT', url: `/v1/assignments/${assignmentId}/snooze`, payload: { until: '2026-12-10' } }),
  'DELETE /v1/assignments/:id/snooze': async () => ({ method: 'DELETE', url: `/v1/assignments/${assignmentId}/snooze` }),
  // One programme's sweep (issue 15): the same routes under /v1/programmes/:slug.
  'POST /v1/programmes/:slug/sweep/trigger': async () => ({ method: 'POST', url: '/v1/programmes/matrix-target/sweep/trigger', payload: {} }),
  'GET /v1/programmes/:slug/sweep/preview': async () => ({ method: 'GET', url: '/v1/programmes/matrix-target/sweep/preview' }),
  'POST /v1/programmes/:slug/sweep/pause': async () => ({ method: 'POST', url: '/v1/programmes/matrix-target/sweep/pause', payload: { reason: 'matrix test', replace: true } }),
  'POST /v1/programmes/:slug/sweep/resume': async () => {
    await api.c.services.opsFor(await matrixTarget()).pause({ by: 'test', reason: 'matrix test', until: null, replace: true });
    return { method: 'POST', url: '/v1/programmes/matrix-target/sweep/resume' };
  },
  'GET /v1/programmes/:slug/sweep/status': async () => ({ method: 'GET', url: '/v1/programmes/matrix-target/sweep/status' }),
  'GET /v1/programmes/:slug/runs': async () => ({ method: 'GET', url: '/v1/programmes/matrix-target/runs' }),
  'GET /v1/programmes/:slug/runs/:id': async () => ({ method: 'GET', url: `/v1/programmes/matrix-target/runs/${(await heldRun(await matrixTarget())).id}` }),
  'POST /v1/programmes/:slug/runs/:id/cancel': async () => ({ method: 'POST', url: `/v1/programmes/matrix-target/runs/${(await heldRun(await matrixTarget())).id}/cancel`, payload: {} }),
  'GET /v1/programmes/:slug/sweep/lock': async () => ({ method: 'GET', url: '/v1/programmes/matrix-target/sweep/lock' }),
  'POST /v1/programmes/:slug/sweep/lock/release': async () => {
    await api.c.redis.set(api.c.lockFor(await matrixTarget()).key, 'dead-worker', 'PX', 60_000);
    return { method: 'POST', url: '/v1/programmes/matrix-target/sweep/lock/release', payload: {} };
  },
  'GET /metrics': async () => ({ method: 'GET', url: '/metrics' }),
  // The mentor's side (issue 16).
  'GET /v1/peer-mentors/:id/preferences': async () => ({ method: 'GET', url: `/v1/peer-mentors/${mentorId}/preferences` }),
  'PUT /v1/peer-mentors/:id/preferences': async () => ({ method: 'PUT', url: `/v1/peer-mentors/${mentorId}/preferences`, payload: { reminder_email: ++n % 2 === 0 } }),
  'POST /v1/delivery-events': async () => ({ method: 'POST', url: '/v1/delivery-events', payload: { source: 'matrix', events: [{ id: `e-${++n}`, type: 'soft_bounce', email: 'matrix@example.org', occurred_at: '2026-11-27T10:00:00Z' }] } }),
  'DELETE /v1/email-addresses/:address/undeliverable': async () => {
    const address = `gone-${++n}@example.org`;
    await api.prisma.emailAddress.create({ data: { address, undeliverableAt: new Date(NOW), undeliverableReason: 'hard_bounce', hardBounces: 1 } });
    return { method: 'DELETE', url: `/v1/email-addresses/${address}/undeliverable` };
  },
  'GET /v1/digests': async () => ({ method: 'GET', url: '/v1/digests?status=failed' }),
  'POST /v1/digests/retry': async () => ({ method: 'POST', url: '/v1/digests/retry', payload: { date: '2026-11-27' } }),
  'POST /v1/digests/cancel': async () => ({ method: 'POST', url: '/v1/digests/cancel', payload: { date: '2026-11-27' } }),
};

/** A run held by the blast-radius guard (what cancel acts on), of default's sweep or a programme's. */
const heldRun = (p?: { id: number; slug: string }) =>
  api.prisma.cronExecutionLog.create({ data: { jobName: p ? `reminder-sweep:${p.slug}` : 'reminder-sweep', programmeId: p?.id ?? 1, trigger: 'manual', status: 'awaiting_confirmation', workerId: 'matrix-test' } });
const matrixTarget = async () => (await api.c.repositories.programmes.bySlug('matrix-target'))!;

type Identity = { label: string; authorization?: string; role?: Role };
const identities = (): Identity[] => [
  { label: 'no token' },
  { label: 'wrong scheme', authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
  { label: 'malformed', authorization: 'Bearer not-a-token' },
  { label: 'unknown', authorization: `Bearer ${generateToken()}` },
  { label: 'revoked', authorization: `Bearer ${revoked}` },
  ...ROLES.map((role) => ({ label: role, role, authorization: `Bearer ${api.tokens[role]}` })),
];

describe('route x role matrix', () => {
  it('has a valid request for every guarded route', () => {
    expect(Object.keys(VALID).sort()).toEqual(Object.keys(ROUTE_ROLES).sort());
  });

  const rows = Object.entries(ROUTE_ROLES).flatMap(([route, allowed]) =>
    ['no token', 'wrong scheme', 'malformed', 'unknown', 'revoked', ...ROLES].map((label) => {
      const expected = (ROLES as readonly string[]).includes(label) ? (allowed.includes(label as Role) ? '2xx' : 403) : 401;
      return [route, label, expected] as const;
    }),
  );

  it.each(rows)('%s as %s -> %s', async (route, label, expected) => {
    const who = identities().find((i) => i.label === label)!;
    const req = await VALID[route]!();
    const res = await api.app.inject({ ...req, headers: { ...(req.headers ?? {}), ...(who.authorization ? { authorization: who.authorization } : {}) } });
    if (expected === '2xx') {
      expect(res.statusCode).toBeGreaterThanOrEqual(200);
      expect(res.statusCode).toBeLessThan(300);
      return;
    }
    expect(res.statusCode).toBe(expected);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: expected, type: expected === 401 ? '/problems/unauthorized' : '/problems/forbidden' });
    if (expected === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="reminders"/);
  });

  it.each(SIGNED_LINK_ROUTES.map((r) => [r]))('%s (a signed link) answers every identity without a token check', async (route) => {
    const [method, url] = route.split(' ') as ['GET' | 'POST', string];
    const links = await api.c.services.unsubscribe.links();
    for (const who of identities()) {
      const res = await api.app.inject({ method, url: url.replace(':token', links.tokenFor(mentorId)), headers: who.authorization ? { authorization: who.authorization } : {} });
      expect({ who: who.label, status: res.statusCode, type: res.headers['content-type'] }).toEqual({ who: who.label, status: 200, type: 'text/html; charset=utf-8' });
    }
  });

  it.each(PUBLIC_ROUTES.map((r) => [r]))('%s answers every identity without a token check', async (route) => {
    const [method, url] = route.split(' ') as ['GET', string];
    for (const who of identities()) {
      const res = await api.app.inject({ method, url, headers: who.authorization ? { authorization: who.authorization } : {} });
      expect([200, 302]).toContain(res.statusCode);
    }
  });
});

describe('authentication bookkeeping', () => {
  it('records last_used_at when a token is used', async () => {
    await api.c.services.tokens.create({ name: 'fresh', role: 'viewer', createdBy: 'test' }).then(async ({ token }) => {
      expect((await api.prisma.apiToken.findUniqueOrThrow({ where: { name: 'fresh' } })).lastUsedAt).toBeNull();
      await api.app.inject({ method: 'GET', url: `/v1/assignments/${assignmentId}`, headers: { authorization: `Bearer ${token}` } });
    });
    expect((await api.prisma.apiToken.findUniqueOrThrow({ where: { name: 'fresh' } })).lastUsedAt?.toISOString()).toBe(new Date(NOW).toISOString());
  });

  it('stores only the sha256 of a token', async () => {
    const rows = await api.prisma.apiToken.findMany();
    const stored = JSON.stringify(rows);
    for (const t of Object.values(api.tokens)) expect(stored).not.toContain(t);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });

  it('logs failed attempts with address and reason, never the token', async () => {
    const presented = generateToken();
    await api.app.inject({ method: 'GET', url: `/v1/assignments/${assignmentId}`, headers: { authorization: `Bearer ${presented}` } });
    const failures = logLines.filter((l) => l.includes('authentication failed'));
    expect(failures.length).toBeGreaterThan(0);
    expect(JSON.parse(failures.at(-1)!)).toMatchObject({ reason: 'unknown', ip: '127.0.0.1' });
    const all = logLines.join('');
    expect(all).not.toContain(presented);
    expect(all).not.toContain(revoked);
    for (const t of Object.values(api.tokens)) expect(all).not.toContain(t);
  });

  it('a /v1 route missing from ROUTE_ROLES stops start-up', async () => {
    const app = await buildApp({ root: api.c });
    expect(() => app.get('/v1/forgotten', async () => ({}))).toThrow(/not listed in ROUTE_ROLES/);
    await app.close();
  });
});

describe('failed-attempt rate limit', () => {
  it('answers 429 to further failed attempts from an address over the limit, never to a valid token (more in auth-limiter.test.ts)', async () => {
    const app = await buildApp({ root: api.c, authFailures: { max: 3, windowMs: 60_000 } });
    const get = (authorization: string, ip = '10.0.0.7') => app.inject({ method: 'GET', url: `/v1/assignments/${assignmentId}`, headers: { authorization }, remoteAddress: ip });
    for (let i = 0; i < 3; i++) expect((await get('Bearer junk')).statusCode).toBe(401);
    const blocked = await get('Bearer junk');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(55);
    expect(blocked.json()).toMatchObject({ status: 429, type: '/problems/too-many-auth-failures' });
    expect((await get(`Bearer ${api.tokens.viewer}`)).statusCode).toBe(200);
    // Another address is unaffected; a missing token is not counted as a guess.
    expect((await get('Bearer junk', '10.0.0.8')).statusCode).toBe(401);
    await app.close();
  });
});
