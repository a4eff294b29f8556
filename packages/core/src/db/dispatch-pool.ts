/**
 * A plain `pg` pool for the dispatch's batched writes, beside Prisma. Two reasons:
 *
 * - Prepared statements: the batch statement is parsed and planned once per connection.
 * - `enable_seqscan = off` on these connections. Every statement here, and every foreign-key
 *   check its inserts fire, is a lookup by key. PostgreSQL caches each foreign-key check's plan
 *   per connection; planned while `reminders` is still small (a new installation, the first run
 *   after a purge) that plan is a sequential scan, and it stays one as the run fills the table:
 *   each notification then scans every reminder written so far, and a 100,000-reminder run goes
 *   quadratic (measured: 500 instead of 6,500 writes per second at 40,000 rows). With sequential
 *   scans priced out, the cached plans use the primary keys whatever the table's size.
 *
 * - `plan_cache_mode = force_custom_plan`: the batch statement is planned for its actual batch
 *   (a millisecond or two), never with the generic plan's guess of ten input rows. That guess
 *   made every join between its CTEs a nested loop of CTE scans: batch size squared tuple visits
 *   per join, four joins in the settle step alone (auto_explain, 250 a batch: 90 of 100 ms).
 *
 * Nothing connects until the first query. The caller must listen for 'error' (an idle client
 * that loses its connection; the pool drops it and the next query reconnects).
 */
import { Pool } from 'pg';

export function createDispatchPool(databaseUrl: string, opts: { max?: number } = {}): Pool {
  return new Pool({ connectionString: databaseUrl, max: opts.max ?? 4, options: '-c enable_seqscan=off -c plan_cache_mode=force_custom_plan -c jit=off' });
}
