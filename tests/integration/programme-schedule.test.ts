/**
 * Issue 15: each programme's scheduled sweep starts at its own local send time, once per local
 * day, DST days included, and its run is its own (job name, lock, state, pause). The programme
 * tick (services/programme-tick.ts) is driven here by hand on the injected clock.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/wait-for';
import type { createManualClock } from '@reminders/core/clock';

type ManualClock = ReturnType<typeof createManualClock>;

let env: TestEnv;
let api: ApiHarness;
const clock = () => api.clock as unknown as ManualClock;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-20T12:00:00Z', workers: true, sweepWorker: true });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

const create = (slug: string, timeZone: string, sendAt: string) =>
  api.c.repositories.programmes.create({ slug, name: slug, timeZone, sendAt, rules: { firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 }, stopAfter: null, defaultLocale: 'en' }, clock().now());
/** Ticks at `iso`; the ids of the requests recorded for programme `id` (other programmes' slots may come too). */
const tickAt = async (iso: string, id?: number) => {
  clock().set(iso);
  const ids = await api.c.services.programmeTick.tick();
  if (id === undefined) return ids;
  const mine = await api.prisma.sweepRequest.findMany({ where: { id: { in: ids }, programmeId: id }, select: { id: true } });
  return mine.map((r) => r.id);
};
const requestsOf = (programmeId: number) => api.prisma.sweepRequest.findMany({ where: { programmeId, trigger: 'scheduled' }, orderBy: { id: 'asc' } });

it("starts a programme's sweep once its local send time has come, once per local day, as that programme's own run", async () => {
  const nyc = await create('nyc', 'America/New_York', '09:00');
  const id = (await createAssignment(api.prisma, { assignedDate: '2026-10-01', programmeId: nyc.id })).assignmentId;
  expect(await tickAt('2026-11-21T13:59:59Z', nyc.id)).toEqual([]); // 08:59:59 in New York
  const [first] = await tickAt('2026-11-21T14:00:00Z', nyc.id);
  expect(first).toEqual(expect.any(Number));
  expect(await tickAt('2026-11-21T14:00:02Z', nyc.id)).toEqual([]);
  expect(await tickAt('2026-11-22T04:59:00Z', nyc.id)).toEqual([]); // 23:59 on the 21st there: still the same day
  const [req] = await requestsOf(nyc.id);
  expect(req).toMatchObject({ dedupeKey: `programme:${nyc.id}:2026-11-21`, slot: new Date('2026-11-21T14:00:00Z') });
  const run = await waitFor('the run of the request', async () => (await api.prisma.sweepRequest.findUnique({ where: { id: first! } }))?.runId);
  const row = await api.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run } });
  expect(row).toMatchObject({ jobName: 'reminder-sweep:nyc', programmeId: nyc.id, trigger: 'scheduled', scheduledFor: new Date('2026-11-21T14:00:00Z') });
  await waitFor('the run to finish', async () => (await api.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run } })).status === 'succeeded');
  expect(await api.prisma.reminder.count({ where: { assignmentId: id } })).toBe(1);
  // The next local day has its own slot.
  expect(await tickAt('2026-11-22T14:00:00Z', nyc.id)).toHaveLength(1);
});

it('two ticks at once record one request', async () => {
  const par = await create('paris', 'Europe/Paris', '06:00');
  clock().set('2026-11-23T05:00:00Z');
  const both = await Promise.all([1, 2, 3].map(() => api.c.services.programmeTick.tick()));
  const recorded = await requestsOf(par.id);
  expect(recorded.length).toBe(1);
  expect(both.flat().filter((id) => id === recorded[0]!.id)).toHaveLength(1);
});

it('a programme created after its send time first runs the next day', async () => {
  clock().set('2026-11-24T10:00:00Z'); // 11:00 in Oslo
  const late = await create('late', 'Europe/Oslo', '07:00');
  expect(await tickAt('2026-11-24T10:00:05Z', late.id)).toEqual([]);
  expect(await requestsOf(late.id)).toEqual([]);
  await tickAt('2026-11-25T06:00:00Z'); // 07:00 in Oslo the next day
  expect((await requestsOf(late.id)).map((r) => r.dedupeKey)).toEqual([`programme:${late.id}:2026-11-25`]);
});

it('DST: a send time in the spring-forward gap fires once when the clock jumps past it; one in the repeated autumn hour fires once', async () => {
  clock().set('2026-10-20T00:00:00Z');
  const gap = await create('dst-gap', 'Europe/Oslo', '02:30');
  // 2026-10-25, clocks go back at 03:00 CEST to 02:00 CET: 02:30 happens at 00:30Z and again at 01:30Z.
  expect(await tickAt('2026-10-25T00:29:00Z', gap.id)).toEqual([]);
  expect(await tickAt('2026-10-25T00:30:00Z', gap.id)).toHaveLength(1);
  expect(await tickAt('2026-10-25T01:30:00Z', gap.id)).toEqual([]);
  expect(await tickAt('2026-10-25T01:45:00Z', gap.id)).toEqual([]);
  // 2027-03-28, clocks jump from 02:00 CET to 03:00 CEST at 01:00Z: there is no 02:30 that day.
  expect(await tickAt('2027-03-28T00:59:59Z', gap.id)).toEqual([]);
  expect(await tickAt('2027-03-28T01:00:00Z', gap.id)).toHaveLength(1);
  expect(await tickAt('2027-03-28T02:00:00Z', gap.id)).toEqual([]);
  const days = (await requestsOf(gap.id)).map((r) => r.dedupeKey!.split(':')[2]);
  expect(days.filter((d) => d === '2026-10-25' || d === '2027-03-28')).toEqual(['2026-10-25', '2027-03-28']);
});

it("pausing one programme leaves the other running: its run is skipped_disabled, default's sends", async () => {
  const quiet = await create('quiet', 'Europe/Oslo', '07:00');
  const inQuiet = (await createAssignment(api.prisma, { assignedDate: '2026-10-01', programmeId: quiet.id })).assignmentId;
  const inDefault = (await createAssignment(api.prisma, { assignedDate: '2026-10-01' })).assignmentId;
  clock().set('2027-04-01T09:00:00Z');
  await api.c.services.opsFor(quiet).pause({ by: 'test', reason: 'chapter on holiday' });
  const q = await api.c.services.sweepRun.run({ trigger: 'manual', triggeredBy: 'test', programmeId: quiet.id });
  const d = await api.c.services.sweepRun.run({ trigger: 'manual', triggeredBy: 'test' });
  expect([q.status, d.status]).toEqual(['skipped_disabled', 'succeeded']);
  expect(await api.prisma.reminder.count({ where: { assignmentId: inQuiet } })).toBe(0);
  expect(await api.prisma.reminder.count({ where: { assignmentId: inDefault } })).toBe(1);
  expect((await api.c.services.ops.status()).enabled).toBe(true);
});
