/**
 * Retention of `api_idempotency_keys`, the stored answers to bulk registrations under an
 * Idempotency-Key header. The contact tracking repository writes and reads them (and already treats
 * a key older than the retention as new); this deletes those rows so the table stays small.
 */
import type { PrismaClient } from '../db/prisma';

/** Rows per DELETE: each batch is its own short statement, so a large backlog never holds locks for long. */
const PURGE_BATCH_SIZE = 5000;

export function createIdempotencyKeyRepository(prisma: PrismaClient) {
  return {
    /**
     * Deletes keys created before `before`, one batch at a time until a batch comes back short, and
     * returns how many went. A key that a registration is re-claiming right now is locked by it and
     * skipped (the re-claim makes it fresh); the outer `created_at` check covers one re-claimed
     * between the batch's SELECT and its DELETE.
     */
    async purgeExpired(before: Date, batchSize = PURGE_BATCH_SIZE): Promise<number> {
      let total = 0;
      for (;;) {
        const deleted = await prisma.$executeRaw`
          DELETE FROM api_idempotency_keys k
           USING (SELECT token_name, idempotency_key FROM api_idempotency_keys
                   WHERE created_at < ${before}
                   ORDER BY created_at
                   LIMIT ${batchSize}
                   FOR UPDATE SKIP LOCKED) expired
           WHERE k.token_name = expired.token_name AND k.idempotency_key = expired.idempotency_key
             AND k.created_at < ${before}`;
        total += deleted;
        if (deleted < batchSize) return total;
      }
    },
  };
}

export type IdempotencyKeyRepository = ReturnType<typeof createIdempotencyKeyRepository>;
