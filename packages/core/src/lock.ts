/**
 * The overlap guard: one redlock lock around a whole sweep run, auto-extended while it lives.
 * redlock alone gives no fencing, so every run also takes a fencing token from the database and
 * every reminder write checks it (see reminder-repository.ts).
 */
import { Redlock, ExecutionError, ResourceLockedError, type Lock, type RedlockAbortSignal } from '@sesamecare-oss/redlock';
import { redisDb, type RedisConnection } from './redis';
import { redisKeys } from './redis-keys';

export type SweepLock = {
  /** The Redis key of the lock. */
  key: string;
  /**
   * Runs `routine` while holding the lock; resolves `{ acquired: false }` at once when another
   * holder has it. `signal.aborted` turns true when an extension fails (the lock may be lost).
   */
  withLock<T>(
    routine: (signal: RedlockAbortSignal, setHolder: (info: LockHolder) => Promise<void>) => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }>;
  /** Who holds the lock (as the holder last described itself) and the remaining TTL. */
  status(): Promise<{ held: boolean; ttlMs: number; holder: LockHolder | null }>;
  /** Remaining TTL in ms of the current holder (-2 when free). */
  ttl(): Promise<number>;
  /** Deletes the lock whoever holds it (operator's `lock release --force`). */
  forceRelease(): Promise<boolean>;
};

export type LockHolder = { workerId: string; runId?: number; since: string };

export function createSweepLock(deps: { redis: RedisConnection; prefix: string; name: string; ttlMs: number }): SweepLock {
  const keys = redisKeys(deps.prefix);
  const key = keys.lock(deps.name);
  const holderKey = keys.lockHolder(deps.name);
  // redlock's scripts SELECT their own `db` setting (default 0) before touching the key, so
  // without the connection's database the lock would land in db 0 while every reader (CLI, API,
  // redis-cli -n N) looks in db N. A Cluster has only db 0 (its SELECT is refused, and ignored).
  const redlock = new Redlock([deps.redis], {
    retryCount: 0,
    db: lockDb(deps.redis),
  });
  // Extension errors surface through the abort signal; keep them off the process-level error path.
  redlock.on('error', () => undefined);
  const extendEvery = Math.max(250, Math.floor(deps.ttlMs / 3));
  return {
    key,
    async withLock(routine) {
      let lock: Lock;
      try {
        lock = await redlock.acquire([key], deps.ttlMs);
      } catch (err) {
        if (!(err instanceof ExecutionError)) throw err;
        // "Held by someone else" is a normal outcome; Redis being unreachable is not.
        const stats = await Promise.all(err.attempts);
        const reasons = stats.flatMap((s) => [...s.votesAgainst.values()]);
        if (reasons.every((e) => e instanceof ResourceLockedError)) return { acquired: false };
        throw new Error(`could not take the sweep lock: ${(reasons[0] as Error | undefined)?.message ?? err.message}`, { cause: err });
      }
      // Our own extension loop (not redlock.using) so "could not acquire" and "the routine failed"
      // stay distinct; a failed extension aborts the signal and the routine must stop writing.
      const controller = new AbortController();
      const signal = controller.signal as RedlockAbortSignal;
      let holder: string | null = null;
      const setHolder = async (info: LockHolder) => {
        holder = JSON.stringify(info);
        await deps.redis.set(holderKey, holder, 'PX', deps.ttlMs);
      };
      const timer = setInterval(() => {
        lock.extend(deps.ttlMs).then(
          (extended) => {
            lock = extended;
            if (holder) void deps.redis.set(holderKey, holder, 'PX', deps.ttlMs).catch(() => undefined);
          },
          (err: Error) => {
            signal.error = err;
            controller.abort(err);
            clearInterval(timer);
          },
        );
      }, extendEvery);
      try {
        return { acquired: true, value: await routine(signal, setHolder) };
      } finally {
        clearInterval(timer);
        await lock.release().catch(() => undefined);
        if (holder) await deps.redis.del(holderKey).catch(() => undefined);
      }
    },
    ttl: () => deps.redis.pttl(key),
    async status() {
      const [ttlMs, raw] = await Promise.all([deps.redis.pttl(key), deps.redis.get(holderKey)]);
      return { held: ttlMs > 0 || ttlMs === -1, ttlMs, holder: raw ? (JSON.parse(raw) as LockHolder) : null };
    },
    forceRelease: async () => (await deps.redis.del(key, holderKey)) > 0,
  };
}

/** The database the lock's scripts must SELECT: the connection's own. */
function lockDb(redis: RedisConnection): number {
  const db = redisDb(redis);
  // redlock silently falls back to db 0 outside 0-15; refuse instead (config validation says so first).
  if (db > 15) throw new Error(`the sweep lock supports Redis databases 0-15; REDIS_URL names db ${db}`);
  return db;
}
