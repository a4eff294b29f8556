/**
 * Issue 16, delivery feedback: POST /v1/delivery-events validates the whole batch first (400
 * naming the event, nothing stored); each (source, id) is applied once (a webhook retry is
 * `duplicate`); a hard bounce or complaint makes the address undeliverable and tells each
 * coordinator of its mentors exactly once per episode (an in-app notification and an
 * `undeliverable_notice` digest); a soft bounce is counted and the digest or reminder it names is
 * sent again, within its bound; unknown addresses are stored and `ignored`; an admin clears an
 * address (audited), and the next hard bounce starts a new episode; metrics count it all.
 */
import { createHash } from 'node:crypto';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

const NOW = '2026-12-03T09:00:00Z';
let env: TestEnv;
let api: ApiHarness;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW, overrides: { EMAIL_MAX_ATTEMPTS: '3' } });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

let n = 0;
type Ev = { id?: string; type: 'hard_bounce' | 'soft_bounce' | 'complaint'; email: string; message_id?: string; occurred_at?: string; diagnostic?: string };
const ev = (e: Ev) => ({ id: e.id ?? `ev-${++n}`, occurred_at: '2026-12-03T08:30:00Z', ...e });
const report = (events: object[], source = 'postmark', as: 'service' | 'admin' = 'service') => api.call({ method: 'POST', url: '/v1/delivery-events', payload: { source, events }, as });
const outcomes = async (events: object[], source?: string) => {
  const res = await report(events, source);
  expect(res.statusCode).toBe(200);
  return (res.json() as { results: { outcome: string }[] }).results.map((r) => r.outcome);
};
const stored = async () => JSON.stringify([await api.prisma.deliveryEvent.findMany({ orderBy: { id: 'asc' } }), await api.prisma.emailAddress.findMany({ orderBy: { address: 'asc' } }), await api.prisma.notification.count(), await api.prisma.digest.count()]);
const notices = (coordinatorIds: number[]) =>
  Promise.all([
    api.prisma.notification.findMany({ where: { recipientType: 'coordinator', recipientId: { in: coordinatorIds }, reminderId: null }, orderBy: { id: 'asc' } }),
    api.prisma.digest.findMany({ where: { kind: 'undeliverable_notice', recipientId: { in: coordinatorIds } }, orderBy: { id: 'asc' } }),
  ]);

/** A mentor with `email` whose own coordinator is A, and whose active assignment is coordinated by B. */
async function mentorWithTwoCoordinators(email: string) {
  const { mentorId, coordinatorId: a, assignmentId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: email });
  const b = await api.prisma.coordinator.create({ data: { name: 'Bo Coordinator', locale: 'en' } });
  await api.prisma.assignment.update({ where: { id: assignmentId }, data: { coordinatorId: b.id } });
  return { mentorId, assignmentId, coordinators: [a!, b.id] };
}

describe('validation: the whole batch first, nothing stored', () => {
  it.each([
    ['a bad type at index 2', [ev({ type: 'hard_bounce', email: 'a@example.org' }), ev({ type: 'complaint', email: 'b@example.org' }), { ...ev({ type: 'hard_bounce', email: 'c@example.org' }), type: 'bounced' }], '/events/2/type'],
    ['a bad address at index 1', [ev({ type: 'hard_bounce', email: 'a@example.org' }), ev({ type: 'hard_bounce', email: 'not an address' })], '/events/1/email'],
    ['a bad date at index 0', [{ ...ev({ type: 'soft_bounce', email: 'a@example.org' }), occurred_at: 'yesterday' }], '/events/0/occurred_at'],
    ['an unknown field', [{ ...ev({ type: 'soft_bounce', email: 'a@example.org' }), bounce_class: 10 }], '/events/0/bounce_class'],
    ['an over-long diagnostic', [ev({ type: 'soft_bounce', email: 'a@example.org', diagnostic: 'x'.repeat(1001) })], '/events/0/diagnostic'],
    ['an empty id', [ev({ id: '', type: 'soft_bounce', email: 'a@example.org' })], '/events/0/id'],
  ])('%s', async (_label, events, pointer) => {
    await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'a@example.org' });
    const before = await stored();
    const res = await report(events);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'body', pointer })]));
    expect(await stored()).toBe(before);
  });

  it('no events, more than 500, or a source over 50 characters', async () => {
    const before = await stored();
    expect((await report([])).statusCode).toBe(400);
    expect((await report(Array.from({ length: 501 }, () => ev({ type: 'soft_bounce', email: 'a@example.org' })))).statusCode).toBe(400);
    expect((await report([ev({ type: 'soft_bounce', email: 'a@example.org' })], 'x'.repeat(51))).statusCode).toBe(400);
    expect(await stored()).toBe(before);
  });

  it('only the service and admin roles may report', async () => {
    for (const role of ['viewer', 'operator'] as const) expect((await api.call({ method: 'POST', url: '/v1/delivery-events', payload: { source: 's', events: [ev({ type: 'soft_bounce', email: 'a@example.org' })] }, as: role })).statusCode).toBe(403);
  });
});

