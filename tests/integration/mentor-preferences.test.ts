/**
 * Issue 16, a peer mentor's preferences over HTTP: read (with the address masked and whether it
 * can receive mail), set (audited `preferences.update` with before, after and actor; nothing
 * written when nothing changes), refusals that change nothing (empty body, unknown field, bad
 * locale, unknown mentor), and e-mail turned back on after the one-click unsubscribe.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

const NOW = '2026-12-03T09:00:00Z';
let env: TestEnv;
let api: ApiHarness;
let mentorId: number;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW });
  ({ mentorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'Kari.Nordmann@Example.org' }));
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

const url = (id = mentorId) => `/v1/peer-mentors/${id}/preferences`;
const snapshot = async () => JSON.stringify([await api.prisma.peerMentor.findMany({ orderBy: { id: 'asc' } }), await api.prisma.adminAuditLog.count()]);

it('reads the defaults: e-mail on, no locale, the address masked and deliverable', async () => {
  for (const role of ['service', 'viewer', 'operator', 'admin'] as const) {
    const res = await api.call({ method: 'GET', url: url(), as: role });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ peer_mentor_id: mentorId, reminder_email: true, locale: null, email: { address: 'K***@Example.org', undeliverable: false, since: null, reason: null }, updated_at: null });
  }
});

it('sets preferences with one audit row (before, after, actor) and answers the new state', async () => {
  const res = await api.call({ method: 'PUT', url: url(), payload: { reminder_email: false, locale: 'en' }, as: 'service' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ reminder_email: false, locale: 'en', updated_at: new Date(NOW).toISOString() });
  const rows = await api.prisma.adminAuditLog.findMany({ where: { action: 'preferences.update' } });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ actor: 'test-service', targetType: 'peer_mentor', targetId: String(mentorId), before: { reminderEmail: true, locale: null }, after: { reminderEmail: false, locale: 'en' } });
});

it('writes nothing when nothing changes', async () => {
  const before = await snapshot();
  const res = await api.call({ method: 'PUT', url: url(), payload: { locale: 'en' }, as: 'operator' });
  expect(res.statusCode).toBe(200);
  expect(await snapshot()).toBe(before);
});

it('locale null goes back to the programme default; reminder_email true turns e-mail back on after an unsubscribe', async () => {
  const links = await api.c.services.unsubscribe.links();
  await api.call({ method: 'PUT', url: url(), payload: { reminder_email: true }, as: 'admin' });
  expect((await api.app.inject({ method: 'POST', url: `/v1/unsubscribe/${links.tokenFor(mentorId)}` })).statusCode).toBe(200);
  expect((await api.call({ method: 'GET', url: url(), as: 'viewer' })).json()).toMatchObject({ reminder_email: false });
  const res = await api.call({ method: 'PUT', url: url(), payload: { reminder_email: true, locale: null }, as: 'admin' });
  expect(res.json()).toMatchObject({ reminder_email: true, locale: null });
  expect((await api.prisma.peerMentor.findUniqueOrThrow({ where: { id: mentorId } })).reminderEmail).toBe(true);
});

it('shows an undeliverable address with when and why', async () => {
  await api.prisma.emailAddress.create({ data: { address: 'kari.nordmann@example.org', undeliverableAt: new Date('2026-12-02T08:14:00Z'), undeliverableReason: 'hard_bounce: 550 5.1.1 user unknown', hardBounces: 1 } });
  const res = await api.call({ method: 'GET', url: url(), as: 'viewer' });
  expect(res.json().email).toEqual({ address: 'K***@Example.org', undeliverable: true, since: '2026-12-02T08:14:00.000Z', reason: 'hard_bounce: 550 5.1.1 user unknown' });
  await api.prisma.emailAddress.delete({ where: { address: 'kari.nordmann@example.org' } });
});

it('a mentor without an address has email null', async () => {
  const { mentorId: id } = await createAssignment(api.prisma, { assignedDate: '2026-09-01' });
  expect((await api.call({ method: 'GET', url: url(id), as: 'viewer' })).json()).toMatchObject({ email: null });
});

describe('refusals change nothing', () => {
  it.each([
    ['an empty body', {}, 400],
    ['an unknown field', { reminder_email: false, coordinator_email: false }, 400],
    ['a locale that is not nb or en', { locale: 'de' }, 400],
    ['a non-boolean', { reminder_email: 'no' }, 400],
  ])('%s', async (_label, payload, status) => {
    const before = await snapshot();
    const res = await api.call({ method: 'PUT', url: url(), payload, as: 'service' });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await snapshot()).toBe(before);
  });

  it('an unknown mentor is 404 for GET and PUT', async () => {
    const before = await snapshot();
    expect((await api.call({ method: 'GET', url: url(999_999), as: 'viewer' })).json()).toMatchObject({ status: 404, type: '/problems/peer-mentor-not-found' });
    expect((await api.call({ method: 'PUT', url: url(999_999), payload: { reminder_email: false }, as: 'service' })).statusCode).toBe(404);
    expect(await snapshot()).toBe(before);
  });

  it('a viewer may read but not change', async () => {
    expect((await api.call({ method: 'PUT', url: url(), payload: { reminder_email: false }, as: 'viewer' })).statusCode).toBe(403);
  });
});
