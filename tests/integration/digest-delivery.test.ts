/**
 * The mentor's side, end to end through a real sweep and a real SMTP sink (issue 16): one digest a
 * day per mentor and programme, follow-up parts for stragglers, the coordinator's escalation
 * digest, opted-out and undeliverable mentors in-app only, absences (freeze and cover), snoozes,
 * per-reminder delivery with one-click unsubscribe headers, retries and leases.
 */
import { addDays } from '@reminders/core/domain/calendar';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { createMentorWithAssignments, reminderRows, setProgrammeDelivery } from '../helpers/fixtures';
import { startSmtpSink, type ReceivedMail } from '../helpers/smtp-sink';

const today = '2026-11-28';
const osloMorning = (d: string) => new Date(`${d}T07:00:00+01:00`);
const NAMES = ['Kari Nordmann', 'Ola Hansen', 'Per Berg', 'Liv Dahl'];
const SURNAMES = ['Nordmann', 'Hansen', 'Berg', 'Dahl'];

let env: TestEnv;
let h: Harness;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

beforeEach(async () => {
  smtp = await startSmtpSink();
  env = await createTestEnv();
  h = await startHarness(env, { now: osloMorning(today).toISOString(), overrides: { SMTP_URL: smtp.url, APP_BASE_URL: 'https://app.example.org', PUBLIC_API_URL: 'https://reminders.example.org' } });
});
afterEach(async () => {
  await h?.stop();
  await env?.destroy();
  await smtp?.close();
});

