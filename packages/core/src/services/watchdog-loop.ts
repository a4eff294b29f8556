/**
 * Ticks the watchdog every WATCHDOG_INTERVAL_SECONDS in a worker or API process. Every process
 * runs this loop; the Redis lock `<prefix>:lock:watchdog` makes one of them tick at a time, so the
 * watchdog keeps watching as long as any process is up (the API included, when all workers are down).
 */
import { createSweepLock } from '../lock';
import type { Logger } from '../logger';
import type { RedisConnection } from '../redis';

export type WatchdogLoopOptions = {
  redis: RedisConnection;
  /** REDIS_PREFIX: the lock is `<prefix>:lock:watchdog`. */
  prefix: string;
  /** WATCHDOG_INTERVAL_SECONDS; also the lock's TTL (auto-extended while a tick lasts). */
  intervalSeconds: number;
  tick: () => Promise<unknown>;
  logger: Logger;
};

export function startWatchdogLoop(opts: WatchdogLoopOptions): { stop(): void } {
  const lock = createSweepLock({ redis: opts.redis, prefix: opts.prefix, name: 'watchdog', ttlMs: opts.intervalSeconds * 1000 });
  const tick = async () => {
    try {
      await lock.withLock(() => opts.tick());
    } catch (err) {
      opts.logger.error({ err }, 'watchdog tick failed');
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalSeconds * 1000);
  return { stop: () => clearInterval(timer) };
}
