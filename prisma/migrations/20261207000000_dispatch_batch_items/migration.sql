-- A dispatch batch's items as rows the planner can size (issue 17). The dispatch's batch
-- statements (packages/core/src/repositories/reminder-write-sql.ts, the e-mail claims) run on
-- generic plans, planned once per connection: planning the write for every batch cost ~5 ms a
-- batch, and the session setting that forced it (plan_cache_mode = force_custom_plan) replanned
-- every foreign-key check as well. A generic plan cannot see the array's length, and takes
-- unnest($1) for ten rows; every join between the statement's CTEs then becomes a nested loop of
-- CTE scans (batch size squared tuple visits each). This function is planned at 250 rows (the
-- workers' batch at the default DISPATCH_CONCURRENCY) and, PL/pgSQL, is never inlined back into
-- an unnest: the joins are hashed whatever the batch's size. Measured 2026-12-07, 21,283
-- reminders: 2.1 PostgreSQL CPU s in batches of 250 planned per batch, 1.6 s on the generic plan;
-- 7.5 against 2.6 s in batches of 20.
-- `ord` is each item's position (from 1), for reading parallel arrays: ($2::int[])[b.ord].
CREATE FUNCTION "batch_items"(p_items INT[]) RETURNS TABLE (item INT, ord INT)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE ROWS 250 AS $$
BEGIN
    RETURN QUERY SELECT u.item, u.ord::int FROM unnest(p_items) WITH ORDINALITY AS u(item, ord);
END;
$$;
