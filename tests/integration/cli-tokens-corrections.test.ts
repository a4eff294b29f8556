/**
 * Issue 4 through the real CLI: `reminders token create | list | revoke` (the token printed once,
 * only its sha256 stored, revocation effective at the API) and `reminders correct-contact` (the
 * same service method as the endpoint: one audit row, next due date printed). Bad input exits 2
 * with one line; a refusal or an unknown record exits 1.
 */
import { createHash } from 'node:crypto';
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
  // The API in-process on the same database: checks that CLI-made tokens work and stop working.
  api = await startApiHarness(env, { now: new Date().toISOString() });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

describe('reminders token', () => {
  let token: string;

  it('create prints the token once and stores only its hash', async () => {
    const r = await cli('token', 'create', '--name', 'ops-console', '--role', 'operator');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rmd_[A-Za-z0-9_-]{43}\n$/);
    expect(r.stderr).toMatch(/created token "ops-console" \(role operator, expires 20\d\d-\S+Z\); it is shown only now/);
    token = r.stdout.trim();
    const row = await api.prisma.apiToken.findUniqueOrThrow({ where: { name: 'ops-console' } });
    expect(row.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(row.role).toBe('operator');
    expect(row.createdBy).toMatch(/^cli:/);
    expect(JSON.stringify(await api.prisma.apiToken.findMany())).not.toContain(token);
    // The default lifetime of an operator token (TOKEN_LIFETIME_DAYS_OPERATOR, 90 days), audited.
    const days = (row.expiresAt!.getTime() - row.createdAt.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(90, 3);
    const audit = await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'token.create', targetId: 'ops-console' } });
    expect(audit.actor).toMatch(/^cli:/);
    expect(audit.after).toMatchObject({ role: 'operator', expiresAt: row.expiresAt!.toISOString() });
  });

  it('create --expires-in sets the lifetime; a bad duration exits 2 and creates nothing', async () => {
    const r = await cli('token', 'create', '--name', 'short-lived', '--role', 'viewer', '--expires-in', '12h');
    expect(r.code).toBe(0);
    const row = await api.prisma.apiToken.findUniqueOrThrow({ where: { name: 'short-lived' } });
    expect(row.expiresAt!.getTime() - row.createdAt.getTime()).toBe(12 * 3_600_000);
    const bad = await cli('token', 'create', '--name', 'bad-life', '--role', 'viewer', '--expires-in', 'forever');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('error: --expires-in must be a duration such as 12h, 30d or 365d, got "forever"');
    expect(await api.prisma.apiToken.count({ where: { name: 'bad-life' } })).toBe(0);
  });

  it('the token authenticates at the API with its role', async () => {
    const ok = await api.app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).toBe(200);
    const denied = await api.app.inject({ method: 'GET', url: '/v1/tokens', headers: { authorization: `Bearer ${token}` } });
    expect(denied.statusCode).toBe(403);
  });

  it('list shows names, roles and use, never token values', async () => {
    const r = await cli('token', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+ROLE\s+CREATED\s+EXPIRES\s+LAST USED\s+REVOKED\s+CREATED BY/);
    expect(r.stdout).toMatch(/ops-console\s+operator\s+\S+\s+20\d\d-\S+\s+20\d\d-\S+\s+-\s+cli:/);
    expect(r.stdout).not.toContain(token);
    const json = await cli('token', 'list', '--json');
    expect(JSON.parse(json.stdout).map((t: { name: string }) => t.name)).toContain('ops-console');
    expect(json.stdout).not.toMatch(/tokenHash|token_hash/);
  });

  it('refuses a taken name (exit 1) and bad input (exit 2), each with one line', async () => {
    const taken = await cli('token', 'create', '--name', 'ops-console', '--role', 'viewer');
    expect(taken.code).toBe(1);
    expect(taken.stdout).toBe('');
    expect(taken.stderr).toMatch(/already exists/);
    expect(oneLine(taken.stderr)).toBe(true);

    const role = await cli('token', 'create', '--name', 'x1', '--role', 'superuser');
    expect(role.code).toBe(2);
    expect(role.stderr.trim()).toBe('error: role must be one of service, viewer, operator, admin');

    const missing = await cli('token', 'create', '--role', 'viewer');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("error: required option '--name <name>' not specified");

    const name = await cli('token', 'create', '--name', 'has space', '--role', 'viewer');
    expect(name.code).toBe(2);
    expect(oneLine(name.stderr)).toBe(true);
    expect(await api.prisma.apiToken.count({ where: { name: { in: ['x1', 'has space'] } } })).toBe(0);
  });

  it('revoke takes effect at the API at once; unknown names exit 1', async () => {
    const r = await cli('token', 'revoke', '--name', 'ops-console');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('revoked token "ops-console"\n');
    const audit = await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'token.revoke', targetId: 'ops-console' } });
    expect(audit.actor).toMatch(/^cli:/);
    const res = await api.app.inject({ method: 'GET', url: '/v1/sweep/status', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toMatch(/revoked/);
    const again = await cli('token', 'revoke', '--name', 'ops-console');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/was already revoked/);
    const unknown = await cli('token', 'revoke', '--name', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('error: no token named "nobody"');
  });
});

