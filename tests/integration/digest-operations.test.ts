/**
 * The digest outbox for operators (issue 16): a relay outage longer than the retries leaves
 * digests `failed`; the metrics and alerts say so, GET /v1/digests and `reminders digests` list
 * them, and retry sends each once (same Message-ID) or cancel gives them up, audited, with bad
 * input refused and nothing changed. Real PostgreSQL, Redis and an SMTP sink; the clock is injected.
 */
import { addDays } from '@reminders/core/domain/calendar';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { createMentorWithAssignments, reminderRows } from '../helpers/fixtures';
import { runCli } from '../helpers/run-cli';
import { startSmtpSink } from '../helpers/smtp-sink';

const today = '2026-11-28';
const NOW = '2026-11-28T06:00:00Z';

let env: TestEnv;
let api: ApiHarness;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

beforeEach(async () => {
  smtp = await startSmtpSink();
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW, workers: true, overrides: { SMTP_URL: smtp.url, EMAIL_MAX_ATTEMPTS: '2', DIGEST_RETRY_SECONDS: '10' } });
});
afterEach(async () => {
  await api?.close();
  await env?.destroy();
  await smtp?.close();
});

const drain = () => api.c.services.digestOutbox.drainOnce();
const metric = async (name: string) => {
  const res = await api.call({ method: 'GET', url: '/metrics', as: 'viewer' });
  return res.body.split('\n').filter((l) => l.startsWith(name));
};

