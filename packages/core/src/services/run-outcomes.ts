/**
 * Per-run dispatch outcomes in Redis: one hash field per reminder job, so a job that is processed
 * twice (a stalled job re-run after a crash) is still counted once. The run waits until the hash
 * holds as many fields as it enqueued. Concurrent jobs' outcomes are recorded together: one
 * MULTI (HSET of every field, EXPIRE) per batch instead of one per job.
 */
import type { RedisConnection } from '../redis';
import { createMicroBatcher } from './micro-batcher';

export type DispatchOutcome = 'sent' | 'suppressed' | 'skipped' | 'failed';

const KEEP_SECONDS = 3 * 24 * 3600;

type Recorded = { runId: number; jobKey: string; outcome: DispatchOutcome };

export function createRunOutcomes(deps: { redis: RedisConnection; prefix: string; maxBatchSize?: number }) {
  const key = (runId: number) => `${deps.prefix}:run:${runId}:outcomes`;
  const records = createMicroBatcher<Recorded, void>({
    maxBatchSize: deps.maxBatchSize ?? 500,
    run: async (rs) => {
      const byRun = new Map<number, string[]>();
      for (const r of rs) {
        const fields = byRun.get(r.runId) ?? [];
        fields.push(r.jobKey, r.outcome);
        byRun.set(r.runId, fields);
      }
      const tx = deps.redis.multi();
      for (const [runId, fields] of byRun) tx.hset(key(runId), ...fields).expire(key(runId), KEEP_SECONDS);
      const replies = await tx.exec();
      const failed = replies?.find(([err]) => err);
      if (!replies || failed) throw failed?.[0] ?? new Error('outcome transaction aborted');
      return rs.map(() => undefined);
    },
  });
  return {
    record: (runId: number, jobKey: string, outcome: DispatchOutcome): Promise<void> => records.submit({ runId, jobKey, outcome }),
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
