/**
 * Issue 16, "whether reminders work": GET /v1/programmes/{slug}/stats, `reminders stats` and the
 * reminders_effectiveness_* gauges against hand-built reminders and activities, every expected
 * figure worked out by hand below. Two programmes (nyc in America/New_York, default in
 * Europe/Oslo) share the period, so a figure that leaked from one into the other would show.
 *
 * The clock is 2026-11-20T12:00:00Z. New York left summer time on 2026-11-01 at 06:00Z, so local
 * 2026-11-01 starts at 04:00Z (EDT, UTC-4) and local 2026-11-16 at 05:00Z (EST, UTC-5).
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { runCli } from '../helpers/run-cli';
import { EFFECTIVENESS_CACHE_MS } from '@reminders/api/metrics/effectiveness-metrics';

const NOW = '2026-11-20T12:00:00Z';
const SURNAMES = ['Hemmeligsen', 'Skjultvik', 'Lovelace', 'Nordmann', 'Ukjentdal'];

let env: TestEnv;
let api: ApiHarness;
let nycId: number;
const ids: Record<string, number> = {};
const mentors: Record<string, number> = {};

const day = (d: string) => new Date(`${d}T00:00:00Z`);
let keys = 0;

async function assignment(name: string, f: { programmeId: number; mentor: string; contact: string; assigned: string; lastContact?: string; status?: 'active' | 'closed' }) {
  const mentor = await api.prisma.peerMentor.create({ data: { name: f.mentor } });
  const contact = await api.prisma.contact.create({ data: { name: f.contact } });
  const a = await api.prisma.assignment.create({
    data: { peerMentorId: mentor.id, contactId: contact.id, programmeId: f.programmeId, status: f.status ?? 'active', assignedDate: day(f.assigned), lastContactDate: f.lastContact ? day(f.lastContact) : null },
  });
  ids[name] = a.id;
  mentors[name] = mentor.id;
}

/** A reminder of assignment `name` for the silence counted from `anchor`, written at `at`. */
const reminder = (name: string, anchor: string, seq: number, at: string, escalated = false) =>
  api.prisma.reminder.create({
    data: { assignmentId: ids[name]!, reminderKey: `k${++keys}`, anchorDate: day(anchor), sequenceNumber: seq, dueDate: day(at.slice(0, 10)), escalated, fencingToken: 1n, createdAt: new Date(at) },
  });

/** An activity (the trigger moves last_contact_date to its local day in the programme's zone). */
const activity = (name: string, at: string) => api.prisma.activity.create({ data: { assignmentId: ids[name]!, activityType: 'call', occurredAt: new Date(at) } });

