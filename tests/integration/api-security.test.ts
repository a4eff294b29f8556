/**
 * Security headers on every response, and CSRF: writes with a body must be application/json, and
 * a write whose Origin / Sec-Fetch-Site says it comes from another site is refused (board and /v1).
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

let env: TestEnv;
let api: ApiHarness;
const basic = (token: string) => `Basic ${Buffer.from(`x:${token}`).toString('base64')}`;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
});

afterAll(async () => {
  await api?.close();
  await env.destroy();
});

it.each([
  ['GET', '/healthz', undefined],
  ['GET', '/v1/sweep/status', 'viewer'],
  ['GET', '/v1/sweep/status', undefined],
  ['GET', '/admin/queues', undefined],
  ['GET', '/admin/queues', 'operator'],
  ['GET', '/no-such-page', undefined],
  ['POST', '/v1/sweep/pause', 'operator'],
] as const)('%s %s (as %s) carries the security headers', async (method, url, as) => {
  const r = await api.call({ method, url, ...(as && url.startsWith('/admin') ? { headers: { authorization: basic(api.tokens[as]) } } : { as }) });
  expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(r.headers['content-security-policy']).toMatch(/script-src 'self'/);
  expect(r.headers['x-frame-options']).toBe('DENY');
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['referrer-policy']).toBe('no-referrer');
  expect(r.headers['strict-transport-security']).toMatch(/max-age=31536000/);
});

// The whole set, exactly: worked out once at start-up (helmet's own middleware, run once), not per request.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;font-src 'self' data:;connect-src 'self';object-src 'none';form-action 'self';frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

it.each([
  ['GET', '/healthz'],
  ['GET', '/no-such-page'],
  ['GET', '/admin/queues'],
  ['POST', '/v1/activities'],
] as const)('%s %s answers with exactly helmet\'s headers, every time', async (method, url) => {
  for (let i = 0; i < 2; i++) {
    const r = await api.app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
    const security = Object.fromEntries(Object.entries(r.headers).filter(([k]) => k in SECURITY_HEADERS || /^(x-|cross-origin|origin-agent|content-security|strict-transport|referrer)/.test(k)));
    expect(security).toEqual(SECURITY_HEADERS);
  }
});

it('the API docs keep their own CSP, with framing forbidden too', async () => {
  const r = await api.app.inject({ method: 'GET', url: '/docs' });
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(r.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
});

it("curl -u x:$OP -H 'Content-Type:' -X POST .../reminder-sweep/add is refused and adds nothing", async () => {
  const r = await api.app.inject({ method: 'POST', url: '/admin/queues/api/queues/reminder-sweep/add', headers: { authorization: basic(api.tokens.operator), 'content-type': '' }, payload: '' });
  expect(r.statusCode).toBe(403);
  expect(await api.c.queues.sweep.count()).toBe(0);
});

it.each([
  ['text/plain', '{"reason":"x"}'],
  ['application/x-www-form-urlencoded', 'reason=x'],
  ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="reason"\r\n\r\nx\r\n--b--'],
  ['', '{"reason":"x"}'],
])('a write with a %j body is a 415 and changes nothing', async (type, payload) => {
  for (const [url, authorization] of [
    ['/v1/sweep/pause', `Bearer ${api.tokens.operator}`],
    ['/admin/queues/api/queues/reminder-sweep/pause', basic(api.tokens.operator)],
  ] as const) {
    const r = await api.app.inject({ method: url.startsWith('/admin') ? 'PUT' : 'POST', url, headers: { authorization, 'content-type': type }, payload });
    expect([url, r.statusCode]).toEqual([url, 415]);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  expect((await api.c.services.ops.status()).enabled).toBe(true);
  expect(await api.c.queues.sweep.isPaused()).toBe(false);
});

it.each([
  [{ 'sec-fetch-site': 'cross-site' }, /Sec-Fetch-Site is "cross-site"/],
  [{ 'sec-fetch-site': 'same-site' }, /Sec-Fetch-Site is "same-site"/],
  [{ origin: 'http://evil.example' }, /Origin http:\/\/evil.example is not this service's own origin/],
  [{ origin: 'null' }, /Origin null/],
  [{ origin: 'http://localhost:9999' }, /not this service's own origin/],
])('a cross-site write (%j) is refused on the board and on /v1', async (headers, why) => {
  const board = await api.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/reminder-sweep/pause', headers: { ...headers, authorization: basic(api.tokens.operator) } });
  expect(board.statusCode).toBe(403);
  expect(board.json()).toMatchObject({ type: '/problems/cross-site-write' });
  expect(board.json().detail).toMatch(why);
  const v1 = await api.call({ method: 'POST', url: '/v1/sweep/pause', headers, payload: { reason: 'csrf' }, as: 'operator' });
  expect(v1.statusCode).toBe(403);
  expect(await api.c.queues.sweep.isPaused()).toBe(false);
  expect((await api.c.services.ops.status()).enabled).toBe(true);
});

it("the service's own pages (same-origin) may write; a bodyless write needs no Content-Type", async () => {
  const same = { 'sec-fetch-site': 'same-origin', origin: 'http://localhost:80', host: 'localhost:80' };
  const r = await api.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/reminder-sweep/pause', headers: { ...same, authorization: basic(api.tokens.operator) } });
  expect(r.statusCode).toBe(200);
  expect(await api.c.queues.sweep.isPaused()).toBe(true);
  expect((await api.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/reminder-sweep/resume', headers: { authorization: basic(api.tokens.operator) } })).statusCode).toBe(200);
  const resume = await api.call({ method: 'POST', url: '/v1/sweep/resume', as: 'operator' });
  expect(resume.statusCode).toBe(409); // not paused: it got past the CSRF checks to the service
});
