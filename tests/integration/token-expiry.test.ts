/**
 * API tokens over HTTP: they expire (default lifetime per role, or `expires_in`), an expired one
 * gets a clear 401, the watchdog raises `token_expiring` a week ahead and audits the expiry;
 * create and revoke are audited; the create answer is never cached; a token sent in a query
 * string never reaches a log line.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { captureLogs } from '../helpers/log-capture';
import { createTokenExpiryCheck } from '@reminders/core/services/token-expiry-check';

let env: TestEnv;
let api: ApiHarness;
const logs = captureLogs();
const DAY = 86_400_000;
const clock = () => api.clock as unknown as { now(): Date; advance(ms: number): void };

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z', logTo: logs.sink });
});

afterAll(async () => {
  await api?.close();
  await env.destroy();
});

it('create: default lifetime per role, expires_in, no-store, audited with the creating token', async () => {
  const r = await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'mentor-app', role: 'service' }, as: 'admin' });
  expect(r.statusCode).toBe(201);
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.json().expires_at).toBe('2027-11-28T06:00:00.000Z'); // TOKEN_LIFETIME_DAYS_SERVICE: 365
  const short = await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'oncall', role: 'operator', expires_in: '10d' }, as: 'admin' });
  expect(short.json().expires_at).toBe('2026-12-08T06:00:00.000Z');
  const audit = await api.prisma.adminAuditLog.findMany({ where: { action: 'token.create', targetId: { in: ['mentor-app', 'oncall'] } }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => [a.actor, a.targetId])).toEqual([
    ['token:test-admin', 'mentor-app'],
    ['token:test-admin', 'oncall'],
  ]);
});

it.each(['forever', '0d', '10y', '99999999d', ''])('expires_in %j is a 400 and creates nothing', async (expiresIn) => {
  const r = await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'bad-life', role: 'viewer', expires_in: expiresIn }, as: 'admin' });
  expect(r.statusCode).toBe(400);
  expect(await api.prisma.apiToken.count({ where: { name: 'bad-life' } })).toBe(0);
});

it('a lifetime over 3650 days is refused', async () => {
  const r = await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'too-long', role: 'viewer', expires_in: '3651d' }, as: 'admin' });
  expect(r.statusCode).toBe(400);
  expect(r.json().detail).toMatch(/at most 3650d/);
});

it('revoke over HTTP is audited; revoking again writes nothing', async () => {
  await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'to-revoke', role: 'viewer' }, as: 'admin' });
  expect((await api.call({ method: 'POST', url: '/v1/tokens/to-revoke/revoke', as: 'admin' })).statusCode).toBe(200);
  expect((await api.call({ method: 'POST', url: '/v1/tokens/to-revoke/revoke', as: 'admin' })).json().already_revoked).toBe(true);
  const rows = await api.prisma.adminAuditLog.findMany({ where: { action: 'token.revoke', targetId: 'to-revoke' } });
  expect(rows.map((a) => a.actor)).toEqual(['token:test-admin']);
});

it('token_expiring a week ahead (once), then the expired token gets a clear 401 and its expiry is audited', async () => {
  const created = await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'weekly', role: 'viewer', expires_in: '9d' }, as: 'admin' });
  const token = created.json().token as string;
  const check = createTokenExpiryCheck({ tokens: api.c.services.tokens, alerts: api.c.services.alerts });
  expect((await check.check(clock().now())).expiring).not.toContain('weekly'); // 9 days away
  clock().advance(3 * DAY);
  expect((await check.check(clock().now())).expiring).toContain('weekly');
  await check.check(clock().now());
  const alerts = await api.prisma.alert.findMany({ where: { kind: 'token_expiring', incidentKey: { startsWith: 'token-weekly-' } } });
  expect(alerts).toHaveLength(1);
  expect(alerts[0]!.message).toMatch(/API token "weekly" \(viewer\) expires in 6 days/);
  expect((await api.call({ method: 'GET', url: '/v1/sweep/status', as: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);

  clock().advance(6 * DAY + 1);
  const r = await api.call({ method: 'GET', url: '/v1/sweep/status', as: { authorization: `Bearer ${token}` } });
  expect(r.statusCode).toBe(401);
  expect(r.json().detail).toBe('the bearer token has expired; ask an admin for a new one (npx reminders token create)');
  // The watchdog's tick runs the check: one audit row per expiry, however many ticks.
  await api.c.services.watchdog.tick();
  await api.c.services.watchdog.tick();
  const expiry = await api.prisma.adminAuditLog.findMany({ where: { action: 'token.expire', targetId: 'weekly' } });
  expect(expiry).toHaveLength(1);
  expect(expiry[0]!.actor).toBe('system:token-expiry');
});

it('a token in a query string never appears in a log line', async () => {
  const secret = (await api.call({ method: 'POST', url: '/v1/tokens', payload: { name: 'leaky', role: 'viewer' }, as: 'admin' })).json().token as string;
  await api.app.inject({ method: 'GET', url: `/v1/sweep/status?token=${secret}` });
  await api.app.inject({ method: 'GET', url: `/admin/queues/api/queues?access_token=${secret}&x=1` });
  await api.app.inject({ method: 'PUT', url: `/admin/queues/api/queues/reminder-sweep/empty?token=${secret}`, headers: { authorization: `Bearer ${api.tokens.viewer}` } });
  const all = logs.lines.join('');
  expect(all).toContain('token=[redacted]');
  expect(all).not.toContain(secret);
  expect(all).not.toContain(secret.slice(4, 20));
});
