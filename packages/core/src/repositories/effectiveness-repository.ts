/**
 * Whether reminders work (issue 16): every figure is computed here, in SQL, for
 * `GET /v1/programmes/{slug}/stats`, `npx reminders stats` and the `reminders_effectiveness_*`
 * gauges alike. Each query runs over a *scope*: rows of (programme_id, label, time_zone, from_date,
 * to_date, silent_after). The API and the CLI pass one programme under its slug; /metrics passes
 * every programme under its metric label (the last 28 days ending today in its zone, N = its
 * escalate_after), so both read the same statement. `now` is always a parameter (injected clock).
 *
 * Definitions (the runbook's "Effectiveness" says the same):
 * - A reminder is a `reminders` row of an assignment of the programme. It belongs to the period
 *   when its created_at falls on a local day (programme time zone) within [from, to], both inclusive.
 * - Its contact is the first `activities` row of the same assignment with occurred_at >= created_at.
 * - followed: that contact has occurred_at < created_at + 7 days (7 × 24 hours; exactly 7 days
 *   later is not followed). A contact before the reminder never counts.
 * - pending: not followed, and its 7 days are not over at `now` (created_at + 7 days > now).
 * - share = followed / (reminders - pending), rounded to 4 decimals; null when that is 0.
 * - median days to contact: over the period's reminders that have a contact (at any distance),
 *   the days from created_at to it (fractional); percentile_cont(0.5), to one decimal; null if none.
 * - reminders until contact: over the silence episodes (assignment, anchor_date) with at least one
 *   reminder in the period that ended with contact (the assignment's current anchor,
 *   COALESCE(last_contact_date, assigned_date), is later than the episode's anchor_date), the
 *   number of reminders of the episode, all of them, in the period or not: their mean (2 decimals,
 *   null if no episode) and how many episodes.
 * - focus list: active assignments whose current episode (anchor = COALESCE(last_contact_date,
 *   assigned_date)) has at least N (silent_after) reminders, whatever the period: most reminders
 *   first, then silent longest; first names only (the first whitespace-separated word).
 */
import { Prisma, type PrismaClient } from '../db/prisma';
import { OTHER_PROGRAMME_LABEL } from './service-metrics-repository';

/** The 7 days a reminder's contact must come within, as an exact length (DST does not stretch it). */
const WINDOW = Prisma.sql`interval '168 hours'`;

export type PeriodFigures = {
  label: string;
  reminders: number;
  escalated: number;
  followed: number;
  pending: number;
  share: number | null;
  /** Reminders of the period with a later contact (the median's population). */
  contacted: number;
  medianDaysToContact: number | null;
  /** Mean reminders per silence episode that ended with contact; null without such episodes. */
  remindersUntilContact: number | null;
  episodes: number;
};

export type FocusEntry = {
  assignmentId: number;
  peerMentorId: number;
  peerMentorFirstName: string | null;
  contactFirstName: string | null;
  reminders: number;
  silentSince: string;
  lastReminderOn: string;
};

/** One programme, for the API and the CLI (its label is its slug). */
const oneProgramme = (q: { programmeId: number; from?: string; to?: string; silentAfter?: number }) => Prisma.sql`
  scope AS (
    SELECT id AS programme_id, slug AS label, time_zone, ${q.from ?? null}::date AS from_date, ${q.to ?? null}::date AS to_date, ${q.silentAfter ?? null}::int AS silent_after
      FROM programmes WHERE id = ${q.programmeId}::int)`;

/**
 * Every programme under its metric label (the first `labelMax` by id keep their slug, the rest are
 * `other`, as in service-metrics-repository.ts): the last 28 local days ending today, N = escalate_after.
 */
const everyProgramme = (now: Date, labelMax: number) => Prisma.sql`
  scope AS (
    SELECT id AS programme_id,
           CASE WHEN row_number() OVER (ORDER BY id) <= ${labelMax}::int THEN slug ELSE ${OTHER_PROGRAMME_LABEL}::text END AS label,
           time_zone,
           (${now}::timestamptz AT TIME ZONE time_zone)::date - 27 AS from_date,
           (${now}::timestamptz AT TIME ZONE time_zone)::date AS to_date,
           escalate_after AS silent_after
      FROM programmes)`;

