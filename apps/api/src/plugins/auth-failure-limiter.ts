/**
 * Counts failed authentication attempts (a wrong, revoked or expired token, on /v1 and on the Bull
 * Board sign-in) per client address, in Redis (rate-limiter-flexible), so every API process shares
 * one count. It never refuses a request that presents a valid token: an address over the limit
 * gets 429 only for its failed attempts, so a shared NAT / proxy address (or an attacker sending
 * junk from it) cannot lock out the admin or the service token. Guessing stays pointless: tokens
 * are 256-bit random, and a guess from a blocked address is answered 429 whether or not it names
 * a token that exists.
 * When Redis cannot be reached the count falls back to this process's memory (a per-process limit
 * then) instead of failing authentication.
 */
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RedisConnection } from '@reminders/core/redis';

export type FailureLimiterOptions = {
  /** Failed attempts allowed per address per window. @defaultValue 20 */
  max?: number;
  /** Window length (whole seconds; at least 1 s). @defaultValue 60000 (1 minute) */
  windowMs?: number;
};

export function createFailureLimiter(opts: FailureLimiterOptions & { redis: RedisConnection; prefix: string }) {
  const points = opts.max ?? 20;
  const duration = Math.max(1, Math.ceil((opts.windowMs ?? 60_000) / 1000));
  const limiter = new RateLimiterRedis({
    storeClient: opts.redis,
    keyPrefix: `${opts.prefix}:auth-failures`,
    points,
    duration,
    // The queue connection waits for Redis rather than failing; authentication must not.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points, duration }),
  });

  return {
    /** Seconds until failed attempts from `key` are answered 401 again, or 0 when it is not blocked. */
    async retryAfterSeconds(key: string): Promise<number> {
      const res = await limiter.get(key).catch(() => null);
      return res && res.consumedPoints >= points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
    },

    /** Records one failure; returns true when this failure reached the limit. */
    async fail(key: string): Promise<boolean> {
      const res = await limiter.penalty(key, 1).catch(() => null);
      return res?.consumedPoints === points;
    },
  };
}

export type FailureLimiter = ReturnType<typeof createFailureLimiter>;