describe('hard bounces and complaints', () => {
  it('mark the address undeliverable once and tell each coordinator exactly once, even after another bounce and a complaint', async () => {
    const { coordinators } = await mentorWithTwoCoordinators('Hanne@Example.org');
    expect(await outcomes([ev({ type: 'hard_bounce', email: 'hanne@example.org', diagnostic: '550 5.1.1 user unknown' })])).toEqual(['applied']);
    const row = await api.prisma.emailAddress.findUniqueOrThrow({ where: { address: 'hanne@example.org' } });
    expect(row).toMatchObject({ undeliverableAt: new Date(NOW), undeliverableReason: 'hard_bounce: 550 5.1.1 user unknown', hardBounces: 1, complaints: 0 });

    api.clock.advance(3_600_000);
    expect(await outcomes([ev({ type: 'hard_bounce', email: 'HANNE@example.org' }), ev({ type: 'complaint', email: 'hanne@example.org' })])).toEqual(['applied', 'applied']);
    expect(await api.prisma.emailAddress.findUniqueOrThrow({ where: { address: 'hanne@example.org' } })).toMatchObject({ undeliverableAt: new Date(NOW), hardBounces: 2, complaints: 1 });
    api.clock.set(NOW);

    const [notes, digests] = await notices(coordinators);
    expect(notes.map((x) => x.recipientId).sort()).toEqual([...coordinators].sort());
    // Coordinator B chose English; A has the programme's default (nb).
    expect(notes.find((x) => x.recipientId === coordinators[1])!.title).toBe('E-mail to Mia Mentor bounced');
    expect(notes.find((x) => x.recipientId === coordinators[0])!.title).toBe('E-post til Mia Mentor kom i retur');
    for (const x of notes) expect(x.body).not.toContain('hanne@');
    const hash = createHash('sha256').update('hanne@example.org').digest('hex').slice(0, 16);
    expect(digests.map((d) => d.digestKey).sort()).toEqual(coordinators.map((c) => `undeliverable-${hash}-${new Date(NOW).getTime()}-c${c}`).sort());
    for (const d of digests) expect(d).toMatchObject({ recipientType: 'coordinator', programmeId: 1, localDate: new Date('2026-12-03T00:00:00Z'), status: 'pending', part: 1 });
    expect(await api.prisma.deliveryEvent.findMany({ where: { address: 'hanne@example.org' }, orderBy: { id: 'asc' }, select: { effect: true } })).toEqual([{ effect: 'undeliverable' }, { effect: 'already_undeliverable' }, { effect: 'already_undeliverable' }]);
  });

  it('a second address of the same coordinator the same day gets its own notice (the next part)', async () => {
    const { coordinatorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'one@example.org' });
    const other = await api.prisma.peerMentor.create({ data: { name: 'Ola Mentor', email: 'two@example.org', coordinatorId } });
    expect(await outcomes([ev({ type: 'hard_bounce', email: 'one@example.org' }), ev({ type: 'complaint', email: 'two@example.org' })])).toEqual(['applied', 'applied']);
    const [notes, digests] = await notices([coordinatorId!]);
    expect(notes).toHaveLength(2);
    expect(notes[1]!.title).toContain(other.name);
    expect(digests.map((d) => d.part)).toEqual([1, 2]);
  });

  it('an admin clears the address (audited); 404 when it is not undeliverable; the next hard bounce is a new episode with a new notice', async () => {
    const { coordinatorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'fixed@example.org' });
    await outcomes([ev({ type: 'hard_bounce', email: 'fixed@example.org' })]);
    expect((await api.call({ method: 'DELETE', url: '/v1/email-addresses/fixed@example.org/undeliverable', as: 'operator' })).statusCode).toBe(403);
    const res = await api.call({ method: 'DELETE', url: '/v1/email-addresses/Fixed%40example.org/undeliverable', as: 'admin' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ address: 'fixed@example.org', undeliverable: false, was_undeliverable_since: new Date(NOW).toISOString() });
    expect(await api.prisma.adminAuditLog.findUniqueOrThrow({ where: { id: res.json().audit_id } })).toMatchObject({ action: 'email_address.clear', actor: 'test-admin', targetId: 'fixed@example.org' });
    expect((await api.prisma.emailAddress.findUniqueOrThrow({ where: { address: 'fixed@example.org' } })).undeliverableAt).toBeNull();
    expect((await api.call({ method: 'DELETE', url: '/v1/email-addresses/fixed@example.org/undeliverable', as: 'admin' })).json()).toMatchObject({ status: 404, type: '/problems/address-not-undeliverable' });
    expect((await api.call({ method: 'DELETE', url: '/v1/email-addresses/nobody@example.org/undeliverable', as: 'admin' })).statusCode).toBe(404);

    api.clock.advance(86_400_000);
    await outcomes([ev({ type: 'hard_bounce', email: 'fixed@example.org' })]);
    api.clock.set(NOW);
    const [notes, digests] = await notices([coordinatorId!]);
    expect(notes).toHaveLength(2);
    expect(digests.map((d) => d.localDate.toISOString().slice(0, 10))).toEqual(['2026-12-03', '2026-12-04']);
  });
});