const stats = (slug: string, query = '') => api.call({ method: 'GET', url: `/v1/programmes/${slug}/stats${query}`, as: 'viewer' });

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW });
  nycId = (await api.c.services.programmes.create({ slug: 'nyc', name: 'New York', timeZone: 'America/New_York', escalateAfter: 2 }, 'test')).id;
  const nyc = { programmeId: nycId };

  // nyc. A1: followed at 3.25 days; its silence (anchor 10-01) ends with 3 reminders, two before the period.
  // r2 at 04:30Z is local 2026-11-01 00:30 EDT: the period's first local day.
  await assignment('A1', { ...nyc, mentor: 'Mia Hemmeligsen', contact: 'Conrad Skjultvik', assigned: '2026-09-01', lastContact: '2026-10-01' });
  await reminder('A1', '2026-10-01', 1, '2026-10-13T12:00:00Z');
  await reminder('A1', '2026-10-01', 2, '2026-10-20T12:00:00Z', true);
  await reminder('A1', '2026-10-01', 3, '2026-11-01T04:30:00Z', true); // r2
  await activity('A1', '2026-11-04T10:30:00Z'); // r2 + 78 h = 3.25 days, local 11-04: last_contact_date 2026-11-04
  // A2: the contact comes exactly 7 days (168 h) after r3: not followed, but 7.0 days to contact.
  await assignment('A2', { ...nyc, mentor: 'Ola Nordmann', contact: 'Kari Nordmann', assigned: '2026-09-01', lastContact: '2026-10-10' });
  await reminder('A2', '2026-10-10', 1, '2026-11-03T15:00:00Z'); // r3
  await activity('A2', '2026-11-10T15:00:00Z');
  // A3: its only activity is before its reminders (the contact its silence counts from): never counted.
  await assignment('A3', { ...nyc, mentor: ' Per  Ukjentdal', contact: '  Ada\tLovelace', assigned: '2026-09-01' });
  await activity('A3', '2026-10-05T16:00:00Z'); // last_contact_date 2026-10-05
  await reminder('A3', '2026-10-05', 1, '2026-11-04T12:00:00Z'); // r4
  await reminder('A3', '2026-10-05', 2, '2026-11-11T12:00:00Z', true); // r5, local 11-11 07:00
  // A4: silent since it was assigned; both reminders pending at NOW. r7 at 11-16T03:00Z is local
  // 2026-11-15 22:00 EST: inside a period ending 11-15, though it is the 16th in UTC.
  await assignment('A4', { ...nyc, mentor: 'Liv Hemmeligsen', contact: 'Siv Skjultvik', assigned: '2026-10-20' });
  await reminder('A4', '2026-10-20', 1, '2026-11-14T15:00:00Z'); // r6: 7 days end 11-21T15:00Z > NOW
  await reminder('A4', '2026-10-20', 2, '2026-11-16T03:00:00Z', true); // r7
  // A5: its 7 days are still open at NOW, but it was followed 12 hours later: followed, not pending.
  await assignment('A5', { ...nyc, mentor: 'Mia Nordmann', contact: 'Eva Ukjentdal', assigned: '2026-09-01', lastContact: '2026-10-25' });
  await reminder('A5', '2026-10-25', 1, '2026-11-15T14:00:00Z'); // r8
  await activity('A5', '2026-11-16T02:00:00Z'); // + 0.5 days; local 11-15 21:00: last_contact_date 2026-11-15
  // A6: three reminders, all before the period; the last at 11-01T03:00Z is local 10-31 23:00 EDT.
  await assignment('A6', { ...nyc, mentor: 'Tor Lovelace', contact: 'Ida Nordmann', assigned: '2026-10-01' });
  await reminder('A6', '2026-10-01', 1, '2026-10-15T12:00:00Z');
  await reminder('A6', '2026-10-01', 2, '2026-10-22T12:00:00Z', true);
  await reminder('A6', '2026-10-01', 3, '2026-11-01T03:00:00Z', true); // r0
  // A7: closed, three reminders: never on the focus list.
  await assignment('A7', { ...nyc, mentor: 'Ann Ukjentdal', contact: 'Bo Hemmeligsen', assigned: '2026-09-01', status: 'closed' });
  for (const [seq, at] of [[1, '2026-10-01'], [2, '2026-10-08'], [3, '2026-10-15']] as const) await reminder('A7', '2026-09-01', seq, `${at}T12:00:00Z`, seq >= 2);
  // A9: contact 10.5 days (252 h) after r9: not followed.
  await assignment('A9', { ...nyc, mentor: 'Eli Skjultvik', contact: 'Tom Lovelace', assigned: '2026-09-01', lastContact: '2026-10-20' });
  await reminder('A9', '2026-10-20', 1, '2026-11-06T12:00:00Z'); // r9
  await activity('A9', '2026-11-17T00:00:00Z'); // local 11-16 19:00: last_contact_date 2026-11-16

  // default (Europe/Oslo, escalate_after 3): the same days, none of it may reach nyc's figures.
  const def = { programmeId: 1 };
  await assignment('D1', { ...def, mentor: 'Nora Hemmeligsen', contact: 'Jon Skjultvik', assigned: '2026-09-01', lastContact: '2026-10-01' });
  await reminder('D1', '2026-10-01', 1, '2026-11-02T08:00:00Z'); // d1: contact 10.5 days later
  await reminder('D1', '2026-10-01', 2, '2026-11-09T08:00:00Z'); // d2: 3.5 days
  await reminder('D1', '2026-10-01', 3, '2026-11-12T08:00:00Z', true); // d3: 0.5 days, followed
  await activity('D1', '2026-11-12T20:00:00Z');
  await assignment('D2', { ...def, mentor: 'Ask Nordmann', contact: 'Una Lovelace', assigned: '2026-09-01', lastContact: '2026-10-05' });
  await reminder('D2', '2026-10-05', 1, '2026-11-03T08:00:00Z'); // d4: 1.0 day, followed
  await activity('D2', '2026-11-04T08:00:00Z');
  await assignment('D3', { ...def, mentor: 'Sol Ukjentdal', contact: 'Vera Hemmeligsen', assigned: '2026-09-01', lastContact: '2026-10-06' });
  await reminder('D3', '2026-10-06', 1, '2026-11-05T08:00:00Z'); // d5: 1.0 day, followed
  await activity('D3', '2026-11-06T08:00:00Z');
  await assignment('D4', { ...def, mentor: 'Kai Skjultvik', contact: 'Mona Nordmann', assigned: '2026-10-01' });
  await reminder('D4', '2026-10-01', 1, '2026-10-20T08:00:00Z');
  await reminder('D4', '2026-10-01', 2, '2026-10-27T08:00:00Z');
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

