/**
 * A plain `pg` pool for the dispatch's batched writes, beside Prisma, for how its statements are
 * planned:
 *
 * - `enable_seqscan = off` on these connections. Every statement here, and every foreign-key
 *   check its inserts fire, is a lookup by key. PostgreSQL caches each foreign-key check's plan
 *   per connection; planned while `reminders` is still small (a new installation, the first run
 *   after a purge) that plan is a sequential scan, and it stays one as the run fills the table:
 *   each notification then scans every reminder written so far, and a 100,000-reminder run goes
 *   quadratic (measured: 500 instead of 6,500 writes per second at 40,000 rows). With sequential
 *   scans priced out, the cached plans use the primary keys whatever the table's size.
 *
 * - The batch statements (reminder-write-sql.ts, the e-mail claims and marks) are unnamed, so each
 *   is planned for its actual batch (a millisecond or two), never with a generic plan's guess of
 *   ten input rows. That guess made every join between their CTEs a nested loop of CTE scans:
 *   batch size squared tuple visits per join, four joins in the settle step alone (auto_explain,
 *   250 a batch: 90 of 100 ms). Not `plan_cache_mode = force_custom_plan` for the session, as it
 *   was: that also replans every foreign-key check's cached query, three per reminder (measured
 *   2026-12-07, 21,283 reminders in batches of 250: 2.7 PostgreSQL CPU s with it, 2.0 without).
 *   The single-row statements keep their names and a generic plan.
 *
 * Nothing connects until the first query. The caller must listen for 'error' (an idle client
 * that loses its connection; the pool drops it and the next query reconnects).
 */
import { Pool } from 'pg';

export const DISPATCH_SESSION_OPTIONS = '-c enable_seqscan=off -c jit=off';

/** `extraOptions`: more session settings after these (the benchmark's measurements only). */
export function createDispatchPool(databaseUrl: string, opts: { max?: number; extraOptions?: string } = {}): Pool {
  const options = opts.extraOptions ? `${DISPATCH_SESSION_OPTIONS} ${opts.extraOptions}` : DISPATCH_SESSION_OPTIONS;
  return new Pool({ connectionString: databaseUrl, max: opts.max ?? 4, options });
}
