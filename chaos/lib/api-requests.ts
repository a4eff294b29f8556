/**
 * fast-check arbitraries for HTTP requests the API must refuse: every generated request is wrong
 * by construction (no or a bad token, a role the route does not allow, a body that breaks the
 * route's schema or a rule, an unsupported media type, a malformed path parameter or query, a
 * method or path that does not exist), so none of them may change anything. Values sit on the
 * boundaries (0, 2^31, 1001 items, one character over a limit, lone surrogates, NUL, ...).
 */
import fc from 'fast-check';
import { ROLES, type Role } from '@reminders/core/auth/roles';
import { boardRequestArbitrary } from './board-requests';

export type FuzzWorld = {
  /** Assignments that exist (bodies aimed at them must still be refused). */
  assignmentIds: number[];
  tokens: Record<Role, string>;
  revokedToken: string;
  tokenNames: string[];
  /** Route key ("POST /v1/x/:id") -> roles allowed. */
  routes: Record<string, readonly Role[]>;
  publicRoutes: readonly string[];
};

export type GeneratedRequest = {
  /** What makes it wrong (for the report and for a shrunk counterexample). */
  defect: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
};

const INT4_MAX = 2_147_483_647;
/** Ids that are well-formed but exist nowhere. */
const missingId = fc.integer({ min: 1_000_000, max: INT4_MAX });

/** Text that is never a valid value of a non-blank text field. */
const badText = (max: number) =>
  fc.oneof(
    fc.constantFrom('', ' ', '   ', '\t\n', '\u0000', 'a\u0000b', 'a\u0007b', '\ud800', 'x\udfffy', '\u007f'),
    fc.constant('x'.repeat(max + 1)),
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    fc.array(fc.string(), { maxLength: 2 }),
  );

const badInt = fc.oneof(
  fc.constantFrom(0, -1, INT4_MAX + 1, 2 ** 53 + 1, -(2 ** 31), 1.5, 1e308, '1', '', null, true),
  fc.double({ noInteger: true }),
  fc.string({ maxLength: 12 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

const badDateTime = fc.oneof(
  fc.constantFrom('', 'now', 'yesterday', '2026-11-28', '2026-13-01T10:00:00Z', '2026-02-30T10:00:00Z', '2026-11-28T25:61:00Z', '2026-11-28 10:00', '28/11/2026 10:00', '2026-11-28T10:00:00+99:00', '\u0000', 'x'.repeat(41)),
  fc.integer(),
  fc.constant(null),
  fc.string({ maxLength: 20 }).filter((s) => Number.isNaN(Date.parse(s))),
);

const badDate = fc.oneof(
  fc.constantFrom('', '2026-02-30', '2026-13-01', '2026-11-1', '26-11-01', '2026/11/01', '2026-11-28T00:00:00Z', '+002026-11-01', 'x'),
  fc.integer(),
  fc.constant(null),
);

const notAnObject = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }));

const invalidJson = fc.constantFrom(
  '{',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '\ufeff{',
  '{"a":1}{"b":2}',
  '{"a":1',
  '[',
  'nul',
  '{"a":"\\x00"}',
  '{"a":"\\ud800"',
  `${'['.repeat(5000)}${']'.repeat(4999)}`,
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
);

/** Media types the API does not take. */
const badContentType = fc.constantFrom(
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jsonx',
  'image/png',
);

/** A raw JSON object text with one more member appended (kept raw so `__proto__` survives). */
function withMember(base: Record<string, unknown>, key: string, value: unknown): string {
  const inner = JSON.stringify(base).slice(1, -1);
  return `{${inner}${inner ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value ?? null)}}`;
}

type BodySpec = {
  base: (w: FuzzWorld) => Record<string, unknown>;
  /** Per field: values that break the schema or a rule the route enforces. */
  bad: Record<string, fc.Arbitrary<unknown>>;
  required: string[];
  limit: number;
  /** A path id for the route (:id): an existing assignment, so only the body can be at fault. */
  pathId?: (w: FuzzWorld) => string;
};

