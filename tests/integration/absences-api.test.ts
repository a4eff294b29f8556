/**
 * Issue 16, absences and snoozes over HTTP: validation (precise 400s that change nothing), 404s,
 * audit rows, idempotent cancel and unsnooze, and the next reminder the answers give under
 * `freeze`, `cover` and a snooze, with hand-computed dates. The JS mirror of reminder_due is
 * checked against the SQL function on a grid of days.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { addDays } from '@reminders/core/domain/calendar';
import { reminderDue, type DateRange } from '@reminders/core/domain/reminder-due';
type ManualClock = { set(d: string): void };

// 2026-11-05 in Oslo; every assignment below is silent since 2026-11-01 (first after 14, repeat 7).
const NOW = '2026-11-05T09:00:00Z';
let env: TestEnv;
let api: ApiHarness;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

const silent = (f: { programmeId?: number; status?: 'active' | 'closed' } = {}) => createAssignment(api.prisma, { assignedDate: '2026-10-01', lastContactDate: '2026-11-01', ...f });
const addAbsence = (mentor: number, payload: object, as: 'service' | 'operator' | 'admin' | 'viewer' = 'service') =>
  api.call({ method: 'POST', url: `/v1/peer-mentors/${mentor}/absences`, as, payload });
const next = async (id: number) => {
  const body = (await api.call({ method: 'GET', url: `/v1/assignments/${id}`, as: 'viewer' })).json();
  return { ...body.next_reminder, to: body.next_reminder_to };
};
const audits = (action: string) => api.prisma.adminAuditLog.findMany({ where: { action }, orderBy: { id: 'asc' } });
const snapshot = async () => JSON.stringify([await api.prisma.mentorAbsence.findMany({ orderBy: { id: 'asc' } }), await api.prisma.adminAuditLog.count(), await api.prisma.assignment.findMany({ orderBy: { id: 'asc' }, select: { snoozedUntil: true } })]);

describe('absences under freeze', () => {
  it('moves the first reminder as many days later as the absence lasts (11-15 -> 11-20), audited, answered with the effect', async () => {
    const { assignmentId, mentorId } = await silent();
    expect(await next(assignmentId)).toMatchObject({ due_date: '2026-11-15', sequence_number: 1, to: 'mentor' });
    const res = await addAbsence(mentorId, { from: '2026-11-10', to: '2026-11-14', reason: ' Autumn holiday ' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.absence).toEqual({
      id: expect.any(Number),
      peer_mentor_id: mentorId,
      from: '2026-11-10',
      to: '2026-11-14',
      reason: 'Autumn holiday',
      created_by: 'test-service',
      created_at: new Date(NOW).toISOString(),
      cancelled_at: null,
      cancelled_by: null,
    });
    expect(body.effect).toEqual([
      { assignment_id: assignmentId, programme: 'default', absence_policy: 'freeze', next_reminder: { due_date: '2026-11-20', sequence_number: 1, escalated: false }, next_reminder_to: 'mentor' },
    ]);
    expect(await next(assignmentId)).toMatchObject({ due_date: '2026-11-20', sequence_number: 1 });
    const [audit] = await audits('absence.create');
    expect(audit).toMatchObject({ actor: 'test-service', targetType: 'peer_mentor', targetId: String(mentorId), after: { absenceId: body.absence.id, from: '2026-11-10', to: '2026-11-14', reason: 'Autumn holiday' } });

    // An overlapping absence (11-12..11-16) adds only its two new days: 11-22.
    const overlap = await addAbsence(mentorId, { from: '2026-11-12', to: '2026-11-16' }, 'operator');
    expect(overlap.statusCode).toBe(201);
    expect(overlap.json().effect[0].next_reminder).toEqual({ due_date: '2026-11-22', sequence_number: 1, escalated: false });

    // Cancelled: the first one no longer counts (the second alone is 5 days again: 11-20); again: same row, no new audit row.
    const del = await api.call({ method: 'DELETE', url: `/v1/peer-mentors/${mentorId}/absences/${body.absence.id}`, as: 'operator' });
    expect(del.statusCode).toBe(200);
    expect(del.json().absence).toMatchObject({ id: body.absence.id, cancelled_at: new Date(NOW).toISOString(), cancelled_by: 'test-operator' });
    expect(del.json().effect[0].next_reminder.due_date).toBe('2026-11-20');
    const again = await api.call({ method: 'DELETE', url: `/v1/peer-mentors/${mentorId}/absences/${body.absence.id}`, as: 'admin' });
    expect(again.statusCode).toBe(200);
    expect(again.json().absence).toEqual(del.json().absence);
    expect(await audits('absence.cancel')).toHaveLength(1);

    const list = await api.call({ method: 'GET', url: `/v1/peer-mentors/${mentorId}/absences`, as: 'viewer' });
    expect(list.json().absences.map((a: { from: string }) => a.from)).toEqual(['2026-11-12']);
    const all = await api.call({ method: 'GET', url: `/v1/peer-mentors/${mentorId}/absences?include_cancelled=true`, as: 'service' });
    expect(all.json().absences.map((a: { from: string }) => a.from)).toEqual(['2026-11-10', '2026-11-12']);
  });

  it('the activity answer counts an absence ahead: contact on 11-05, away 11-10..11-14 -> 11-24', async () => {
    const { assignmentId, mentorId } = await silent();
    await addAbsence(mentorId, { from: '2026-11-10', to: '2026-11-14' });
    const res = await api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: { assignment_id: assignmentId, activity_type: 'call', occurred_at: '2026-11-05T08:00:00Z', registration_path: 'direct', registered_by: 'mia' } });
    expect(res.statusCode).toBe(201);
    expect(res.json().assignment).toMatchObject({ anchor_date: '2026-11-05', next_reminder: { due_date: '2026-11-24', sequence_number: 1 }, next_reminder_to: 'mentor', snoozed_until: null });
  });
});

describe('absences under cover', () => {
  it('keeps the date and says the reminder goes to the coordinator when the mentor is away that day', async () => {
    const cover = (await api.c.services.programmes.create({ slug: 'covered', name: 'Covered', absencePolicy: 'cover' }, 'test')).id;
    const { assignmentId, mentorId } = await silent({ programmeId: cover });
    const res = await addAbsence(mentorId, { from: '2026-11-14', to: '2026-11-16' });
    expect(res.json().effect).toEqual([
      { assignment_id: assignmentId, programme: 'covered', absence_policy: 'cover', next_reminder: { due_date: '2026-11-15', sequence_number: 1, escalated: false }, next_reminder_to: 'coordinator' },
    ]);
    // Away only before the due day: the mentor gets it.
    const other = await silent({ programmeId: cover });
    await addAbsence(other.mentorId, { from: '2026-11-10', to: '2026-11-12' });
    expect(await next(other.assignmentId)).toMatchObject({ due_date: '2026-11-15', to: 'mentor' });
  });
});

describe('snooze', () => {
  it('holds the next reminder until the day after, audited before and after; clearing is idempotent', async () => {
    const { assignmentId } = await silent();
    const res = await api.call({ method: 'PUT', url: `/v1/assignments/${assignmentId}/snooze`, as: 'service', payload: { until: '2026-11-18', reason: 'Contact in hospital' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      assignment_id: assignmentId,
      snoozed_until: '2026-11-18',
      reason: 'Contact in hospital',
      changed: true,
      before: { until: null, reason: null },
      next_reminder: { due_date: '2026-11-19', sequence_number: 1, escalated: false },
      next_reminder_to: 'mentor',
    });
    expect((await api.call({ method: 'GET', url: `/v1/assignments/${assignmentId}`, as: 'viewer' })).json()).toMatchObject({ snoozed_until: '2026-11-18', next_reminder: { due_date: '2026-11-19' } });
    // Snoozed past the second reminder's day: the one current the day after (reminder 2) comes then.
    const longer = await api.call({ method: 'PUT', url: `/v1/assignments/${assignmentId}/snooze`, as: 'operator', payload: { until: '2026-11-23' } });
    expect(longer.json()).toMatchObject({ before: { until: '2026-11-18', reason: 'Contact in hospital' }, next_reminder: { due_date: '2026-11-24', sequence_number: 2 } });
    expect((await audits('assignment.snooze')).filter((a) => a.targetId === String(assignmentId)).map((a) => [a.actor, a.before, a.after])).toEqual([
      ['test-service', { until: null, reason: null }, { until: '2026-11-18', reason: 'Contact in hospital' }],
      ['test-operator', { until: '2026-11-18', reason: 'Contact in hospital' }, { until: '2026-11-23', reason: null }],
    ]);

    const clear = await api.call({ method: 'DELETE', url: `/v1/assignments/${assignmentId}/snooze`, as: 'admin' });
    expect(clear.json()).toMatchObject({ snoozed_until: null, changed: true, next_reminder: { due_date: '2026-11-15', sequence_number: 1 } });
    const twice = await api.call({ method: 'DELETE', url: `/v1/assignments/${assignmentId}/snooze`, as: 'admin' });
    expect(twice.statusCode).toBe(200);
    expect(twice.json()).toMatchObject({ snoozed_until: null, changed: false });
    expect(await audits('assignment.unsnooze')).toHaveLength(1);
  });

  it('refuses a closed assignment (409) and an unknown one (404)', async () => {
    const { assignmentId } = await silent({ status: 'closed' });
    const closed = await api.call({ method: 'PUT', url: `/v1/assignments/${assignmentId}/snooze`, as: 'admin', payload: { until: '2026-11-20' } });
    expect(closed.statusCode).toBe(409);
    expect((await api.call({ method: 'PUT', url: '/v1/assignments/999999/snooze', as: 'admin', payload: { until: '2026-11-20' } })).statusCode).toBe(404);
    expect((await api.call({ method: 'DELETE', url: '/v1/assignments/999999/snooze', as: 'admin' })).statusCode).toBe(404);
  });
});

describe('refusals change nothing', () => {
  let mentor: number;
  let assignment: number;
  beforeAll(async () => {
    ({ mentorId: mentor, assignmentId: assignment } = await silent());
  });

  it.each([
    [{ from: '2026-02-30', to: '2026-03-02' }, 400, /from/],
    [{ from: '2026-11-10', to: '2026-11-09' }, 400, /to \(2026-11-09\) must not be before from \(2026-11-10\)/],
    [{ from: '2026-11-10', to: '2027-11-11' }, 400, /at most 366 days; 2026-11-10 to 2027-11-11 is 367/],
    [{ from: '2028-10-01', to: '2028-11-06' }, 400, /more than 2 years ahead; the latest is 2028-11-05/],
    [{ from: '2026-11-10', to: '2026-11-12', reason: 'x'.repeat(501) }, 400, /reason/],
    [{ from: '2026-11-10', to: '2026-11-12', extra: 1 }, 400, /extra/],
  ])('POST absences %j -> %s', async (payload, status, detail) => {
    const before = await snapshot();
    const res = await addAbsence(mentor, payload, 'admin');
    expect(res.statusCode).toBe(status);
    expect(res.json().detail).toMatch(detail);
    expect(await snapshot()).toBe(before);
  });

  it('an absence of exactly 366 days ending exactly 2 years ahead is taken', async () => {
    const { mentorId } = await silent();
    expect((await addAbsence(mentorId, { from: '2027-11-05', to: '2028-11-04' })).statusCode).toBe(201);
    expect((await addAbsence(mentorId, { from: '2028-11-05', to: '2028-11-05' })).statusCode).toBe(201);
  });

  it.each([
    [{ until: '2026-11-04' }, /until \(2026-11-04\) is in the past; today is 2026-11-05 in Europe\/Oslo/],
    [{ until: '2027-11-07' }, /more than 366 days ahead; the latest is 2027-11-06/],
    [{ until: '2026-13-01' }, /until/],
    [{}, /until/],
  ])('PUT snooze %j -> 400', async (payload, detail) => {
    const before = await snapshot();
    const res = await api.call({ method: 'PUT', url: `/v1/assignments/${assignment}/snooze`, as: 'admin', payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(detail);
    expect(await snapshot()).toBe(before);
  });

  it('answers 404 for an unknown mentor, and for an absence that is unknown or another mentor\'s', async () => {
    expect((await addAbsence(999999, { from: '2026-11-10', to: '2026-11-12' })).json()).toMatchObject({ status: 404, detail: 'peer mentor 999999 does not exist' });
    expect((await api.call({ method: 'GET', url: '/v1/peer-mentors/999999/absences', as: 'viewer' })).statusCode).toBe(404);
    const { mentorId: other } = await silent();
    const theirs = (await addAbsence(other, { from: '2026-11-10', to: '2026-11-12' })).json().absence.id;
    const before = await snapshot();
    expect((await api.call({ method: 'DELETE', url: `/v1/peer-mentors/${mentor}/absences/${theirs}`, as: 'admin' })).statusCode).toBe(404);
    expect((await api.call({ method: 'DELETE', url: `/v1/peer-mentors/${mentor}/absences/999999`, as: 'admin' })).statusCode).toBe(404);
    expect(await snapshot()).toBe(before);
  });

  it('lets a viewer read absences but not register one', async () => {
    expect((await addAbsence(mentor, { from: '2026-11-10', to: '2026-11-12' }, 'viewer')).statusCode).toBe(403);
    expect((await api.call({ method: 'GET', url: `/v1/peer-mentors/${mentor}/absences`, as: 'viewer' })).statusCode).toBe(200);
  });
});

it('reminder_due in SQL and in JS agree (freeze and cover, overlapping absences, snooze, stop rule)', async () => {
  const { mentorId } = await silent();
  const ranges: DateRange[] = [
    ['2026-11-03', '2026-11-06'],
    ['2026-11-05', '2026-11-09'],
    ['2026-11-20', '2026-11-20'],
    ['2026-12-01', '2026-12-10'],
  ];
  for (const [from, to] of ranges) await api.prisma.mentorAbsence.create({ data: { peerMentorId: mentorId, startsOn: new Date(`${from}T00:00:00Z`), endsOn: new Date(`${to}T00:00:00Z`), createdBy: 'test' } });
  // A cancelled one counts for nothing on either side.
  await api.prisma.mentorAbsence.create({ data: { peerMentorId: mentorId, startsOn: new Date('2026-11-25T00:00:00Z'), endsOn: new Date('2026-11-27T00:00:00Z'), createdBy: 'test', cancelledAt: new Date(NOW), cancelledBy: 'test' } });
  const rules = { firstAfterDays: 5, repeatEveryDays: 3, escalateAfter: 3 };
  for (const policy of ['freeze', 'cover'] as const) {
    for (const snoozedUntil of [null, '2026-11-22']) {
      const days = Array.from({ length: 50 }, (_, k) => addDays('2026-10-30', k));
      const sql = await api.prisma.$queryRaw<{ d: string; silent: number; seq: number; due_date: string; absent_today: boolean; snoozed: boolean; due: boolean }[]>`
        SELECT g.d::date::text AS d, r.silent, r.seq, r.due_date::text AS due_date, r.absent_today, r.snoozed, r.due
          FROM generate_series('2026-10-30'::date, '2026-12-18'::date, interval '1 day') g(d)
          CROSS JOIN LATERAL reminder_due(${mentorId}::int, '2026-11-01'::date, g.d::date, 5, 3, 6, ${policy}::absence_policy, ${snoozedUntil}::date) r
         ORDER BY 1`;
      const js = days.map((d) => ({ d, ...reminderDue('2026-11-01', d, rules, 6, { policy, absences: ranges, snoozedUntil }) }));
      expect(js.map(({ d, silent: s, seq, dueDate, absentToday, snoozed, due }) => ({ d, silent: s, seq, due_date: dueDate, absent_today: absentToday, snoozed, due }))).toEqual(sql);
    }
  }
});

it('the next reminder follows the clock: on the first absent day it is still the one after the absence', async () => {
  const { assignmentId, mentorId } = await silent();
  await addAbsence(mentorId, { from: '2026-11-10', to: '2026-11-14' });
  (api.clock as unknown as ManualClock).set('2026-11-12T09:00:00Z');
  try {
    expect(await next(assignmentId)).toMatchObject({ due_date: '2026-11-20', sequence_number: 1 });
  } finally {
    (api.clock as unknown as ManualClock).set(NOW);
  }
});
