/**
 * Issue 16, the one-click unsubscribe link (RFC 8058), without a login: GET answers a confirm page
 * and changes nothing (mail scanners follow links); POST, with the body mail clients send, turns
 * reminder e-mail off once (one audit row; a repeat answers the same and writes nothing); a
 * tampered token is a 400 page, an expired one 410, an unknown mentor 404; the page is in the
 * mentor's language (else the programme's); no token reaches the logs.
 */
import { createUnsubscribeLinks, loadSigningKey } from '@reminders/core/auth/unsubscribe-link';
import { createManualClock } from '@reminders/core/clock';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { captureLogs } from '../helpers/log-capture';

const NOW = '2026-12-03T09:00:00Z';
const ONE_CLICK = { 'content-type': 'application/x-www-form-urlencoded' };
let env: TestEnv;
let api: ApiHarness;
let secret: string;
const { lines: logLines, sink } = captureLogs();

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW, logTo: sink, authFailures: { max: 5, windowMs: 60_000 } });
  secret = await loadSigningKey(api.prisma, 'unsubscribe');
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

/** Links as the worker makes them (its own instance over the same key), at `at`. */
const linksAt = (at: string) => createUnsubscribeLinks({ secret, publicApiUrl: 'https://reminders.example.org', ttlDays: 90, clock: createManualClock(at) });
const tokenFor = (mentorId: number, at = NOW) => linksAt(at).tokenFor(mentorId);
const mentor = async (data: { locale?: string | null } = {}, programmeId?: number) => {
  const { mentorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'mia@example.org', programmeId });
  if (data.locale !== undefined) await api.prisma.peerMentor.update({ where: { id: mentorId }, data: { locale: data.locale } });
  return mentorId;
};
const state = (id: number) => api.prisma.peerMentor.findUniqueOrThrow({ where: { id }, select: { reminderEmail: true, preferencesUpdatedAt: true } });
const audits = (id: number) => api.prisma.adminAuditLog.findMany({ where: { action: 'preferences.unsubscribe', targetId: String(id) } });
/** A POST as a mail client sends it; `payload: null` sends no body at all. */
const post = (token: string, payload: string | null = 'List-Unsubscribe=One-Click', headers: Record<string, string> = ONE_CLICK) =>
  api.call({ method: 'POST', url: `/v1/unsubscribe/${token}`, ...(payload === null ? {} : { payload, headers }) });

