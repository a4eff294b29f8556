/**
 * Issue 4, errors: a table of bad requests (wrong types, missing fields, future dates, unknown
 * ids, invalid JSON, oversized bodies, huge numbers, SQL-looking strings, unicode edge cases,
 * unknown fields) each gets a 4xx application/problem+json answer, and afterwards every table's
 * rows and every sequence are exactly as before.
 */
import type { InjectOptions } from 'fastify';
import type { Role } from '@reminders/core/auth/roles';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

const NOW = '2026-11-28T06:00:00Z';

let env: TestEnv;
let api: ApiHarness;
let active: number;
let closed: number;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW });
  active = (await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' })).assignmentId;
  closed = (await createAssignment(api.prisma, { assignedDate: '2026-09-01', status: 'closed' })).assignmentId;
  // State the bad requests will collide with: a client id in use, an idempotency key in use.
  const seed = await api.call({ method: 'POST', url: '/v1/activities', as: 'service', payload: { ...activity(), client_id: 'taken-1' } });
  expect(seed.statusCode).toBe(201);
  const bulk = await api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', headers: { 'idempotency-key': 'used-key' }, payload: { items: [bulkItem()] } });
  expect(bulk.statusCode).toBe(200);
  // Every token has been used once, so last_used_at will not move during the table (fixed clock).
  for (const role of ['viewer', 'operator', 'admin'] as const) await api.call({ method: 'GET', url: `/v1/assignments/${active}`, as: role });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

function activity(over: Record<string, unknown> = {}) {
  return { assignment_id: active, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registration_path: 'direct', registered_by: 'mia', ...over };
}
function bulkItem(over: Record<string, unknown> = {}) {
  return { assignment_id: active, activity_type: 'visit', occurred_at: '2026-11-27T11:00:00Z', registered_by: 'cora', ...over };
}
const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const json = { 'content-type': 'application/json' };

/** Every table's rows (sorted, as text) and every sequence's position. */
async function snapshot(): Promise<Record<string, string>> {
  const tables = await api.prisma.$queryRaw<{ name: string }[]>`
    SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`;
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await api.prisma.$queryRawUnsafe<{ dump: string }[]>(`SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') AS dump FROM ${name} t`);
    out[name] = row!.dump;
  }
  const seqs = await api.prisma.$queryRaw<{ name: string; last_value: bigint | null }[]>`SELECT sequencename AS name, last_value FROM pg_sequences WHERE schemaname = 'public'`;
  for (const s of seqs) out[`sequence ${s.name}`] = String(s.last_value);
  return out;
}

type Case = [label: string, request: () => InjectOptions & { as?: Role }, status: number];

// Payloads are thunks: the assignment ids exist only once beforeAll has run.
const post = (url: string, payload: () => unknown, as: Role = 'admin', headers: Record<string, string> = {}) => () => ({
  method: 'POST' as const,
  url,
  as,
  headers,
  payload: payload() as InjectOptions['payload'],
});
const rawPost = (url: string, body: () => string, headers: Record<string, string> = json) => () => ({ method: 'POST' as const, url, as: 'admin' as Role, headers, payload: body() });
const get = (url: string, as: Role = 'viewer') => () => ({ method: 'GET' as const, url, as });
const correction = (payload: () => unknown, id?: number) => () => post(`/v1/assignments/${id ?? active}/contact-correction`, payload)();

