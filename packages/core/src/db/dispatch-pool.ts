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
 * Nothing connects until the first query. The caller must listen for 'error' (an idle client
 * that loses its connection; the pool drops it and the next query reconnects).
 */
import { Pool } from 'pg';

export function createDispatchPool(databaseUrl: string, opts: { max?: number } = {}): Pool {
  return new Pool({ connectionString: databaseUrl, max: opts.max ?? 4, options: '-c enable_seqscan=off' });
}
