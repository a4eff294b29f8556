/**
 * The demo-data seed as set-based SQL: every row comes from `generate_series` and every "random"
 * choice from md5 of a fixed salt and the row's id, so the same inputs give the same rows on any
 * machine and Postgres version, with no PRNG state and no row-by-row round trips.
 * Ids are written explicitly (base + 1..n) so foreign keys can be computed instead of joined; the
 * bases are 0 for a first seed and the tables' highest ids when a programme's data is added to a
 * database that has some (seed --programme), and every draw hashes the row's own id.
 */

/** Change the salt only on purpose: it changes every seeded row. */
const SALT = 'reminders-seed-v1';

/** A uniform double in [0, 1) from 32 bits (slot 0..3) of the md5 hex digest `h`. */
const u = (h: string, slot: number) => `(${n32(h, slot)}::float8 / 4294967296)`;
/** An unsigned 32-bit integer (as bigint) from slot 0..3 of the md5 hex digest `h`. */
const n32 = (h: string, slot: number) => `('x' || substr(${h}, ${slot * 8 + 1}, 8))::bit(32)::bigint`;
const digest = (kind: string, id: string) => `md5('${SALT}:${kind}:' || ${id})`;

/** First and last name from one 32-bit draw `n`; the pools are text[] parameters. */
const personName = (n: string, first: string, last: string) =>
  `(${first})[1 + ${n} % cardinality(${first})] || ' ' || (${last})[1 + (${n} / cardinality(${first})) % cardinality(${last})]`;
/** 'Bjørn Sæther' -> 'bjorn.saether' (the reserved example.org domain keeps mail going nowhere). */
const emailLocal = (name: string) =>
  `replace(replace(replace(replace(lower(${name}), ' ', '.'), 'æ', 'ae'), 'ø', 'o'), 'å', 'a')`;

export type Statement = { text: string; values: unknown[] };

/** The highest id already in each table: new rows are numbered after it. */
export type SeedBase = { coordinators: number; peerMentors: number; contacts: number; assignments: number; activities: number };

export const NO_BASE: SeedBase = { coordinators: 0, peerMentors: 0, contacts: 0, assignments: 0, activities: 0 };

export type SeedSqlParams = {
  /** The programme the assignments belong to. */
  programmeId: number;
  base: SeedBase;
  today: string;
  timeZone: string;
  assignments: number;
  coordinators: number;
  peerMentors: number;
  dueShare: number;
  firstAfterDays: number;
  firstNames: readonly string[];
  lastNames: readonly string[];
};

/** Listed explicitly; CASCADE only reaches tables hanging off these (reminders, notifications). */
/** api_idempotency_keys goes too: its stored bulk answers name activities that no longer exist. */
export const RESET_SQL =
  'TRUNCATE notifications, reminders, activities, api_idempotency_keys, assignments, contacts, peer_mentors, coordinators RESTART IDENTITY CASCADE';

export const DOMAIN_TABLES = ['coordinators', 'peer_mentors', 'contacts', 'assignments', 'activities'] as const;

export function coordinatorsSql(p: SeedSqlParams): Statement {
  return {
    text: `
      INSERT INTO coordinators (id, name, email, created_at)
      SELECT g, nm.name, ${emailLocal('nm.name')} || '.' || g || '@example.org',
             ($2::date - 730 - floor(${u('x.h', 1)} * 365)::int + time '09:00') AT TIME ZONE $3
        FROM generate_series($6::int + 1, $6::int + $1::int) AS g
       CROSS JOIN LATERAL (SELECT ${digest('coordinator', 'g')} AS h) x
       CROSS JOIN LATERAL (SELECT ${personName(n32('x.h', 0), '$4::text[]', '$5::text[]')} AS name) nm`,
    values: [p.coordinators, p.today, p.timeZone, p.firstNames, p.lastNames, p.base.coordinators],
  };
}

