/**
 * Issue 4, "the activity registration hook": every way an activity is registered (direct, proxy,
 * coordinator proxy, bulk, a direct SQL insert by another service) moves last_contact_date to the
 * activity's calendar day in REMINDER_TZ, never backwards, and the next real sweep then sends
 * that assignment no reminder. Bulk registration reports each item and is idempotent.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/wait-for';
import { Client } from 'pg';

const NOW = '2026-11-28T06:00:00Z'; // 07:00 in Oslo
/** 23:30 UTC on the 27th is already the 28th in Oslo: the day must come from REMINDER_TZ. */
const LATE_EVENING = '2026-11-27T23:30:00Z';

let env: TestEnv;
let api: ApiHarness;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW, workers: true });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

const silentSinceNovember = async () => (await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' })).assignmentId;

async function lastContact(id: number): Promise<string | null> {
  const a = await api.prisma.assignment.findUniqueOrThrow({ where: { id } });
  return a.lastContactDate ? a.lastContactDate.toISOString().slice(0, 10) : null;
}

async function dueIds(): Promise<number[]> {
  const c = api.c;
  const page = await c.repositories.dueAssignments.findDuePage({ now: c.clock.now(), afterId: 0, limit: 10_000 });
  return page.map((d) => d.assignmentId);
}

const activityCount = () => api.prisma.activity.count();

describe('every registration path moves last_contact_date before the next sweep', () => {
  it('direct, proxy, coordinator proxy, bulk and a direct SQL insert: contact recorded, no reminder sent', async () => {
    const ids = {
      direct: await silentSinceNovember(),
      proxy: await silentSinceNovember(),
      coordinator_proxy: await silentSinceNovember(),
      bulk: await silentSinceNovember(),
      database: await silentSinceNovember(),
    };
    const control = await silentSinceNovember();
    const due = await dueIds();
    for (const id of [...Object.values(ids), control]) expect(due).toContain(id);

    for (const path of ['direct', 'proxy', 'coordinator_proxy'] as const) {
      const res = await api.call({
        method: 'POST',
        url: '/v1/activities',
        as: 'service',
        payload: { assignment_id: ids[path], activity_type: 'call', occurred_at: LATE_EVENING, registration_path: path, registered_by: `${path}-person` },
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.activity.registration_path).toBe(path);
      expect(body.assignment).toMatchObject({ id: ids[path], last_contact_date: '2026-11-28', next_reminder: { due_date: '2026-12-12', sequence_number: 1 } });
    }

    const bulk = await api.call({
      method: 'POST',
      url: '/v1/activities/bulk',
      as: 'service',
      payload: { items: [{ assignment_id: ids.bulk, activity_type: 'visit', occurred_at: LATE_EVENING, registered_by: 'importer' }] },
    });
    expect(bulk.statusCode).toBe(200);
    expect(bulk.json().items[0]).toMatchObject({ status: 'created', last_contact_date: '2026-11-28', next_reminder_due_date: '2026-12-12' });

    // Another service writing straight into the table: the trigger covers it too.
    await api.prisma.$executeRaw`INSERT INTO activities (assignment_id, activity_type, occurred_at) VALUES (${ids.database}, 'meeting', ${LATE_EVENING}::timestamptz)`;

    for (const id of Object.values(ids)) expect(await lastContact(id)).toBe('2026-11-28');
    expect(await lastContact(control)).toBe('2026-11-01');
    const paths = await api.prisma.activity.findMany({ where: { assignmentId: { in: Object.values(ids) } }, select: { assignmentId: true, registrationPath: true } });
    expect(Object.fromEntries(paths.map((p) => [p.assignmentId, p.registrationPath]))).toEqual({
      [ids.direct]: 'direct',
      [ids.proxy]: 'proxy',
      [ids.coordinator_proxy]: 'coordinator_proxy',
      [ids.bulk]: 'bulk',
      [ids.database]: 'database',
    });

    const dueAfter = await dueIds();
    for (const id of Object.values(ids)) expect(dueAfter).not.toContain(id);
    expect(dueAfter).toContain(control);

    const run = await api.sweep();
    expect(run.status).toBe('succeeded');
    const reminders = await api.prisma.reminder.findMany({ where: { assignmentId: { in: [...Object.values(ids), control] } } });
    expect(reminders.map((r) => r.assignmentId)).toEqual([control]);
  });

  it('a back-dated activity older than last_contact_date leaves it unchanged (API and SQL)', async () => {
    const id = (await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-20' })).assignmentId;
    const res = await api.call({
      method: 'POST',
      url: '/v1/activities',
      as: 'service',
      payload: { assignment_id: id, activity_type: 'call', occurred_at: '2026-11-10T12:00:00+01:00', registration_path: 'proxy', registered_by: 'late-entry' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().assignment.last_contact_date).toBe('2026-11-20');
    await api.prisma.$executeRaw`INSERT INTO activities (assignment_id, activity_type, occurred_at) VALUES (${id}, 'call', '2026-11-05T12:00:00Z'::timestamptz)`;
    expect(await lastContact(id)).toBe('2026-11-20');
    expect(await api.prisma.activity.count({ where: { assignmentId: id } })).toBe(2);
  });

  it('a first activity on an assignment without any contact sets last_contact_date', async () => {
    const id = (await createAssignment(api.prisma, { assignedDate: '2026-11-01' })).assignmentId;
    expect(await lastContact(id)).toBeNull();
    const res = await api.call({
      method: 'POST',
      url: '/v1/activities',
      as: 'admin',
      payload: { assignment_id: id, activity_type: 'message', occurred_at: '2026-11-03T09:00:00Z', registration_path: 'direct', registered_by: 'mia' },
    });
    expect(res.statusCode).toBe(201);
    expect(await lastContact(id)).toBe('2026-11-03');
  });
});

describe('bulk registration', () => {
  it('reports each item: created, and rejected for unknown, closed, future and pre-assignment items', async () => {
    const ok = await silentSinceNovember();
    const paused = (await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01', status: 'paused' })).assignmentId;
    const closed = (await createAssignment(api.prisma, { assignedDate: '2026-09-01', status: 'closed' })).assignmentId;
    const late = (await createAssignment(api.prisma, { assignedDate: '2026-11-25' })).assignmentId;
    const before = await activityCount();
    const item = (assignment_id: number, occurred_at = '2026-11-27T10:00:00Z') => ({ assignment_id, activity_type: 'visit', occurred_at, registered_by: 'cora' });
    const res = await api.call({
      method: 'POST',
      url: '/v1/activities/bulk',
      as: 'service',
      payload: { items: [item(ok), item(999_999), item(closed), item(ok, '2026-12-24T10:00:00Z'), item(late, '2026-11-24T10:00:00Z'), item(paused)] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.summary).toEqual({ received: 6, created: 2, duplicate: 0, conflict: 0, rejected: 4 });
    expect(body.items.map((i: { status: string; error: { code: string } | null }) => [i.status, i.error?.code ?? null])).toEqual([
      ['created', null],
      ['rejected', 'assignment_not_found'],
      ['rejected', 'assignment_closed'],
      ['rejected', 'occurred_in_future'],
      ['rejected', 'before_assignment'],
      ['created', null],
    ]);
    expect(body.items[5]).toMatchObject({ assignment_id: paused, last_contact_date: '2026-11-27', next_reminder_due_date: null });
    // Rejected items carry no contact state (a service token could read any assignment that way).
    for (const i of [1, 2, 3, 4]) expect(body.items[i]).toMatchObject({ last_contact_date: null, next_reminder_due_date: null });
    expect(await activityCount()).toBe(before + 2);
    expect(await lastContact(ok)).toBe('2026-11-27');
    expect(await lastContact(closed)).toBeNull();
  });

  it('is idempotent under an Idempotency-Key: a retry gets the first answer and writes nothing', async () => {
    const a = await silentSinceNovember();
    const b = await silentSinceNovember();
    const payload = {
      items: [
        { assignment_id: a, activity_type: 'call', occurred_at: '2026-11-26T10:00:00Z', registered_by: 'importer' },
        { assignment_id: b, activity_type: 'call', occurred_at: '2026-11-26T11:00:00Z', registered_by: 'importer' },
      ],
    };
    const headers = { 'idempotency-key': 'import-2026-11-26' };
    const before = await activityCount();
    const first = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', headers, payload });
    expect(first.statusCode).toBe(200);
    expect(first.json().replayed).toBe(false);
    expect(await activityCount()).toBe(before + 2);

    const retry = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', headers, payload });
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual({ ...first.json(), replayed: true });
    expect(await activityCount()).toBe(before + 2);

    const other = { items: [{ ...payload.items[0]!, activity_type: 'visit' }] };
    const reused = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', headers, payload: other });
    expect(reused.statusCode).toBe(422);
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reused.json().type).toBe('/problems/idempotency-key-reused');
    expect(await activityCount()).toBe(before + 2);
  });

  it('concurrent requests with one Idempotency-Key register the items once', async () => {
    const ids = [await silentSinceNovember(), await silentSinceNovember(), await silentSinceNovember()];
    const payload = { items: ids.map((id) => ({ assignment_id: id, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registered_by: 'importer' })) };
    const before = await activityCount();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', headers: { 'idempotency-key': 'concurrent-1' }, payload })),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
    expect(answers.filter((r) => r.json().replayed === false)).toHaveLength(1);
    expect(new Set(answers.map((r) => JSON.stringify(r.json().items)))).toHaveProperty('size', 1);
    expect(await activityCount()).toBe(before + 3);
  });

  it('client ids make items idempotent without a key; a client id reused for other content is a conflict', async () => {
    const id = await silentSinceNovember();
    const item = { assignment_id: id, activity_type: 'visit', occurred_at: '2026-11-25T10:00:00Z', registered_by: 'app', client_id: 'app-visit-77' };
    const first = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', payload: { items: [item] } });
    const activityId = first.json().items[0].activity_id;
    const before = await activityCount();
    const again = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', payload: { items: [item] } });
    expect(again.json().items[0]).toMatchObject({ status: 'duplicate', activity_id: activityId });
    const single = await api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: { ...item, registration_path: 'direct' } });
    expect(single.statusCode).toBe(200);
    expect(single.json()).toMatchObject({ created: false, activity: { id: activityId } });
    const changed = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', payload: { items: [{ ...item, occurred_at: '2026-11-26T10:00:00Z' }] } });
    expect(changed.json().items[0]).toMatchObject({ status: 'conflict', activity_id: activityId, error: { code: 'client_id_conflict' } });
    expect(await activityCount()).toBe(before);
  });

  it('one client id twice in one bulk request is refused whole (400, naming the items) and stores nothing', async () => {
    const id = await silentSinceNovember();
    const item = { assignment_id: id, activity_type: 'visit', occurred_at: '2026-11-25T10:00:00Z', registered_by: 'app', client_id: 'same-request-1' };
    const before = await activityCount();
    const answer = await api.call({
      method: 'POST',
      url: '/v1/activities/bulk',
      as: 'service',
      payload: { items: [item, { ...item, client_id: 'other-1' }, { ...item, occurred_at: '2026-11-26T10:00:00Z' }] },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toMatch(/client_id must be unique within one request/);
    expect(answer.json().errors).toEqual([{ in: 'body', pointer: '/items/2/client_id', detail: 'repeats the client_id of /items/0' }]);
    expect(await activityCount()).toBe(before);
    expect(await lastContact(id)).toBe('2026-11-01');
  });

  it('client ids are per API token: another token reusing one registers its own activity and learns nothing of the first', async () => {
    // Was: client_id was one namespace across tokens, so a second service's id "import-1" answered
    // 409 "already used by activity N" (or 200 with the other service's activity) for its own visit.
    const [mine, theirs] = [await silentSinceNovember(), await silentSinceNovember()];
    const other = { authorization: `Bearer ${(await api.c.services.tokens.create({ name: 'other-importer', role: 'service', createdBy: 'test' })).token}` };
    const item = (assignment_id: number) => ({ assignment_id, activity_type: 'visit', occurred_at: '2026-11-25T10:00:00Z', registered_by: 'importer', client_id: 'import-1' });
    const first = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', payload: { items: [item(mine)] } });
    expect(first.json().items[0]).toMatchObject({ status: 'created' });
    const second = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: other, payload: { items: [item(theirs)] } });
    expect(second.json().items[0]).toMatchObject({ status: 'created', assignment_id: theirs });
    expect(second.json().items[0].activity_id).not.toBe(first.json().items[0].activity_id);
    const single = await api.call({ method: 'POST', url: '/v1/activities', as: other, payload: { ...item(theirs), registration_path: 'direct' } });
    expect(single.statusCode).toBe(200);
    expect(single.json().activity).toMatchObject({ id: second.json().items[0].activity_id, assignment_id: theirs });
    expect(await lastContact(theirs)).toBe('2026-11-25');
    const rows = await api.prisma.activity.findMany({ where: { clientId: 'import-1' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.assignmentId, r.clientScope])).toEqual([[mine, 'test-service'], [theirs, 'other-importer']]);
  });

  it('a refusal for an activity before the assignment began does not quote the start date', async () => {
    const id = (await createAssignment(api.prisma, { assignedDate: '2026-10-14' })).assignmentId;
    const payload = { assignment_id: id, activity_type: 'call', occurred_at: '2026-10-01T10:00:00Z', registered_by: 'app' };
    const single = await api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: { ...payload, registration_path: 'direct' } });
    expect(single.statusCode).toBe(422);
    const bulk = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', payload: { items: [payload] } });
    expect(bulk.json().items[0]).toMatchObject({ status: 'rejected', error: { code: 'before_assignment' } });
    for (const text of [single.body, bulk.body]) expect(text).not.toMatch(/2026-10-14|10-14|assigned/);
  });

  it('concurrent registrations of one client id (each a single statement) create it once; the others get it back', async () => {
    const id = await silentSinceNovember();
    const item = { assignment_id: id, activity_type: 'call', occurred_at: '2026-11-26T09:00:00Z', registered_by: 'app', client_id: 'race-1', registration_path: 'direct' };
    const before = await activityCount();
    const answers = await Promise.all(Array.from({ length: 10 }, () => api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: item })));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(answers.map((r) => r.json().activity.id));
    expect(ids.size).toBe(1);
    for (const r of answers) expect(r.json().assignment.last_contact_date).toBe('2026-11-26');
    expect(await activityCount()).toBe(before + 1);
    const other = await Promise.all(Array.from({ length: 4 }, () => api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: { ...item, occurred_at: '2026-11-27T09:00:00Z' } })));
    expect(other.map((r) => r.statusCode)).toEqual([409, 409, 409, 409]);
    expect(await lastContact(id)).toBe('2026-11-26');
  });

  it.each([
    ['a single registration (register_activity_one)', false],
    ['a bulk registration (register_activity_rows)', true],
  ])('%s whose client id another transaction is inserting waits for it, then answers with its activity', async (_, bulk) => {
    const id = await silentSinceNovember();
    const clientId = `held-${bulk ? 'bulk' : 'single'}`;
    const holder = new Client({ connectionString: env.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      // The service token's client_id namespace is its name (harness: test-service).
      const { rows: [held] } = await holder.query<{ id: number }>(
        `INSERT INTO activities (assignment_id, activity_type, occurred_at, registration_path, registered_by, client_scope, client_id)
         VALUES ($1, 'call', '2026-11-26T09:00:00Z', 'direct', 'app', 'test-service', $2) RETURNING id`,
        [id, clientId],
      );
      const item = { assignment_id: id, activity_type: 'call', occurred_at: '2026-11-26T09:00:00Z', registered_by: 'app', client_id: clientId };
      const other = await silentSinceNovember();
      const answer = bulk
        ? api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', payload: { items: [item, { ...item, assignment_id: other, client_id: `${clientId}-2` }] } })
        : api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: { ...item, registration_path: 'direct' } });
      await waitFor('the registration to wait on the held client id', async () => {
        // Not on the holder's connection: inside its transaction pg_stat_activity stays as first read.
        const rows = await api.prisma.$queryRaw<unknown[]>`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%register_activity%'`;
        return rows.length > 0;
      });
      await holder.query('COMMIT');
      const r = await answer;
      if (bulk) {
        expect(r.statusCode).toBe(200);
        expect(r.json().items[0]).toMatchObject({ status: 'duplicate', activity_id: held!.id });
        expect(r.json().items[1]).toMatchObject({ status: 'created' });
      } else {
        expect(r.statusCode).toBe(200);
        expect(r.json()).toMatchObject({ created: false, activity: { id: held!.id }, assignment: { last_contact_date: '2026-11-26' } });
      }
      const { rows: [count] } = await holder.query<{ n: number }>(`SELECT count(*)::int AS n FROM activities WHERE client_id = $1`, [clientId]);
      expect(count!.n).toBe(1);
    } finally {
      await holder.end();
    }
  });

  it('concurrent bulk registrations over the same assignments in different orders do not deadlock', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await silentSinceNovember());
    // Each request lists the assignments in a different order and moves every one forward.
    const requests = Array.from({ length: 8 }, (_, r) => {
      const order = r % 2 ? [...ids].reverse() : [...ids.slice(r), ...ids.slice(0, r)];
      const day = String(10 + r).padStart(2, '0');
      return { items: order.map((id) => ({ assignment_id: id, activity_type: 'call', occurred_at: `2026-11-${day}T12:00:00Z`, registered_by: `batch-${r}` })) };
    });
    const answers = await Promise.all(requests.map((payload) => api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', payload })));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    for (const r of answers) expect(r.json().summary.created).toBe(30);
    for (const id of ids) expect(await lastContact(id)).toBe('2026-11-17');
  });
});
