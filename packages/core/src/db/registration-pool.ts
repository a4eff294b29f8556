/**
 * A plain `pg` pool for activity registration, beside Prisma (issue 17): a registration is one
 * call of `register_activity_one` (one item) or `register_activity_rows`, sent as a named prepared statement (parsed and
 * planned once per connection), with none of Prisma's per-query work on the hot path. As on the
 * dispatch pool, sequential scans are priced out: every lookup here is by key, and plans cached
 * while a table is still small must not stay scans as it grows (see dispatch-pool.ts).
 *
 * Nothing connects until the first query. The caller must listen for 'error'.
 */
import { Pool } from 'pg';

export function createRegistrationPool(databaseUrl: string, opts: { max?: number } = {}): Pool {
  // Generic plans: the function's statements are planned once per connection, not on every call
  // (measured with auto_explain: planning was three quarters of the main statement's time).
  return new Pool({ connectionString: databaseUrl, max: opts.max ?? 10, options: '-c enable_seqscan=off -c plan_cache_mode=force_generic_plan -c jit=off' });
}
