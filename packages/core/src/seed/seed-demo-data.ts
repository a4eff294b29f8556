/**
 * Deterministic demo data: coordinators, peer mentors, contacts, assignments and a few activities,
 * with last-contact dates spread so that a chosen share of active assignments is due today.
 * Same inputs (assignments, due share, today, rules) give the same rows. Everything happens in
 * one transaction, so a failure or a refusal leaves the database as it was.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { systemClock, type Clock } from '../clock';
import { localDate } from '../domain/calendar';
import type { ReminderRules } from '../domain/reminder-rules';
import { FIRST_NAMES, LAST_NAMES } from './seed-names';
import { DEFAULT_PROGRAMME_ID } from '../domain/programme';
import { checkSeedArgs, DEFAULT_DUE_SHARE, SeedRefusedError, SeedUsageError } from './seed-options';
import * as sql from './seed-sql';

export type SeedDemoDataDeps = {
  /** The database to fill (already migrated). */
  databaseUrl: string;
  /** Gives "today" when `today` is not pinned. @defaultValue the system clock */
  clock?: Clock;
};

export type SeedDemoDataOptions = {
  /** How many assignments (and contacts) to create, 1..5,000,000. */
  assignments: number;
  /** Share of active assignments due today under `rules`, 0..1. @defaultValue 0.25 */
  dueShare?: number;
  /** "Today" as YYYY-MM-DD; all dates are relative to it. @defaultValue today in `timeZone` */
  today?: string;
  /** The organisation's time zone (REMINDER_TZ): gives "today" and the local times of day. */
  timeZone: string;
  /** The reminder rules the due share and the due counts are computed for. */
  rules: ReminderRules;
  /** Empty the domain tables first; without it a database with domain rows is refused. @defaultValue false */
  reset?: boolean;
  /**
   * The programme the assignments join (issue 15), with `timeZone` and `rules` its own. Given, the
   * rows are added after what the database holds (other programmes' data stays) and only a
   * programme that already has assignments is refused; not with `reset`. @defaultValue default (id 1)
   */
  programme?: { id: number; slug: string; stopAfter?: number | null };
};

export type SeedDemoDataResult = {
  today: string;
  coordinators: number;
  peerMentors: number;
  contacts: number;
  assignments: number;
  activeAssignments: number;
  activities: number;
  /** Active assignments with `today - coalesce(last_contact_date, assigned_date) >= firstAfterDays`. */
  dueToday: number;
  /** Of those, how many are at the escalation reminder or later. */
  escalatedToday: number;
  elapsedMs: number;
};

/** One seed per database at a time; a second waits, then finds data and is refused. */
const SEED_ADVISORY_LOCK = 72707370;

/** About one coordinator per 200 assignments and one peer mentor per 4. */
export function seedSizes(assignments: number): { coordinators: number; peerMentors: number } {
  return { coordinators: Math.max(1, Math.ceil(assignments / 200)), peerMentors: Math.max(1, Math.ceil(assignments / 4)) };
}