describe('duplicates and unknown addresses', () => {
  it('the same (source, id) is applied once; the same id from another source is another event', async () => {
    await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'dup@example.org' });
    const e = ev({ id: 'pm-1', type: 'soft_bounce', email: 'dup@example.org' });
    expect(await outcomes([e, e])).toEqual(['applied', 'duplicate']);
    const after = await stored();
    expect(await outcomes([e])).toEqual(['duplicate']);
    expect(await stored()).toBe(after);
    expect(await outcomes([e], 'sendgrid')).toEqual(['applied']);
    expect((await api.prisma.emailAddress.findUniqueOrThrow({ where: { address: 'dup@example.org' } })).softBounces).toBe(2);
  });

  it('an address no one has is stored and ignored', async () => {
    const before = await api.prisma.notification.count();
    expect(await outcomes([ev({ id: 'stranger', type: 'hard_bounce', email: 'stranger@example.org' })])).toEqual(['ignored']);
    expect(await api.prisma.deliveryEvent.findFirstOrThrow({ where: { eventId: 'stranger' } })).toMatchObject({ effect: 'ignored', receivedBy: 'test-service' });
    expect(await api.prisma.emailAddress.findUnique({ where: { address: 'stranger@example.org' } })).toBeNull();
    expect(await api.prisma.notification.count()).toBe(before);
  });
});

