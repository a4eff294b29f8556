/**
 * Issue 4, OpenAPI: /docs serves Swagger UI and /docs/json an OpenAPI 3 document covering every
 * route, each guarded one with the bearer scheme and its roles, every request body and success
 * answer with an example, and errors as application/problem+json.
 */
import { PUBLIC_ROUTES, ROUTE_ROLES } from '@reminders/api/route-roles';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

type Operation = {
  summary?: string;
  description?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown; examples?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: unknown; examples?: unknown; schema?: { $ref?: string } }> }>;
};

let env: TestEnv;
let api: ApiHarness;
let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> } };

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
  const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');
const operation = (key: string) => {
  const [method, url] = key.split(' ') as [string, string];
  return doc.paths[toOpenApiPath(url)]?.[method.toLowerCase()];
};
const hasExample = (media?: { example?: unknown; examples?: unknown }) => media !== undefined && (media.example !== undefined || media.examples !== undefined);

it('serves Swagger UI at /docs', async () => {
  const res = await api.app.inject({ method: 'GET', url: '/docs/' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/text\/html/);
});

it('is OpenAPI 3 with a bearer scheme and the shared Problem schema', () => {
  expect(doc.openapi).toMatch(/^3\./);
  expect(doc.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
  expect(doc.components.schemas.Problem).toBeDefined();
});

describe.each(Object.keys(ROUTE_ROLES).map((k) => [k]))('%s', (key) => {
  it('is documented with a summary, the bearer scheme and its roles', () => {
    const op = operation(key);
    expect(op).toBeDefined();
    expect(op!.summary).toEqual(expect.any(String));
    expect(op!.security).toEqual([{ bearerAuth: [] }]);
    expect(op!.description).toContain(`Roles: ${ROUTE_ROLES[key]!.join(', ')}.`);
  });

  it('has examples for its body and its success answer', () => {
    const op = operation(key)!;
    if (op.requestBody) expect(hasExample(op.requestBody.content['application/json'])).toBe(true);
    const success = Object.entries(op.responses).filter(([code]) => code.startsWith('2'));
    expect(success.length).toBeGreaterThan(0);
    for (const [, r] of success) expect(hasExample(Object.values(r.content ?? {})[0])).toBe(true);
  });

  it('documents 401, 403 and 429 as application/problem+json', () => {
    const op = operation(key)!;
    for (const code of ['401', '403', '429']) {
      expect(op.responses[code]?.content?.['application/problem+json']?.schema?.$ref).toBe('#/components/schemas/Problem');
    }
  });
});

it('documents the public routes without a security requirement', () => {
  for (const key of PUBLIC_ROUTES.filter((k) => !k.startsWith('GET /docs'))) {
    const op = operation(key);
    expect(op).toBeDefined();
    expect(op!.security).toEqual([]); // said explicitly, so generated clients send no token
  }
});

it('names every operation once (operationId), so generated clients get stable method names', () => {
  const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => (o as { operationId?: string }).operationId));
  expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
});