/** The decoded body of a received message (quoted-printable soft breaks joined). */
const body = (m: ReceivedMail) => m.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_s, hex: string) => String.fromCharCode(parseInt(hex, 16)));
const header = (m: ReceivedMail, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(m.raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];
const drain = () => h.c.services.digestOutbox.drainOnce();
const runOn = async (d: string) => {
  h.clock.set(osloMorning(d));
  return h.run();
};

describe('digest delivery (the default)', () => {
  it('four due assignments of one mentor make one e-mail listing all four; a second run the same day sends nothing', async () => {
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES, lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    expect(await h.run()).toMatchObject({ status: 'succeeded', counts: { remindersSent: 4, remindersFailed: 0 } });
    // Written, in-app one per reminder, waiting for the digest: nothing sent by the dispatch.
    expect(smtp.received).toHaveLength(0);
    const rows = await reminderRows(h.prisma);
    expect(rows.map((r) => [r.emailStatus, r.preferenceApplied])).toEqual(Array(4).fill(['digest', 'digest']));
    expect(await h.prisma.notification.count({ where: { recipientType: 'peer_mentor', recipientId: m.mentorId } })).toBe(4);

    expect(await drain()).toMatchObject({ assembled: { mentor: 1, coordinator: 0 }, sent: 1 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(['mia@example.org']);
    expect(header(mail, 'Message-ID')).toBe(`<m${m.mentorId}-p1-20261128-1@follow-up-reminders>`);
    const text = body(mail);
    for (const id of m.assignmentIds) expect(text).toContain(`https://app.example.org/assignments/${id}`);
    for (const first of ['Kari', 'Ola', 'Per', 'Liv']) expect(text).toContain(first);
    for (const surname of SURNAMES) expect(mail.raw).not.toContain(surname);
    expect(header(mail, 'List-Unsubscribe')).toMatch(/^<https:\/\/reminders\.example\.org\/v1\/unsubscribe\/\d+\.\d+\.[A-Za-z0-9_-]{43}>$/);
    expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect((await reminderRows(h.prisma)).map((r) => r.emailStatus)).toEqual(['sent', 'sent', 'sent', 'sent']);

    expect(await h.run({ trigger: 'manual', triggeredBy: 'test' })).toMatchObject({ status: 'succeeded', counts: { remindersEnqueued: 0 } });
    expect(await drain()).toMatchObject({ assembled: { mentor: 0, coordinator: 0 }, sent: 0 });
    expect(smtp.received).toHaveLength(1);
    expect(await h.prisma.reminder.count()).toBe(4);
  });

  it('a straggler written after the day\'s digest goes in a follow-up part, and no reminder is in two digests', async () => {
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 2), lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    await h.run();
    await drain();
    // A third assignment of the same mentor becomes due later the same day (a retry run writes it).
    const contact = await h.prisma.contact.create({ data: { name: 'Per Berg' } });
    const late = await h.prisma.assignment.create({ data: { peerMentorId: m.mentorId, contactId: contact.id, coordinatorId: m.coordinatorId, assignedDate: new Date('2026-01-01'), lastContactDate: new Date(`${addDays(today, -14)}T00:00:00Z`) } });
    h.clock.set(new Date(osloMorning(today).getTime() + 3 * 3_600_000));
    await h.run({ trigger: 'manual', triggeredBy: 'test' });
    expect(await drain()).toMatchObject({ assembled: { mentor: 1 }, sent: 1 });
    expect(smtp.received).toHaveLength(2);
    const second = smtp.received[1]!;
    expect(header(second, 'Message-ID')).toBe(`<m${m.mentorId}-p1-20261128-2@follow-up-reminders>`);
    expect(body(second)).toContain(`/assignments/${late.id}`);
    for (const id of m.assignmentIds) expect(body(second)).not.toContain(`/assignments/${id}"`);
    const digests = await h.prisma.digest.findMany({ orderBy: { id: 'asc' }, include: { mentorReminders: true } });
    expect(digests.map((d) => [d.part, d.status, d.mentorReminders.length])).toEqual([[1, 'sent', 2], [2, 'sent', 1]]);
  });

  it('escalations go to the coordinator in one digest of their own; the mentor still gets one listing all', async () => {
    const m = await createMentorWithAssignments(h.prisma, {
      names: NAMES.slice(0, 3),
      lastContactDate: [addDays(today, -28), addDays(today, -28), addDays(today, -14)],
      mentorEmail: 'mia@example.org',
      coordinatorEmail: 'cora@example.org',
    });
    await h.run();
    expect(await drain()).toMatchObject({ assembled: { mentor: 1, coordinator: 1 }, sent: 2 });
    const toCora = smtp.received.filter((x) => x.to.includes('cora@example.org'));
    const toMia = smtp.received.filter((x) => x.to.includes('mia@example.org'));
    expect([toCora.length, toMia.length]).toEqual([1, 1]);
    expect(toCora[0]!.to).toEqual(['cora@example.org']);
    expect(header(toCora[0]!, 'Message-ID')).toBe(`<c${m.coordinatorId}-p1-20261128-1@follow-up-reminders>`);
    // Coordinator escalations cannot be turned off: no unsubscribe link on them.
    expect(header(toCora[0]!, 'List-Unsubscribe')).toBeUndefined();
    const coordinatorText = body(toCora[0]!);
    expect(coordinatorText).toContain(`/assignments/${m.assignmentIds[0]}`);
    expect(coordinatorText).toContain(`/assignments/${m.assignmentIds[1]}`);
    expect(coordinatorText).not.toContain(`/assignments/${m.assignmentIds[2]}`);
    for (const surname of SURNAMES) expect(toCora[0]!.raw).not.toContain(surname);
    expect(await h.prisma.notification.count({ where: { recipientType: 'coordinator' } })).toBe(2);
  });

  it('a mentor who turned e-mail off gets in-app only, recorded on each reminder; the coordinator still hears of escalations', async () => {
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 2), lastContactDate: [addDays(today, -28), addDays(today, -14)], mentorEmail: 'mia@example.org', coordinatorEmail: 'cora@example.org' });
    await h.prisma.peerMentor.update({ where: { id: m.mentorId }, data: { reminderEmail: false } });
    await h.run();
    expect((await reminderRows(h.prisma)).map((r) => [r.emailStatus, r.preferenceApplied])).toEqual([['not_applicable', 'opted_out'], ['not_applicable', 'opted_out']]);
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(smtp.received.map((x) => x.to)).toEqual([['cora@example.org']]);
    expect(await h.prisma.notification.count({ where: { recipientType: 'peer_mentor' } })).toBe(2);
  });

  it('a mentor who opts out (or whose address bounces) between the run and the digest gets none: withdrawn, in-app only', async () => {
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 2), lastContactDate: addDays(today, -14), mentorEmail: 'Mia@Example.org' });
    await h.run();
    await h.prisma.emailAddress.create({ data: { address: 'mia@example.org', undeliverableAt: new Date(), undeliverableReason: 'hard_bounce' } });
    expect(await drain()).toMatchObject({ sent: 0, withdrawn: 1 });
    expect(smtp.received).toHaveLength(0);
    expect((await reminderRows(h.prisma)).map((r) => [r.emailStatus, r.preferenceApplied])).toEqual([['not_applicable', 'undeliverable'], ['not_applicable', 'undeliverable']]);
    expect(await h.prisma.digest.findFirstOrThrow({ where: { recipientId: m.mentorId } })).toMatchObject({ status: 'cancelled' });
  });

  it('an address that bounced gets no reminder e-mail at all: the reminders say so', async () => {
    await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 1), lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    await h.prisma.emailAddress.create({ data: { address: 'mia@example.org', undeliverableAt: new Date(), undeliverableReason: 'complaint' } });
    await h.run();
    expect((await reminderRows(h.prisma)).map((r) => [r.emailStatus, r.preferenceApplied])).toEqual([['not_applicable', 'undeliverable']]);
    expect(await drain()).toMatchObject({ assembled: { mentor: 0 }, sent: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it('a refused digest is retried after its backoff with the same Message-ID and sent once', async () => {
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 1), lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    await h.run();
    smtp.refuse(1);
    expect(await drain()).toMatchObject({ sent: 0, retried: 1 });
    expect(await drain()).toMatchObject({ sent: 0 }); // not before its backoff
    h.clock.advance(31_000);
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(smtp.received).toHaveLength(1);
    expect(header(smtp.received[0]!, 'Message-ID')).toBe(`<m${m.mentorId}-p1-20261128-1@follow-up-reminders>`);
    expect(await h.prisma.digest.findFirstOrThrow()).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('a digest whose sender holds a live lease is left alone; once the lease has expired it is adopted', async () => {
    await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 1), lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    await h.run();
    const digests = (await import('@reminders/core/repositories/digest-repository')).createDigestRepository(h.prisma);
    await digests.assemble({ programmeId: null });
    const [frozen] = await digests.claim({ limit: 1, owner: 'frozen-worker', leaseSeconds: 300, now: h.clock.now() });
    expect(frozen).toBeDefined();
    expect(await drain()).toMatchObject({ sent: 0 });
    await h.prisma.digest.update({ where: { id: frozen!.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    expect(await drain()).toMatchObject({ sent: 1 });
    // The frozen sender wakes up: its mark no longer counts.
    expect(await digests.markSent({ id: frozen!.id, attempt: frozen!.attempt, at: h.clock.now() })).toBe(false);
    expect(smtp.received).toHaveLength(1);
  });
});

describe('absence and snooze', () => {
  it('an absent mentor gets nothing; under freeze the next reminder comes as many days later as the absence lasted', async () => {
    // Silent since D0. Without an absence the first reminder is due on D0+14; five absent days
    // (D0+10..D0+14) are not silence under freeze, so it comes on D0+19.
    const d0 = addDays(today, -14);
    const away = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 2), lastContactDate: d0, mentorEmail: 'mia@example.org' });
    const control = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(2, 3), lastContactDate: d0, mentorEmail: 'max@example.org', mentorName: 'Max Mentor' });
    await h.prisma.mentorAbsence.create({ data: { peerMentorId: away.mentorId, startsOn: new Date(`${addDays(d0, 10)}T00:00:00Z`), endsOn: new Date(`${addDays(d0, 14)}T00:00:00Z`), createdBy: 'test' } });
    const firstDay: Record<number, string> = {};
    for (let k = 14; k <= 20; k++) {
      const d = addDays(d0, k);
      await runOn(d);
      for (const r of await reminderRows(h.prisma)) firstDay[r.assignmentId] ??= d;
    }
    expect(firstDay[control.assignmentIds[0]!]).toBe(addDays(d0, 14));
    expect(firstDay[away.assignmentIds[0]!]).toBe(addDays(d0, 19));
    expect(firstDay[away.assignmentIds[1]!]).toBe(addDays(d0, 19));
    // Its number is 1 (the silence is 14 days on D0+19), not a skipped-ahead 2.
    expect((await reminderRows(h.prisma)).filter((r) => r.assignmentId === away.assignmentIds[0]).map((r) => r.sequenceNumber)).toEqual([1]);
    await drain();
    expect(smtp.received.filter((x) => x.to.includes('mia@example.org'))).toHaveLength(1);
  });

  it('an absence registered afterwards for past days never brings an earlier reminder number back', async () => {
    const d0 = addDays(today, -21);
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 1), lastContactDate: d0, mentorEmail: null });
    await runOn(today); // 21 days of silence: reminder 2
    await h.prisma.mentorAbsence.create({ data: { peerMentorId: m.mentorId, startsOn: new Date(`${addDays(d0, 1)}T00:00:00Z`), endsOn: new Date(`${addDays(d0, 10)}T00:00:00Z`), createdBy: 'test' } });
    await runOn(addDays(today, 1)); // 22 - 10 = 12 days of silence now: nothing due, and #1 must not appear
    expect((await reminderRows(h.prisma)).map((r) => r.sequenceNumber)).toEqual([2]);
    expect(await h.c.repositories.dueAssignments.countDue({ now: h.clock.now() })).toBe(0);
  });

  it('under cover an absent mentor\'s reminders go to the coordinator: in-app and in the coordinator\'s digest', async () => {
    await setProgrammeDelivery(h.prisma, { absencePolicy: 'cover' });
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 2), lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org', coordinatorEmail: 'cora@example.org' });
    await h.prisma.mentorAbsence.create({ data: { peerMentorId: m.mentorId, startsOn: new Date(`${addDays(today, -1)}T00:00:00Z`), endsOn: new Date(`${addDays(today, 5)}T00:00:00Z`), createdBy: 'test' } });
    expect(await h.run()).toMatchObject({ status: 'succeeded', counts: { remindersSent: 2 } });
    expect((await reminderRows(h.prisma)).map((r) => [r.preferenceApplied, r.emailStatus, r.coordinatorEmailStatus])).toEqual([['covered', 'not_applicable', 'digest'], ['covered', 'not_applicable', 'digest']]);
    expect(await h.prisma.notification.count({ where: { recipientType: 'peer_mentor' } })).toBe(0);
    expect(await h.prisma.notification.count({ where: { recipientType: 'coordinator', recipientId: m.coordinatorId } })).toBe(2);
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(smtp.received.map((x) => x.to)).toEqual([['cora@example.org']]);
  });

  it('a snoozed assignment is left out up to and including its date, then reminded', async () => {
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 2), lastContactDate: addDays(today, -14), mentorEmail: null });
    await h.prisma.assignment.update({ where: { id: m.assignmentIds[0]! }, data: { snoozedUntil: new Date(`${addDays(today, 2)}T00:00:00Z`), snoozeReason: 'in hospital' } });
    const firstDay: Record<number, string> = {};
    for (let k = 0; k <= 3; k++) {
      const d = addDays(today, k);
      await runOn(d);
      for (const r of await reminderRows(h.prisma)) firstDay[r.assignmentId] ??= d;
    }
    expect(firstDay[m.assignmentIds[1]!]).toBe(today);
    expect(firstDay[m.assignmentIds[0]!]).toBe(addDays(today, 3));
  });
});

