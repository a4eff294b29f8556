/**
 * Issue 15: the operations CLI per programme, against a running worker process. Without
 * --programme, status / trigger / runs / lock status act on every programme and pause / resume /
 * lock release refuse while there are several; with it, they act on that programme alone.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { createAssignment } from '../helpers/fixtures';
import { runCli } from '../helpers/run-cli';
import { createPrisma, type PrismaClient } from '@reminders/core/db/prisma';
import { createProgrammeRepository } from '@reminders/core/repositories/programme-repository';
import { addDays, localDate } from '@reminders/core/domain/calendar';

let env: TestEnv;
let worker: ChildWorker;
let prisma: PrismaClient;
let nyc: number;
const cli = (...args: string[]) => runCli(args, env.env({ LOG_LEVEL: 'silent' }));

beforeAll(async () => {
  env = await createTestEnv();
  prisma = createPrisma(env.databaseUrl);
  nyc = (
    await createProgrammeRepository(prisma).create(
      { slug: 'nyc', name: 'New York chapter', timeZone: 'America/New_York', sendAt: '09:00', rules: { firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 }, stopAfter: null, defaultLocale: 'en' },
      new Date(),
    )
  ).id;
  const silent = addDays(localDate(new Date(), 'America/New_York'), -20);
  for (let i = 0; i < 3; i++) await createAssignment(prisma, { assignedDate: silent, programmeId: nyc });
  for (let i = 0; i < 2; i++) await createAssignment(prisma, { assignedDate: addDays(localDate(new Date(), 'Europe/Oslo'), -20) });
  worker = await startChildWorker(env, { WORKER_ID: 'programme-cli-worker', PROGRAMME_TICK_SECONDS: '60' });
});

afterAll(async () => {
  worker?.proc.kill('SIGTERM');
  await worker?.exited;
  await prisma?.$disconnect();
  await env?.destroy();
});

it('pause without --programme is refused while there are several; with it, only that programme pauses', async () => {
  const refused = await cli('pause', '--reason', 'holiday');
  expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/there are 2 programmes \(default, nyc\): name one with --programme SLUG/) });
  expect(await prisma.sweepState.count({ where: { enabled: false } })).toBe(0);
  const paused = await cli('pause', '--programme', 'nyc', '--reason', 'chapter on holiday', '--actor', 'ops-anna');
  expect(paused).toMatchObject({ code: 0, stdout: expect.stringMatching(/^programme nyc: sweep paused by ops-anna: chapter on holiday; resume with `npx reminders resume --programme nyc`/) });
  const status = await cli('status');
  expect(status.stdout).toMatch(/programme default: Default programme \(Europe\/Oslo\)\nsweep: enabled/);
  expect(status.stdout).toMatch(/programme nyc: New York chapter \(America\/New_York\)\nsweep: PAUSED by ops-anna: chapter on holiday/);
  expect(status.stdout).toMatch(/schedule: daily at 09:00 \(America\/New_York\), next /);
  const json = JSON.parse((await cli('status', '--programme', 'nyc', '--json')).stdout);
  expect(json).toMatchObject([{ programme: 'nyc', enabled: false }]);
});

it('trigger without --programme runs every programme; a paused one is skipped, the other sends', async () => {
  const r = await cli('trigger', '--wait', '--actor', 'ops-anna');
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/^programme default: run \d+ succeeded \(manual by ops-anna\)[\s\S]*enqueued 2, sent 2/m);
  expect(r.stdout).toMatch(/^programme nyc: run \d+ skipped_disabled/m);
  expect(await prisma.reminder.count()).toBe(2);
  // The two sweep jobs run side by side (sweep concurrency 2): their rows come in either order.
  const runs = await prisma.cronExecutionLog.findMany({ orderBy: { jobName: 'asc' }, select: { jobName: true, programmeId: true, status: true } });
  expect(runs).toEqual([
    { jobName: 'reminder-sweep', programmeId: 1, status: 'succeeded' },
    { jobName: 'reminder-sweep:nyc', programmeId: nyc, status: 'skipped_disabled' },
  ]);
});

it('resume and trigger --programme nyc: only its assignments are reminded, in its own run', async () => {
  expect((await cli('resume', '--programme', 'nyc')).stdout).toBe('programme nyc: sweep resumed; the next scheduled run will send reminders\n');
  const r = await cli('trigger', '--programme', 'nyc', '--wait');
  expect(r.stdout).toMatch(/^programme nyc: run \d+ succeeded [\s\S]*enqueued 3, sent 3/);
  expect(await prisma.reminder.count()).toBe(5);
  const runs = await cli('runs', '--programme', 'nyc');
  expect(runs.stdout.trim().split('\n')).toHaveLength(2);
  // Without --programme every programme's runs, each line naming its programme (as status does).
  const every = (await cli('runs')).stdout.trim().split('\n');
  expect(every.length).toBeGreaterThan(2);
  for (const line of every) expect(line).toMatch(/^programme (default|nyc): +\d+ /);
  expect(every.filter((l) => l.startsWith('programme nyc:'))).toHaveLength(2);
  const locks = await cli('lock', 'status');
  expect(locks.stdout).toMatch(/programme nyc: lock \S+:lock:reminder-sweep:nyc is free/);
});

it('an unknown programme is a usage error that changes nothing', async () => {
  for (const args of [['status', '--programme', 'nope'], ['trigger', '--programme', 'nope'], ['pause', '--programme', 'nope', '--reason', 'x']]) {
    expect(await cli(...args)).toMatchObject({ code: 2, stderr: 'error: no programme "nope"; see `npx reminders programme list`\n' });
  }
  expect(await prisma.sweepRequest.count({ where: { trigger: 'manual' } })).toBe(3);
});
