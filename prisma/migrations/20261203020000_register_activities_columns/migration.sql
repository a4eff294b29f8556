-- Activity registration answers in columns, not in one JSONB document (issue 17). The same
-- judging, numbering and insert as register_activities (20261203014000_contact_state_absences);
-- what changes is the answer's shape, which was half the function's time for a bulk request:
-- per item an id, a reason and whether it was inserted, as arrays in input order; the stored
-- activity behind a known client id (found before the insert or lost to a concurrent one) as
-- [id, assignment_id, activity_type, occurred_ms] keyed by the item's position (from 1); and the
-- contact states (contact_states below: each programme's time zone and rules once, however many
-- of its assignments the request touched). JSON, not JSONB: it is built once and read once.
--
-- A new function beside the old one, not a replacement: an API process still running the old
-- code keeps a named prepared statement of register_activities on each connection, and a changed
-- result type under that name would fail it ("cached plan must not change result type") until it
-- restarts. register_activities goes in a later release.
-- The contact state of assignments, in one definition for every answer that shows it (the
-- registration functions here and in 20261204000000_register_activity_one, and the read
-- endpoints): `states` a JSON array, per assignment, of [id, status, assigned_date,
-- last_contact_date, programme_id, peer_mentor_id, snoozed_until, last_seq, absences that matter
-- for the current silence as [[from, to], ...] or null]; `programmes` each programme's
-- [time_zone, first_after_days, repeat_every_days, escalate_after, stop_after, absence_policy]
-- once, keyed by id. A single SQL SELECT returning a table, so the planner inlines it.
CREATE FUNCTION "contact_states"(p_ids INT[]) RETURNS TABLE (states JSON, programmes JSON) LANGUAGE sql STABLE AS $$
    SELECT json_agg(json_build_array(
               a.id, a.status, a.assigned_date, a.last_contact_date, a.programme_id, a.peer_mentor_id, a.snoozed_until,
               COALESCE((SELECT max(r.sequence_number) FROM reminders r
                          WHERE r.assignment_id = a.id
                            AND r.anchor_date = COALESCE(a.last_contact_date, a.assigned_date)), 0),
               (SELECT json_agg(json_build_array(ab.starts_on, ab.ends_on) ORDER BY ab.starts_on)
                  FROM mentor_absences ab
                 WHERE ab.peer_mentor_id = a.peer_mentor_id AND ab.cancelled_at IS NULL
                   AND ab.ends_on > COALESCE(a.last_contact_date, a.assigned_date)))),
           (SELECT json_object_agg(pr.id, json_build_array(pr.time_zone, pr.first_after_days, pr.repeat_every_days, pr.escalate_after, pr.stop_after, pr.absence_policy))
              FROM programmes pr WHERE pr.id = ANY(array_agg(DISTINCT a.programme_id)))
      FROM assignments a
     WHERE a.id = ANY(p_ids)
$$;

CREATE FUNCTION "register_activity_rows"(
    p_assignment_ids INT[], p_types activity_type[], p_occurred TIMESTAMPTZ[], p_paths registration_path[],
    p_registered_by TEXT[], p_client_ids TEXT[], p_notes TEXT[], p_now TIMESTAMPTZ, p_client_scope TEXT,
    OUT ids INT[], OUT reasons TEXT[], OUT inserted BOOLEAN[], OUT known JSON, OUT states JSON, OUT programmes JSON
) LANGUAGE plpgsql AS $$
DECLARE
    raced_ords INT[];
    raced JSON;
    -- Looked up once per call, not once per row (a catalog lookup each time).
    id_seq REGCLASS := pg_get_serial_sequence('activities', 'id')::regclass;
BEGIN
    WITH input AS MATERIALIZED (
        SELECT u.* FROM unnest(p_assignment_ids, p_types, p_occurred, p_paths, p_registered_by, p_client_ids, p_notes)
               WITH ORDINALITY AS u(assignment_id, activity_type, occurred_at, registration_path, registered_by, client_id, note, ord)
    ), verdict AS MATERIALIZED (
        SELECT i.*,
               CASE WHEN a.id IS NULL THEN 'assignment_not_found'
                    WHEN a.status = 'closed' THEN 'assignment_closed'
                    WHEN (i.occurred_at AT TIME ZONE pr.time_zone)::date < a.assigned_date THEN 'before_assignment'
               END AS reason,
               p.id AS prior_id, p.assignment_id AS prior_assignment_id, p.activity_type AS prior_type,
               (extract(epoch FROM p.occurred_at) * 1000)::bigint AS prior_occurred_ms
          FROM input i
          LEFT JOIN assignments a ON a.id = i.assignment_id
          LEFT JOIN programmes pr ON pr.id = a.programme_id
          LEFT JOIN activities p ON p.client_scope = p_client_scope AND p.client_id = i.client_id
    ), numbered AS MATERIALIZED (
        -- An id only for a row to insert, drawn in input order (the sort runs before nextval).
        SELECT v.*, CASE WHEN v.reason IS NULL AND v.prior_id IS NULL THEN nextval(id_seq)::int END AS new_id
          FROM verdict v ORDER BY v.ord
    ), ins AS (
        INSERT INTO activities (id, assignment_id, activity_type, occurred_at, registration_path, registered_by, client_scope, client_id, note, created_at)
        SELECT new_id, assignment_id, activity_type, occurred_at, registration_path, registered_by, p_client_scope, client_id, note, p_now
          FROM numbered WHERE new_id IS NOT NULL ORDER BY assignment_id, ord
        ON CONFLICT (client_scope, client_id) DO NOTHING
        RETURNING id
    ), placed AS (
        -- One pass over the items; "inserted" is a hashed lookup, not a join of CTE scans.
        SELECT n.*, n.new_id IN (SELECT id FROM ins) AS inserted FROM numbered n
    )
    SELECT array_agg(COALESCE(p.prior_id, p.new_id) ORDER BY p.ord),
           array_agg(p.reason ORDER BY p.ord),
           array_agg(COALESCE(p.inserted, false) ORDER BY p.ord),
           json_object_agg(p.ord, json_build_array(p.prior_id, p.prior_assignment_id, p.prior_type, p.prior_occurred_ms))
             FILTER (WHERE p.reason IS NULL AND p.prior_id IS NOT NULL),
           array_agg(p.ord) FILTER (WHERE p.new_id IS NOT NULL AND NOT p.inserted)
      INTO ids, reasons, inserted, known, raced_ords
      FROM placed p;

    IF raced_ords IS NOT NULL THEN
        -- Lost to a concurrent registration with the same client id: its row is committed now.
        SELECT json_object_agg(u.ord, json_build_array(p.id, p.assignment_id, p.activity_type, (extract(epoch FROM p.occurred_at) * 1000)::bigint))
          INTO raced
          FROM unnest(p_client_ids) WITH ORDINALITY AS u(client_id, ord)
          JOIN activities p ON p.client_scope = p_client_scope AND p.client_id = u.client_id
         WHERE u.ord = ANY(raced_ords);
        known := (COALESCE(known::jsonb, '{}'::jsonb) || COALESCE(raced::jsonb, '{}'::jsonb))::json;
    END IF;

    SELECT c.states, c.programmes INTO states, programmes FROM contact_states(p_assignment_ids) c;
END;
$$;
