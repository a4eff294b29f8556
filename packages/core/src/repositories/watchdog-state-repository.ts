/**
 * watchdog_state: what the watchdog must remember across ticks and processes, in PostgreSQL so it
 * works while Redis is down. One row per job name:
 *  - the tick lease (`lease_holder`, `lease_until`, in the database's clock): one process ticks at a time;
 *  - `watching_since`: slots before the first tick are never examined;
 *  - `redis_down_since`: the start of a Redis outage the watchdog has seen (null while reachable).
 */
import type { PrismaClient } from '../db/prisma';

export function createWatchdogStateRepository(prisma: PrismaClient) {
  return {
    /** When watching began (stored on the first call of any process, so replicas agree). */
    async watchingSince(jobName: string, now: Date): Promise<Date> {
      const row = await prisma.watchdogState.upsert({ where: { jobName }, create: { jobName, watchingSince: now }, update: {} });
      return row.watchingSince;
    },

    /**
     * Takes (or renews) the tick lease for `ttlMs` when it is free, expired or already `holder`'s.
     * One statement, so two processes asking at once cannot both get it.
     */
    async takeLease(jobName: string, holder: string, ttlMs: number): Promise<boolean> {
      const rows = await prisma.$queryRaw<{ job_name: string }[]>`
        INSERT INTO watchdog_state (job_name, watching_since, lease_holder, lease_until)
             VALUES (${jobName}, now(), ${holder}, now() + ${ttlMs} * interval '1 millisecond')
        ON CONFLICT (job_name) DO UPDATE SET lease_holder = EXCLUDED.lease_holder, lease_until = EXCLUDED.lease_until
              WHERE watchdog_state.lease_until IS NULL OR watchdog_state.lease_until < now() OR watchdog_state.lease_holder = EXCLUDED.lease_holder
        RETURNING job_name`;
      return rows.length === 1;
    },

    releaseLease: (jobName: string, holder: string) =>
      prisma.watchdogState.updateMany({ where: { jobName, leaseHolder: holder }, data: { leaseHolder: null, leaseUntil: null } }),

    /** Records Redis as unreachable (keeps the first time of this outage) and returns that time. */
    async redisDown(jobName: string, now: Date): Promise<Date> {
      const [row] = await prisma.$queryRaw<{ since: Date }[]>`
        INSERT INTO watchdog_state (job_name, watching_since, redis_down_since) VALUES (${jobName}, ${now}, ${now})
        ON CONFLICT (job_name) DO UPDATE SET redis_down_since = coalesce(watchdog_state.redis_down_since, EXCLUDED.redis_down_since)
        RETURNING redis_down_since AS since`;
      return row!.since;
    },

    /** Redis answered: the outage (if any) is over. Returns when it had begun, or null (no write then). */
    async redisUp(jobName: string): Promise<Date | null> {
      const rows = await prisma.$queryRaw<{ since: Date | null }[]>`
        UPDATE watchdog_state w SET redis_down_since = NULL FROM (SELECT redis_down_since FROM watchdog_state WHERE job_name = ${jobName} FOR UPDATE) old
         WHERE w.job_name = ${jobName} AND old.redis_down_since IS NOT NULL RETURNING old.redis_down_since AS since`;
      return rows[0]?.since ?? null;
    },
  };
}

export type WatchdogStateRepository = ReturnType<typeof createWatchdogStateRepository>;
