/**
 * Every Redis key the service itself writes, named in this one module (BullMQ's own keys live
 * under `<prefix>:<queue name>:*`). The lock, the CLI, the API, the runbook and its test all take
 * the names from here, so what an operator reads is what the workers use.
 */
export type RedisKeys = ReturnType<typeof redisKeys>;

export function redisKeys(prefix: string) {
  const lock = (name: string) => `${prefix}:lock:${name}`;
  const workers = `${prefix}:workers`;
  return {
    /** A lock taken with redlock (the sweep's, the scheduler registration's). */
    lock,
    /** Who holds that lock, as the holder described itself (JSON), with the lock's TTL. */
    lockHolder: (name: string) => `${lock(name)}:holder`,
    /** Worker heartbeats: a sorted set, member WORKER_ID, score the last beat (ms). */
    workers,
    /** When the watchdog first looked for workers. */
    workersWatchSince: `${workers}:watch-since`,
    /** When a worker last stopped cleanly (a sign of life). */
    workersLastLeft: `${workers}:last-left`,
    /** The prefix of one BullMQ queue's keys. */
    queue: (name: string) => `${prefix}:${name}`,
  };
}
