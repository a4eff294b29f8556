/**
 * Repeated identical log lines, once: the first occurrence of a key is logged at once, repeats
 * within `windowMs` are only counted, and the next occurrence after the window logs one line that
 * says how many were held back. A worker whose Redis stalls for 45 s got the same BullMQ error
 * thousands of times (2,543 lines); now it is a handful.
 */
import type { Clock } from './clock';

export type RepeatFilter = ReturnType<typeof createRepeatFilter>;

export function createRepeatFilter(opts: { clock: Clock; windowMs?: number; maxKeys?: number }) {
  const windowMs = opts.windowMs ?? 10_000;
  const maxKeys = opts.maxKeys ?? 1_000;
  const seen = new Map<string, { since: number; suppressed: number }>();

  return {
    /**
     * Whether to log this occurrence of `key`, and how many identical ones were suppressed since
     * the last line that was logged (0 for a first occurrence).
     */
    check(key: string): { log: boolean; suppressed: number } {
      const now = opts.clock.now().getTime();
      const s = seen.get(key);
      if (s && now - s.since < windowMs) {
        s.suppressed += 1;
        return { log: false, suppressed: s.suppressed };
      }
      if (!s && seen.size >= maxKeys) seen.delete(seen.keys().next().value!);
      seen.set(key, { since: now, suppressed: 0 });
      return { log: true, suppressed: s?.suppressed ?? 0 };
    },
  };
}
