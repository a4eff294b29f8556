/**
 * Follows the runbook's "Manual Operations" literally, as someone who never saw the code would:
 * a real worker process is running; each step's command is taken from the runbook (the shell block
 * marked `<!-- step: name -->`) and run through the real CLI; the runbook's own SQL then finds what
 * the runbook says it will, and the output looks like the runbook's sample (`<!-- output: name -->`).
 */
import { Client, types } from 'pg';
import { Redis } from 'ioredis';
import { addDays, localDate } from '@reminders/core/domain/calendar';
import { createTestEnv, TEST_REDIS_URL, type TestEnv } from '../helpers/test-env';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { runCli } from '../helpers/run-cli';
import { lineShape, loadRunbook, shellLines, shellWords } from './markdown';

const pages = loadRunbook();
const blocks = pages.flatMap((p) => p.blocks);

/** The CLI arguments of the one `npx reminders` line of the step's shell block. */
function step(name: string): string[] {
  const block = blocks.find((b) => b.markers.step === name && b.lang === 'sh');
  if (!block) throw new Error(`the runbook has no shell block marked <!-- step: ${name} -->`);
  const lines = shellLines(block.code).filter((l) => l.startsWith('npx reminders '));
  expect(lines).toHaveLength(1);
  return shellWords(lines[0]!).slice(2);
}

const sample = (name: string) => {
  const block = blocks.find((b) => b.markers.output === name);
  if (!block) throw new Error(`the runbook has no sample output marked <!-- output: ${name} -->`);
  return block.code;
};
const query = (name: string) => blocks.find((b) => b.markers.sql === name)!.code;

/** Every line the CLI printed has the shape of a line of the runbook's sample (numbers may differ). */
function expectShaped(stdout: string, sampleText: string, opts: { firstLineOnly?: boolean; prefix?: string } = {}) {
  const sampleLines = sampleText
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (opts.prefix ? l.replace(/\breminders:/g, `${opts.prefix}:`) : l));
  const shapes = sampleLines.map(lineShape);
  const real = stdout.split('\n').filter((l) => l.trim());
  expect(real.length).toBeGreaterThan(0);
  expect(real[0]!.trim()).toMatch(shapes[0]!);
  if (opts.firstLineOnly) return;
  for (const line of real) expect({ line, shaped: shapes.some((s) => s.test(line.trim())) }).toEqual({ line, shaped: true });
}

const option = (args: string[], name: string) => args[args.indexOf(name) + 1]!;

let env: TestEnv;
let worker: ChildWorker;
let pg: Client;
const cli = (args: string[]) => runCli(args, env.env({ LOG_LEVEL: 'silent' }));
type RunRow = Record<string, unknown> & { id: number; status: string; trigger: string; triggered_by: string | null; error: string | null };
const recentRuns = async () => (await pg.query<RunRow>(query('recent-runs'))).rows;

beforeAll(async () => {
  env = await createTestEnv();
  // DATE columns as the text psql shows (YYYY-MM-DD), not as a Date in the test's time zone.
  pg = new Client({ connectionString: env.databaseUrl, types: { getTypeParser: ((oid: number, format?: 'text') => (oid === types.builtins.DATE ? (v: string) => v : types.getTypeParser(oid, format))) as typeof types.getTypeParser } });
  await pg.connect();
  // 45 assignments: 1-4 silent for 20 days (due), 5-44 in touch two days ago, 45 closed.
  const today = localDate(new Date(), 'Europe/Oslo');
  await pg.query(
    `WITH c AS (INSERT INTO coordinators (name) VALUES ('Cora') RETURNING id),
          m AS (INSERT INTO peer_mentors (name, coordinator_id) SELECT 'Mia', id FROM c RETURNING id, coordinator_id),
          k AS (INSERT INTO contacts (name) SELECT 'Contact ' || g FROM generate_series(1, 45) g RETURNING id)
     INSERT INTO assignments (peer_mentor_id, contact_id, coordinator_id, assigned_date, last_contact_date, status)
     SELECT m.id, k.id, m.coordinator_id, '2026-01-01',
            CASE WHEN k.id <= 4 THEN $1::date ELSE $2::date END,
            (CASE WHEN k.id = 45 THEN 'closed' ELSE 'active' END)::assignment_status
       FROM k, m ORDER BY k.id`,
    [addDays(today, -20), addDays(today, -2)],
  );
  // The worker id the runbook's samples show.
  worker = await startChildWorker(env, { WORKER_ID: 'worker-1' });
});

afterAll(async () => {
  worker?.proc.kill('SIGTERM');
  await worker?.exited;
  await pg?.end();
  await env?.destroy();
});

it('Look first: status answers', async () => {
  const r = await cli(step('status'));
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toMatch(/^sweep: enabled\nschedule: 0 7 \* \* \* \(Europe\/Oslo\), next /);
});

it('Dry run: lists who would be reminded, writes and sends nothing', async () => {
  const r = await cli(step('dry-run'));
  expect(r.code).toBe(0);
  expectShaped(r.stdout, sample('dry-run'));
  expect(r.stdout).toMatch(/: 4 reminder\(s\) due; nothing was sent/);
  expect(await recentRuns()).toEqual([]);
});