const activityFields = (w: FuzzWorld) => ({
  assignment_id: w.assignmentIds[0]!,
  activity_type: 'call',
  occurred_at: '2026-11-27T10:00:00Z',
  registered_by: 'fuzz',
  client_id: 'fuzz-1',
  note: 'generated',
});

const activityBad = {
  assignment_id: badInt,
  activity_type: fc.oneof(fc.string({ maxLength: 8 }).filter((s) => !['call', 'visit', 'meeting', 'message', 'other'].includes(s)), fc.integer(), fc.constant(null)),
  // Also two that pass the schema and break a rule: the future (422) and before the assignment began (422).
  occurred_at: fc.oneof(badDateTime, fc.constantFrom('9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '2027-06-01T00:00:00+14:00')),
  registered_by: badText(200),
  client_id: fc.oneof(fc.constantFrom('', 'has space', 'ü', 'a/b', 'x'.repeat(101)), fc.integer(), fc.constant(null)),
  note: fc.oneof(fc.constantFrom('\u0000', 'a\u0007', '\ud800', 'x'.repeat(2001)), fc.integer(), fc.constant(null)),
};

const programmeBad = {
  slug: fc.oneof(fc.constantFrom('', 'Upper', '-lead', 'trail-', 'has space', 'ü', 'a_b', 'x'.repeat(49)), fc.integer(), fc.constant(null)),
  name: badText(200),
  time_zone: fc.oneof(fc.constantFrom('', 'Mars/Olympus', 'Europe/Nowhere', 'UTC+25', '../etc', 'x'.repeat(65)), fc.integer(), fc.constant(null)),
  send_at: fc.oneof(fc.constantFrom('', '24:00', '7:00', '07:60', '07:00:00', 'noon'), fc.integer(), fc.constant(null)),
  first_after_days: fc.oneof(badInt, fc.constant(366)),
  repeat_every_days: fc.oneof(badInt, fc.constant(366)),
  escalate_after: fc.oneof(badInt, fc.constant(101)),
  // Also below escalate_after (a rule, not the schema).
  stop_after: fc.oneof(fc.constantFrom(0, -1, 101, 1, 1.5, '3', true)),
  default_locale: fc.oneof(fc.constantFrom('', 'de', 'NB', 'en-GB'), fc.integer(), fc.constant(null)),
};

/** Bodies of the routes that take one; a route missing here only gets auth and path faults. */
const BODIES: Record<string, BodySpec> = {
  'POST /v1/activities': {
    base: (w) => ({ ...activityFields(w), registration_path: 'direct' }),
    bad: { ...activityBad, registration_path: fc.oneof(fc.constantFrom('bulk', 'database', 'DIRECT', ''), fc.integer()) },
    required: ['assignment_id', 'activity_type', 'occurred_at', 'registered_by', 'registration_path'],
    limit: 16 * 1024,
  },
  'POST /v1/activities/bulk': {
    base: (w) => ({ items: [activityFields(w), { ...activityFields(w), client_id: 'fuzz-2' }] }),
    bad: {
      items: fc.oneof(
        fc.constant([]),
        notAnObject,
        fc.constant(Array.from({ length: 1001 }, (_, i) => ({ assignment_id: 1_000_000 + i, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registered_by: 'fuzz' }))),
        // One item broken at the schema level among good ones: the whole request is refused.
        fc.record({ field: fc.constantFrom(...Object.keys(activityBad)), at: fc.nat(2) }).chain(({ field }) =>
          (activityBad as Record<string, fc.Arbitrary<unknown>>)[field]!
            .filter((v) => !(field === 'occurred_at' && typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /T/.test(v)))
            .map((v) => [
              { assignment_id: 1_000_001, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registered_by: 'fuzz' },
              { assignment_id: 1_000_002, activity_type: 'visit', occurred_at: '2026-11-27T10:00:00Z', registered_by: 'fuzz', [field]: v },
            ]),
        ),
        fc.constant([{ assignment_id: 1_000_001, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registered_by: 'fuzz', registration_path: 'direct' }]),
        fc.constant([
          { assignment_id: 1_000_001, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registered_by: 'fuzz', client_id: 'same' },
          { assignment_id: 1_000_002, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registered_by: 'fuzz', client_id: 'same' },
        ]),
      ),
    },
    required: ['items'],
    limit: 2 * 1024 * 1024,
  },
  'POST /v1/assignments/:id/contact-correction': {
    base: () => ({ last_contact_date: '2026-11-20', reason: 'fuzzing the API' }),
    // Also the future (422) and before the assignment began (422).
    bad: { last_contact_date: fc.oneof(badDate, fc.constantFrom('9999-12-31', '2099-01-01', '1900-01-01', '2025-12-31')), reason: fc.oneof(badText(1000), fc.constant('ab')) },
    required: ['last_contact_date', 'reason'],
    limit: 16 * 1024,
    pathId: (w) => String(w.assignmentIds[0]),
  },
  'POST /v1/tokens': {
    base: () => ({ name: 'fuzz-new-token', role: 'viewer' }),
    bad: {
      name: fc.oneof(fc.constantFrom('', '-lead', '.x', 'has space', 'ü', 'a/b', 'x'.repeat(101)), fc.integer(), fc.constant(null)),
      role: fc.oneof(fc.string({ maxLength: 8 }).filter((s) => !(ROLES as readonly string[]).includes(s)), fc.integer(), fc.constant(null)),
    },
    required: ['name', 'role'],
    limit: 4 * 1024,
  },
  'POST /v1/programmes': {
    base: () => ({ slug: 'fuzz-programme', name: 'Fuzz', time_zone: 'Europe/Oslo', send_at: '08:00', first_after_days: 10, repeat_every_days: 5, escalate_after: 2, stop_after: 4, default_locale: 'en' }),
    bad: programmeBad,
    required: ['slug', 'name'],
    limit: 16 * 1024,
  },
  'PATCH /v1/programmes/:slug': {
    base: () => ({ name: 'Fuzzed default', send_at: '06:00' }),
    // Also a slug change (never allowed).
    bad: { ...programmeBad, slug: fc.oneof(programmeBad.slug, fc.constantFrom('renamed', 'other')) },
    required: [],
    limit: 16 * 1024,
    pathId: () => 'default',
  },
  'POST /v1/assignments/:id/programme': {
    // The assignment is in default already: even the base is refused (409), so only its faults differ.
    base: () => ({ programme: 'default', reason: 'fuzzing the API' }),
    bad: { programme: fc.oneof(programmeBad.slug, fc.constantFrom('zz-missing')), reason: fc.oneof(badText(1000), fc.constant('ab')) },
    required: ['programme', 'reason'],
    limit: 16 * 1024,
    pathId: (w) => String(w.assignmentIds[0]),
  },
  'POST /v1/sweep/trigger': {
    base: () => ({}),
    bad: { confirm_run_id: badInt, wait_seconds: fc.oneof(fc.constantFrom(-1, 601, 1.5, '10', null, true), fc.integer({ min: 601 })) },
    required: [],
    limit: 1024 * 1024,
  },
  'POST /v1/sweep/pause': {
    base: () => ({ reason: 'fuzzing the API' }),
    // A pause ending in the past is refused too.
    bad: { reason: badText(500), until: fc.oneof(badDateTime, fc.constantFrom('2000-01-01T00:00:00Z', '2026-11-27T00:00:00Z')) },
    required: ['reason'],
    limit: 1024 * 1024,
  },
  'POST /v1/runs/:id/cancel': {
    base: () => ({ reason: 'fuzzing the API' }),
    bad: { reason: badText(500) },
    required: [],
    limit: 4 * 1024,
  },
  'POST /v1/sweep/lock/release': {
    base: () => ({ reason: 'fuzzing the API' }),
    bad: { force: fc.oneof(fc.constantFrom('true', 1, 0, null, 'yes'), fc.string({ maxLength: 4 })), reason: badText(500) },
    required: [],
    limit: 4 * 1024,
  },
};

const pathParamValues = (param: string, w: FuzzWorld) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('0', '-1', '1.5', '1e3', '0x10', 'abc', ' ', '%00', '%ZZ', '%', '..', '%2e%2e', '2147483648', '99999999999', '9'.repeat(400), '%EF%BC%91', '1%3BDROP%20TABLE%20x', "1'", '%E2%80%AE1', 'x'.repeat(101)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))) },
    // Well-formed but missing: 404.
    { weight: 2, arbitrary: param === 'name' ? fc.stringMatching(/^zz[a-z0-9]{1,20}$/).filter((n) => !w.tokenNames.includes(n)) : missingId.map(String) },
  )
    // Never something that exists: that request could be right.
    .filter((v) => v !== '' && !(param === 'name' ? w.tokenNames : param === 'slug' ? ['default'] : w.assignmentIds.map(String)).includes(safeDecode(v)));

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** Any header garbage the API must shrug off (it is never the only fault of a request). */
const noiseHeaders = fc.dictionary(
  fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
  fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  { maxKeys: 3 },
);

