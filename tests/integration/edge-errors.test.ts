/**
 * Answers from the edges are problem+json too: 431 (headers too large, refused by Node before
 * Fastify), a deeply nested JSON body (refused before parsing: it made the board answer 500), and
 * errors inside the Bull Board scope.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { jsonDepthOver } from '@reminders/api/plugins/edge-errors';

let env: TestEnv;
let api: ApiHarness;
let port: number;
const basic = (token: string) => `Basic ${Buffer.from(`ops:${token}`).toString('base64')}`;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  port = (api.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await api?.close();
  await env.destroy();
});

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

it.each(['/admin/queues', '/v1/sweep/status'])('431 on %s is problem+json', async (url) => {
  const answer = await raw(`GET ${url} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  expect(answer).toMatch(/^HTTP\/1.1 431 /);
  expect(answer).toMatch(/Content-Type: application\/problem\+json/);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
  expect(body).toMatchObject({ type: '/problems/request-header-fields-too-large', status: 431 });
});

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

it('a deeply nested JSON body on the board is a 400 problem+json, not a 500', async () => {
  for (const depth of [100, 100_000]) {
    const r = await api.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/reminder-sweep/pause', headers: { authorization: basic(api.tokens.operator), 'content-type': 'application/json' }, payload: `{"a":${deep(depth)}}` });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json().detail).toMatch(/nested more than 32 levels/);
  }
  expect(await api.c.queues.sweep.isPaused()).toBe(false);
  const v1 = await api.call({ method: 'POST', url: '/v1/sweep/pause', payload: `{"reason":"x","until":${deep(500)}}`, headers: { 'content-type': 'application/json' }, as: 'operator' });
  expect(v1.statusCode).toBe(400);
  expect(v1.json()).toMatchObject({ type: '/problems/invalid-json' });
});

it("the board's own errors (an unknown queue, a missing job) are problem+json and keep the board's error / message", async () => {
  const r = await api.app.inject({ method: 'GET', url: '/admin/queues/api/queues/no-such-queue/metrics', headers: { authorization: basic(api.tokens.viewer) } });
  expect(r.statusCode).toBeGreaterThanOrEqual(400);
  expect(r.statusCode).toBeLessThan(500);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.json()).toMatchObject({ status: r.statusCode, error: expect.any(String), message: expect.any(String) });
});

it('the depth check skips strings and escapes', () => {
  expect(jsonDepthOver('{"a":"[[[[[[\\"[[["}', 2)).toBe(0);
  expect(jsonDepthOver('[[[', 2)).toBe(3);
  expect(jsonDepthOver('{"items":[{"a":1}]}', 3)).toBe(0);
});
