/**
 * Issue 15, programmes: each assignment is judged by its own programme's rules and on its own
 * programme's calendar. Two programmes in one database, `default` (Europe/Oslo, 14/7/3) and
 * `nyc` (America/New_York, 30/14/2): the sweep sends each only what its own rules make due, the
 * activity trigger counts the contact day in the assignment's programme's time zone, and the
 * contact state the API answers follows the programme's rules.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

// 07:00 in Oslo, 01:00 in New York on 2026-11-28.
const NOW = '2026-11-28T06:00:00Z';

let env: TestEnv;
let api: ApiHarness;
let nyc: number;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW, workers: true });
  nyc = (
    await api.c.repositories.programmes.create(
      { slug: 'nyc', name: 'New York chapter', timeZone: 'America/New_York', sendAt: '09:00', rules: { firstAfterDays: 30, repeatEveryDays: 14, escalateAfter: 2 }, stopAfter: null, defaultLocale: 'en' },
      new Date(NOW),
    )
  ).id;
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

const reminders = (assignmentId: number) => api.prisma.reminder.findMany({ where: { assignmentId }, orderBy: { sequenceNumber: 'asc' } });

it('a sweep sends each programme only what its own rules make due', async () => {
  // Silent 20 days: due under 14/7 (default), not under 30/14 (nyc).
  const osloDue = (await createAssignment(api.prisma, { assignedDate: '2026-11-08' })).assignmentId;
  const nycQuiet = (await createAssignment(api.prisma, { assignedDate: '2026-11-08', programmeId: nyc })).assignmentId;
  // Silent 46 days by New York's calendar (01:00 on the 28th there): reminder 2 under 30/14, escalated at 2.
  const nycDue = (await createAssignment(api.prisma, { assignedDate: '2026-10-13', programmeId: nyc })).assignmentId;
  // Each programme's sweep covers its own assignments.
  expect((await api.sweep()).status).toBe('succeeded');
  expect((await api.c.services.sweepRun.run({ trigger: 'manual', triggeredBy: 'test', programmeId: nyc })).status).toBe('succeeded');
  expect((await reminders(osloDue)).map((r) => [r.sequenceNumber, r.escalated])).toEqual([[1, false]]);
  expect(await reminders(nycQuiet)).toEqual([]);
  const [r] = await reminders(nycDue);
  // 2026-10-13 + 30 + 14 = 2026-11-26: the second reminder, and escalated (escalate_after 2).
  expect({ seq: r!.sequenceNumber, due: r!.dueDate.toISOString().slice(0, 10), escalated: r!.escalated }).toEqual({ seq: 2, due: '2026-11-26', escalated: true });
});

it("the activity trigger counts the contact day in the assignment's programme's time zone", async () => {
  const oslo = (await createAssignment(api.prisma, { assignedDate: '2026-11-01' })).assignmentId;
  const ny = (await createAssignment(api.prisma, { assignedDate: '2026-11-01', programmeId: nyc })).assignmentId;
  // 2026-11-28T03:30Z is the 28th in Oslo and still the 27th in New York.
  const at = '2026-11-28T03:30:00Z';
  for (const id of [oslo, ny]) {
    const res = await api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: { assignment_id: id, activity_type: 'call', occurred_at: at, registration_path: 'direct', registered_by: 'app' } });
    expect(res.statusCode).toBe(201);
  }
  const day = async (id: number) => (await api.prisma.assignment.findUniqueOrThrow({ where: { id } })).lastContactDate!.toISOString().slice(0, 10);
  expect([await day(oslo), await day(ny)]).toEqual(['2026-11-28', '2026-11-27']);
});

it("the contact state answers with the programme's rules: the next reminder 30 days on in nyc, 14 in default", async () => {
  const oslo = (await createAssignment(api.prisma, { assignedDate: '2026-11-20' })).assignmentId;
  const ny = (await createAssignment(api.prisma, { assignedDate: '2026-11-20', programmeId: nyc })).assignmentId;
  const next = async (id: number) => (await api.call({ method: 'GET', url: `/v1/assignments/${id}`, as: 'viewer' })).json().next_reminder;
  expect(await next(oslo)).toMatchObject({ due_date: '2026-12-04', sequence_number: 1 });
  expect(await next(ny)).toMatchObject({ due_date: '2026-12-20', sequence_number: 1 });
});

it("an activity before the assignment began is judged on the programme's calendar", async () => {
  const ny = (await createAssignment(api.prisma, { assignedDate: '2026-11-28', programmeId: nyc })).assignmentId;
  // 03:30Z on the 28th is the 27th in New York: before the assignment began there.
  const res = await api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: { assignment_id: ny, activity_type: 'call', occurred_at: '2026-11-28T03:30:00Z', registration_path: 'direct', registered_by: 'app' } });
  expect(res.statusCode).toBe(422);
  expect(res.json()).toMatchObject({ type: expect.stringMatching(/before-assignment$/) });
});
