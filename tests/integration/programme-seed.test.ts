/**
 * `reminders seed --programme SLUG` (issue 15): a programme's demo data added beside another
 * programme's, counted in its own time zone under its own rules, refused where it would mix.
 */
import { Client } from 'pg';
import { runCli } from '../helpers/run-cli';
import { createTestEnv, type TestEnv } from '../helpers/test-env';

const TODAY = '2026-03-15';

describe('reminders seed --programme', () => {
  let env: TestEnv;
  const q = async <T extends object>(text: string, values: unknown[] = []): Promise<T[]> => {
    const c = new Client({ connectionString: env.databaseUrl });
    await c.connect();
    try {
      return (await c.query<T>(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  /** Every seeded row, hashed: equal means nothing changed. */
  const fingerprint = async () =>
    (await q<{ f: string }>(
      `SELECT string_agg(t || ':' || n, ',' ORDER BY t) AS f FROM (
         SELECT 'assignments' AS t, count(*) || md5(coalesce(string_agg(x::text, '' ORDER BY x.id), '')) AS n FROM assignments x
         UNION ALL SELECT 'activities', count(*)::text FROM activities UNION ALL SELECT 'contacts', count(*)::text FROM contacts
         UNION ALL SELECT 'peer_mentors', count(*)::text FROM peer_mentors UNION ALL SELECT 'coordinators', count(*)::text FROM coordinators) s`,
    ))[0]!.f;

  beforeAll(async () => {
    env = await createTestEnv();
    const created = await runCli(
      ['programme', 'create', '--slug', 'nyc', '--name', 'New York', '--tz', 'America/New_York', '--send-at', '09:00', '--first-after-days', '30', '--repeat-every-days', '14', '--escalate-after', '2'],
      env.env(),
    );
    expect(created).toMatchObject({ code: 0 });
    expect((await runCli(['seed', '--assignments', '300', '--today', TODAY], env.env())).code).toBe(0);
  });
  afterAll(() => env?.destroy());

  it("adds the programme's assignments after the other programme's, due under its own rules in its own time zone", async () => {
    const r = await runCli(['seed', '--assignments', '200', '--programme', 'nyc', '--today', TODAY, '--due-share', '0.5'], env.env());
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^seeded 200 assignments \(\d+ active\) in programme nyc, 200 contacts, 50 peer mentors, 1 coordinators, \d+ activities; due today 2026-03-15 \(America\/New_York, rules 30\/14 days\): \d+ /);

    const [s] = await q<Record<string, string>>(
      `SELECT (SELECT count(*) FROM assignments a JOIN programmes p ON p.id = a.programme_id WHERE p.slug = 'default') AS in_default,
              (SELECT count(*) FROM assignments a JOIN programmes p ON p.id = a.programme_id WHERE p.slug = 'nyc') AS in_nyc,
              (SELECT count(*) FROM assignments a JOIN programmes p ON p.id = a.programme_id
                WHERE p.slug = 'nyc' AND a.status = 'active' AND $1::date - coalesce(a.last_contact_date, a.assigned_date) >= 30) AS nyc_due,
              (SELECT count(*) FROM assignments a JOIN programmes p ON p.id = a.programme_id
                WHERE p.slug = 'nyc' AND a.status = 'active') AS nyc_active,
              -- nyc's mentors and coordinators are its own, and every assignment's coordinator is its mentor's
              (SELECT count(*) FROM assignments a JOIN peer_mentors m ON m.id = a.peer_mentor_id JOIN programmes p ON p.id = a.programme_id
                WHERE p.slug = 'nyc' AND (m.id <= 75 OR a.coordinator_id IS DISTINCT FROM m.coordinator_id OR a.coordinator_id <= 2)) AS shared_people,
              (SELECT count(DISTINCT contact_id) FROM assignments) AS contacts`,
      [TODAY],
    );
    expect(s).toMatchObject({ in_default: '300', in_nyc: '200', shared_people: '0', contacts: '500' });
    expect(r.stdout).toContain(`rules 30/14 days): ${s!.nyc_due} (`);
    const share = Number(s!.nyc_due) / Number(s!.nyc_active);
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.7);

    // The contact trigger counted every activity in its assignment's programme's time zone and moved nothing.
    const [act] = await q<{ mismatched: string }>(
      `SELECT count(*) AS mismatched FROM assignments x JOIN programmes p ON p.id = x.programme_id
         JOIN (SELECT assignment_id, max(occurred_at) AS latest FROM activities GROUP BY 1) y ON y.assignment_id = x.id
        WHERE x.last_contact_date IS DISTINCT FROM (y.latest AT TIME ZONE p.time_zone)::date`,
    );
    expect(act!.mismatched).toBe('0');
    const [next] = await q<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('assignments', 'id'))::int AS id`);
    expect(next!.id).toBe(501);
  });

  it("counts due as the sweep does under the programme's stop rule", async () => {
    const created = await runCli(['programme', 'create', '--slug', 'short', '--name', 'Short', '--tz', 'Europe/Oslo', '--send-at', '08:00', '--first-after-days', '14', '--repeat-every-days', '7', '--escalate-after', '2', '--stop-after', '2'], env.env());
    expect(created.code).toBe(0);
    const r = await runCli(['seed', '--assignments', '300', '--programme', 'short', '--today', TODAY, '--due-share', '0.8'], env.env());
    expect(r.code).toBe(0);
    // Reminder 1 at 14 days of silence, 2 at 21; from 28 days on the stop rule sends nothing.
    const [c] = await q<{ due: string; past_stop: string }>(
      `SELECT count(*) FILTER (WHERE s BETWEEN 14 AND 27) AS due, count(*) FILTER (WHERE s >= 28) AS past_stop
         FROM (SELECT $1::date - coalesce(a.last_contact_date, a.assigned_date) AS s FROM assignments a JOIN programmes p ON p.id = a.programme_id
                WHERE p.slug = 'short' AND a.status = 'active') x`,
      [TODAY],
    );
    expect(Number(c!.past_stop)).toBeGreaterThan(0);
    expect(r.stdout).toContain(`rules 14/7 days): ${c!.due} (`);
  });

  it.each([
    [['--programme', 'nyc'], 1, /^error: programme "nyc" already holds 200 assignments; seed another programme, or reset the database \(seed --reset, without --programme\)$/],
    [['--programme', 'nope'], 2, /^error: no programme "nope"; see `npx reminders programme list`$/],
    [['--programme', 'nyc', '--reset'], 2, /^error: --reset empties every programme's data; it cannot be combined with --programme/],
    [[], 1, /^error: the database already holds .*800 assignments/],
  ])('seed %j exits %i with one line and changes nothing', async (args, code, message) => {
    const before = await fingerprint();
    const r = await runCli(['seed', '--assignments', '10', '--today', TODAY, ...args], env.env());
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr.trimEnd()).not.toContain('\n');
    expect(await fingerprint()).toBe(before);
  });
});