const CASES: Case[] = [
  // Single registration: shape and types.
  ['no body at all', () => ({ method: 'POST', url: '/v1/activities', as: 'service' }), 400],
  ['invalid JSON', rawPost('/v1/activities', () => '{"assignment_id": 1,'), 400],
  ['empty JSON body', rawPost('/v1/activities', () => ''), 400],
  ['JSON array instead of an object', rawPost('/v1/activities', () => '[]'), 400],
  ['JSON string instead of an object', rawPost('/v1/activities', () => '"call"'), 400],
  ['text/plain body', rawPost('/v1/activities', () => 'call on monday', { 'content-type': 'text/plain' }), 415],
  ['form-encoded body', rawPost('/v1/activities', () => 'assignment_id=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415],
  ['prototype-poisoning __proto__ key', rawPost('/v1/activities', () => `{"__proto__": {"admin": true}, "assignment_id": 1}`), 400],
  ['deeply nested JSON', rawPost('/v1/activities', () => `{"note": ${'['.repeat(5000)}${']'.repeat(5000)}}`), 400],
  ['missing assignment_id', post('/v1/activities', () => without(activity(), 'assignment_id'), 'service'), 400],
  ['missing occurred_at', post('/v1/activities', () => without(activity(), 'occurred_at'), 'service'), 400],
  ['missing registered_by', post('/v1/activities', () => without(activity(), 'registered_by'), 'service'), 400],
  ['assignment_id as a string', post('/v1/activities', () => activity({ assignment_id: String(1) }), 'service'), 400],
  ['assignment_id zero', post('/v1/activities', () => activity({ assignment_id: 0 }), 'service'), 400],
  ['assignment_id negative', post('/v1/activities', () => activity({ assignment_id: -5 }), 'service'), 400],
  ['assignment_id fractional', post('/v1/activities', () => activity({ assignment_id: 1.5 }), 'service'), 400],
  ['assignment_id beyond int4', post('/v1/activities', () => activity({ assignment_id: 99_999_999_999 }), 'service'), 400],
  ['assignment_id 1e400 (Infinity)', rawPost('/v1/activities', () => JSON.stringify(activity()).replace(/"assignment_id":\d+/, '"assignment_id":1e400')), 400],
  ['assignment_id null', post('/v1/activities', () => activity({ assignment_id: null }), 'service'), 400],
  ['unknown assignment', post('/v1/activities', () => activity({ assignment_id: 987_654 }), 'service'), 404],
  ['closed assignment', post('/v1/activities', () => activity({ assignment_id: closed }), 'service'), 409],
  ['unknown activity_type', post('/v1/activities', () => activity({ activity_type: 'telepathy' }), 'service'), 400],
  ['SQL in activity_type', post('/v1/activities', () => activity({ activity_type: "call'; DROP TABLE activities; --" }), 'service'), 400],
  ['SQL in client_id', post('/v1/activities', () => activity({ client_id: "x' OR '1'='1" }), 'service'), 400],
  ['occurred_at not a date', post('/v1/activities', () => activity({ occurred_at: 'yesterday' }), 'service'), 400],
  ['occurred_at without an offset', post('/v1/activities', () => activity({ occurred_at: '2026-11-27T10:00:00' }), 'service'), 400],
  ['occurred_at on 30 February', post('/v1/activities', () => activity({ occurred_at: '2026-02-30T10:00:00Z' }), 'service'), 400],
  ['occurred_at as epoch number', post('/v1/activities', () => activity({ occurred_at: 1_764_237_600_000 }), 'service'), 400],
  ['occurred_at in the future', post('/v1/activities', () => activity({ occurred_at: '2026-12-24T18:00:00+01:00' }), 'service'), 422],
  ['occurred_at before the assignment began', post('/v1/activities', () => activity({ occurred_at: '2026-08-01T10:00:00Z' }), 'service'), 422],
  ['registration_path bulk on the single route', post('/v1/activities', () => activity({ registration_path: 'bulk' }), 'service'), 400],
  ['registration_path database', post('/v1/activities', () => activity({ registration_path: 'database' }), 'service'), 400],
  ['registered_by empty', post('/v1/activities', () => activity({ registered_by: '' }), 'service'), 400],
  ['registered_by only spaces', post('/v1/activities', () => activity({ registered_by: '   ' }), 'service'), 400],
  ['registered_by with a NUL byte', post('/v1/activities', () => activity({ registered_by: 'mi\u0000a' }), 'service'), 400],
  ['registered_by with a lone surrogate', rawPost('/v1/activities', () => JSON.stringify(activity()).replace('"mia"', '"mi\\ud800a"')), 400],
  ['registered_by with a C1 control character', post('/v1/activities', () => activity({ registered_by: 'mia\u0085' }), 'service'), 400],
  ['registered_by of 201 characters', post('/v1/activities', () => activity({ registered_by: 'é'.repeat(201) }), 'service'), 400],
  ['note with a NUL byte', post('/v1/activities', () => activity({ note: 'hello\u0000world' }), 'service'), 400],
  ['unknown field', post('/v1/activities', () => activity({ mentor_id: 3 }), 'service'), 400],
  ['client_id reused for another activity', post('/v1/activities', () => activity({ client_id: 'taken-1', activity_type: 'visit' }), 'service'), 409],
  ['body over the 16 KiB limit', post('/v1/activities', () => activity({ note: 'x'.repeat(20_000) }), 'service'), 413],
  // Bulk registration.
  ['bulk without items', post('/v1/activities/bulk', () => ({}), 'service'), 400],
  ['bulk with no items', post('/v1/activities/bulk', () => ({ items: [] }), 'service'), 400],
  ['bulk with 1001 items', post('/v1/activities/bulk', () => ({ items: Array.from({ length: 1001 }, () => bulkItem()) }), 'service'), 400],
  ['bulk items not an array', post('/v1/activities/bulk', () => ({ items: bulkItem() }), 'service'), 400],
  ['bulk item with registration_path', post('/v1/activities/bulk', () => ({ items: [bulkItem({ registration_path: 'direct' })] }), 'service'), 400],
  ['bulk item with a bad date', post('/v1/activities/bulk', () => ({ items: [bulkItem(), bulkItem({ occurred_at: '27/11/2026' })] }), 'service'), 400],
  ['bulk with a client_id twice', post('/v1/activities/bulk', () => ({ items: [bulkItem({ client_id: 'd-1' }), bulkItem({ client_id: 'd-1' })] }), 'service'), 400],
  ['bulk reusing an idempotency key with another body', post('/v1/activities/bulk', () => ({ items: [bulkItem({ activity_type: 'call' })] }), 'service', { 'idempotency-key': 'used-key' }), 422],
  ['bulk with a non-ASCII idempotency key', post('/v1/activities/bulk', () => ({ items: [bulkItem()] }), 'service', { 'idempotency-key': 'nøkkel' }), 400],
  ['bulk with a 300-character idempotency key', post('/v1/activities/bulk', () => ({ items: [bulkItem()] }), 'service', { 'idempotency-key': 'k'.repeat(300) }), 400],
  ['bulk body over the 2 MiB limit', post('/v1/activities/bulk', () => ({ items: Array.from({ length: 1100 }, () => bulkItem({ note: 'n'.repeat(2000) })) }), 'service'), 413],
  // Assignment reads.
  ['assignment id not a number', get('/v1/assignments/abc'), 400],
  ['assignment id with SQL', get(`/v1/assignments/${encodeURIComponent('1 OR 1=1')}`), 400],
  ['assignment id beyond int4', get('/v1/assignments/9999999999'), 400],
  ['assignment id zero', get('/v1/assignments/0'), 400],
  ['assignment id negative', get('/v1/assignments/-1'), 400],
  ['unknown assignment', get('/v1/assignments/987654'), 404],
  // Corrections.
  ['correction without a reason', correction(() => ({ last_contact_date: '2026-11-20' })), 400],
  ['correction with a blank reason', correction(() => ({ last_contact_date: '2026-11-20', reason: '    ' })), 400],
  ['correction with a two-letter reason', correction(() => ({ last_contact_date: '2026-11-20', reason: 'ok' })), 400],
  ['correction on 30 February', correction(() => ({ last_contact_date: '2026-02-30', reason: 'typo check' })), 400],
  ['correction with a timestamp', correction(() => ({ last_contact_date: '2026-11-20T00:00:00Z', reason: 'timestamps are not days' })), 400],
  ['correction with SQL in the date', correction(() => ({ last_contact_date: "2026-11-20'; DELETE FROM assignments; --", reason: 'drop it' })), 400],
  ['correction in the future (tomorrow in Oslo)', correction(() => ({ last_contact_date: '2026-11-29', reason: 'not yet' })), 422],
  ['correction before the assignment began', correction(() => ({ last_contact_date: '2026-08-31', reason: 'too early' })), 422],
  ['correction of an unknown assignment', correction(() => ({ last_contact_date: '2026-11-20', reason: 'nobody' }), 987_654), 404],
  ['correction with an unknown field', correction(() => ({ last_contact_date: '2026-11-20', reason: 'extra', actor: 'someone-else' })), 400],
  // Tokens and routing.
  ['token with an unknown role', post('/v1/tokens', () => ({ name: 'new-one', role: 'superuser' })), 400],
  ['token with a name that is taken', post('/v1/tokens', () => ({ name: 'test-admin', role: 'viewer' })), 409],
  ['token name with spaces', post('/v1/tokens', () => ({ name: 'has space', role: 'viewer' })), 400],
  ['revoking an unknown token', post('/v1/tokens/nobody/revoke', () => undefined), 404],
  ['unknown route', get('/v1/nothing-here'), 404],
  ['unsupported method', () => ({ method: 'DELETE', url: '/v1/activities', as: 'admin' }), 404],
];

describe('bad requests', () => {
  let before: Record<string, string>;
  beforeAll(async () => {
    before = await snapshot();
  });

  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map(([label, request, status]) => [label, status, request] as const))('%s -> %i problem+json', async (_label, status, request) => {
    const req = request();
    const res = await api.call(req);
    if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 400)}`);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem).toMatchObject({ status, type: expect.stringMatching(/^\/problems\/[a-z-]+$/), title: expect.any(String), detail: expect.any(String) });
    expect(problem.instance).toBe(String(req.url).split('?')[0]);
    if (problem.type === '/problems/validation-error') expect(problem.errors?.length).toBeGreaterThan(0);
  });

  it('left every table and sequence exactly as it was', async () => {
    const after = await snapshot();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const k of Object.keys(before)) expect({ [k]: after[k] }).toEqual({ [k]: before[k] });
  });
});

describe('requests Fastify refuses before routing', () => {
  it('bad percent-encoding and over-long path parameters get problem+json too', async () => {
    const { createTestEnv } = await import('../helpers/test-env');
    const { startApiHarness } = await import('../helpers/api-harness');
    const e = await createTestEnv();
    const a = await startApiHarness(e, { now: '2026-11-28T06:00:00Z' });
    try {
      const bad = await a.call({ method: 'GET', url: '/v1/assignments/%ZZ', as: 'viewer' });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(bad.json()).toMatchObject({ status: 400, type: '/problems/bad-url' });
      const long = await a.call({ method: 'GET', url: `/v1/assignments/${'9'.repeat(200)}`, as: 'viewer' });
      expect(long.statusCode).toBe(414);
      expect(long.json()).toMatchObject({ status: 414, type: '/problems/uri-too-long' });
    } finally {
      await a.close();
      await e.destroy();
    }
  });
});