describe('per-reminder delivery (`each`)', () => {
  it('one e-mail per reminder to the mentor with the one-click unsubscribe headers; the coordinator\'s copy is its own message', async () => {
    await setProgrammeDelivery(h.prisma, { delivery: 'each' });
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 2), lastContactDate: [addDays(today, -28), addDays(today, -14)], mentorEmail: 'mia@example.org', coordinatorEmail: 'cora@example.org', locale: 'en' });
    expect(await h.run()).toMatchObject({ status: 'succeeded', counts: { remindersSent: 2 } });
    expect(smtp.received.map((x) => x.to)).toEqual([['mia@example.org'], ['mia@example.org']]);
    for (const mail of smtp.received) {
      expect(header(mail, 'List-Unsubscribe')).toMatch(/^<https:\/\/reminders\.example\.org\/v1\/unsubscribe\/\d+\.\d+\.[A-Za-z0-9_-]{43}>$/);
      expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(header(mail, 'Message-ID')).toMatch(/^<a\d+-\d{8}-\d@follow-up-reminders>$/);
      for (const surname of SURNAMES) expect(mail.raw).not.toContain(surname);
      expect(mail.raw).toMatch(/Content-Type: text\/html/i);
    }
    expect((await reminderRows(h.prisma)).map((r) => r.preferenceApplied)).toEqual(['each', 'each']);
    expect(await drain()).toMatchObject({ assembled: { coordinator: 1 }, sent: 1 });
    expect(smtp.received[2]!.to).toEqual(['cora@example.org']);
    expect(body(smtp.received[2]!)).toContain(`/assignments/${m.assignmentIds[0]}`);
  });

  it('a mentor who opts out after a failed attempt is not e-mailed by the run that adopts it: the attempt is withdrawn', async () => {
    await h.stop();
    h = await startHarness(env, { now: osloMorning(today).toISOString(), overrides: { SMTP_URL: smtp.url, EMAIL_MAX_ATTEMPTS: '1' } });
    await setProgrammeDelivery(h.prisma, { delivery: 'each' });
    const m = await createMentorWithAssignments(h.prisma, { names: NAMES.slice(0, 1), lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org' });
    smtp.refuse(1);
    expect(await h.run()).toMatchObject({ status: 'failed' });
    expect(await h.prisma.reminder.findFirstOrThrow()).toMatchObject({ emailStatus: 'failed' });
    await h.prisma.peerMentor.update({ where: { id: m.mentorId }, data: { reminderEmail: false } });
    expect(await h.run({ trigger: 'manual', triggeredBy: 'test' })).toMatchObject({ status: 'succeeded', counts: { remindersEnqueued: 1, remindersSent: 1 } });
    expect(smtp.received).toHaveLength(0);
    expect(await h.prisma.reminder.findFirstOrThrow()).toMatchObject({ emailStatus: 'not_applicable', preferenceApplied: 'opted_out' });
  });
});