it('the activities moved each anchor as the figures below assume', async () => {
  const anchors = await api.prisma.assignment.findMany({ where: { id: { in: Object.values(ids) } }, select: { id: true, lastContactDate: true } });
  const byName = Object.fromEntries(Object.entries(ids).map(([n, id]) => [n, anchors.find((a) => a.id === id)!.lastContactDate?.toISOString().slice(0, 10) ?? null]));
  expect(byName).toEqual({ A1: '2026-11-04', A2: '2026-11-10', A3: '2026-10-05', A4: null, A5: '2026-11-15', A6: null, A7: null, A9: '2026-11-16', D1: '2026-11-12', D2: '2026-11-04', D3: '2026-11-06', D4: null });
});

describe('GET /v1/programmes/{slug}/stats', () => {
  it("counts nyc's period by New York's local days, and none of default's", async () => {
    const res = await stats('nyc', '?from=2026-11-01&to=2026-11-15');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      programme: 'nyc',
      time_zone: 'America/New_York',
      from: '2026-11-01',
      to: '2026-11-15',
      days: 15,
      silent_after: 2, // nyc's escalate_after
      computed_at: '2026-11-20T12:00:00.000Z',
      // In the period: r2, r3, r4, r5, r6, r7 (local 11-15), r8, r9 = 8. Not r0 (local 10-31) nor
      // A1's, A6's and A7's October reminders, nor any of default's five November ones.
      reminders: 8,
      escalated: 3, // r2, r5, r7
      followed: 2, // r2 (+3.25 d), r8 (+0.5 d); r3's contact at exactly 7 d and r9's at 10.5 d are too late, r4/r5 have none after them
      pending: 2, // r6, r7: no contact and 7 days not over at 11-20T12:00Z (r8's are open too, but it was followed)
      share: 0.3333, // 2 / (8 - 2)
      contacted: 4, // r8 0.5, r2 3.25, r3 7.0, r9 10.5 (A3's activity is before r4 and r5)
      median_days_to_contact: 5.1, // (3.25 + 7.0) / 2 = 5.125
      // Silences with a reminder in the period that ended in contact: A1 (3 reminders, two of them
      // before the period), A2 (1), A5 (1), A9 (1) = 6 / 4. A3's and A4's are still silent.
      reminders_until_contact: { mean: 1.5, episodes: 4 },
      // Now, whatever the period: active, current silence with >= 2 reminders. A6 (3), then the two
      // with 2 silent longest first: A3 (since 10-05) before A4 (since 10-20). A7 is closed;
      // default's D4 (2 reminders) is another programme's.
      focus: [
        { assignment_id: ids.A6, peer_mentor: { id: mentors.A6, first_name: 'Tor' }, contact_first_name: 'Ida', reminders: 3, silent_since: '2026-10-01', last_reminder_on: '2026-10-31' },
        { assignment_id: ids.A3, peer_mentor: { id: mentors.A3, first_name: 'Per' }, contact_first_name: 'Ada', reminders: 2, silent_since: '2026-10-05', last_reminder_on: '2026-11-11' },
        { assignment_id: ids.A4, peer_mentor: { id: mentors.A4, first_name: 'Liv' }, contact_first_name: 'Siv', reminders: 2, silent_since: '2026-10-20', last_reminder_on: '2026-11-15' },
      ],
      focus_total: 3,
    });
    for (const surname of SURNAMES) expect(res.body).not.toContain(surname);
  });

  it("counts default's period by Oslo's local days, and none of nyc's", async () => {
    const res = await stats('default', '?from=2026-11-01&to=2026-11-15&silent_after=2');
    expect(res.statusCode).toBe(200);
    const { computed_at: _at, ...figures } = res.json();
    expect(figures).toEqual({
      programme: 'default',
      time_zone: 'Europe/Oslo',
      from: '2026-11-01',
      to: '2026-11-15',
      days: 15,
      silent_after: 2,
      reminders: 5, // d1..d5 (D4's are in October)
      escalated: 1, // d3
      // D1's one activity (11-12T20:00Z) follows d1 by 10.5 days (too late), d2 by 3.5 and d3 by 0.5;
      // d4 and d5 are followed after 1.0 day each.
      followed: 4,
      pending: 0,
      share: 0.8, // 4 / (5 - 0)
      contacted: 5,
      median_days_to_contact: 1, // 0.5, 1.0, 1.0, 3.5, 10.5
      reminders_until_contact: { mean: 1.67, episodes: 3 }, // D1 3, D2 1, D3 1: 5 / 3 = 1.666...
      focus: [{ assignment_id: ids.D4, peer_mentor: { id: mentors.D4, first_name: 'Kai' }, contact_first_name: 'Mona', reminders: 2, silent_since: '2026-10-01', last_reminder_on: '2026-10-27' }],
      focus_total: 1,
    });
  });

  it('puts a reminder on the local day of the programme, not the UTC one', async () => {
    // Local 2026-10-31 in New York: r0 alone (11-01T03:00Z, 23:00 EDT); A6's silence has not ended.
    expect((await stats('nyc', '?from=2026-10-31&to=2026-10-31')).json()).toMatchObject({
      reminders: 1, escalated: 1, followed: 0, pending: 0, share: 0, contacted: 0, median_days_to_contact: null,
      reminders_until_contact: { mean: null, episodes: 0 },
    });
    // Local 2026-11-15: r8 (14:00Z) and r7 (11-16T03:00Z, 22:00 EST), both with their 7 days open; r8 was followed.
    expect((await stats('nyc', '?from=2026-11-15&to=2026-11-15')).json()).toMatchObject({ reminders: 2, followed: 1, pending: 1, share: 1, contacted: 1, median_days_to_contact: 0.5 });
  });

  it('an empty period has nulls, not 0 or NaN, and still the focus list (which is about now)', async () => {
    // Local 2026-11-16 in New York starts at 05:00Z: r7 (03:00Z) is the 15th's.
    const res = await stats('nyc', '?from=2026-11-16&to=2026-12-31&silent_after=3');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      days: 46,
      silent_after: 3,
      reminders: 0, escalated: 0, followed: 0, pending: 0, share: null, contacted: 0, median_days_to_contact: null,
      reminders_until_contact: { mean: null, episodes: 0 },
      focus: [{ assignment_id: ids.A6, reminders: 3 }],
      focus_total: 1,
    });
    expect(res.body).not.toMatch(/NaN/);
    expect((await stats('nyc', '?from=2026-11-16&to=2026-11-16&silent_after=4')).json()).toMatchObject({ focus: [], focus_total: 0 });
  });

  it("defaults to the last 28 days ending today in the programme's zone, and N to its escalate_after", async () => {
    // 12:00Z on 11-20 is 07:00 in New York: 10-24..11-20, which adds r0 (local 10-31) to the eight above.
    const res = await stats('nyc');
    expect(res.json()).toMatchObject({ from: '2026-10-24', to: '2026-11-20', days: 28, silent_after: 2, reminders: 9, escalated: 4, followed: 2, pending: 2, share: 0.2857, focus_total: 3 });
    expect((await stats('nyc', '?to=2026-11-15')).json()).toMatchObject({ from: '2026-10-19', to: '2026-11-15', days: 28 });
  });

  it('lists at most 100 on the focus list and counts them all', async () => {
    const big = await api.c.services.programmes.create({ slug: 'big', name: 'Big', escalateAfter: 1 }, 'test');
    // 105 silent assignments with one reminder each; assignment i silent since 2026-10-01 + (i mod 10) days.
    await api.prisma.$executeRaw`
      WITH m AS (INSERT INTO peer_mentors (name) VALUES ('Big Hemmeligsen') RETURNING id),
           k AS (INSERT INTO contacts (name) SELECT 'Contact ' || g FROM generate_series(1, 105) g RETURNING id),
           a AS (INSERT INTO assignments (peer_mentor_id, contact_id, programme_id, assigned_date)
                 SELECT m.id, k.id, ${big.id}::int, date '2026-10-01' + (k.id % 10) FROM k, m RETURNING id, assigned_date)
      INSERT INTO reminders (assignment_id, reminder_key, anchor_date, sequence_number, due_date, fencing_token, created_at)
      SELECT id, 'big-' || id, assigned_date, 1, assigned_date + 14, 1, (assigned_date + 14)::timestamp AT TIME ZONE 'UTC' FROM a`;
    const res = (await stats('big', '?from=2026-11-01&to=2026-11-30')).json();
    expect(res.focus).toHaveLength(100);
    expect(res.focus_total).toBe(105);
    const since = res.focus.map((f: { silent_since: string }) => f.silent_since);
    expect(since).toEqual([...since].sort());
    expect(res.focus[0]).toMatchObject({ peer_mentor: { first_name: 'Big' }, contact_first_name: 'Contact', silent_since: '2026-10-01' });
  });

  it.each([
    ['?from=2026-13-01', /from/],
    ['?from=2026-02-30', /from/],
    ['?to=yesterday', /to/],
    ['?from=2026-11-15&to=2026-11-01', /from must not be after to \(2026-11-15 > 2026-11-01\)/],
    ['?from=2025-01-01&to=2026-01-02', /at most 366 days from from, both counted \(2025-01-01\.\.2026-01-02 is 367 days\)/],
    ['?silent_after=0', /silent_after/],
    ['?silent_after=101', /silent_after must be a whole number from 1 to 100, got 101/],
    ['?silent_after=two', /silent_after/],
    ['?silentAfter=2', /unknown field/],
  ])('%s is a 400 problem', async (query, detail) => {
    const res = await stats('nyc', query);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: '/problems/validation-error', status: 400, detail: expect.stringMatching(detail) });
  });

  it('takes a period of exactly 366 days; an unknown programme is a 404, a malformed slug a 400', async () => {
    expect((await stats('nyc', '?from=2025-01-01&to=2026-01-01')).json()).toMatchObject({ days: 366 });
    const missing = await stats('nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: '/problems/programme-not-found', detail: 'programme "nowhere" does not exist' });
    expect((await stats('Not_A_Slug')).statusCode).toBe(400);
  });

  it('is for viewer, operator and admin tokens, not service ones', async () => {
    for (const role of ['viewer', 'operator', 'admin'] as const) expect((await api.call({ method: 'GET', url: '/v1/programmes/nyc/stats', as: role })).statusCode).toBe(200);
    expect((await api.call({ method: 'GET', url: '/v1/programmes/nyc/stats', as: 'service' })).statusCode).toBe(403);
    expect((await api.call({ method: 'GET', url: '/v1/programmes/nyc/stats' })).statusCode).toBe(401);
  });
});