/** The period figures of every label in `scope`. */
function periodSql(scope: Prisma.Sql, now: Date): Prisma.Sql {
  return Prisma.sql`
    WITH ${scope},
    period AS (
      SELECT s.label, r.assignment_id, r.anchor_date, r.created_at, r.escalated, c.contact_at
        FROM scope s
        JOIN assignments a ON a.programme_id = s.programme_id
        JOIN reminders r ON r.assignment_id = a.id
       -- A lateral join, not a subquery in the select list: that one would run once per use of contact_at below.
       CROSS JOIN LATERAL (SELECT min(x.occurred_at) AS contact_at FROM activities x WHERE x.assignment_id = r.assignment_id AND x.occurred_at >= r.created_at) c
       -- A superset in UTC (no zone is 14 hours or more from it) lets the created_at index narrow the
       -- scan; the local day decides.
       WHERE r.created_at >= (s.from_date - 1)::timestamp AT TIME ZONE 'UTC'
         AND r.created_at < (s.to_date + 2)::timestamp AT TIME ZONE 'UTC'
         AND (r.created_at AT TIME ZONE s.time_zone)::date BETWEEN s.from_date AND s.to_date),
    judged AS (
      SELECT label, assignment_id, anchor_date, escalated, contact_at,
             coalesce(contact_at < created_at + ${WINDOW}, false) AS followed,
             NOT coalesce(contact_at < created_at + ${WINDOW}, false) AND created_at + ${WINDOW} > ${now}::timestamptz AS pending,
             extract(epoch FROM contact_at - created_at)::float8 / 86400 AS days
        FROM period),
    totals AS (
      SELECT label, count(*)::int AS reminders,
             count(*) FILTER (WHERE escalated)::int AS escalated,
             count(*) FILTER (WHERE followed)::int AS followed,
             count(*) FILTER (WHERE pending)::int AS pending,
             count(contact_at)::int AS contacted,
             round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days))::numeric, 1)::float8 AS median
        FROM judged GROUP BY label),
    episodes AS (
      SELECT e.label, (SELECT count(*) FROM reminders r WHERE r.assignment_id = e.assignment_id AND r.anchor_date = e.anchor_date) AS n
        FROM (SELECT DISTINCT label, assignment_id, anchor_date FROM judged) e
        JOIN assignments a ON a.id = e.assignment_id
       WHERE COALESCE(a.last_contact_date, a.assigned_date) > e.anchor_date),
    until AS (
      SELECT label, round(avg(n), 2)::float8 AS mean, count(*)::int AS episodes FROM episodes GROUP BY label)
    SELECT l.label,
           coalesce(t.reminders, 0) AS reminders, coalesce(t.escalated, 0) AS escalated,
           coalesce(t.followed, 0) AS followed, coalesce(t.pending, 0) AS pending,
           round(t.followed::numeric / nullif(t.reminders - t.pending, 0), 4)::float8 AS share,
           coalesce(t.contacted, 0) AS contacted, t.median AS "medianDaysToContact",
           u.mean AS "remindersUntilContact", coalesce(u.episodes, 0) AS episodes
      FROM (SELECT DISTINCT label FROM scope) l
      LEFT JOIN totals t ON t.label = l.label
      LEFT JOIN until u ON u.label = l.label
     ORDER BY l.label`;
}

/** The active assignments of `scope` whose current silence has at least silent_after reminders. */
const silentCte = Prisma.sql`
  silent AS (
    SELECT s.label, a.id AS assignment_id, a.peer_mentor_id, a.contact_id, COALESCE(a.last_contact_date, a.assigned_date) AS anchor,
           n.reminders, (n.last_at AT TIME ZONE s.time_zone)::date AS last_reminder_on
      FROM scope s
      JOIN assignments a ON a.programme_id = s.programme_id AND a.status = 'active'
     -- Per assignment through the (assignment_id, anchor_date, ...) key: no sort of every reminder.
     CROSS JOIN LATERAL (
           SELECT count(*)::int AS reminders, max(r.created_at) AS last_at
             FROM reminders r WHERE r.assignment_id = a.id AND r.anchor_date = COALESCE(a.last_contact_date, a.assigned_date)) n
     WHERE n.reminders >= s.silent_after)`;

/** The first whitespace-separated word of a name: never a surname. */
const firstName = (column: Prisma.Sql) => Prisma.sql`substring(${column} from '[^[:space:]]+')`;

export function createEffectivenessRepository(prisma: PrismaClient) {
  return {
    /** The period figures of one programme (the local days from..to of its time zone). */
    async period(q: { programmeId: number; from: string; to: string; now: Date }): Promise<PeriodFigures> {
      const [row] = await prisma.$queryRaw<PeriodFigures[]>(periodSql(oneProgramme(q), q.now));
      if (!row) throw new Error(`programme ${q.programmeId} does not exist`);
      return row;
    },

    /** One programme's focus list: the first `limit` entries (most reminders, then silent longest) and how many there are. */
    async focus(q: { programmeId: number; silentAfter: number; limit: number }): Promise<{ entries: FocusEntry[]; total: number }> {
      const rows = await prisma.$queryRaw<(FocusEntry & { total: number })[]>`
        WITH ${oneProgramme(q)}, ${silentCte},
        -- The first ones (counting all) before the names are looked up: only theirs are read.
        listed AS (
          SELECT s.*, count(*) OVER ()::int AS total FROM silent s
           ORDER BY s.reminders DESC, s.anchor ASC, s.assignment_id ASC LIMIT ${q.limit}::int)
        SELECT s.assignment_id AS "assignmentId", s.peer_mentor_id AS "peerMentorId",
               ${firstName(Prisma.sql`m.name`)} AS "peerMentorFirstName", ${firstName(Prisma.sql`k.name`)} AS "contactFirstName",
               s.reminders, to_char(s.anchor, 'YYYY-MM-DD') AS "silentSince", to_char(s.last_reminder_on, 'YYYY-MM-DD') AS "lastReminderOn", s.total
          FROM listed s
          JOIN peer_mentors m ON m.id = s.peer_mentor_id
          JOIN contacts k ON k.id = s.contact_id
         ORDER BY s.reminders DESC, s.anchor ASC, s.assignment_id ASC`;
      return { entries: rows.map(({ total: _total, ...e }) => e), total: rows[0]?.total ?? 0 };
    },

    /** For /metrics: the period figures of every programme label over its last 28 local days ending today. */
    metricsPeriod: (now: Date, labelMax: number): Promise<PeriodFigures[]> => prisma.$queryRaw<PeriodFigures[]>(periodSql(everyProgramme(now, labelMax), now)),

    /** For /metrics: how many assignments each programme label has on its focus list (N = escalate_after). */
    async metricsFocus(now: Date, labelMax: number): Promise<{ label: string; total: number }[]> {
      return prisma.$queryRaw`
        WITH ${everyProgramme(now, labelMax)}, ${silentCte}
        SELECT l.label, count(s.assignment_id)::int AS total
          FROM (SELECT DISTINCT label FROM scope) l LEFT JOIN silent s ON s.label = l.label
         GROUP BY l.label ORDER BY l.label`;
    },
  };
}

export type EffectivenessRepository = ReturnType<typeof createEffectivenessRepository>;