/** About one in ten peer mentors has no e-mail address (in-app notifications only). */
export function peerMentorsSql(p: SeedSqlParams): Statement {
  return {
    text: `
      INSERT INTO peer_mentors (id, name, email, coordinator_id, active, created_at)
      SELECT g, nm.name,
             CASE WHEN ${u('x.h', 1)} < 0.9 THEN ${emailLocal('nm.name')} || '.' || g || '@mentors.example.org' END,
             $8::int + 1 + (g - $7::int - 1) % $2::int, true,
             ($3::date - 730 - floor(${u('x.h', 2)} * 365)::int + time '10:00') AT TIME ZONE $4
        FROM generate_series($7::int + 1, $7::int + $1::int) AS g
       CROSS JOIN LATERAL (SELECT ${digest('peer-mentor', 'g')} AS h) x
       CROSS JOIN LATERAL (SELECT ${personName(n32('x.h', 0), '$5::text[]', '$6::text[]')} AS name) nm`,
    values: [p.peerMentors, p.coordinators, p.today, p.timeZone, p.firstNames, p.lastNames, p.base.peerMentors, p.base.coordinators],
  };
}

/**
 * One planned assignment per id, in a temp table so contacts (which must exist first, for the
 * foreign key) and assignments are written from the same draws.
 *
 * `silent` is the days since the anchor (coalesce(last_contact_date, assigned_date)). A share
 * `dueShare` of rows is silent for at least `firstAfterDays` (the rest for fewer), so about that
 * share of the *active* assignments is due today; how far past due falls off exponentially
 * (mean 10 days), so most due ones are first or second reminders and some are escalations.
 * About 4% were never contacted: their anchor is the assigned date. Everyone else was assigned
 * before their last contact, within the past two years.
 */
export function assignmentPlanSql(p: SeedSqlParams): Statement {
  return {
    text: `
      CREATE TEMP TABLE seed_assignment_plan ON COMMIT DROP AS
      SELECT g AS id, g - $9::int + $11::int AS contact_id, $10::int + m.peer_mentor_id AS peer_mentor_id,
             $12::int + 1 + (m.peer_mentor_id - 1) % $3::int AS coordinator_id,
             s.status, $4::date - d.assigned_age AS assigned_date,
             CASE WHEN t.never_contacted THEN NULL ELSE $4::date - t.silent END AS last_contact_date,
             r.u_closed, ${personName(n32('x.h2', 3), '$7::text[]', '$8::text[]')} AS contact_name
        FROM generate_series($9::int + 1, $9::int + $1::int) AS g
       CROSS JOIN LATERAL (SELECT ${digest('assignment', 'g')} AS h1, ${digest('assignment-b', 'g')} AS h2) x
       CROSS JOIN LATERAL (SELECT ${u('x.h1', 0)} AS u_status, ${u('x.h1', 1)} AS u_due, ${u('x.h1', 2)} AS u_silent,
                                  ${u('x.h1', 3)} AS u_never, ${u('x.h2', 0)} AS u_assigned, ${u('x.h2', 1)} AS u_closed) r
       CROSS JOIN LATERAL (SELECT 1 + ${n32('x.h2', 2)} % $2::int AS peer_mentor_id) m
       CROSS JOIN LATERAL (SELECT (CASE WHEN r.u_status < 0.85 THEN 'active' WHEN r.u_status < 0.92 THEN 'paused'
                                        ELSE 'closed' END)::assignment_status AS status) s
       CROSS JOIN LATERAL (SELECT CASE WHEN r.u_due < $5::float8
                                       THEN $6::int + least(floor(-ln(1 - r.u_silent) * 10)::int, 350)
                                       ELSE floor(r.u_silent * $6::int)::int END AS silent,
                                  r.u_never < 0.04 AS never_contacted) t
       CROSS JOIN LATERAL (SELECT CASE WHEN t.never_contacted THEN t.silent
                                       ELSE t.silent + 1 + floor(r.u_assigned * greatest(0, 729 - t.silent))::int
                                   END AS assigned_age) d`,
    values: [
      p.assignments, p.peerMentors, p.coordinators, p.today, p.dueShare, p.firstAfterDays, p.firstNames, p.lastNames,
      p.base.assignments, p.base.peerMentors, p.base.contacts, p.base.coordinators,
    ],
  };
}

export function contactsSql(p: SeedSqlParams): Statement {
  return {
    text: `
      INSERT INTO contacts (id, name, created_at)
      SELECT contact_id, contact_name, (assigned_date - 2 + time '11:00') AT TIME ZONE $1 FROM seed_assignment_plan`,
    values: [p.timeZone],
  };
}