describe('/metrics: reminders_effectiveness_*', () => {
  const sample = (body: string, name: string, programme: string) => {
    const m = new RegExp(`^${name}\\{programme="${programme}"\\} (\\S+)$`, 'm').exec(body);
    return m ? Number(m[1]) : undefined;
  };
  const scrape = async () => (await api.call({ method: 'GET', url: '/metrics', as: 'viewer' })).body;

  it('gives each programme the last 28 local days by the same SQL, computed at most once a minute', async () => {
    // A fresh metrics instance (app.ts builds one per app): its cache starts empty.
    const body = await scrape();
    // nyc: as the API's default period above (10-24..11-20). big has its 105 reminders in October-November.
    expect(sample(body, 'reminders_effectiveness_reminders', 'nyc')).toBe(9);
    expect(sample(body, 'reminders_effectiveness_followed', 'nyc')).toBe(2);
    expect(sample(body, 'reminders_effectiveness_pending', 'nyc')).toBe(2);
    expect(sample(body, 'reminders_effectiveness_followed_ratio', 'nyc')).toBe(0.2857);
    expect(sample(body, 'reminders_effectiveness_median_days_to_contact', 'nyc')).toBe(5.1);
    expect(sample(body, 'reminders_effectiveness_reminders_until_contact', 'nyc')).toBe(1.5);
    expect(sample(body, 'reminders_effectiveness_focus_assignments', 'nyc')).toBe(3); // N = escalate_after 2
    // default (Oslo, 10-24..11-20): d1..d5 and D4's 10-27 reminder; followed 4 of 6; N = 3 puts nobody on its list.
    expect(sample(body, 'reminders_effectiveness_reminders', 'default')).toBe(6);
    expect(sample(body, 'reminders_effectiveness_followed_ratio', 'default')).toBe(0.6667);
    expect(sample(body, 'reminders_effectiveness_focus_assignments', 'default')).toBe(0);

    // A new reminder is not seen for a minute (the SQL is not run again) ...
    await reminder('A2', '2026-11-10', 1, '2026-11-19T12:00:00Z');
    expect(sample(await scrape(), 'reminders_effectiveness_reminders', 'nyc')).toBe(9);
    const clock = api.clock as unknown as { advance(ms: number): void; set(d: string): void };
    clock.advance(EFFECTIVENESS_CACHE_MS - 1000);
    expect(sample(await scrape(), 'reminders_effectiveness_reminders', 'nyc')).toBe(9);
    // ... and is once it is over: 10 reminders, the new one pending (its 7 days are open).
    clock.advance(1000);
    const later = await scrape();
    expect(sample(later, 'reminders_effectiveness_reminders', 'nyc')).toBe(10);
    expect(sample(later, 'reminders_effectiveness_pending', 'nyc')).toBe(3);
    clock.set(NOW);
  });

  it('a programme with no reminder in its 28 days has counts of 0 and no ratio, median or mean sample', async () => {
    await api.c.services.programmes.create({ slug: 'quiet', name: 'Quiet' }, 'test');
    const clock = api.clock as unknown as { advance(ms: number): void; set(d: string): void };
    // Five minutes on: whatever an earlier scrape cached is over.
    clock.set('2026-11-20T12:05:00Z');
    const body = await scrape();
    clock.set(NOW);
    expect(sample(body, 'reminders_effectiveness_reminders', 'quiet')).toBe(0);
    expect(sample(body, 'reminders_effectiveness_focus_assignments', 'quiet')).toBe(0);
    for (const name of ['reminders_effectiveness_followed_ratio', 'reminders_effectiveness_median_days_to_contact', 'reminders_effectiveness_reminders_until_contact']) {
      expect(sample(body, name, 'quiet')).toBeUndefined();
    }
    expect(body).not.toMatch(/NaN/);
  });
});

