/**
 * Issue 15 through the real CLI: `reminders programme create | update | list | show | delete |
 * move`, the same service as /v1/programmes (same checks, one audit row per change, the actor
 * cli:<os user>). Bad input exits 2 with one line and changes nothing; a refusal exits 1.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { runCli } from '../helpers/run-cli';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

let env: TestEnv;
let api: ApiHarness;
const cli = (...args: string[]) => runCli(args, env.env({ LOG_LEVEL: 'silent' }));
const oneLine = (s: string) => s.trim().split('\n').length === 1;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: new Date().toISOString() });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

it('creates, lists, shows and updates a programme, each change audited as the CLI user', async () => {
  const c = await cli('programme', 'create', '--slug', 'oslo-youth', '--name', 'Oslo youth', '--tz', 'Europe/Oslo', '--send-at', '08:30', '--first-after-days', '10', '--repeat-every-days', '5', '--escalate-after', '2', '--stop-after', '6', '--locale', 'en', '--delivery', 'each', '--absence-policy', 'cover');
  expect(c.code).toBe(0);
  expect(c.stdout).toMatch(/^created programme oslo-youth: "Oslo youth", Europe\/Oslo at 08:30/);
  expect(c.stdout).toMatch(/delivery each, absence policy cover/);
  expect(await api.prisma.programme.findUniqueOrThrow({ where: { slug: 'oslo-youth' } })).toMatchObject({ firstAfterDays: 10, repeatEveryDays: 5, escalateAfter: 2, stopAfter: 6, defaultLocale: 'en', delivery: 'each', absencePolicy: 'cover' });

  const u = await cli('programme', 'update', '--slug', 'oslo-youth', '--send-at', '09:00', '--stop-after', 'never', '--delivery', 'digest');
  expect(u.code).toBe(0);
  expect(u.stdout).toMatch(/at 09:00.*never stops.*delivery digest, absence policy cover/);

  const list = await cli('programme', 'list', '--json');
  expect(list.code).toBe(0);
  expect(JSON.parse(list.stdout).map((p: { slug: string }) => p.slug)).toEqual(['default', 'oslo-youth']);
  const table = await cli('programme', 'list');
  expect(table.stdout).toMatch(/^SLUG\s+NAME.*\s+DELIVERY\s+ABSENCE\n/);
  expect(table.stdout).toMatch(/\noslo-youth .*\sdigest\s+cover\n/);
  const show = await cli('programme', 'show', '--slug', 'oslo-youth', '--json');
  expect(JSON.parse(show.stdout)).toMatchObject({ slug: 'oslo-youth', sendAt: '09:00', stopAfter: null, delivery: 'digest', absencePolicy: 'cover', usage: { assignments: 0, runs: 0 } });
  expect((await cli('programme', 'show', '--slug', 'oslo-youth')).stdout).toMatch(/delivery digest, absence policy cover/);

  const audit = await api.prisma.adminAuditLog.findMany({ where: { action: { startsWith: 'programme.' } }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => a.action)).toEqual(['programme.create', 'programme.update']);
  expect(audit.every((a) => a.actor.startsWith('cli:'))).toBe(true);
});

it.each([
  [['programme', 'create', '--slug', 'Bad Slug', '--name', 'x'], /slug must be/],
  [['programme', 'create', '--slug', 'ok', '--name', 'x', '--tz', 'Mars/Olympus'], /time_zone must be an IANA time zone/],
  [['programme', 'create', '--slug', 'ok', '--name', 'x', '--send-at', '25:00'], /send_at must be a local time HH:MM/],
  [['programme', 'create', '--slug', 'ok', '--name', 'x', '--first-after-days', 'ten'], /--first-after-days must be a whole number, got "ten"/],
  [['programme', 'create', '--slug', 'ok', '--name', 'x', '--repeat-every-days', '0'], /repeat_every_days must be a whole number from 1 to 365/],
  [['programme', 'create', '--slug', 'ok', '--name', 'x', '--escalate-after', '5', '--stop-after', '2'], /stop_after must be null or at least escalate_after \(5\)/],
  [['programme', 'create', '--slug', 'ok', '--name', 'x', '--locale', 'de'], /default_locale must be one of nb, en/],
  [['programme', 'create', '--slug', 'ok'], /--name is required/],
  [['programme', 'create', '--slug', 'ok', '--name', 'x', '--delivery', 'weekly'], /delivery must be one of digest, each, got "weekly"/],
  [['programme', 'update', '--slug', 'oslo-youth', '--absence-policy', 'skip'], /absence_policy must be one of freeze, cover, got "skip"/],
  [['programme', 'update', '--slug', 'oslo-youth'], /nothing to change/],
  [['programme', 'move', '--assignment', 'abc', '--to', 'default', '--reason', 'because'], /--assignment must be a whole number/],
])('%j exits 2 with one line and changes nothing', async (args, message) => {
  const before = await api.prisma.adminAuditLog.count();
  const programmes = await api.prisma.programme.count();
  const r = await cli(...args);
  expect(r.code).toBe(2);
  expect(oneLine(r.stderr)).toBe(true);
  expect(r.stderr).toMatch(message);
  expect(await api.prisma.adminAuditLog.count()).toBe(before);
  expect(await api.prisma.programme.count()).toBe(programmes);
});

it('moves an assignment (audited), refuses to delete a programme in use or default (exit 1), then deletes it', async () => {
  const { assignmentId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' });
  const m = await cli('programme', 'move', '--assignment', String(assignmentId), '--to', 'oslo-youth', '--reason', 'Contact moved to Oslo');
  expect(m.code).toBe(0);
  expect(m.stdout).toMatch(new RegExp(`^moved assignment ${assignmentId}: programme default -> oslo-youth \\(audit #\\d+, by cli:`));
  expect(await api.prisma.adminAuditLog.findFirst({ where: { action: 'assignment.move_programme' } })).toMatchObject({ targetId: String(assignmentId), reason: 'Contact moved to Oslo' });

  const used = await cli('programme', 'delete', '--slug', 'oslo-youth');
  expect(used.code).toBe(1);
  expect(used.stderr).toMatch(/programme "oslo-youth" has 1 assignment; move them to another programme first/);
  const def = await cli('programme', 'delete', '--slug', 'default');
  expect(def.code).toBe(1);
  expect(def.stderr).toMatch(/"default" cannot be deleted/);
  expect((await cli('programme', 'show', '--slug', 'nope')).code).toBe(1);

  expect((await cli('programme', 'move', '--assignment', String(assignmentId), '--to', 'default', '--reason', 'Back again')).code).toBe(0);
  const del = await cli('programme', 'delete', '--slug', 'oslo-youth');
  expect(del.code).toBe(0);
  expect(del.stdout).toBe('deleted programme oslo-youth\n');
  expect(await api.prisma.programme.findUnique({ where: { slug: 'oslo-youth' } })).toBeNull();
});