export async function seedDemoData(deps: SeedDemoDataDeps, options: SeedDemoDataOptions): Promise<SeedDemoDataResult> {
  const started = performance.now();
  const dueShare = options.dueShare ?? DEFAULT_DUE_SHARE;
  checkSeedArgs({ assignments: options.assignments, dueShare, today: options.today });
  if (options.programme && options.reset) throw new SeedUsageError('--reset empties every programme\'s data; it cannot be combined with --programme (seed the programmes one after another into an empty database, or reset first without --programme)');
  const today = options.today ?? localDate((deps.clock ?? systemClock).now(), options.timeZone);
  const params: sql.SeedSqlParams = {
    programmeId: options.programme?.id ?? DEFAULT_PROGRAMME_ID,
    base: sql.NO_BASE,
    today,
    timeZone: options.timeZone,
    assignments: options.assignments,
    ...seedSizes(options.assignments),
    dueShare,
    firstAfterDays: options.rules.firstAfterDays,
    firstNames: FIRST_NAMES,
    lastNames: LAST_NAMES,
  };

  const client = new Client({ connectionString: deps.databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Losing the last seconds of a demo seed to a crash is harmless; waiting for each flush is not.
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_ADVISORY_LOCK]);
    if (options.reset) await client.query(sql.RESET_SQL);
    else if (options.programme) {
      await refuseIfProgrammeHasData(client, options.programme);
      params.base = await highestIds(client);
    } else await refuseIfNotEmpty(client);

    const run = (s: sql.Statement) => client.query(s.text, s.values);
    await run(sql.coordinatorsSql(params));
    await run(sql.peerMentorsSql(params));
    await run(sql.assignmentPlanSql(params));
    await run(sql.contactsSql(params));
    await run(sql.assignmentsSql(params));
    const activities = await run(sql.activitiesSql(params));
    await client.query(sql.RESYNC_SEQUENCES_SQL);
    const counts = await countDue(client, today, options.rules, options.programme?.stopAfter ?? null, params.base.assignments);
    await client.query('COMMIT');
    // Fresh statistics, so the sweep's first query over the new rows gets a sensible plan.
    await client.query(`ANALYZE ${sql.DOMAIN_TABLES.join(', ')}`);
    return {
      today,
      coordinators: params.coordinators,
      peerMentors: params.peerMentors,
      contacts: options.assignments,
      assignments: options.assignments,
      activities: activities.rowCount ?? 0,
      ...counts,
      elapsedMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

async function refuseIfNotEmpty(client: Client): Promise<void> {
  const { rows } = await client.query<{ table: string; n: string }>(
    sql.DOMAIN_TABLES.map((t) => `SELECT '${t}' AS table, count(*)::text AS n FROM ${t}`).join(' UNION ALL '),
  );
  const present = rows.filter((r) => r.n !== '0');
  if (present.length) {
    const what = present.map((r) => `${r.n} ${r.table.replace('_', ' ')}`).join(', ');
    throw new SeedRefusedError(`the database already holds ${what}; run seed with --reset to replace them`);
  }
}

async function refuseIfProgrammeHasData(client: Client, programme: { id: number; slug: string }): Promise<void> {
  const { rows: [r] } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM assignments WHERE programme_id = $1', [programme.id]);
  if (r!.n !== '0') throw new SeedRefusedError(`programme "${programme.slug}" already holds ${r!.n} assignments; seed another programme, or reset the database (seed --reset, without --programme)`);
}

async function highestIds(client: Client): Promise<sql.SeedBase> {
  const { rows: [r] } = await client.query<Record<keyof sql.SeedBase, number>>(
    `SELECT (SELECT coalesce(max(id), 0) FROM coordinators)::int AS coordinators, (SELECT coalesce(max(id), 0) FROM peer_mentors)::int AS "peerMentors",
            (SELECT coalesce(max(id), 0) FROM contacts)::int AS contacts, (SELECT coalesce(max(id), 0) FROM assignments)::int AS assignments,
            (SELECT coalesce(max(id), 0) FROM activities)::int AS activities`,
  );
  return r!;
}

/**
 * Counted over the assignments this seed wrote (ids after `after`), as the sweep would: a
 * programme's stop rule leaves out silences past its last reminder.
 */
async function countDue(client: Client, today: string, rules: ReminderRules, stopAfter: number | null, after: number) {
  const escalateSilence = rules.firstAfterDays + (rules.escalateAfter - 1) * rules.repeatEveryDays;
  // The silence of the last reminder the stop rule allows is below this.
  const stopSilence = stopAfter === null ? null : rules.firstAfterDays + stopAfter * rules.repeatEveryDays;
  const { rows } = await client.query<{ active: string; due: string; escalated: string }>(
    `SELECT count(*) FILTER (WHERE status = 'active') AS active,
            count(*) FILTER (WHERE status = 'active' AND silent >= $2::int AND ($5::int IS NULL OR silent < $5::int)) AS due,
            count(*) FILTER (WHERE status = 'active' AND silent >= $3::int AND ($5::int IS NULL OR silent < $5::int)) AS escalated
       FROM (SELECT status, $1::date - coalesce(last_contact_date, assigned_date) AS silent FROM assignments WHERE id > $4::int) a`,
    [today, rules.firstAfterDays, escalateSilence, after, stopSilence],
  );
  const r = rows[0]!;
  return { activeAssignments: Number(r.active), dueToday: Number(r.due), escalatedToday: Number(r.escalated) };
}
