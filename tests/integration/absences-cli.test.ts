/**
 * Issue 16 through the real CLI: `reminders absence add | list | cancel` and `reminders snooze`
 * / `snooze clear`, the same services as the API (audited as cli:<os user>). Bad input exits 2
 * with one line and changes nothing; an unknown mentor, absence or assignment exits 1. The CLI
 * runs on the real clock, so every date here is counted from today in Europe/Oslo.
 */
import { addDays, localDate } from '@reminders/core/domain/calendar';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { runCli } from '../helpers/run-cli';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

let env: TestEnv;
let api: ApiHarness;
const cli = (...args: string[]) => runCli(args, env.env({ LOG_LEVEL: 'silent' }));
const oneLine = (s: string) => s.trim().split('\n').length === 1;
const today = localDate(new Date(), 'Europe/Oslo');
const day = (n: number) => addDays(today, n);

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: new Date().toISOString() });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

it('adds, lists and cancels an absence, each change audited as the CLI user, and prints the next reminder it moves', async () => {
  // Last contact two days ago: the first reminder is due in 12 days; away 5 days before it -> 17.
  const { assignmentId, mentorId } = await createAssignment(api.prisma, { assignedDate: day(-30), lastContactDate: day(-2) });
  const add = await cli('absence', 'add', '--mentor', String(mentorId), '--from', day(3), '--to', day(7), '--reason', 'Holiday');
  expect(add.code).toBe(0);
  expect(add.stdout).toMatch(new RegExp(`^registered absence (\\d+): mentor ${mentorId} away ${day(3)} to ${day(7)} \\(Holiday\\), by cli:`));
  expect(add.stdout).toContain(`assignment ${assignmentId} (default, freeze): next reminder ${day(17)} (reminder 1)`);
  const id = Number(/absence (\d+)/.exec(add.stdout)![1]);

  const list = await cli('absence', 'list', '--mentor', String(mentorId), '--json');
  expect(JSON.parse(list.stdout)).toMatchObject([{ id, from: day(3), to: day(7), reason: 'Holiday', cancelledAt: null }]);

  const cancel = await cli('absence', 'cancel', String(id));
  expect(cancel.code).toBe(0);
  expect(cancel.stdout).toMatch(new RegExp(`^cancelled absence ${id}: .*; cancelled .* by cli:`));
  expect(cancel.stdout).toContain(`next reminder ${day(12)} (reminder 1)`);
  const again = await cli('absence', 'cancel', String(id));
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/^already cancelled absence/);

  expect((await cli('absence', 'list', '--mentor', String(mentorId))).stdout).toMatch(/has no absences in force/);
  expect((await cli('absence', 'list', '--mentor', String(mentorId), '--all')).stdout).toMatch(new RegExp(`^absence ${id}: .*cancelled`));

  const audit = await api.prisma.adminAuditLog.findMany({ where: { action: { startsWith: 'absence.' } }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => [a.action, a.targetId])).toEqual([['absence.create', String(mentorId)], ['absence.cancel', String(mentorId)]]);
  expect(audit.every((a) => a.actor.startsWith('cli:'))).toBe(true);
});

it('snoozes an assignment and clears the snooze (idempotent), audited', async () => {
  const { assignmentId } = await createAssignment(api.prisma, { assignedDate: day(-30), lastContactDate: day(-2) });
  const s = await cli('snooze', '--assignment', String(assignmentId), '--until', day(20), '--reason', 'Contact travelling');
  expect(s.code).toBe(0);
  // Silent 23 days on the day after the snooze: reminder 2 (1 + (23 - 14) / 7).
  expect(s.stdout).toBe(`snoozed assignment ${assignmentId} through ${day(20)} (Contact travelling) (audit #${(await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'assignment.snooze' } })).id})\nnext reminder: ${day(21)} (reminder 2)\n`);
  const c = await cli('snooze', 'clear', '--assignment', String(assignmentId));
  expect(c.code).toBe(0);
  expect(c.stdout).toMatch(new RegExp(`^cleared the snooze of assignment ${assignmentId} \\(was through ${day(20)}; audit #\\d+\\)\\nnext reminder: ${day(12)} \\(reminder 1\\)\\n$`));
  expect((await cli('snooze', 'clear', '--assignment', String(assignmentId))).stdout).toMatch(/was not snoozed; nothing changed/);
  expect((await api.prisma.adminAuditLog.findMany({ where: { action: { in: ['assignment.snooze', 'assignment.unsnooze'] } } })).map((a) => a.action).sort()).toEqual(['assignment.snooze', 'assignment.unsnooze']);
});

it.each([
  [['absence', 'add', '--mentor', '1', '--from', '2026-02-30', '--to', '2026-03-02'], /--from must be a calendar date YYYY-MM-DD, got "2026-02-30"/],
  [['absence', 'add', '--mentor', '1', '--from', day(5), '--to', day(4)], /must not be before from/],
  [['absence', 'add', '--mentor', 'x', '--from', day(1), '--to', day(2)], /--mentor must be a whole number/],
  [['snooze', '--assignment', '1', '--until', day(-1)], /is in the past/],
  [['snooze', '--assignment', '1'], /--until/],
])('%j exits 2 with one line and changes nothing', async (args, message) => {
  const { mentorId, assignmentId } = await createAssignment(api.prisma, { assignedDate: day(-30) });
  const fixed = args.map((a) => (a === '1' ? String(args[1] === '--assignment' ? assignmentId : mentorId) : a));
  const before = [await api.prisma.adminAuditLog.count(), await api.prisma.mentorAbsence.count()];
  const r = await cli(...fixed);
  expect(r.code).toBe(2);
  expect(oneLine(r.stderr)).toBe(true);
  expect(r.stderr).toMatch(message);
  expect([await api.prisma.adminAuditLog.count(), await api.prisma.mentorAbsence.count()]).toEqual(before);
});

it('exits 1 for an unknown mentor, absence or assignment', async () => {
  for (const args of [
    ['absence', 'add', '--mentor', '999999', '--from', day(1), '--to', day(2)],
    ['absence', 'cancel', '999999'],
    ['snooze', 'clear', '--assignment', '999999'],
  ]) {
    const r = await cli(...args);
    expect([args.join(' '), r.code]).toEqual([args.join(' '), 1]);
    expect(r.stderr).toMatch(/does not exist/);
  }
});
