/**
 * Issue 16's "done when", through the API a mentor's app and the mail provider use, a real sweep
 * and a real SMTP sink: a bounced address gets no more e-mail and its coordinator one notice; an
 * unsubscribed mentor (the link in the e-mail, POSTed as a mail client does) gets in-app only; an
 * absence registered through the API freezes the mentor's reminders.
 */
import { addDays } from '@reminders/core/domain/calendar';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { createMentorWithAssignments, reminderRows } from '../helpers/fixtures';
import { startSmtpSink, type ReceivedMail } from '../helpers/smtp-sink';

const today = '2026-11-28';
const osloMorning = (d: string) => new Date(`${d}T07:00:00+01:00`);

let env: TestEnv;
let api: ApiHarness;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

beforeEach(async () => {
  smtp = await startSmtpSink();
  env = await createTestEnv();
  api = await startApiHarness(env, { now: osloMorning(today).toISOString(), workers: true, overrides: { SMTP_URL: smtp.url, APP_BASE_URL: 'https://app.example.org', PUBLIC_API_URL: 'https://reminders.example.org' } });
});
afterEach(async () => {
  await api?.close();
  await env?.destroy();
  await smtp?.close();
});

const body = (m: ReceivedMail) => m.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_s, hex: string) => String.fromCharCode(parseInt(hex, 16)));
const header = (m: ReceivedMail, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(m.raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];
const drain = () => api.c.services.digestOutbox.drainOnce();
const setDay = (d: string) => (api.clock as unknown as { set(x: Date): void }).set(osloMorning(d));

it('a bounced address gets no more e-mail, and its coordinator exactly one notice', async () => {
  const m = await createMentorWithAssignments(api.prisma, { names: ['Kari Nordmann'], lastContactDate: addDays(today, -14), mentorEmail: 'mia@example.org', coordinatorEmail: 'cora@example.org' });
  await api.sweep();
  await drain();
  expect(smtp.received.map((x) => x.to)).toEqual([['mia@example.org']]);
  const messageId = header(smtp.received[0]!, 'Message-ID');

  const report = (id: string) =>
    api.call({ method: 'POST', url: '/v1/delivery-events', as: 'service', payload: { source: 'relay', events: [{ id, type: 'hard_bounce', email: 'mia@example.org', message_id: messageId, occurred_at: osloMorning(today).toISOString(), diagnostic: '550 5.1.1 mailbox unknown' }] } });
  expect((await report('ev-1')).statusCode).toBe(200);
  expect((await report('ev-2')).statusCode).toBe(200); // a second bounce: no second notice
  await drain();
  const toCora = smtp.received.filter((x) => x.to.includes('cora@example.org'));
  expect(toCora).toHaveLength(1);
  expect(body(toCora[0]!)).toContain(`https://app.example.org/peer-mentors/${m.mentorId}`);
  expect(body(toCora[0]!)).not.toContain('mia@example.org'); // the mentor, not the address

  // The next day's reminder (a new one for another silent assignment) is in-app only.
  const contact = await api.prisma.contact.create({ data: { name: 'Ola Hansen' } });
  await api.prisma.assignment.create({ data: { peerMentorId: m.mentorId, contactId: contact.id, coordinatorId: m.coordinatorId, assignedDate: new Date('2026-01-01'), lastContactDate: new Date(`${addDays(today, -13)}T00:00:00Z`) } });
  setDay(addDays(today, 1));
  await api.sweep();
  await drain();
  expect(smtp.received.filter((x) => x.to.includes('mia@example.org'))).toHaveLength(1);
  const latest = (await reminderRows(api.prisma)).at(-1)!;
  expect(latest).toMatchObject({ preferenceApplied: 'undeliverable', emailStatus: 'not_applicable' });
  expect(await api.prisma.notification.count({ where: { recipientType: 'peer_mentor', reminderId: latest.id } })).toBe(1);
});

it('the unsubscribe link of an e-mail, POSTed as a mail client does, leaves the mentor in-app only from then on', async () => {
  const m = await createMentorWithAssignments(api.prisma, { names: ['Kari Nordmann', 'Per Berg'], lastContactDate: [addDays(today, -14), addDays(today, -13)], mentorEmail: 'mia@example.org' });
  await api.sweep();
  await drain();
  const link = /^<(.*)>$/.exec(header(smtp.received[0]!, 'List-Unsubscribe')!)![1]!;
  const path = new URL(link).pathname;
  expect((await api.call({ method: 'GET', url: path })).statusCode).toBe(200);
  expect(await api.prisma.peerMentor.findUniqueOrThrow({ where: { id: m.mentorId } })).toMatchObject({ reminderEmail: true });
  const post = () => api.call({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
  expect((await post()).statusCode).toBe(200);
  expect((await post()).statusCode).toBe(200);
  expect(await api.prisma.peerMentor.findUniqueOrThrow({ where: { id: m.mentorId } })).toMatchObject({ reminderEmail: false });
  expect(await api.prisma.adminAuditLog.count({ where: { action: 'preferences.unsubscribe' } })).toBe(1);

  setDay(addDays(today, 1)); // the second assignment is due now
  await api.sweep();
  await drain();
  expect(smtp.received).toHaveLength(1);
  expect((await reminderRows(api.prisma)).map((r) => r.preferenceApplied)).toEqual(['digest', 'opted_out']);
});

it('an absence registered by the mentor\'s app holds the reminders and moves the next one later by its length', async () => {
  // Silent since D0; away D0+10..D0+14 (5 days): under freeze the first reminder comes on D0+19, not D0+14.
  const d0 = addDays(today, -14);
  const m = await createMentorWithAssignments(api.prisma, { names: ['Kari Nordmann'], lastContactDate: d0, mentorEmail: 'mia@example.org' });
  const res = await api.call({ method: 'POST', url: `/v1/peer-mentors/${m.mentorId}/absences`, as: 'service', payload: { from: addDays(d0, 10), to: addDays(d0, 14), reason: 'holiday' } });
  expect(res.statusCode).toBe(201);
  for (let k = 14; k <= 18; k++) {
    setDay(addDays(d0, k));
    await api.sweep();
    await drain();
  }
  expect(await api.prisma.reminder.count()).toBe(0);
  expect(smtp.received).toHaveLength(0);
  setDay(addDays(d0, 19));
  await api.sweep();
  await drain();
  expect((await reminderRows(api.prisma)).map((r) => r.sequenceNumber)).toEqual([1]);
  expect(smtp.received).toHaveLength(1);
  const view = (await api.call({ method: 'GET', url: `/v1/assignments/${m.assignmentIds[0]}`, as: 'viewer' })).json();
  expect(view.next_reminder).toMatchObject({ due_date: addDays(d0, 26), sequence_number: 2 });
});