const queryNoise = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?limit=0', '?limit=-1', '?limit=abc', '?limit=99999', '?limit=1&limit=2', '?status=nope', '?status=', '?x=1', '?%ZZ=1', '?limit=%00', `?limit=${'9'.repeat(300)}`),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }).map((d) => `?${new URLSearchParams(d).toString()}`),
);

function fillPath(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/:([a-z]+)/g, (_, p: string) => values[p] ?? '1');
}

const params = (pattern: string) => [...pattern.matchAll(/:([a-z]+)/g)].map((m) => m[1]!);

/** A path id that exists (or a name that exists), so only the fault the request aims at is there. */
function goodParams(pattern: string, w: FuzzWorld): Record<string, string> {
  const spec = BODIES[pattern];
  const out: Record<string, string> = {};
  for (const p of params(pattern)) out[p] = spec?.pathId ? spec.pathId(w) : p === 'name' ? 'zz-missing-token' : p === 'slug' ? 'zz-missing' : '1000001';
  return out;
}

export function requestArbitrary(w: FuzzWorld): fc.Arbitrary<GeneratedRequest> {
  const guarded = Object.keys(w.routes);
  const bearer = (role: Role) => `Bearer ${w.tokens[role]}`;

  const authFault = fc
    .record({
      route: fc.constantFrom(...guarded),
      auth: fc.oneof(
        fc.constant(undefined),
        fc.constantFrom('Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Token abc', `Bearer ${w.tokens.admin}x`, `Bearer ${w.tokens.admin.slice(0, -1)}`, `bearer  ${w.revokedToken}`, `Bearer ${w.revokedToken}`, w.tokens.admin, `Bearer ${w.tokens.admin} ${w.tokens.admin}`),
        fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)).map((s) => `Bearer ${s}`),
      ),
      wrongRole: fc.boolean(),
      body: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      query: queryNoise,
      noise: noiseHeaders,
    })
    .map(({ route, auth, wrongRole, body, query, noise }) => {
      const [method, pattern] = route.split(' ') as [string, string];
      const denied = ROLES.filter((r) => !w.routes[route]!.includes(r));
      const authorization = wrongRole && denied.length ? bearer(denied[0]!) : auth;
      const headers: Record<string, string> = { ...noise, ...(authorization === undefined ? {} : { authorization }) };
      if (body !== undefined) headers['content-type'] = 'application/json';
      return {
        defect: wrongRole && denied.length ? `role ${denied[0]} not allowed` : `authorization ${authorization === undefined ? 'missing' : 'bad'}`,
        method,
        url: fillPath(pattern, goodParams(pattern, w)) + query,
        headers,
        payload: body === undefined ? undefined : JSON.stringify(body),
      };
    });

  const withBody = Object.keys(BODIES).filter((k) => guarded.includes(k));
  const bodyFault = fc
    .constantFrom(...withBody)
    .chain((route) => {
      const spec = BODIES[route]!;
      const fields = Object.keys(spec.bad);
      const mutation = fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...fields).chain((f) => spec.bad[f]!.map((v) => ({ defect: `body /${f} bad`, payload: JSON.stringify({ ...spec.base(w), [f]: v }) }))) },
        { weight: 2, arbitrary: fc.tuple(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'registration_path', 'created_by')), fc.jsonValue({ maxDepth: 1 })).filter(([k]) => !fields.includes(k) && k in spec.base(w) === false).map(([k, v]) => ({ defect: `body unknown field ${JSON.stringify(k)}`, payload: withMember(spec.base(w), k, v) })) },
        { weight: spec.required.length ? 2 : 0, arbitrary: fc.constantFrom(...(spec.required.length ? spec.required : ['-'])).map((f) => { const b = { ...spec.base(w) }; delete b[f]; return { defect: `body /${f} missing`, payload: JSON.stringify(b) }; }) },
        { weight: 2, arbitrary: notAnObject.map((v) => ({ defect: 'body not an object', payload: JSON.stringify(v) })) },
        { weight: 2, arbitrary: invalidJson.map((p) => ({ defect: 'body not JSON', payload: p })) },
        { weight: 1, arbitrary: fc.constant({ defect: 'body over the limit', payload: withMember(spec.base(w), 'padding', 'x'.repeat(spec.limit)) }) },
        { weight: 1, arbitrary: fc.constant({ defect: 'body empty', payload: '' }) },
      );
      const extra = route === 'POST /v1/activities/bulk' ? fc.option(fc.oneof(fc.constantFrom('', ' ', 'a b', 'x'.repeat(201), 'ü'), fc.stringMatching(/^[!-~]{1,20}$/)), { nil: undefined }) : fc.constant(undefined);
      return fc.record({ m: mutation, role: fc.constantFrom(...w.routes[route]!), noise: noiseHeaders, idem: extra, ct: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON') }).map(({ m, role, noise, idem, ct }) => {
        const [method, pattern] = route.split(' ') as [string, string];
        const headers: Record<string, string> = { ...noise, authorization: bearer(role), 'content-type': ct };
        if (idem !== undefined) headers['idempotency-key'] = idem;
        return { defect: `${m.defect} (${role})`, method, url: fillPath(pattern, goodParams(pattern, w)), headers, payload: m.payload };
      });
    });

  const mediaFault = fc
    .record({ route: fc.constantFrom(...withBody), ct: badContentType, body: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('{}'), fc.constant('a=1&b=2')), noise: noiseHeaders })
    .map(({ route, ct, body, noise }) => {
      const [method, pattern] = route.split(' ') as [string, string];
      return { defect: `content-type ${ct}`, method, url: fillPath(pattern, goodParams(pattern, w)), headers: { ...noise, authorization: bearer(w.routes[route]![0]!), 'content-type': ct }, payload: body || 'x' };
    });

  const withParams = guarded.filter((k) => params(k).length > 0);
  const paramFault = fc.constantFrom(...withParams).chain((route) => {
    const [method, pattern] = route.split(' ') as [string, string];
    const p = params(pattern)[0]!;
    const spec = BODIES[route];
    return fc.record({ v: pathParamValues(p, w), role: fc.constantFrom(...w.routes[route]!), noise: noiseHeaders }).map(({ v, role, noise }) => ({
      defect: `path :${p} = ${v.slice(0, 40)}`,
      method,
      url: pattern.replace(`:${p}`, v),
      headers: { ...noise, authorization: bearer(role), ...(spec ? { 'content-type': 'application/json' } : {}) },
      payload: spec ? JSON.stringify(spec.base(w)) : undefined,
    }));
  });

  const reads = guarded.filter((k) => k.startsWith('GET ') && params(k).length === 0);
  const queryFault = fc.record({ route: fc.constantFrom(...reads), q: queryNoise, noise: noiseHeaders }).map(({ route, q, noise }) => {
    const [method, pattern] = route.split(' ') as [string, string];
    return { defect: `query ${q.slice(0, 40)}`, method, url: pattern + q, headers: { ...noise, authorization: bearer(w.routes[route]![0]!) } };
  });

  const allPaths = [...guarded, ...w.publicRoutes].map((k) => k.split(' ')[1]!);
  const nowhere = fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
      path: fc.oneof(
        fc.constantFrom(...allPaths).map((p) => fillPath(p, goodParams(p, w))),
        fc.array(fc.string({ maxLength: 8 }).map((s) => encodeURIComponent(s)), { minLength: 1, maxLength: 4 }).map((segs) => `/v1/zz${segs.join('/')}`),
        fc.constantFrom('/', '/v1', '/v2/activities', '/v1//activities', '/V1/ACTIVITIES', '/v1/activities/', '/admin', '/.env', '/%2e%2e/etc/passwd', `/${'a'.repeat(5000)}`),
      ),
      role: fc.constantFrom(...ROLES),
      noise: noiseHeaders,
    })
    .filter(({ method, path }) => !guarded.some((k) => k.split(' ')[0] === method && new RegExp(`^${k.split(' ')[1]!.replace(/:[a-z]+/g, '[^/]+')}/?$`).test(path)))
    .filter(({ method, path }) => !w.publicRoutes.some((k) => k.split(' ')[0] === method && k.split(' ')[1] === path))
    .map(({ method, path, role, noise }) => ({ defect: `no route ${method} ${path.slice(0, 40)}`, method, url: path, headers: { ...noise, authorization: bearer(role) } }));

  // Well-formed, allowed, and refused by the state things are in: nothing is paused, the lock is
  // free, no run is held for confirmation.
  const refusals = [
    { route: 'POST /v1/sweep/resume', url: '/v1/sweep/resume', body: fc.constant(undefined) },
    { route: 'POST /v1/sweep/lock/release', url: '/v1/sweep/lock/release', body: fc.constantFrom(undefined, '{}', '{"force":true}', '{"reason":"fuzzing the API","force":false}') },
    { route: 'POST /v1/sweep/trigger', url: '/v1/sweep/trigger', body: missingId.map((id) => JSON.stringify({ confirm_run_id: id })) },
    { route: 'POST /v1/runs/:id/cancel', url: '/v1/runs/:id/cancel', body: fc.constantFrom(undefined, '{"reason":"fuzzing the API"}') },
  ].filter((r) => guarded.includes(r.route));
  const stateFault = fc.constantFrom(...refusals).chain((r) =>
    fc.record({ body: r.body, role: fc.constantFrom(...w.routes[r.route]!), id: missingId, noise: noiseHeaders }).map(({ body, role, id, noise }) => ({
      defect: `refused by state: ${r.route}`,
      method: 'POST',
      url: r.url.replace(':id', String(id)),
      headers: { ...noise, authorization: bearer(role), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      payload: body,
    })),
  );

  return fc.oneof(
    { weight: 3, arbitrary: boardRequestArbitrary(w.tokens, w.revokedToken) },
    { weight: refusals.length ? 1 : 0, arbitrary: refusals.length ? stateFault : authFault },
    { weight: 3, arbitrary: authFault },
    { weight: 6, arbitrary: bodyFault },
    { weight: 1, arbitrary: mediaFault },
    { weight: 2, arbitrary: paramFault },
    { weight: 1, arbitrary: queryFault },
    { weight: 1, arbitrary: nowhere },
  );
}
