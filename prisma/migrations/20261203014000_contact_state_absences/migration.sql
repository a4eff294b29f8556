-- The contact state register_activities answers with (issue 16) carries what the next reminder
-- depends on beside the rules: the programme's stop rule and absence policy, the assignment's
-- snooze, and the mentor's absences that still matter for the current silence (not cancelled,
-- ending after the anchor), so the answer to an activity says when the next reminder really
-- comes (domain/absence-rules.ts mirrors reminder_due). Same signature, same steps otherwise
-- (see 20261202030000_programme_calendar).
CREATE OR REPLACE FUNCTION "register_activities"(
    p_assignment_ids INT[], p_types activity_type[], p_occurred TIMESTAMPTZ[], p_paths registration_path[],
    p_registered_by TEXT[], p_client_ids TEXT[], p_notes TEXT[], p_now TIMESTAMPTZ, p_client_scope TEXT
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    judged JSONB;
    raced JSONB;
    raced_ords INT[];
    states JSONB;
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
               p.id AS prior_id, p.assignment_id AS prior_assignment_id, p.activity_type::text AS prior_type,
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
    SELECT jsonb_agg(jsonb_build_object(
               'ord', p.ord, 'reason', p.reason, 'id', COALESCE(p.prior_id, p.new_id), 'inserted', COALESCE(p.inserted, false),
               'prior', CASE WHEN p.reason IS NULL AND p.prior_id IS NOT NULL THEN jsonb_build_object(
                   'assignment_id', p.prior_assignment_id, 'activity_type', p.prior_type, 'occurred_ms', p.prior_occurred_ms) END)
             ORDER BY p.ord),
           array_agg(p.ord) FILTER (WHERE p.new_id IS NOT NULL AND NOT p.inserted)
      INTO judged, raced_ords
      FROM placed p;

    IF raced_ords IS NOT NULL THEN
        SELECT jsonb_object_agg(u.ord::text, jsonb_build_object(
                   'id', p.id, 'assignment_id', p.assignment_id, 'activity_type', p.activity_type::text,
                   'occurred_ms', (extract(epoch FROM p.occurred_at) * 1000)::bigint))
          INTO raced
          FROM unnest(p_client_ids) WITH ORDINALITY AS u(client_id, ord)
          JOIN activities p ON p.client_scope = p_client_scope AND p.client_id = u.client_id
         WHERE u.ord = ANY(raced_ords);
    END IF;

    SELECT jsonb_agg(jsonb_build_object(
               'id', a.id, 'status', a.status::text, 'assigned_date', a.assigned_date::text,
               'last_contact_date', a.last_contact_date::text,
               'time_zone', pr.time_zone, 'first_after_days', pr.first_after_days,
               'repeat_every_days', pr.repeat_every_days, 'escalate_after', pr.escalate_after,
               'stop_after', pr.stop_after, 'absence_policy', pr.absence_policy::text,
               'peer_mentor_id', a.peer_mentor_id, 'snoozed_until', a.snoozed_until::text,
               'absences', COALESCE((SELECT jsonb_agg(jsonb_build_array(ab.starts_on::text, ab.ends_on::text) ORDER BY ab.starts_on)
                                       FROM mentor_absences ab
                                      WHERE ab.peer_mentor_id = a.peer_mentor_id AND ab.cancelled_at IS NULL
                                        AND ab.ends_on > COALESCE(a.last_contact_date, a.assigned_date)), '[]'::jsonb),
               'last_seq', COALESCE((SELECT max(r.sequence_number) FROM reminders r
                                      WHERE r.assignment_id = a.id
                                        AND r.anchor_date = COALESCE(a.last_contact_date, a.assigned_date)), 0)))
      INTO states
      FROM assignments a
      JOIN programmes pr ON pr.id = a.programme_id
     WHERE a.id = ANY(p_assignment_ids);

    RETURN jsonb_build_object('items', COALESCE(judged, '[]'::jsonb), 'raced', COALESCE(raced, '{}'::jsonb), 'states', COALESCE(states, '[]'::jsonb));
END;
$$;
