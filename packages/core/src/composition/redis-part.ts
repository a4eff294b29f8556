/**
 * Redis for a process that produces jobs or reads the queues: one producer connection (commands
 * fail after a few retries instead of waiting forever, so /readyz, the CLI and the lock answer
 * while Redis is down; BullMQ workers open their own), the two queues, the worker registry and
 * the locks. Built on the core; closes only what it opened.
 */
import { createQueues } from '../jobs/queues';
import { SCHEDULE_REGISTRATION_LOCK_NAME, SWEEP_LOCK_NAME } from '../jobs/job-catalog';
import { createSweepLock, type SweepLock } from '../lock';
import { createRedis } from '../redis';
import { createWorkerRegistry } from '../repositories/worker-registry';
import type { Core } from './core';

export function createRedisPart(core: Pick<Core, 'config' | 'logger'>) {
  const { config, logger } = core;
  const redis = createRedis(config.redisUrl, { forQueue: true });
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) logger.warn({ err: { message: err.message } }, 'redis connection error (further errors suppressed until it reconnects)');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('redis connection restored');
    redisDown = false;
  });
  // Queue errors are the same connection's errors, already logged above.
  const queues = createQueues(redis, config.redisPrefix);
  // One lock per programme's sweep (issue 15), made when first asked for.
  const locks = new Map<string, SweepLock>();
  const lockFor = (name: string): SweepLock => {
    let lock = locks.get(name);
    if (!lock) locks.set(name, (lock = createSweepLock({ redis, prefix: config.redisPrefix, name, ttlMs: config.lockTtlMs })));
    return lock;
  };
  return {
    redis,
    queues,
    workers: createWorkerRegistry({ redis, prefix: config.redisPrefix }),
    /** The default programme's sweep lock (`<prefix>:lock:reminder-sweep`). */
    sweepLock: lockFor(SWEEP_LOCK_NAME),
    lockFor,
    registrationLock: createSweepLock({ redis, prefix: config.redisPrefix, name: SCHEDULE_REGISTRATION_LOCK_NAME, ttlMs: 10_000 }),
    async close() {
      await queues.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

export type RedisPart = ReturnType<typeof createRedisPart>;