describe('npx reminders stats', () => {
  const cli = (...args: string[]) => runCli(['stats', ...args], env.env({ LOG_LEVEL: 'silent' }));

  it('prints the same figures as the API (--json) and a summary with the focus list', async () => {
    // The CLI runs on the real clock (any day after 2026-11-23), so no reminder of the period is pending for it:
    // r6 and r7 have no contact and count as not followed. followed 2 of 8 = 0.25.
    const json = await cli('--programme', 'nyc', '--from', '2026-11-01', '--to', '2026-11-15', '--json');
    expect(json.code).toBe(0);
    const { computed_at: _at, pending, share, focus, ...rest } = JSON.parse(json.stdout);
    const { computed_at: _apiAt, pending: _p, share: _s, focus: apiFocus, ...api11 } = (await stats('nyc', '?from=2026-11-01&to=2026-11-15')).json();
    expect(rest).toEqual(api11);
    expect({ pending, share }).toEqual({ pending: 0, share: 0.25 });
    expect(focus.length).toBe(3);
    expect(focus).toEqual(apiFocus.slice(0, 3));
    for (const surname of SURNAMES) expect(json.stdout).not.toContain(surname);

    const text = await cli('--programme', 'nyc', '--from', '2026-11-01', '--to', '2026-11-15', '--silent-after', '3');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('programme nyc (America/New_York), 2026-11-01..2026-11-15 (15 days)\n');
    expect(text.stdout).toContain('reminders: 8 (3 escalated)\n');
    expect(text.stdout).toContain('followed by contact within 7 days: 2 of 8 (25.0%); 0 pending\n');
    expect(text.stdout).toContain('median days to contact: 5.1 (over 4 reminders with a later contact)\n');
    expect(text.stdout).toContain('reminders until contact: 1.5 per silence (4 silences ended with contact)\n');
    expect(text.stdout).toContain('silent after 3 reminders or more: 1 assignment(s)\n');
    expect(text.stdout).toMatch(new RegExp(`^  ${ids.A6}\\s+${mentors.A6} Tor\\s+Ida\\s+3\\s+2026-10-01\\s+2026-10-31$`, 'm'));
    for (const surname of SURNAMES) expect(text.stdout).not.toContain(surname);

    const empty = await cli('--programme', 'nyc', '--from', '2026-11-16', '--to', '2026-11-16', '--silent-after', '4');
    expect(empty.stdout).toContain('followed by contact within 7 days: 0 of 0 (-); 0 pending\nmedian days to contact: - (over 0 reminders');
  });

  it.each([
    [['--programme', 'nowhere'], /no programme "nowhere"/],
    [[], /there are \d+ programmes \(default, nyc, .*\): name one with --programme SLUG/],
    [['--programme', 'nyc', '--from', '2026-11-31'], /from must be a calendar date YYYY-MM-DD, got "2026-11-31"/],
    [['--programme', 'nyc', '--from', '2026-11-15', '--to', '2026-11-01'], /from must not be after to/],
    [['--programme', 'nyc', '--from', '2025-01-01', '--to', '2026-01-02'], /at most 366 days/],
    [['--programme', 'nyc', '--silent-after', 'many'], /--silent-after must be a whole number, got "many"/],
    [['--programme', 'nyc', '--silent-after', '0'], /silent_after must be a whole number from 1 to 100, got 0/],
  ])('%j exits 2 with one line', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
