/**
 * Issue 17: token checks do not cost a query per request, and revocation still takes effect in
 * every API instance within a second. Two API instances (each its own container, pool and cache)
 * share one database; the caches' monotonic clock is injected, so "a second later" needs no sleep.
 */
import { cacheTokenChecks } from '@reminders/api/plugins/token-cache';
import { createManualClock } from '@reminders/core/clock';
import type { AuthResult } from '@reminders/core/auth/token-service';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

const NOW = '2026-11-28T06:00:00Z';
let env: TestEnv;
let a: ApiHarness;
let b: ApiHarness;
let mono = 1_000_000;
const monotonicMs = () => mono;

beforeAll(async () => {
  env = await createTestEnv();
  a = await startApiHarness(env, { now: NOW, tokenCache: { monotonicMs } });
  b = await startApiHarness(env, { now: NOW, tokenCache: { monotonicMs }, tokenNames: 'test-b' });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await env?.destroy();
});

const status = (api: ApiHarness, token: string) =>
  api.app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: `Bearer ${token}` } }).then((r) => r.statusCode);

describe('cached token checks', () => {
  it('a revocation takes effect in both instances within a second, and a cached check asks nothing', async () => {
    const { token } = await a.c.services.tokens.create({ name: 'cached-operator', role: 'operator', createdBy: 'test' });
    // A token made a moment ago works at once in either instance (failures are never cached).
    expect(await status(a, token)).toBe(200);
    expect(await status(b, token)).toBe(200);

    // Revoked behind both instances' backs, by SQL (as the CLI in another process would).
    await a.prisma.$executeRaw`UPDATE api_tokens SET revoked_at = now() WHERE name = 'cached-operator'`;
    mono += 999;
    // Inside the second the cached success is reused: that is the query the cache saves.
    expect(await status(a, token)).toBe(200);
    expect(await status(b, token)).toBe(200);

    mono += 1;
    const ra = await a.app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: `Bearer ${token}` } });
    expect(ra.statusCode).toBe(401);
    expect(ra.json().detail).toMatch(/revoked/);
    expect(await status(b, token)).toBe(401);
    // And it stays refused: a failure is looked up every time, never cached as a success.
    mono += 5000;
    expect(await status(a, token)).toBe(401);
  });

  it('an unknown token is refused, and roles are still checked on a cached token', async () => {
    mono += 5000;
    expect(await status(a, 'rmd_' + 'x'.repeat(43))).toBe(401);
    const viewer = a.tokens.viewer;
    expect((await a.app.inject({ method: 'GET', url: '/v1/runs', headers: { authorization: `Bearer ${viewer}` } })).statusCode).toBe(200);
    expect((await a.app.inject({ method: 'GET', url: '/v1/tokens', headers: { authorization: `Bearer ${viewer}` } })).statusCode).toBe(403);
    expect((await a.app.inject({ method: 'GET', url: '/v1/tokens', headers: { authorization: `Bearer ${viewer}` } })).statusCode).toBe(403);
  });

  it('concurrent checks of one token share one lookup', async () => {
    let lookups = 0;
    const real = a.c.services.tokens;
    const cached = cacheTokenChecks({ authenticate: (t: string) => (lookups++, real.authenticate(t)) }, { clock: a.clock, monotonicMs });
    const results = await Promise.all(Array.from({ length: 20 }, () => cached.authenticate(a.tokens.service)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(lookups).toBe(1);
    mono += 1000;
    await cached.authenticate(a.tokens.service);
    expect(lookups).toBe(2);
  });

  it('a cached success is not used past an expiry its answer carries', async () => {
    // What a token with `expires_at` would answer: the real check, with the expiry attached.
    const clock = createManualClock(NOW);
    const expiresAt = new Date(new Date(NOW).getTime() + 500);
    let lookups = 0;
    const real = a.c.services.tokens;
    const withExpiry = {
      authenticate: async (t: string): Promise<AuthResult> => {
        lookups++;
        const r = await real.authenticate(t);
        if (!r.ok) return r;
        if (clock.now() >= expiresAt) return { ok: false, reason: 'revoked' };
        return { ok: true, principal: r.principal, expiresAt };
      },
    };
    const cached = cacheTokenChecks(withExpiry, { clock, monotonicMs });
    expect((await cached.authenticate(a.tokens.admin)).ok).toBe(true);
    clock.advance(499);
    expect((await cached.authenticate(a.tokens.admin)).ok).toBe(true);
    expect(lookups).toBe(1);
    clock.advance(1); // expired, though the TTL has not run out
    expect((await cached.authenticate(a.tokens.admin)).ok).toBe(false);
    expect(lookups).toBe(2);
  });

  it('refuses a TTL over a second', () => {
    expect(() => cacheTokenChecks(a.c.services.tokens, { clock: a.clock, ttlMs: 1001 })).toThrow(/0 to 1000 ms/);
  });
});
