/**
 * fast-check arbitraries for Bull Board requests the API must refuse (or, for GETs, answer
 * without changing anything): every write route the board has that is off the allowlist, allowed
 * writes by a viewer or without valid credentials, cross-site or non-JSON writes, nesting too deep,
 * and reads of queues and jobs that do not exist.
 */
import fc from 'fast-check';
import type { Role } from '@reminders/core/auth/roles';
import { BOARD_PREFIX, BOARD_WRITES } from '@reminders/api/plugins/board-writes';

const QUEUES = ['reminder-sweep', 'reminder-dispatch'];
const queueName = fc.oneof(fc.constantFrom(...QUEUES), fc.constantFrom('nope', '%00', 'reminder-sweep%2F..', 'x'.repeat(300)));
const jobId = fc.oneof(fc.constantFrom('1', 'missing-job', 'repeat:reminder-sweep:1', '%2e%2e', 'a'.repeat(500)), fc.stringMatching(/^[a-z0-9-]{1,20}$/));
const jsonBody = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }).map((s) => s),
  fc.constantFrom('{"name":"reminder-sweep","data":{"trigger":"scheduled"}}', '{"data":{"assignmentId":1}}', '{"concurrency":1}', '{"max":1,"duration":1}', '{"pattern":"* * * * *"}'),
);

function fill(route: string, values: { queue: string; job: string; status: string }) {
  return route.replace(':queueName', values.queue).replace(':jobId', values.job).replace(':queueStatus', values.status).replace(':schedulerId', 'reminder-sweep');
}

type BoardRequest = { defect: string; method: string; url: string; headers: Record<string, string>; payload?: string };

export function boardRequestArbitrary(tokens: Record<Role, string>, revokedToken: string): fc.Arbitrary<BoardRequest> {
  const basic = (token: string) => `Basic ${Buffer.from(`ops:${token}`).toString('base64')}`;
  const refused = Object.entries(BOARD_WRITES).filter(([, w]) => !w.action).map(([r]) => r);
  const allowed = Object.entries(BOARD_WRITES).filter(([, w]) => w.action).map(([r]) => r);
  const values = fc.record({ queue: queueName, job: jobId, status: fc.constantFrom('completed', 'failed', 'waiting', 'delayed', 'active', 'bogus') });
  const writer = fc.constantFrom<Role>('operator', 'admin');

  const off = fc.record({ route: fc.constantFrom(...refused), v: values, role: writer, body: jsonBody }).map(({ route, v, role, body }): BoardRequest => {
    const [method, path] = route.split(' ') as [string, string];
    return { defect: `board: not on the allowlist ${route} (${role})`, method, url: BOARD_PREFIX + fill(path, v), headers: { authorization: basic(tokens[role]), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, payload: body };
  });
  const viewer = fc.record({ route: fc.constantFrom(...allowed), v: values, who: fc.constantFrom<Role | 'revoked' | 'junk' | 'none'>('viewer', 'service', 'revoked', 'junk', 'none') }).map(({ route, v, who }): BoardRequest => {
    const [method, path] = route.split(' ') as [string, string];
    const auth: Record<string, string> = who === 'none' ? {} : { authorization: who === 'revoked' ? basic(revokedToken) : who === 'junk' ? basic('rmd_junk') : basic(tokens[who]) };
    return { defect: `board: ${route} as ${who}`, method, url: BOARD_PREFIX + fill(path, v), headers: auth };
  });
  const crossSite = fc.record({ route: fc.constantFrom(...allowed), v: values, h: fc.constantFrom<Record<string, string>>({ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'http://evil.example' }, { origin: 'null' }) }).map(({ route, v, h }): BoardRequest => {
    const [method, path] = route.split(' ') as [string, string];
    return { defect: `board: cross-site ${route} ${JSON.stringify(h)}`, method, url: BOARD_PREFIX + fill(path, v), headers: { ...h, authorization: basic(tokens.operator) } };
  });
  const media = fc.record({ route: fc.constantFrom(...allowed), v: values, ct: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '') }).map(({ route, v, ct }): BoardRequest => {
    const [method, path] = route.split(' ') as [string, string];
    return { defect: `board: ${route} with content-type "${ct}"`, method, url: BOARD_PREFIX + fill(path, v), headers: { authorization: basic(tokens.operator), 'content-type': ct }, payload: 'a=1' };
  });
  const deep = fc.record({ route: fc.constantFrom(...allowed), v: values, n: fc.integer({ min: 33, max: 5000 }) }).map(({ route, v, n }): BoardRequest => {
    const [method, path] = route.split(' ') as [string, string];
    return { defect: `board: ${route} with a body ${n} levels deep`, method, url: BOARD_PREFIX + fill(path, v), headers: { authorization: basic(tokens.operator), 'content-type': 'application/json' }, payload: `${'['.repeat(n)}${']'.repeat(n)}` };
  });
  const reads = fc
    .record({ path: fc.constantFrom('/api/queues/:queueName/:jobId', '/api/queues/:queueName/:jobId/logs', '/api/queues/:queueName/:jobId/flow', '/api/queues/:queueName/metrics', '/api/queues/:queueName/workers', '/api/queues', '/api/job-schedulers', '/queue/:queueName/:jobId', '/api/nowhere'), v: values, role: fc.constantFrom<Role>('viewer', 'operator'), q: fc.constantFrom('', '?activeQueue=nope', '?page=-1', '?jobsPerPage=99999', '?status=bogus', '?%ZZ') })
    .map(({ path, v, role, q }): BoardRequest => ({ defect: `board: read ${path}`, method: 'GET', url: BOARD_PREFIX + fill(path, v) + q, headers: { authorization: basic(tokens[role]) } }));

  return fc.oneof(off, viewer, crossSite, media, deep, reads);
}
