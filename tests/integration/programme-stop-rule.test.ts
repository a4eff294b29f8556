/**
 * Issue 15, the stop rule: in a programme with stop_after N, the mentor gets reminders 1..N for
 * one silence and no more; the Nth (escalated, as stop_after >= escalate_after) tells the
 * coordinator that reminding has stopped; the contact state then shows no next reminder.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import type { createManualClock } from '@reminders/core/clock';

let env: TestEnv;
let api: ApiHarness;
let stopping: number;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-01T06:00:00Z', workers: true });
  stopping = (await api.c.repositories.programmes.create({ slug: 'two-only', name: 'Two only', timeZone: 'Europe/Oslo', sendAt: '07:00', rules: { firstAfterDays: 3, repeatEveryDays: 2, escalateAfter: 2 }, stopAfter: 2, defaultLocale: 'en' }, new Date('2026-10-01T00:00:00Z'))).id;
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

it('reminds 1..stop_after times, tells the coordinator at the last one, then stops', async () => {
  const { assignmentId } = await createAssignment(api.prisma, { assignedDate: '2026-10-01', programmeId: stopping });
  const clock = api.clock as unknown as ReturnType<typeof createManualClock>;
  const sweep = () => api.c.services.sweepRun.run({ trigger: 'manual', triggeredBy: 'test', programmeId: stopping });
  // Day 3 after the anchor: reminder 1; day 5: 2 (escalated, the last); day 7 and 9: nothing more.
  for (const day of ['2026-10-04', '2026-10-06', '2026-10-08', '2026-10-10']) {
    clock.set(`${day}T06:00:00Z`);
    expect((await sweep()).status).toBe('succeeded');
  }
  const reminders = await api.prisma.reminder.findMany({ where: { assignmentId }, orderBy: { sequenceNumber: 'asc' } });
  expect(reminders.map((r) => [r.sequenceNumber, r.escalated])).toEqual([[1, false], [2, true]]);
  const toCoordinator = await api.prisma.notification.findMany({ where: { reminderId: reminders[1]!.id, recipientType: 'coordinator' } });
  expect(toCoordinator).toHaveLength(1);
  expect(toCoordinator[0]!.body).toMatch(/It was the last one: \S+ will not be reminded/);
  const view = (await api.call({ method: 'GET', url: `/v1/assignments/${assignmentId}`, as: 'viewer' })).json();
  expect(view.next_reminder).toBeNull();
  expect(await api.c.repositories.dueAssignments.countDue({ now: clock.now(), programmeId: stopping })).toBe(0);
});
