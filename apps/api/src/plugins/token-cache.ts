/**
 * A per-process cache in front of the token service's `authenticate` (issue 17): a busy caller
 * presents the same token hundreds of times a second, and each check was a query. A successful
 * check is reused for at most `ttlMs` (1 s at most, counted from when its lookup began), so a
 * revocation written by any process (the API, the CLI, SQL) takes effect in every API process
 * within a second, with no message between them. Concurrent checks of one token share one lookup.
 *
 * Only successes are kept: an unknown or revoked token is looked up every time (the auth plugin's
 * failure limiter bounds that), and a token created a moment ago works at once. If an answer
 * carries an expiry (`expiresAt` on the result or its principal), a cached success is not used
 * past it: the lookup runs again and says what the service says about an expired token.
 * Keys are the token's sha256, never the token itself.
 */
import { hashToken } from '@reminders/core/auth/api-token';
import type { AuthResult, TokenService } from '@reminders/core/auth/token-service';
import type { Clock } from '@reminders/core/clock';

export type TokenCacheOptions = {
  /** How long a success is reused, in ms; at most 1000, 0 turns the cache off. @defaultValue 1000 */
  ttlMs?: number;
  /** Most tokens remembered; the oldest entry goes first. @defaultValue 10000 */
  maxEntries?: number;
  /** Monotonic milliseconds for the TTL (tests inject their own). @defaultValue performance.now */
  monotonicMs?: () => number;
  /** Wall clock, for an expiry the answer carries. */
  clock: Clock;
};

type Entry = { startedAt: number; result: Promise<AuthResult> };

export const MAX_TOKEN_CACHE_TTL_MS = 1000;

function expiryOf(result: AuthResult): number | null {
  if (!result.ok) return null;
  if (!result.expiresAt) return null;
  const ms = result.expiresAt.getTime();
  // An expiry that cannot be read is treated as already passed: never cache what we cannot bound.
  return Number.isNaN(ms) ? -Infinity : ms;
}

export function cacheTokenChecks<T extends Pick<TokenService, 'authenticate'>>(tokens: T, opts: TokenCacheOptions): T {
  const ttlMs = opts.ttlMs ?? MAX_TOKEN_CACHE_TTL_MS;
  if (!(ttlMs >= 0 && ttlMs <= MAX_TOKEN_CACHE_TTL_MS)) throw new Error(`token cache TTL must be 0 to ${MAX_TOKEN_CACHE_TTL_MS} ms, got ${ttlMs}`);
  if (ttlMs === 0) return tokens;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.monotonicMs ?? (() => performance.now());
  const entries = new Map<string, Entry>();

  const lookUp = (presented: string, key: string): Promise<AuthResult> => {
    const entry: Entry = { startedAt: now(), result: tokens.authenticate(presented) };
    entries.delete(key);
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, entry);
    // A failure (or an error) is not kept: the next check looks again.
    entry.result.then(
      (r) => !r.ok && entries.get(key) === entry && entries.delete(key),
      () => entries.get(key) === entry && entries.delete(key),
    );
    return entry.result;
  };

  async function authenticate(presented: string): Promise<AuthResult> {
    const key = hashToken(presented);
    const entry = entries.get(key);
    if (!entry || now() - entry.startedAt >= ttlMs) return lookUp(presented, key);
    const result = await entry.result;
    const expiry = expiryOf(result);
    if (expiry !== null && opts.clock.now().getTime() >= expiry) return lookUp(presented, key);
    return result;
  }

  return { ...tokens, authenticate };
}
