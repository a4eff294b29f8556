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
 * - `plan_cache_mode = force_generic_plan`: every statement here is prepared once per connection
 *   (its `name`) and planned once, for any batch. Planning the write for each batch, as this
 *   session did until 2026-12-07 (`force_custom_plan`), cost ~5 ms a batch and also replanned
 *   every foreign-key check's cached query, three per reminder. A generic plan cannot see an
 *   array's length and takes unnest($1) for ten rows, which made every join between the batch
 *   statement's CTEs a nested loop of CTE scans (batch size squared tuple visits per join; four
 *   joins in the settle step alone, 90 of 100 ms at 250 a batch): the batch statements take their
 *   items from batch_items() instead, which the planner sizes at 250 rows (its migration,
 *   20261207000000_dispatch_batch_items, has the figures). Statements that only join an unnest to
 *   tables by key are right on any estimate and keep their unnest.
 *
 * Nothing connects until the first query. The caller must listen for 'error' (an idle client
 * that loses its connection; the pool drops it and the next query reconnects).
 */
import { Pool } from 'pg';

export const DISPATCH_SESSION_OPTIONS = '-c enable_seqscan=off -c plan_cache_mode=force_generic_plan -c jit=off';

/** `extraOptions`: more session settings after these (the benchmark's measurements only). */
export function createDispatchPool(databaseUrl: string, opts: { max?: number; extraOptions?: string } = {}): Pool {
  const options = opts.extraOptions ? `${DISPATCH_SESSION_OPTIONS} ${opts.extraOptions}` : DISPATCH_SESSION_OPTIONS;
  return new Pool({ connectionString: databaseUrl, max: opts.max ?? 4, options });
}
