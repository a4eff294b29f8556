/**
 * Worker heartbeats in Redis: one sorted set `<prefix>:workers`, member = WORKER_ID, score = the
 * time of the worker's last beat (ms). It lets the API's watchdog notice that no worker is running,
 * which no worker can report about itself.
 */
import type { RedisConnection } from '../redis';
import { redisKeys } from '../redis-keys';

/** How often a worker process beats. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** A worker whose last beat is older than this counts as gone (three missed beats). */
export const WORKER_STALE_MS = 30_000;
/** Members older than this are dropped when the registry is listed, so old worker ids do not pile up. */
const PRUNE_AFTER_MS = 7 * 24 * 3600_000;

export type LiveWorker = { workerId: string; lastSeen: Date };


export function createWorkerRegistry(deps: { redis: RedisConnection; prefix: string }) {
  const keys = redisKeys(deps.prefix);
  const key = keys.workers;
  const watchSinceKey = keys.workersWatchSince;
  // When a worker last stopped cleanly (it leaves the set at once): still a sign of life, so a
  // restart of the only worker during a deploy is not taken for an outage.
  const lastLeftKey = keys.workersLastLeft;
  return {
    key,
    beat: async (workerId: string, now: Date) => void (await deps.redis.zadd(key, now.getTime(), workerId)),
    /** A clean stop: off the registry at once, remembered as the last sign of life at `now`. */
    async remove(workerId: string, now: Date): Promise<void> {
      await deps.redis.multi().zrem(key, workerId).set(lastLeftKey, String(now.getTime())).exec();
    },

    /** Workers whose last beat is at most `staleMs` before `now`, newest first; prunes week-old members. */
    async live(now: Date, staleMs: number = WORKER_STALE_MS): Promise<LiveWorker[]> {
      await deps.redis.zremrangebyscore(key, '-inf', `(${now.getTime() - PRUNE_AFTER_MS}`);
      const flat = await deps.redis.zrevrangebyscore(key, '+inf', now.getTime() - staleMs, 'WITHSCORES');
      const out: LiveWorker[] = [];
      for (let i = 0; i < flat.length; i += 2) out.push({ workerId: flat[i]!, lastSeen: new Date(Number(flat[i + 1])) });
      return out;
    },

    /** The newest beat of any worker still in the registry, or of a clean stop; null when there is none. */
    async lastSeen(): Promise<Date | null> {
      const [[, score], left] = await Promise.all([deps.redis.zrevrange(key, 0, 0, 'WITHSCORES'), deps.redis.get(lastLeftKey)]);
      const newest = Math.max(score === undefined ? -Infinity : Number(score), left === null ? -Infinity : Number(left));
      return Number.isFinite(newest) ? new Date(newest) : null;
    },

    /** How many worker ids the registry holds, live or not. */
    known: () => deps.redis.zcard(key),

    /**
     * When the watchdog (of any process) first looked for workers: `candidate` unless an earlier
     * time is already stored. Shared, so every API replica dates a "never seen" outage alike.
     */
    async watchingSince(candidate: Date): Promise<Date> {
      await deps.redis.set(watchSinceKey, String(candidate.getTime()), 'NX');
      return new Date(Number((await deps.redis.get(watchSinceKey)) ?? candidate.getTime()));
    },
  };
}

export type WorkerRegistry = ReturnType<typeof createWorkerRegistry>;