it('Trigger a run: the recent-runs query then finds its row, as the runbook describes it', async () => {
  const args = step('trigger');
  const r = await cli(args);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expectShaped(r.stdout, sample('trigger'));

  const [row] = await recentRuns();
  expect(row).toMatchObject({
    trigger: 'manual',
    status: 'succeeded',
    triggered_by: option(args, '--actor'),
    worker_id: 'worker-1',
    assignments_evaluated: 44,
    reminders_enqueued: 4,
    reminders_sent: 4,
    error: null,
  });
  expect(row!.finished_at).not.toBeNull();
  const n = (k: string) => Number(row![k]);
  expect(n('reminders_sent') + n('reminders_suppressed') + n('reminders_skipped') + n('reminders_failed')).toBe(n('reminders_enqueued'));
  // The CLI printed the same row.
  expect(r.stdout).toContain(`run ${row!.id} succeeded`);
  expect(r.stdout).toContain(`evaluated 44, enqueued 4, sent 4, suppressed 0, skipped 0, failed 0`);

  // What the runbook says the row shows ("`column` = `value`") is what it shows.
  const section = pages[0]!.text.slice(pages[0]!.text.indexOf('### Trigger a run'), pages[0]!.text.indexOf('### Disable (pause)'));
  const claims = [...section.matchAll(/`(\w+)` = `([\w-]+)`/g)].map((m) => [m[1]!, m[2]!] as const);
  expect(claims.map(([c]) => c)).toEqual(expect.arrayContaining(['trigger', 'status']));
  for (const [column, value] of claims) expect({ column, value: row![column] }).toEqual({ column, value });
  expect(section).toContain(`\`${option(args, '--actor')}\``);
});

it('status now shows the run, shaped like the sample', async () => {
  const r = await cli(step('status'));
  expect(r.code).toBe(0);
  expectShaped(r.stdout, sample('status'));
  expect(r.stdout).toMatch(/consecutive failures: 0; last success: \d{4}-/);
});

it('Disable (pause): a run is then logged as skipped_disabled and sends nothing', async () => {
  const pause = step('pause');
  const p = await cli(pause);
  expect(p).toMatchObject({ code: 0, stderr: '' });
  expect(p.stdout).toMatch(/^sweep paused by ops-anna: contact import running; resumes automatically at /);

  const r = await cli(step('trigger'));
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^run \d+ skipped_disabled \(manual by ops-anna\)/);
  const [row] = await recentRuns();
  expect(row).toMatchObject({ status: 'skipped_disabled', error: `paused by ${option(pause, '--actor')}: ${option(pause, '--reason')}` });
});

it('Re-enable (resume): the next run goes ahead and finds nothing new to send', async () => {
  const r = await cli(step('resume'));
  expect(r).toMatchObject({ code: 0, stdout: 'sweep resumed; the next scheduled run will send reminders\n' });
  const again = await cli(step('trigger'));
  expect(again.code).toBe(0);
  const [row] = await recentRuns();
  expect(row).toMatchObject({ status: 'succeeded', reminders_enqueued: 0, reminders_sent: 0 });
  expect(Number((await pg.query('SELECT count(*) AS n FROM reminders')).rows[0].n)).toBe(4);
});

it('Release a stuck lock: the lock of a dead worker is shown, released, and its run closed as abandoned', async () => {
  // A worker that died mid-run: its running row (heartbeat 10 minutes old) and the lock it left.
  await pg.query(
    `INSERT INTO cron_execution_log (id, job_name, trigger, status, started_at, heartbeat_at, worker_id, fencing_token)
     VALUES (118, 'reminder-sweep', 'scheduled', 'running', now() - interval '11 minutes', now() - interval '10 minutes', 'worker-2', 99)`,
  );
  const key = /^lock (\S+) held/.exec(sample('lock-status'))![1]!.replace(/^reminders:/, `${env.redisPrefix}:`);
  const redis = new Redis(TEST_REDIS_URL);
  try {
    await redis.set(key, 'a-dead-holder', 'PX', 60_000);
    await redis.set(`${key}:holder`, JSON.stringify({ workerId: 'worker-2', runId: 118, since: new Date(Date.now() - 660_000).toISOString() }), 'PX', 60_000);

    const status = await cli(step('lock-status'));
    expect(status.code).toBe(0);
    expectShaped(status.stdout, sample('lock-status'), { prefix: env.redisPrefix });

    const release = step('lock-release');
    const r = await cli(release);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expectShaped(r.stdout, sample('lock-release'));
    expect(await redis.exists(key)).toBe(0);
  } finally {
    redis.disconnect();
  }
  expect((await cli(step('lock-status'))).stdout).toMatch(/is free/);
  const closed = (await pg.query('SELECT status, error FROM cron_execution_log WHERE id = 118')).rows[0];
  expect(closed).toEqual({ status: 'abandoned', error: 'abandoned: lock released by ops-anna' });
  const audit = (await pg.query(`SELECT actor, reason FROM admin_audit_log WHERE action = 'lock.release'`)).rows;
  expect(audit).toEqual([{ actor: 'ops-anna', reason: option(step('lock-release'), '--reason') }]);
});

it('Correct last_contact_date: the contact-state query shows the date before and after', async () => {
  const args = step('correct-contact');
  const id = Number(option(args, '--assignment'));
  const before = (await pg.query(query('contact-state'))).rows;
  expect(before).toHaveLength(1);
  expect(before[0].id).toBe(id);

  const r = await cli(args);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expectShaped(r.stdout, sample('correct-contact'), { firstLineOnly: true });
  expect(r.stdout).toMatch(/\nnext reminder: \d{4}-\d\d-\d\d \(reminder \d+/);

  const after = (await pg.query(query('contact-state'))).rows[0];
  expect(after.last_contact_date).toBe(option(args, '--date'));
  const audit = (await pg.query(`SELECT actor, target_id, reason FROM admin_audit_log WHERE action = 'assignment.correct_last_contact_date'`)).rows;
  expect(audit).toEqual([{ actor: 'ops-anna', target_id: String(id), reason: option(args, '--reason') }]);
});
