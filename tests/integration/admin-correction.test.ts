/**
 * Issue 4, admin correction: POST /v1/assignments/:id/contact-correction sets last_contact_date,
 * writes exactly one audit row (who, before, after, reason, when), and answers with the
 * assignment and its next reminder due date, which the real sweep then honours. Refused
 * corrections change nothing. "The future" is judged in REMINDER_TZ.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

const NOW = '2026-11-28T06:00:00Z';

let env: TestEnv;
let api: ApiHarness;
type ManualClock = { set(d: string): void };

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW, workers: true });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

const auditRows = (id: number) => api.prisma.adminAuditLog.findMany({ where: { targetType: 'assignment', targetId: String(id) }, orderBy: { id: 'asc' } });
const remindersOf = (id: number) => api.prisma.reminder.findMany({ where: { assignmentId: id }, orderBy: { id: 'asc' } });
const correct = (id: number, payload: object, as: 'admin' | 'viewer' | 'operator' = 'admin') =>
  api.call({ method: 'POST', url: `/v1/assignments/${id}/contact-correction`, as, payload });

it('writes one audit row, moves the next due date, and the sweep follows it', async () => {
  const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' });
  expect((await api.sweep()).status).toBe('succeeded');
  expect((await remindersOf(id)).map((r) => r.sequenceNumber)).toEqual([2]);

  const before = await api.call({ method: 'GET', url: `/v1/assignments/${id}`, as: 'viewer' });
  expect(before.statusCode).toBe(200);
  expect(before.json()).toMatchObject({
    last_contact_date: '2026-11-01',
    days_since_contact: 27,
    next_reminder: { due_date: '2026-11-29', sequence_number: 3, escalated: true },
    reminders: [{ sequence_number: 2, anchor_date: '2026-11-01', due_date: '2026-11-22' }],
  });

  const res = await correct(id, { last_contact_date: '2026-11-20', reason: 'Home visit on 20 Nov was logged on paper' });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body.assignment).toMatchObject({ id, last_contact_date: '2026-11-20', anchor_date: '2026-11-20', next_reminder: { due_date: '2026-12-04', sequence_number: 1, escalated: false } });
  expect(body.audit).toMatchObject({ actor: 'test-admin', before: '2026-11-01', after: '2026-11-20', reason: 'Home visit on 20 Nov was logged on paper' });

  const audit = await auditRows(id);
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({
    id: body.audit.id,
    actor: 'test-admin',
    action: 'assignment.correct_last_contact_date',
    before: { last_contact_date: '2026-11-01' },
    after: { last_contact_date: '2026-11-20' },
    reason: 'Home visit on 20 Nov was logged on paper',
  });
  expect(audit[0]!.createdAt.toISOString()).toBe(new Date(NOW).toISOString());
  const row = await api.prisma.assignment.findUniqueOrThrow({ where: { id } });
  expect(row.lastContactDate?.toISOString().slice(0, 10)).toBe('2026-11-20');

  // Same day, after the correction: nothing is due for it.
  expect((await api.sweep()).status).toBe('succeeded');
  expect(await remindersOf(id)).toHaveLength(1);

  // The next due date the answer gave is the day the sweep sends the first reminder.
  (api.clock as unknown as ManualClock).set('2026-12-03T06:00:00Z');
  await api.sweep();
  expect(await remindersOf(id)).toHaveLength(1);
  (api.clock as unknown as ManualClock).set('2026-12-04T06:00:00Z');
  await api.sweep();
  expect((await remindersOf(id)).map((r) => [r.sequenceNumber, r.dueDate.toISOString().slice(0, 10)])).toEqual([
    [2, '2026-11-22'],
    [1, '2026-12-04'],
  ]);
  (api.clock as unknown as ManualClock).set(NOW);
});

it('may move the date backwards; the reminders already sent for that day still count', async () => {
  const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' });
  await api.sweep();
  expect(await correct(id, { last_contact_date: '2026-11-25', reason: 'entered from the call log' })).toHaveProperty('statusCode', 200);
  const back = await correct(id, { last_contact_date: '2026-11-01', reason: 'the 25 Nov call was with another contact' });
  expect(back.statusCode).toBe(200);
  expect(back.json().assignment.next_reminder).toEqual({ due_date: '2026-11-29', sequence_number: 3, escalated: true });
  expect(back.json().audit).toMatchObject({ before: '2026-11-25', after: '2026-11-01' });
  expect(await auditRows(id)).toHaveLength(2);
  await api.sweep();
  expect((await remindersOf(id)).map((r) => r.sequenceNumber)).toEqual([2]);
});

it('records a correction of an assignment that never had contact (before = null)', async () => {
  const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2026-11-01' });
  const res = await correct(id, { last_contact_date: '2026-11-02', reason: 'first meeting' });
  expect(res.json().audit).toMatchObject({ before: null, after: '2026-11-02' });
  expect((await auditRows(id))[0]!.before).toEqual({ last_contact_date: null });
});

it('judges "the future" in REMINDER_TZ: at 00:30 in Oslo the new day is allowed', async () => {
  const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' });
  (api.clock as unknown as ManualClock).set('2026-11-28T22:59:00Z'); // 23:59 on the 28th in Oslo
  expect((await correct(id, { last_contact_date: '2026-11-29', reason: 'visit tonight' })).statusCode).toBe(422);
  (api.clock as unknown as ManualClock).set('2026-11-28T23:30:00Z'); // 00:30 on the 29th in Oslo, still the 28th in UTC
  expect((await correct(id, { last_contact_date: '2026-11-29', reason: 'visit tonight' })).statusCode).toBe(200);
  (api.clock as unknown as ManualClock).set(NOW);
});

it('refused corrections write no audit row and change nothing', async () => {
  const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' });
  const refusals: [object, 'admin' | 'viewer' | 'operator', number][] = [
    [{ last_contact_date: '2026-11-29', reason: 'tomorrow' }, 'admin', 422],
    [{ last_contact_date: '2026-08-31', reason: 'before it began' }, 'admin', 422],
    [{ last_contact_date: '2026-11-20' }, 'admin', 400],
    [{ last_contact_date: '2026-11-20', reason: 'not an admin' }, 'viewer', 403],
    [{ last_contact_date: '2026-11-20', reason: 'not an admin' }, 'operator', 403],
  ];
  for (const [payload, as, status] of refusals) expect((await correct(id, payload, as)).statusCode).toBe(status);
  expect((await api.call({ method: 'POST', url: '/v1/assignments/987654/contact-correction', as: 'admin', payload: { last_contact_date: '2026-11-20', reason: 'nobody' } })).statusCode).toBe(404);
  expect(await auditRows(id)).toHaveLength(0);
  expect(await api.prisma.adminAuditLog.count({ where: { targetId: '987654' } })).toBe(0);
  const row = await api.prisma.assignment.findUniqueOrThrow({ where: { id } });
  expect(row.lastContactDate?.toISOString().slice(0, 10)).toBe('2026-11-01');
});
