/**
 * `reminders seed`: deterministic, realistic demo data. Runs the real CLI as a child process
 * (exit codes and output are part of the contract) and the core function in-process.
 */
import { Client } from 'pg';
import { seedDemoData, type SeedDemoDataOptions } from '@reminders/core/seed/seed-demo-data';
import { runCli } from '../helpers/run-cli';
import { createTestEnv, type TestEnv } from '../helpers/test-env';

const TODAY = '2026-03-15';
const N = 3000;
const TABLES = ['coordinators', 'peer_mentors', 'contacts', 'assignments', 'activities'];

async function query<T extends object>(env: TestEnv, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Every column of every seeded row, hashed per table: equal fingerprints mean identical rows. */
async function fingerprint(env: TestEnv): Promise<Record<string, string>> {
  const rows = await query<{ t: string; f: string }>(
    env,
    TABLES.map((t) => `SELECT '${t}' AS t, count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x.id)), '') AS f FROM ${t} x`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.f]));
}

/** Due under the default rule, counted independently of the seed's own summary. */
async function dueShare(env: TestEnv, today = TODAY): Promise<{ active: number; due: number }> {
  const [r] = await query<{ active: string; due: string }>(
    env,
    `SELECT count(*) AS active, count(*) FILTER (WHERE $1::date - coalesce(last_contact_date, assigned_date) >= 14) AS due
       FROM assignments WHERE status = 'active'`,
    [today],
  );
  return { active: Number(r!.active), due: Number(r!.due) };
}

const seedIn = (env: TestEnv, o: Partial<SeedDemoDataOptions>) =>
  seedDemoData(
    { databaseUrl: env.databaseUrl },
    { assignments: N, today: TODAY, timeZone: 'Europe/Oslo', rules: env.config().rules, ...o },
  );