/** Closed assignments closed some day between their anchor and today. */
export function assignmentsSql(p: SeedSqlParams): Statement {
  return {
    text: `
      INSERT INTO assignments (id, peer_mentor_id, contact_id, coordinator_id, status, assigned_date,
                               last_contact_date, closed_at, created_at, updated_at, programme_id)
      SELECT id, peer_mentor_id, contact_id, coordinator_id, status, assigned_date, last_contact_date, c.closed_at,
             c.created_at, greatest(c.created_at, c.closed_at, (last_contact_date + time '12:00') AT TIME ZONE $2), $3::int
        FROM seed_assignment_plan
       CROSS JOIN LATERAL (SELECT coalesce(last_contact_date, assigned_date) AS anchor) a
       CROSS JOIN LATERAL (
             SELECT (assigned_date + time '10:00') AT TIME ZONE $2 AS created_at,
                    CASE WHEN status = 'closed'
                         THEN (a.anchor + floor(u_closed * ($1::date - a.anchor))::int + time '14:00') AT TIME ZONE $2
                    END AS closed_at) c`,
    values: [p.today, p.timeZone, p.programmeId],
  };
}

/**
 * One to three activities for each assignment last contacted before today: the latest on
 * last_contact_date, earlier ones between the assigned date and it. Times are daytime in the
 * time zone the activities_touch_contact trigger uses (the assignment's programme's), so the trigger
 * maps each one to exactly its intended day; as no activity is later than last_contact_date,
 * the trigger leaves every assignment as planned and last_contact_date equals the latest activity.
 */
export function activitiesSql(p: SeedSqlParams): Statement {
  return {
    text: `
      INSERT INTO activities (id, assignment_id, activity_type, occurred_at, registration_path, registered_by, created_at)
      SELECT $4::int + row_number() OVER (ORDER BY a.id, j), a.id,
             (CASE WHEN ${u('y.h', 0)} < 0.45 THEN 'call' WHEN ${u('y.h', 0)} < 0.70 THEN 'message'
                   WHEN ${u('y.h', 0)} < 0.85 THEN 'visit' WHEN ${u('y.h', 0)} < 0.95 THEN 'meeting' ELSE 'other' END)::activity_type,
             o.occurred_at, w.path,
             CASE w.path WHEN 'direct' THEN 'peer_mentor:' || a.peer_mentor_id
                         WHEN 'proxy' THEN 'peer_mentor:' || ($5::int + 1 + ${n32('y.h2', 0)} % $2::int)
                         WHEN 'coordinator_proxy' THEN 'coordinator:' || a.coordinator_id
                         ELSE 'bulk-import' END,
             o.occurred_at + make_interval(mins => 1 + floor(${u('y.h2', 1)} * 600)::int)
        FROM assignments a
        JOIN programmes tz ON tz.id = a.programme_id
       CROSS JOIN LATERAL generate_series(1, 1 + floor(${u(digest('activity-count', 'a.id'), 0)} * 3)::int) AS j
       CROSS JOIN LATERAL (SELECT ${digest('activity', "a.id || ':' || j")} AS h, ${digest('activity-b', "a.id || ':' || j")} AS h2) y
       CROSS JOIN LATERAL (SELECT CASE WHEN j = 1 THEN a.last_contact_date
                                       ELSE a.assigned_date + floor(${u('y.h', 1)} * (a.last_contact_date - a.assigned_date + 1))::int
                                   END AS day) d
       CROSS JOIN LATERAL (SELECT (d.day + time '08:00' + make_interval(mins => floor(${u('y.h', 2)} * 540)::int))
                                  AT TIME ZONE tz.time_zone AS occurred_at) o
       CROSS JOIN LATERAL (SELECT (CASE WHEN ${u('y.h', 3)} < 0.70 THEN 'direct' WHEN ${u('y.h', 3)} < 0.82 THEN 'proxy'
                                        WHEN ${u('y.h', 3)} < 0.92 THEN 'bulk' ELSE 'coordinator_proxy' END)::registration_path AS path) w
       WHERE a.id > $3::int AND a.last_contact_date IS NOT NULL AND a.last_contact_date < $1::date`,
    values: [p.today, p.peerMentors, p.base.assignments, p.base.activities, p.base.peerMentors],
  };
}

/** Explicit ids leave the serial sequences behind; move each past the highest id. */
export const RESYNC_SEQUENCES_SQL = DOMAIN_TABLES.map(
  (t) => `SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce(max(id), 0) + 1, false) FROM ${t}`,
).join(';\n');
