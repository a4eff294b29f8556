-- One activity, one call (issue 17): the single registration (POST /v1/activities) is the
-- service's most frequent request, and register_activity_rows' array machinery (unnest, the
-- materialized CTEs, the aggregates) cost more than the work itself for one item: measured with
-- pgbench, one client, prepared, generic plans, 20,000 assignments: 0.62 ms per call against
-- 0.75 ms for register_activity_rows with one item (a bare INSERT with its trigger: 0.37 ms).
-- Scalar parameters; the same judging (assignment_not_found, assignment_closed,
-- before_assignment), the same client id semantics (a known id answers with the stored activity;
-- one lost to a concurrent registration is read back once that one has committed) and the same
-- answer columns as register_activity_rows, so the caller reads both alike.
CREATE FUNCTION "register_activity_one"(
    p_assignment_id INT, p_type activity_type, p_occurred TIMESTAMPTZ, p_path registration_path,
    p_registered_by TEXT, p_client_id TEXT, p_note TEXT, p_now TIMESTAMPTZ, p_client_scope TEXT,
    OUT ids INT[], OUT reasons TEXT[], OUT inserted BOOLEAN[], OUT known JSON, OUT states JSON, OUT programmes JSON
) LANGUAGE plpgsql AS $$
DECLARE
    v_reason TEXT;
    v_id INT;
    v_prior JSON;
BEGIN
    -- Judged as register_activity_rows judges an item; inserted only when it passes and its
    -- client id is new.
    WITH judged AS (
        SELECT CASE WHEN a.id IS NULL THEN 'assignment_not_found'
                    WHEN a.status = 'closed' THEN 'assignment_closed'
                    WHEN (p_occurred AT TIME ZONE pr.time_zone)::date < a.assigned_date THEN 'before_assignment'
               END AS reason,
               CASE WHEN p.id IS NOT NULL THEN json_build_array(p.id, p.assignment_id, p.activity_type, (extract(epoch FROM p.occurred_at) * 1000)::bigint) END AS prior
          FROM (SELECT) AS one
          LEFT JOIN assignments a ON a.id = p_assignment_id
          LEFT JOIN programmes pr ON pr.id = a.programme_id
          LEFT JOIN activities p ON p.client_scope = p_client_scope AND p.client_id = p_client_id
    ), ins AS (
        INSERT INTO activities (assignment_id, activity_type, occurred_at, registration_path, registered_by, client_scope, client_id, note, created_at)
        SELECT p_assignment_id, p_type, p_occurred, p_path, p_registered_by, p_client_scope, p_client_id, p_note, p_now
          FROM judged WHERE judged.reason IS NULL AND judged.prior IS NULL
        ON CONFLICT (client_scope, client_id) DO NOTHING
        RETURNING id
    )
    SELECT judged.reason, (SELECT id FROM ins), judged.prior INTO v_reason, v_id, v_prior FROM judged;

    IF v_reason IS NULL AND v_id IS NULL AND v_prior IS NULL THEN
        -- Lost to a concurrent registration with the same client id: its row is committed now.
        SELECT json_build_array(p.id, p.assignment_id, p.activity_type, (extract(epoch FROM p.occurred_at) * 1000)::bigint) INTO v_prior
          FROM activities p WHERE p.client_scope = p_client_scope AND p.client_id = p_client_id;
    END IF;
    ids := ARRAY[COALESCE(v_id, (v_prior->>0)::int)];
    reasons := ARRAY[v_reason];
    inserted := ARRAY[v_id IS NOT NULL];
    IF v_reason IS NULL AND v_prior IS NOT NULL THEN known := json_build_object('1', v_prior); END IF;

    -- The contact state after the trigger moved last_contact_date (a statement of its own sees it).
    SELECT c.states, c.programmes INTO states, programmes FROM contact_states(ARRAY[p_assignment_id]) c;
END;
$$;