describe('reminders seed', () => {
  let a: TestEnv;
  let b: TestEnv;
  let empty: TestEnv;
  let seededByCli: Record<string, string>;

  beforeAll(async () => {
    [a, b, empty] = await Promise.all([createTestEnv(), createTestEnv(), createTestEnv()]);
  });
  afterAll(async () => {
    await Promise.all([a, b, empty].map((e) => e?.destroy()));
  });

  it('seeds through the CLI and prints a one-line summary', async () => {
    const r = await runCli(['seed', '--assignments', String(N), '--today', TODAY], a.env());
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(
      /^seeded 3000 assignments \(\d+ active\), 3000 contacts, 750 peer mentors, 15 coordinators, \d+ activities; due today 2026-03-15 \(Europe\/Oslo, rules 14\/7 days\): \d+ \(\d+ at escalation\); \d+\.\d s\n$/,
    );
    const { due } = await dueShare(a);
    expect(r.stdout).toContain(`rules 14/7 days): ${due} (`);
    seededByCli = await fingerprint(a);
  });

  it('is deterministic: another database, and a reset and reseed, give identical rows', async () => {
    const result = await seedIn(b, {});
    expect(await fingerprint(b)).toEqual(seededByCli);
    expect(result).toMatchObject({ assignments: N, contacts: N, peerMentors: 750, coordinators: 15, today: TODAY });

    await seedIn(b, { reset: true, assignments: 500, today: '2025-01-01' });
    expect(await fingerprint(b)).not.toEqual(seededByCli);
    await seedIn(b, { reset: true });
    expect(await fingerprint(b)).toEqual(seededByCli);
  });

  it('makes about the asked share of active assignments due today', async () => {
    const byDefault = await dueShare(a);
    expect(byDefault.due / byDefault.active).toBeGreaterThan(0.21);
    expect(byDefault.due / byDefault.active).toBeLessThan(0.29);

    const r = await seedIn(b, { reset: true, dueShare: 0.6 });
    const asked = await dueShare(b);
    expect(asked.due / asked.active).toBeGreaterThan(0.56);
    expect(asked.due / asked.active).toBeLessThan(0.64);
    expect({ active: r.activeAssignments, due: r.dueToday }).toEqual(asked);

    await seedIn(b, { reset: true, assignments: 400, dueShare: 0 });
    expect((await dueShare(b)).due).toBe(0);
    await seedIn(b, { reset: true, assignments: 400, dueShare: 1 });
    const all = await dueShare(b);
    expect(all.due).toBe(all.active);
  });

  it('writes referentially sane, realistic rows', async () => {
    const [s] = await query<Record<string, string>>(
      a,
      `SELECT
         (SELECT count(*) FROM assignments x JOIN peer_mentors m ON m.id = x.peer_mentor_id
           WHERE x.coordinator_id IS DISTINCT FROM m.coordinator_id) AS coordinator_mismatch,
         (SELECT count(DISTINCT contact_id) FROM assignments) AS distinct_contacts,
         (SELECT count(*) FROM peer_mentors WHERE coordinator_id IS NULL) AS mentors_without_coordinator,
         (SELECT avg((email IS NOT NULL)::int) FROM peer_mentors) AS mentor_email_share,
         (SELECT count(*) FROM assignments WHERE assigned_date NOT BETWEEN $1::date - 730 AND $1::date) AS assigned_out_of_range,
         (SELECT count(*) FROM assignments WHERE last_contact_date NOT BETWEEN assigned_date AND $1::date) AS contact_out_of_range,
         (SELECT avg((last_contact_date IS NULL)::int) FROM assignments) AS never_contacted_share,
         (SELECT avg((status = 'active')::int) FROM assignments) AS active_share,
         (SELECT count(DISTINCT status) FROM assignments) AS statuses,
         (SELECT count(*) FROM assignments WHERE (status = 'closed') <> (closed_at IS NOT NULL)) AS closed_at_mismatch,
         (SELECT count(DISTINCT assignment_id) FROM activities) AS with_activities`,
      [TODAY],
    );
    expect(s).toMatchObject({
      coordinator_mismatch: '0',
      distinct_contacts: String(N),
      mentors_without_coordinator: '0',
      assigned_out_of_range: '0',
      contact_out_of_range: '0',
      statuses: '3',
      closed_at_mismatch: '0',
    });
    expect(Number(s!.mentor_email_share)).toBeGreaterThan(0.8);
    expect(Number(s!.mentor_email_share)).toBeLessThan(1);
    expect(Number(s!.never_contacted_share)).toBeGreaterThan(0);
    expect(Number(s!.never_contacted_share)).toBeLessThan(0.1);
    expect(Number(s!.active_share)).toBeGreaterThan(0.75);
    expect(Number(s!.with_activities)).toBeGreaterThan(N / 2);

    // The activities_touch_contact trigger ran on every seeded activity and moved nothing:
    // last_contact_date is the latest activity's day in the trigger's time zone.
    const [act] = await query<{ mismatched: string }>(
      a,
      `SELECT count(*) AS mismatched FROM assignments x
         JOIN (SELECT assignment_id, max((occurred_at AT TIME ZONE (SELECT time_zone FROM programmes WHERE id = 1)))::date AS latest
                 FROM activities GROUP BY 1) y ON y.assignment_id = x.id
        WHERE x.last_contact_date IS DISTINCT FROM y.latest`,
    );
    expect(act!.mismatched).toBe('0');

    // Explicit ids must not leave the sequences behind for rows the service creates later.
    const [next] = await query<{ id: number }>(a, `SELECT nextval(pg_get_serial_sequence('contacts', 'id'))::int AS id`);
    expect(next!.id).toBe(N + 1);
  });

  it.each([
    [['--assignments', '0'], /^error: --assignments must be a whole number between 1 and 5000000, got 0$/],
    [['--assignments', 'abc'], /^error: --assignments must be a whole number between 1 and 5000000, got "abc"$/],
    [['--assignments', '5000001'], /^error: --assignments must be a whole number between 1 and 5000000, got 5000001$/],
    [['--assignments', '10', '--due-share', '2'], /^error: --due-share must be a number from 0 to 1, got 2$/],
    [['--assignments', '10', '--today', '2026-13-01'], /^error: --today must be a calendar date written YYYY-MM-DD, got "2026-13-01"$/],
    [[], /^error: --assignments <n> is required/],
  ])('seed %j exits 2 with one clear line and writes nothing', async (args, message) => {
    const r = await runCli(['seed', ...args], empty.env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr.trimEnd()).not.toContain('\n');
    const counts = await fingerprint(empty);
    for (const t of TABLES) expect(counts[t]).toBe('0:');
  });

  it('refuses to seed over existing data without --reset, and --reset replaces it', async () => {
    const refused = await runCli(['seed', '--assignments', '10'], a.env());
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: the database already holds .*3000 assignments.*; run seed with --reset to replace them\n$/);
    const before = await fingerprint(a);

    const reset = await runCli(['seed', '--assignments', String(N), '--today', TODAY, '--reset'], a.env());
    expect(reset.code).toBe(0);
    expect(await fingerprint(a)).toEqual(before);
  });
});