describe('GET: the confirm page', () => {
  it('answers an HTML page with a form that posts back to the same URL, and changes nothing', async () => {
    const id = await mentor();
    const token = tokenFor(id);
    const before = await state(id);
    const res = await api.call({ method: 'GET', url: `/v1/unsubscribe/${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatch(new RegExp(`<form method="post" action="/v1/unsubscribe/${token.replace(/[.]/g, '\\.')}"`));
    expect(res.body).toContain('name="List-Unsubscribe" value="One-Click"');
    // Twice, as a scanner and then the mentor would.
    await api.call({ method: 'GET', url: `/v1/unsubscribe/${token}` });
    expect(await state(id)).toEqual(before);
    expect(before.reminderEmail).toBe(true);
    expect(await audits(id)).toHaveLength(0);
  });

  it("speaks the mentor's language, else the programme's, else nb", async () => {
    const en = await mentor({ locale: 'en' });
    expect((await api.call({ method: 'GET', url: `/v1/unsubscribe/${tokenFor(en)}` })).body).toContain('<html lang="en">');
    const p = await api.c.services.programmes.create({ slug: 'english', name: 'English programme' }, 'test');
    await api.prisma.programme.update({ where: { id: p.id }, data: { defaultLocale: 'en' } });
    const viaProgramme = await mentor({}, p.id);
    expect((await api.call({ method: 'GET', url: `/v1/unsubscribe/${tokenFor(viaProgramme)}` })).body).toContain('<html lang="en">');
    const plain = await mentor();
    expect((await api.call({ method: 'GET', url: `/v1/unsubscribe/${tokenFor(plain)}` })).body).toContain('<html lang="nb">');
  });
});

describe('POST: one click', () => {
  it('turns reminder e-mail off with one audit row; a second POST answers the same and writes nothing', async () => {
    const id = await mentor();
    const token = tokenFor(id);
    const first = await post(token);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(first.body).not.toContain('<form');
    const after = await state(id);
    expect(after).toEqual({ reminderEmail: false, preferencesUpdatedAt: new Date(NOW) });
    const [row, ...more] = await audits(id);
    expect(more).toHaveLength(0);
    expect(row).toMatchObject({ actor: `unsubscribe-link:mentor:${id}`, targetType: 'peer_mentor', before: { reminderEmail: true }, after: { reminderEmail: false } });

    api.clock.advance(60_000);
    const second = await post(token);
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(await state(id)).toEqual(after);
    expect(await audits(id)).toHaveLength(1);
    // The page now says it is done instead of offering the button again; still nothing written.
    const page = await api.call({ method: 'GET', url: `/v1/unsubscribe/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<form');
    api.clock.set(NOW);
  });

  it("takes an empty body, the page's own form (as a browser posts it, same origin) and multipart", async () => {
    for (const [payload, headers] of [
      [null, {}],
      ['List-Unsubscribe=One-Click', { ...ONE_CLICK, origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' }],
      ['--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n', { 'content-type': 'multipart/form-data; boundary=b' }],
    ] as const) {
      const id = await mentor();
      const res = await post(tokenFor(id), payload, headers as Record<string, string>);
      expect({ payload, status: res.statusCode, body: res.statusCode === 200 ? '' : res.body }).toEqual({ payload, status: 200, body: '' });
      expect((await state(id)).reminderEmail).toBe(false);
    }
  });

  it('refuses a body that asks for something else (400 page), changing nothing', async () => {
    const id = await mentor();
    const res = await post(tokenFor(id), 'List-Unsubscribe=Maybe');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await state(id)).reminderEmail).toBe(true);
  });
});

describe('bad links', () => {
  it('a tampered or malformed token is a 400 page and changes nothing', async () => {
    const id = await mentor();
    const token = tokenFor(id);
    const other = await mentor();
    const audited = await api.prisma.adminAuditLog.count();
    // Another mentor's id under this mentor's signature.
    const tampered = token.replace(/^\d+\./, `${other}.`);
    for (const bad of [tampered, 'not-a-token', `${token.slice(0, -2)}xx`]) {
      for (const method of ['GET', 'POST'] as const) {
        const res = method === 'GET' ? await api.call({ method, url: `/v1/unsubscribe/${bad}`, remoteAddress: '10.9.9.1' }) : await api.app.inject({ method, url: `/v1/unsubscribe/${bad}`, remoteAddress: '10.9.9.2' });
        expect({ bad, method, status: res.statusCode }).toEqual({ bad, method, status: 400 });
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      }
    }
    expect((await state(id)).reminderEmail).toBe(true);
    expect((await state(other)).reminderEmail).toBe(true);
    expect(await api.prisma.adminAuditLog.count()).toBe(audited);
  });

  it('an expired token is a 410 page saying a newer e-mail has a fresh link', async () => {
    const id = await mentor({ locale: 'en' });
    const old = tokenFor(id, '2026-08-01T09:00:00Z'); // 90 days: expired on 2026-10-30
    for (const method of ['GET', 'POST'] as const) {
      const res = await api.app.inject({ method, url: `/v1/unsubscribe/${old}` });
      expect(res.statusCode).toBe(410);
      expect(res.body).toContain('Use the link in a newer reminder');
    }
    expect((await state(id)).reminderEmail).toBe(true);
  });

  it('a valid token for a mentor that no longer exists is a 404 page', async () => {
    const res = await post(tokenFor(999_999));
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('bad tokens from one address are limited (429 page) while a valid link from it still works', async () => {
    const ip = '10.7.7.7';
    for (let i = 0; i < 5; i++) expect((await api.app.inject({ method: 'GET', url: '/v1/unsubscribe/junk', remoteAddress: ip })).statusCode).toBe(400);
    const blocked = await api.app.inject({ method: 'GET', url: '/v1/unsubscribe/junk', remoteAddress: ip });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const id = await mentor();
    expect((await api.app.inject({ method: 'POST', url: `/v1/unsubscribe/${tokenFor(id)}`, remoteAddress: ip })).statusCode).toBe(200);
  });
});

it('no token reaches the logs, not even the request line', async () => {
  const id = await mentor();
  const token = tokenFor(id);
  await api.call({ method: 'GET', url: `/v1/unsubscribe/${token}` });
  await post(token);
  await api.call({ method: 'GET', url: `/v1/unsubscribe/${token.slice(0, -2)}xx` });
  const all = logLines.join('');
  expect(all).toContain('/v1/unsubscribe/[redacted]');
  expect(all).not.toContain(token);
  expect(all).not.toContain(token.split('.')[2]!);
});
