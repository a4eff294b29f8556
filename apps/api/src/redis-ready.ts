/**
 * Whether the Redis connection is usable within `ms`. The queue connection never fails a command
 * while Redis is away (it waits for it to come back, maxRetriesPerRequest: null), so a route that
 * reads Redis asks this first instead of hanging for seconds and then answering 500.
 */
import type { RedisConnection } from '@reminders/core/redis';

export function redisReady(redis: RedisConnection, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  // Only a first connection in progress is worth waiting for; a lost one retries on its own time.
  if (redis.status !== 'connecting' && redis.status !== 'connect' && redis.status !== 'wait') return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    redis.once('ready', onReady);
  });
}
