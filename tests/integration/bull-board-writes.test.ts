/**
 * Bull Board writes: an allowlist enforced on the server. Every write route of the installed
 * @bull-board/api is classified; an operator's refused writes answer a problem+json 403 that says
 * why and change nothing; every allowed write leaves an admin_audit_log row with the token's name,
 * the route and the body; a queue paused in the board shows in the sweep status.
 */
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { BOARD_WRITES, classifyBoardWrite } from '@reminders/api/plugins/board-writes';

// The board's own route table (not exported by the package): the list must cover every write in it.
const { appRoutes } = require(path.resolve(__dirname, '../../node_modules/@bull-board/api/dist/routes.js')) as { appRoutes: { api: { method: string; route: string | string[] }[] } };

let env: TestEnv;
let api: ApiHarness;
const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`ops:${token}`).toString('base64')}` });

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
});

afterAll(async () => {
  await api?.close();
  await env.destroy();
});

const board = (method: string, url: string, o: { payload?: object; token?: string } = {}) =>
  api.app.inject({ method: method as 'PUT', url: `/admin/queues${url}`, headers: { ...basic(o.token ?? api.tokens.operator), ...(o.payload ? { 'content-type': 'application/json' } : {}) }, payload: o.payload ? JSON.stringify(o.payload) : undefined });

it('every write route of the installed board is on the list, allowed or refused (deny by default)', () => {
  const writes = appRoutes.api.filter((r) => r.method !== 'get').map((r) => `${r.method.toUpperCase()} ${String(r.route)}`);
  const missing = writes.filter((w) => !(w in BOARD_WRITES));
  expect(missing).toEqual([]);
  const allowed = Object.entries(BOARD_WRITES).filter(([, w]) => w.action).map(([r]) => r);
  expect(allowed.sort()).toEqual([
    'PUT /api/queues/:queueName/:jobId/clean',
    'PUT /api/queues/:queueName/:jobId/promote',
    'PUT /api/queues/:queueName/:jobId/retry',
    'PUT /api/queues/:queueName/clean/:queueStatus',
    'PUT /api/queues/:queueName/pause',
    'PUT /api/queues/:queueName/resume',
  ]);
});

it('a write route the list does not know (a newer board) is refused', () => {
  expect(classifyBoardWrite('PUT', '/admin/queues/api/queues/:queueName/new-thing', {})).toMatchObject({ action: null, why: expect.stringMatching(/not on the board's allowlist/) });
  expect(classifyBoardWrite('PUT', undefined, {})).toMatchObject({ action: null });
});

const REFUSED: [string, string, object | undefined, RegExp][] = [
  ['POST', '/api/queues/reminder-sweep/add', { name: 'reminder-sweep', data: { trigger: 'scheduled' } }, /adding a job is refused/],
  ['PATCH', '/api/queues/reminder-dispatch/j1/update-data', { data: { assignmentId: 1 } }, /editing a job's data is refused/],
  ['PUT', '/api/queues/reminder-dispatch/empty', undefined, /emptying a queue is refused/],
  ['PUT', '/api/queues/reminder-sweep/obliterate', { force: true }, /obliterating a queue is refused/],
  ['PUT', '/api/queues/reminder-sweep/job-schedulers/reminder-sweep/run', undefined, /Run now is refused/],
  ['PATCH', '/api/queues/reminder-sweep/job-schedulers/reminder-sweep', { pattern: '* * * * *' }, /editing the job scheduler is refused/],
  ['PUT', '/api/queues/reminder-sweep/job-schedulers/reminder-sweep/remove', undefined, /deleting the job scheduler is refused/],
  ['PUT', '/api/queues/reminder-dispatch/concurrency', { concurrency: 1 }, /global concurrency is refused/],
  ['PUT', '/api/queues/reminder-dispatch/rate-limit', { max: 1, duration: 1000 }, /rate limit is refused/],
  ['PUT', '/api/queues/reminder-dispatch/clean/waiting', undefined, /cleaning "waiting" jobs is refused/],
  ['PUT', '/api/queues/reminder-dispatch/retry/failed', undefined, /retrying every job at once is refused/],
  ['PUT', '/api/queues/pause', undefined, /pausing every queue at once is refused/],
];

it.each(REFUSED)('an operator is refused %s %s with a problem+json 403 that says why; nothing changes', async (method, url, payload, why) => {
  await api.c.queues.sweep.add('reminder-sweep', {}, { jobId: 'waiting-one' });
  const r = await board(method, url, { payload });
  expect(r.statusCode).toBe(403);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.json()).toMatchObject({ type: '/problems/board-write-refused', status: 403 });
  expect(r.json().detail).toMatch(why);
  expect(await api.c.queues.sweep.getJob('waiting-one')).toBeDefined();
  expect(await api.c.queues.sweep.count()).toBe(1);
  expect(await api.prisma.adminAuditLog.count({ where: { action: { startsWith: 'board.' } } })).toBe(0);
});

it('a per-job clean of a job that has not finished is refused', async () => {
  const r = await board('PUT', '/api/queues/reminder-sweep/waiting-one/clean');
  expect(r.statusCode).toBe(403);
  expect(r.json().detail).toMatch(/it is waiting, and only finished jobs/);
  expect(await api.c.queues.sweep.getJob('waiting-one')).toBeDefined();
});

it('a pause in the board is audited with the token name, route and body, and shows in the sweep status', async () => {
  const r = await board('PUT', '/api/queues/reminder-dispatch/pause');
  expect(r.statusCode).toBe(200);
  expect(await api.c.queues.dispatch.isPaused()).toBe(true);
  const row = await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'board.queue.pause' } });
  expect(row).toMatchObject({ actor: 'test-operator', targetType: 'queue', targetId: 'reminder-dispatch' });
  expect(row.after).toMatchObject({ route: 'PUT /api/queues/:queueName/pause', url: '/admin/queues/api/queues/reminder-dispatch/pause', body: null });

  const st = await api.call({ method: 'GET', url: '/v1/sweep/status', as: 'viewer' });
  expect(st.json().queues_paused).toEqual({ sweep: false, dispatch: true });

  expect((await board('PUT', '/api/queues/reminder-dispatch/resume')).statusCode).toBe(200);
  expect(await api.prisma.adminAuditLog.count({ where: { action: 'board.queue.resume', actor: 'test-operator' } })).toBe(1);
  expect(await api.c.queues.dispatch.isPaused()).toBe(false);
});

it('cleaning finished jobs is allowed and audited; a viewer may not', async () => {
  expect((await board('PUT', '/api/queues/reminder-sweep/clean/completed', { token: api.tokens.viewer })).statusCode).toBe(403);
  const r = await board('PUT', '/api/queues/reminder-sweep/clean/completed');
  expect(r.statusCode).toBe(200);
  expect(await api.prisma.adminAuditLog.count({ where: { action: 'board.queue.clean', targetId: 'reminder-sweep' } })).toBe(1);
});
