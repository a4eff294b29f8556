/**
 * Issue 15: the watchdog watches every programme, and each alert names it: a programme whose
 * scheduled sweep did not run MISSED_RUN_GRACE_MINUTES after its local send time (missed_run;
 * its request is recorded by the watchdog's own tick or queued again), a programme's long run,
 * its overdue pause. Default's checks are unchanged (tests/integration/alerts.test.ts).
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import type { createManualClock } from '@reminders/core/clock';

type ManualClock = ReturnType<typeof createManualClock>;
let env: TestEnv;
let api: ApiHarness;
const clock = () => api.clock as unknown as ManualClock;

beforeAll(async () => {
  env = await createTestEnv();
  // No sweep worker: a scheduled request stays unconsumed, as when every worker is down.
  api = await startApiHarness(env, { now: '2026-11-20T12:00:00Z', workers: true, overrides: { MISSED_RUN_GRACE_MINUTES: '15', ALERT_MAX_RUN_MINUTES: '30', ALERT_PAUSE_MAX_HOURS: '24' } });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

const alerts = (kind: string) => api.prisma.alert.findMany({ where: { kind: kind as never }, orderBy: { id: 'asc' } });

it("a programme's missed scheduled run is alerted once, naming it, and its request is recorded by the watchdog's tick", async () => {
  const nyc = await api.c.repositories.programmes.create({ slug: 'nyc', name: 'NYC', timeZone: 'America/New_York', sendAt: '09:00', rules: { firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 }, stopAfter: null, defaultLocale: 'en' }, clock().now());
  clock().set('2026-11-21T14:10:00Z'); // 09:10 in New York: inside the grace
  let report = await api.c.services.watchdog.tick();
  expect(report.programmes?.missed).toEqual([]);
  expect(await api.prisma.sweepRequest.count({ where: { programmeId: nyc.id, trigger: 'scheduled' } })).toBe(1);
  clock().set('2026-11-21T14:16:00Z');
  report = await api.c.services.watchdog.tick();
  expect(report.programmes?.missed).toEqual(['nyc']);
  await api.c.services.watchdog.tick();
  const [missed, ...more] = await alerts('missed_run');
  expect(more).toEqual([]);
  expect(missed).toMatchObject({ incidentKey: 'nyc:slot-2026-11-21T14:00:00.000Z', message: expect.stringContaining('programme nyc') });
  expect(await api.prisma.sweepRequest.count({ where: { programmeId: nyc.id, trigger: 'scheduled' } })).toBe(1);
});

it("a programme's long run and overdue pause are alerted with its name", async () => {
  const par = await api.c.repositories.programmes.create({ slug: 'paris', name: 'Paris', timeZone: 'Europe/Paris', sendAt: '23:59', rules: { firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 }, stopAfter: null, defaultLocale: 'en' }, clock().now());
  const run = await api.prisma.cronExecutionLog.create({ data: { jobName: 'reminder-sweep:paris', programmeId: par.id, trigger: 'manual', status: 'running', workerId: 'w-x', startedAt: new Date(clock().now().getTime() - 45 * 60_000) } });
  await api.c.services.opsFor(par).pause({ by: 'ops-anna', reason: 'chapter on holiday' });
  clock().advance(25 * 3600_000);
  const report = await api.c.services.watchdog.tick();
  expect(report.programmes?.longRuns).toContain(run.id);
  expect(report.programmes?.pauseOverdue).toEqual(['paris']);
  expect((await alerts('long_run')).map((a) => a.incidentKey)).toContain(`paris:run-${run.id}`);
  expect((await alerts('pause_overdue')).map((a) => [a.incidentKey.startsWith('paris:'), a.message.includes('--programme paris')])).toEqual([[true, true]]);
});

it("a programme's failed run is retried the same day, once per failed run, as its own run (trigger retry)", async () => {
  const osl = await api.c.repositories.programmes.create({ slug: 'oslo-retry', name: 'Oslo', timeZone: 'Europe/Oslo', sendAt: '23:58', rules: { firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 }, stopAfter: null, defaultLocale: 'nb' }, clock().now());
  const ended = clock().now();
  const failed = await api.prisma.cronExecutionLog.create({
    data: { jobName: 'reminder-sweep:oslo-retry', programmeId: osl.id, trigger: 'scheduled', status: 'failed', workerId: 'w-x', startedAt: new Date(ended.getTime() - 60_000), finishedAt: ended, error: 'database went away' },
  });
  const retries = () => api.prisma.sweepRequest.findMany({ where: { trigger: 'retry' }, orderBy: { id: 'asc' } });
  clock().advance(20 * 60_000); // before RUN_RETRY_AFTER_MINUTES (30 by default)
  expect((await api.c.services.watchdog.tick()).programmes?.retried).toEqual([]);
  clock().advance(11 * 60_000);
  expect((await api.c.services.watchdog.tick()).programmes?.retried).toEqual(['oslo-retry']);
  await api.c.services.watchdog.tick();
  const [retry, ...more] = await retries();
  expect(more).toEqual([]);
  expect(retry).toMatchObject({ programmeId: osl.id, requestedBy: 'watchdog', dedupeKey: `retry-after-run-${failed.id}` });
});
