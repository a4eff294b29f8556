/**
 * Counts failed authentication attempts per client address in fixed windows. While an address is
 * over the limit every request from it is refused before its token is looked at, so guessing
 * learns nothing. In-process: each API replica counts its own (a guess rate per replica, not a
 * global one), which is enough to make token guessing pointless against 256-bit tokens.
 */
import type { Clock } from '@reminders/core/clock';

export type FailureLimiterOptions = {
  /** Failed attempts allowed per address per window. @defaultValue 20 */
  max?: number;
  /** Window length. @defaultValue 60000 (1 minute) */
  windowMs?: number;
  /** Addresses tracked at most; the oldest are forgotten first. @defaultValue 10000 */
  maxEntries?: number;
  clock: Clock;
};

export function createFailureLimiter(opts: FailureLimiterOptions) {
  const max = opts.max ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const windows = new Map<string, { count: number; resetAt: number }>();

  function current(key: string, now: number) {
    const w = windows.get(key);
    if (w && w.resetAt <= now) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  function prune(now: number) {
    for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
    for (const k of windows.keys()) {
      if (windows.size < maxEntries) break;
      windows.delete(k);
    }
  }

  return {
    /** Seconds until `key` may try again, or 0 when it is not blocked. */
    retryAfterSeconds(key: string): number {
      const now = opts.clock.now().getTime();
      const w = current(key, now);
      return w && w.count >= max ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : 0;
    },

    /** Records one failure; returns true when this failure reached the limit. */
    fail(key: string): boolean {
      const now = opts.clock.now().getTime();
      let w = current(key, now);
      if (!w) {
        if (windows.size >= maxEntries) prune(now);
        w = { count: 0, resetAt: now + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return w.count === max;
    },
  };
}

export type FailureLimiter = ReturnType<typeof createFailureLimiter>;
