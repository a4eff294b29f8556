/**
 * Issue 15, fairness: a small programme's run is not queued behind a big programme's backlog.
 * Each run's first page of dispatch jobs goes to the head of the shared queue (and does not wait
 * for the backlog cap), so a programme whose slot comes while another is dispatching gets its
 * reminders next. Shown in order, with one dispatch at a time: the small run's jobs are the first
 * to settle although the big run's 60 were queued before them.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness } from '../helpers/sweep-harness';
import { createAssignment } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait-for';

let env: TestEnv;
let h: Awaited<ReturnType<typeof startHarness>>;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env, { now: '2026-11-28T06:00:00Z', startWorkers: false, overrides: { SWEEP_PAGE_SIZE: '10', DISPATCH_CONCURRENCY: '1' } });
});
afterAll(async () => {
  await h?.stop();
  await env?.destroy();
});

const programme = (slug: string) =>
  h.c.repositories.programmes.create({ slug, name: slug, timeZone: 'Europe/Oslo', sendAt: '07:00', rules: { firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 }, stopAfter: null, defaultLocale: 'en' }, new Date('2026-01-01T00:00:00Z'));

it("a small programme's reminders are written before the rest of a big programme's backlog", async () => {
  const [big, small] = [await programme('big'), await programme('small')];
  for (let i = 0; i < 60; i++) await createAssignment(h.prisma, { assignedDate: '2026-11-01', programmeId: big.id });
  for (let i = 0; i < 5; i++) await createAssignment(h.prisma, { assignedDate: '2026-11-01', programmeId: small.id });
  const bigRun = h.c.services.sweepRun.run({ trigger: 'manual', triggeredBy: 'test', programmeId: big.id });
  await waitFor('the big run to queue its 60 jobs', async () => (await h.c.queues.dispatch.getWaitingCount()) === 60);
  const smallRun = h.c.services.sweepRun.run({ trigger: 'manual', triggeredBy: 'test', programmeId: small.id });
  await waitFor('the small run to queue its 5', async () => (await h.c.queues.dispatch.getWaitingCount()) === 65);
  await h.startWorkers();
  const [b, s] = await Promise.all([bigRun, smallRun]);
  expect([b.status, s.status]).toEqual(['succeeded', 'succeeded']);
  const order = await h.prisma.runDispatch.findMany({ orderBy: [{ settledAt: 'asc' }, { assignmentId: 'asc' }], select: { runId: true } });
  expect(order).toHaveLength(65);
  expect(order.slice(0, 5).map((d) => d.runId)).toEqual(Array(5).fill(s.runId));
});