describe('reminders correct-contact', () => {
  it('corrects through the same service as the API: one audit row, next due date printed', async () => {
    const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2024-01-01', lastContactDate: '2024-03-01' });
    const r = await cli('correct-contact', '--assignment', String(id), '--date', '2024-05-05', '--reason', 'paper log from the spring', '--actor', 'ops-anna');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^corrected assignment ${id}: last_contact_date 2024-03-01 -> 2024-05-05 \\(audit #\\d+, by ops-anna\\)\\n`));
    // Silent since 2024-05-05: long overdue, so the reminder current today is due now.
    expect(r.stdout).toMatch(/\nnext reminder: \d{4}-\d{2}-\d{2} \(reminder \d+, coordinator notified\)\n$/);
    const audit = await api.prisma.adminAuditLog.findMany({ where: { targetType: 'assignment', targetId: String(id) } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'ops-anna', before: { last_contact_date: '2024-03-01' }, after: { last_contact_date: '2024-05-05' }, reason: 'paper log from the spring' });
    const row = await api.prisma.assignment.findUniqueOrThrow({ where: { id } });
    expect(row.lastContactDate?.toISOString().slice(0, 10)).toBe('2024-05-05');
  });

  it('--json prints the same answer the API gives', async () => {
    const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2024-01-01' });
    const r = await cli('correct-contact', '--assignment', String(id), '--date', '2024-02-02', '--reason', 'entered late', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.audit).toMatchObject({ before: null, after: '2024-02-02', actor: expect.stringMatching(/^cli:/) });
    expect(out.assignment.contact.nextReminder).toMatchObject({ dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  // [label, arguments after --assignment, exit code, stderr, assignment id to use (default: a fresh one)]
  const refusals: [string, string[], number, RegExp, string | null][] = [
    ['a malformed date', ['--date', '2024-13-01', '--reason', 'typo'], 2, /date must be a calendar date YYYY-MM-DD/, null],
    ['a blank reason', ['--date', '2024-05-05', '--reason', '  '], 2, /a reason of at least 3 characters is required/, null],
    ['a missing reason', ['--date', '2024-05-05'], 2, /required option '--reason <text>' not specified/, null],
    ['a bad assignment id', ['--date', '2024-05-05', '--reason', 'typo'], 2, /--assignment must be a positive whole number/, 'abc'],
    ['a future date', ['--date', '2099-01-01', '--reason', 'not yet'], 1, /is in the future/, null],
    ['a date before the assignment began', ['--date', '2023-12-31', '--reason', 'too early'], 1, /is before assignment \d+ began \(2024-01-01\)/, null],
    ['an unknown assignment', ['--date', '2024-05-05', '--reason', 'nobody'], 1, /assignment 987654 does not exist/, '987654'],
  ];

  it.each(refusals)('refuses %s (one line, nothing written)', async (_label, args, code, message, assignment) => {
    const { assignmentId: id } = await createAssignment(api.prisma, { assignedDate: '2024-01-01', lastContactDate: '2024-03-01' });
    const r = await cli('correct-contact', '--assignment', assignment ?? String(id), ...args);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(oneLine(r.stderr)).toBe(true);
    expect(await api.prisma.adminAuditLog.count({ where: { targetId: String(id) } })).toBe(0);
    const row = await api.prisma.assignment.findUniqueOrThrow({ where: { id } });
    expect(row.lastContactDate?.toISOString().slice(0, 10)).toBe('2024-03-01');
  });
});