/** One mentor with one due reminder whose digest the relay refuses every attempt (2, 10 s apart). */
async function failedDigest() {
  const m = await createMentorWithAssignments(api.prisma, { names: ['Kari Nordmann'], lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
  expect(await api.sweep()).toMatchObject({ status: 'succeeded' });
  smtp.refuse(2);
  expect(await drain()).toMatchObject({ assembled: { mentor: 1 }, retried: 1 });
  api.clock.advance(10_500);
  expect(await drain()).toMatchObject({ failed: 1 });
  return m;
}

describe('failed digests', () => {
  it('are counted, listed, and retried once each with the same Message-ID; a second retry changes nothing', async () => {
    const m = await failedDigest();
    const key = `m${m.mentorId}-p1-20261128-1`;
    expect(await metric('reminders_digests{kind="mentor",status="failed"}')).toEqual(['reminders_digests{kind="mentor",status="failed"} 1']);
    // Failed is not waiting to be sent: the "not sending" figure stays 0.
    expect(await metric('reminders_digests_oldest_due_seconds')).toEqual(['reminders_digests_oldest_due_seconds 0']);
    api.clock.advance(3_600_000);
    expect(await drain()).toMatchObject({ sent: 0, failed: 0 }); // not tried again by itself

    const listed = await api.call({ method: 'GET', url: '/v1/digests?status=failed', as: 'operator' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().digests).toEqual([
      expect.objectContaining({ key, kind: 'mentor', status: 'failed', programme: 'default', local_date: today, recipient: `mentor ${m.mentorId}`, attempts: 2, reminders: 1, last_error: expect.stringContaining('e-mail:') }),
    ]);
    expect(JSON.stringify(listed.json())).not.toContain('mia@example.org');

    const retried = await api.call({ method: 'POST', url: '/v1/digests/retry', as: 'operator', payload: { date: today, reason: 'relay down 05:00-06:30' } });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual({ action: 'retry', changed: 1, keys: [key], audit_id: expect.any(Number) });
    const audit = await api.prisma.adminAuditLog.findUniqueOrThrow({ where: { id: retried.json().audit_id } });
    expect(audit).toMatchObject({ actor: 'test-operator', action: 'digests.retry', targetType: 'digest', reason: 'relay down 05:00-06:30', after: { status: 'pending', keys: [key] } });

    // A fresh EMAIL_MAX_ATTEMPTS: the next tick sends it, once.
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.raw).toMatch(new RegExp(`^Message-ID: <${key}@follow-up-reminders>`, 'im'));
    expect((await reminderRows(api.prisma)).map((r) => r.emailStatus)).toEqual(['sent']);

    const again = await api.call({ method: 'POST', url: '/v1/digests/retry', as: 'operator', payload: { date: today } });
    expect(again.json()).toEqual({ action: 'retry', changed: 0, keys: [], audit_id: null });
    expect(await api.prisma.adminAuditLog.count({ where: { action: { startsWith: 'digests.' } } })).toBe(1);
    expect(await drain()).toMatchObject({ sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('a retried digest refused again gets its own EMAIL_MAX_ATTEMPTS before it fails again', async () => {
    await failedDigest();
    await api.c.services.digests.retry({ actor: 'test', date: today });
    smtp.refuse(2);
    expect(await drain()).toMatchObject({ retried: 1, failed: 0 });
    api.clock.advance(10_500);
    expect(await drain()).toMatchObject({ failed: 1 });
    expect(await api.prisma.digest.findFirstOrThrow()).toMatchObject({ status: 'failed', attempts: 4, retryFrom: 2 });
  });

  it('cancelled ones are never sent and their reminders stay in-app only', async () => {
    await failedDigest();
    const other = await api.call({ method: 'POST', url: '/v1/digests/cancel', as: 'operator', payload: { date: addDays(today, -1) } });
    expect(other.json()).toMatchObject({ changed: 0 });
    const res = await api.call({ method: 'POST', url: '/v1/digests/cancel', as: 'operator', payload: { programme: 'default' } });
    expect(res.json()).toMatchObject({ action: 'cancel', changed: 1 });
    expect(await api.prisma.digest.findFirstOrThrow()).toMatchObject({ status: 'cancelled', lastError: expect.stringMatching(/^cancelled by an operator after: e-mail:/) });
    expect((await reminderRows(api.prisma)).map((r) => r.emailStatus)).toEqual(['not_applicable']);
    expect(await api.prisma.notification.count()).toBe(1);
    expect(await drain()).toMatchObject({ sent: 0 });
    expect(smtp.received).toHaveLength(0);
    expect(await metric('reminders_digests{kind="mentor",status="failed"}')).toEqual(['reminders_digests{kind="mentor",status="failed"} 0']);
  });

  it('bad input is refused with a precise answer and changes nothing', async () => {
    await failedDigest();
    const bad = async (o: Parameters<ApiHarness['call']>[0], status: number, detail: RegExp) => {
      const res = await api.call(o);
      expect([res.statusCode, res.body]).toEqual([status, expect.stringMatching(detail)]);
    };
    await bad({ method: 'GET', url: '/v1/digests?status=lost', as: 'operator' }, 400, /status/);
    await bad({ method: 'GET', url: '/v1/digests?limit=0', as: 'operator' }, 400, /limit/);
    await bad({ method: 'GET', url: '/v1/digests?programme=nowhere', as: 'operator' }, 404, /programme-not-found.*no programme \\"nowhere\\"/);
    await bad({ method: 'POST', url: '/v1/digests/retry', as: 'operator', payload: { date: '2026-02-30' } }, 400, /date/);
    await bad({ method: 'POST', url: '/v1/digests/retry', as: 'operator', payload: { dates: today } }, 400, /dates/);
    await bad({ method: 'POST', url: '/v1/digests/retry', as: 'operator', payload: { programme: 'nowhere' } }, 404, /programme-not-found.*no programme \\"nowhere\\"/);
    await bad({ method: 'POST', url: '/v1/digests/retry', as: 'viewer', payload: {} }, 403, /forbidden|role/i);
    await bad({ method: 'GET', url: '/v1/digests', as: 'service' }, 403, /forbidden|role/i);
    expect(await api.prisma.digest.findFirstOrThrow()).toMatchObject({ status: 'failed' });
    expect(await api.prisma.adminAuditLog.count({ where: { action: { startsWith: 'digests.' } } })).toBe(0);
  });

  it('`reminders digests` lists them and `digests retry` sends them again; a bad option exits 2', async () => {
    const m = await failedDigest();
    const cli = (...args: string[]) => runCli(['digests', ...args], env.env({ LOG_LEVEL: 'silent' }));
    const list = await cli('--status', 'failed');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(new RegExp(`^m${m.mentorId}-p1-20261128-1 +mentor +failed +default +2026-11-28 +mentor ${m.mentorId} +1 +2 +- +e-mail:`, 'm'));
    const bad = await cli('retry', '--date', 'tomorrow');
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--date must be a calendar date YYYY-MM-DD, got "tomorrow"') });
    const retry = await cli('retry', '--date', today, '--reason', 'relay back');
    expect(retry).toMatchObject({ code: 0 });
    expect(retry.stdout).toMatch(/^1 failed digest\(s\) for 2026-11-28 set pending again .*; audit \d+\n {2}m\d+-p1-20261128-1\n$/);
    expect(await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'digests.retry' } })).toMatchObject({ actor: expect.stringMatching(/^cli:/), reason: 'relay back' });
    expect(await drain()).toMatchObject({ sent: 1 });
  });
});

describe('a digest nobody sends', () => {
  it('shows in reminders_digests_oldest_due_seconds (the RemindersDigestsNotSending alert)', async () => {
    await createMentorWithAssignments(api.prisma, { names: ['Kari Nordmann'], lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    await api.sweep();
    await api.c.repositories.digests.assemble({ programmeId: null });
    // Made 20 minutes ago (the gauge reads the database's clock) and no worker has sent it.
    await api.prisma.$executeRaw`UPDATE digests SET created_at = clock_timestamp() - interval '20 minutes'`;
    const [line] = await metric('reminders_digests_oldest_due_seconds');
    expect(Number(line!.split(' ')[1])).toBeGreaterThanOrEqual(1200);
    // Held by a live sender: not "nobody sends".
    await api.prisma.$executeRaw`UPDATE digests SET lease_owner = 'w1', lease_until = clock_timestamp() + interval '5 minutes'`;
    expect(await metric('reminders_digests_oldest_due_seconds')).toEqual(['reminders_digests_oldest_due_seconds 0']);
  });
});
