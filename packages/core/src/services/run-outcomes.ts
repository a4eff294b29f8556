/**
 * Per-run dispatch outcomes in Redis: one hash field per reminder job, so a job that is processed
 * twice (a stalled job re-run after a crash) is still counted once. The run waits until the hash
 * holds as many fields as it enqueued.
 */
import type { RedisConnection } from '../redis';

export type DispatchOutcome = 'sent' | 'suppressed' | 'skipped' | 'failed';

const KEEP_SECONDS = 3 * 24 * 3600;

export function createRunOutcomes(deps: { redis: RedisConnection; prefix: string }) {
  const key = (runId: number) => `${deps.prefix}:run:${runId}:outcomes`;
  return {
    async record(runId: number, jobKey: string, outcome: DispatchOutcome): Promise<void> {
      await deps.redis.multi().hset(key(runId), jobKey, outcome).expire(key(runId), KEEP_SECONDS).exec();
    },
    settled: (runId: number): Promise<number> => deps.redis.hlen(key(runId)),
    async tally(runId: number): Promise<Record<DispatchOutcome, number>> {
      const counts: Record<DispatchOutcome, number> = { sent: 0, suppressed: 0, skipped: 0, failed: 0 };
      let cursor = '0';
      do {
        const [next, flat] = await deps.redis.hscan(key(runId), cursor, 'COUNT', 5000);
        cursor = next;
        for (let i = 1; i < flat.length; i += 2) counts[flat[i] as DispatchOutcome] += 1;
      } while (cursor !== '0');
      return counts;
    },
  };
}

export type RunOutcomes = ReturnType<typeof createRunOutcomes>;
