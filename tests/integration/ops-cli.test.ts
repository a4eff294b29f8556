/**
 * The operations CLI end to end against a running worker process: trigger (wait, dry run),
 * pause / resume, status, runs, lock; and clear failures on bad input.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { createSilentAssignments } from '../helpers/fixtures';
import { runCli } from '../helpers/run-cli';
import { createPrisma, type PrismaClient } from '@reminders/core/db/prisma';
import { addDays, localDate } from '@reminders/core/domain/calendar';

let env: TestEnv;
let worker: ChildWorker;
let prisma: PrismaClient;
const cli = (...args: string[]) => runCli(args, env.env({ LOG_LEVEL: 'silent' }));

beforeAll(async () => {
  env = await createTestEnv();
  prisma = createPrisma(env.databaseUrl);
  await createSilentAssignments(prisma, 25, addDays(localDate(new Date(), 'Europe/Oslo'), -20));
  worker = await startChildWorker(env, { WORKER_ID: 'cli-test-worker' });
});

afterAll(async () => {
  worker.proc.kill('SIGTERM');
  await worker.exited;
  await prisma.$disconnect();
  await env.destroy();
});

it('trigger --dry-run lists who would be reminded and sends nothing', async () => {
  const r = await cli('trigger', '--dry-run', '--limit', '3');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/25 reminder\(s\) due; nothing was sent/);
  expect(r.stdout.match(/assignment \d+: reminder 1, silent since/g)).toHaveLength(3);
  expect(r.stdout).toMatch(/… and 22 more/);
  expect(await prisma.reminder.count()).toBe(0);
  expect(await prisma.cronExecutionLog.count()).toBe(0);
});

it('trigger --wait runs the sweep on the worker and prints the final execution-log row', async () => {
  const r = await cli('trigger', '--wait', '--actor', 'ops-anna');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^run \d+ succeeded \(manual by ops-anna\) on cli-test-worker/);
  expect(r.stdout).toMatch(/evaluated 25, enqueued 25, sent 25, suppressed 0, skipped 0, failed 0/);
  expect(await prisma.reminder.count()).toBe(25);
  const audit = await prisma.adminAuditLog.findMany({ where: { action: 'sweep.trigger' } });
  expect(audit.map((a) => a.actor)).toEqual(['ops-anna']);
});

it('pause, status, a paused run, resume; every change audited', async () => {
  expect((await cli('pause', '--reason', 'data import', '--until', '2h', '--actor', 'ops-anna')).code).toBe(0);
  const status = await cli('status');
  expect(status.stdout).toMatch(/sweep: PAUSED by ops-anna: data import \(until /);
  expect(status.stdout).toMatch(/schedule: 0 7 \* \* \* \(Europe\/Oslo\), next /);
  const paused = await cli('trigger', '--wait');
  expect(paused.stdout).toMatch(/skipped_disabled/);
  expect(paused.code).toBe(0);
  expect((await cli('resume', '--actor', 'ops-bo')).stdout).toMatch(/sweep resumed/);
  const again = await cli('resume');
  expect(again).toMatchObject({ code: 1, stderr: 'error: the sweep is not paused\n' });
  const audit = await prisma.adminAuditLog.findMany({ where: { action: { in: ['sweep.pause', 'sweep.resume'] } }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => [a.actor, a.action])).toEqual([
    ['ops-anna', 'sweep.pause'],
    ['ops-bo', 'sweep.resume'],
  ]);
});

it('runs lists the execution log; --json is machine-readable', async () => {
  const r = await cli('runs', '--json', '--limit', '5');
  const runs = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  expect(runs.map((x) => x.status)).toEqual(['skipped_disabled', 'succeeded']);
  // snake_case like GET /v1/runs
  expect(runs[1]).toMatchObject({ job_name: 'reminder-sweep', trigger: 'manual', reminders_sent: 25, started_at: expect.stringMatching(/Z$/) });
  expect(Object.keys(runs[1]!).filter((k) => /[A-Z]/.test(k))).toEqual([]);
  expect((await cli('runs', '--status', 'succeeded')).stdout).toMatch(/succeeded\s+.*sent 25\/25/);
});

it('a queue paused in Bull Board shows in status (human and --json), and trigger --wait says so at once', async () => {
  const { createQueues } = await import('@reminders/core/jobs/queues');
  const { Redis } = await import('ioredis');
  const redis = new Redis(env.config().redisUrl, { maxRetriesPerRequest: null });
  const queues = createQueues(redis, env.redisPrefix);
  try {
    await queues.sweep.pause();
    const human = await cli('status');
    expect(human.stdout).toMatch(/queues: reminder-sweep PAUSED in Bull Board/);
    expect(JSON.parse((await cli('status', '--json')).stdout).queues_paused).toEqual({ sweep: true, dispatch: false });
    const started = Date.now();
    const r = await cli('trigger', '--wait', '--timeout', '120');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the reminder-sweep queue is paused \(in Bull Board\)/);
  } finally {
    await queues.sweep.drain(); // the job queued above must not run later and change the counts
    await queues.sweep.resume();
    await queues.close();
    redis.disconnect();
  }
});

it('lock status and release', async () => {
  expect((await cli('lock', 'status')).stdout).toMatch(/is free/);
  expect(await cli('lock', 'release')).toMatchObject({ code: 1, stderr: 'error: the sweep lock is not held\n' });
});

it.each([
  [['trigger', '--confirm', '424242'], 1, /run 424242 does not exist/],
  [['trigger', '--confirm', 'abc'], 2, /--confirm must be a whole number/],
  [['trigger', '--cancel', '1'], 1, /run 1 is succeeded, not awaiting confirmation/],
  [['trigger', '--dry-run', '--confirm', '1'], 2, /use only one of/],
  [['pause'], 2, /required option '--reason <text>' not specified/],
  [['pause', '--reason', '  '], 2, /--reason must not be empty/],
  [['pause', '--reason', 'x', '--until', '2026-13-01'], 2, /--until must be a duration/],
  [['pause', '--reason', 'x', '--until', '2001-01-01T00:00:00Z'], 2, /is not in the future/],
  [['runs', '--limit', '0'], 2, /--limit must be a whole number from 1 to 1000/],
  [['runs', '--status', 'exploded'], 2, /--status must be one of/],
  [['trigger', '--bogus'], 2, /unknown option '--bogus'/],
  [['frobnicate'], 2, /unknown command 'frobnicate'/],
])('%j exits %i with one clear line', async (args, code, message) => {
  const r = await cli(...(args as string[]));
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
});