describe('soft bounces: counted and retried, within the bound', () => {
  it('set a sent digest back to pending (occurred_at + 15 min x attempts), at most 3 times', async () => {
    const { mentorId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'soft@example.org' });
    const digest = await api.prisma.digest.create({
      data: { digestKey: `mentor-${mentorId}-p1-2026-12-03`, kind: 'mentor', programmeId: 1, recipientType: 'peer_mentor', recipientId: mentorId, localDate: new Date('2026-12-03T00:00:00Z'), status: 'sent', attempts: 1, sentAt: new Date(NOW) },
    });
    const bounce = () => ev({ type: 'soft_bounce', email: 'soft@example.org', message_id: `<${digest.digestKey}@follow-up-reminders>`, diagnostic: '452 mailbox full' });
    for (const attempts of [1, 2, 3]) {
      await api.prisma.digest.update({ where: { id: digest.id }, data: { status: 'sent', attempts } });
      expect(await outcomes([bounce()])).toEqual(['applied']);
      const d = await api.prisma.digest.findUniqueOrThrow({ where: { id: digest.id } });
      expect({ attempts, status: d.status, next: d.nextAttemptAt?.toISOString() }).toEqual({ attempts, status: 'pending', next: new Date(Date.parse('2026-12-03T08:30:00Z') + attempts * 15 * 60_000).toISOString() });
      expect(d.lastError).toContain('452 mailbox full');
    }
    // Sent a fourth time: three retries were the bound.
    await api.prisma.digest.update({ where: { id: digest.id }, data: { status: 'sent', attempts: 4 } });
    expect(await outcomes([bounce()])).toEqual(['applied']);
    expect((await api.prisma.digest.findUniqueOrThrow({ where: { id: digest.id } })).status).toBe('sent');
    const effects = (await api.prisma.deliveryEvent.findMany({ where: { address: 'soft@example.org' }, orderBy: { id: 'asc' } })).map((e) => e.effect);
    expect(effects).toEqual(['digest_retried', 'digest_retried', 'digest_retried', 'retries_exhausted']);
    expect(await api.prisma.emailAddress.findUniqueOrThrow({ where: { address: 'soft@example.org' } })).toMatchObject({ softBounces: 4, undeliverableAt: null });
  });

  it("set a sent reminder e-mail to failed for the next run to re-send, while below EMAIL_MAX_ATTEMPTS; never another address's message", async () => {
    const { assignmentId } = await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'rem@example.org' });
    await createAssignment(api.prisma, { assignedDate: '2026-09-01', mentorEmail: 'else@example.org' });
    const key = `a${assignmentId}-20260901-1`;
    const r = await api.prisma.reminder.create({
      data: { assignmentId, reminderKey: key, anchorDate: new Date('2026-09-01T00:00:00Z'), sequenceNumber: 1, dueDate: new Date('2026-09-15T00:00:00Z'), fencingToken: 1n, emailStatus: 'sent', emailAttempts: 1 },
    });
    const bounce = (email = 'rem@example.org') => ev({ type: 'soft_bounce', email, message_id: `<${key}@follow-up-reminders>` });
    // The Message-ID alone carries no authority: another address's bounce does not touch it.
    await outcomes([bounce('else@example.org')]);
    expect((await api.prisma.reminder.findUniqueOrThrow({ where: { id: r.id } })).emailStatus).toBe('sent');
    await outcomes([bounce()]);
    expect(await api.prisma.reminder.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ emailStatus: 'failed', emailAttempts: 1 });
    await api.prisma.reminder.update({ where: { id: r.id }, data: { emailStatus: 'sent', emailAttempts: 3 } });
    await outcomes([bounce()]);
    expect((await api.prisma.reminder.findUniqueOrThrow({ where: { id: r.id } })).emailStatus).toBe('sent');
    const effects = (await api.prisma.deliveryEvent.findMany({ where: { messageId: `<${key}@follow-up-reminders>` }, orderBy: { id: 'asc' } })).map((e) => e.effect);
    expect(effects).toEqual(['counted', 'reminder_retried', 'retries_exhausted']);
  });
});

it('metrics count events by type and effect, and the undeliverable addresses', async () => {
  const text = (await api.call({ method: 'GET', url: '/metrics', as: 'viewer' })).body;
  const undeliverable = await api.prisma.emailAddress.count({ where: { undeliverableAt: { not: null } } });
  expect(undeliverable).toBeGreaterThan(0);
  expect(text).toContain(`reminders_email_addresses_undeliverable ${undeliverable}`);
  const hard = await api.prisma.deliveryEvent.count({ where: { type: 'hard_bounce', effect: 'undeliverable' } });
  expect(text).toContain(`reminders_delivery_events_total{type="hard_bounce",effect="undeliverable"} ${hard}`);
  expect(text).toContain('reminders_delivery_events_total{type="soft_bounce",effect="retries_exhausted"} 2');
  expect(text).toContain('reminders_delivery_events_total{type="complaint",effect="ignored"} 0');
});
