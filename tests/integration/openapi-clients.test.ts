/**
 * The served OpenAPI document is one clients can be generated from: `redocly lint` with its
 * recommended rules finds nothing (0 errors, 0 warnings), and openapi-typescript generates types
 * from it that type-check a call to the activity and correction routes (and refuse a wrong one).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

const BIN = path.resolve(__dirname, '../../node_modules/.bin');
let env: TestEnv;
let api: ApiHarness;
let dir: string;
let docFile: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
  docFile = path.join(dir, 'openapi.json');
  writeFileSync(docFile, (await api.app.inject({ method: 'GET', url: '/docs/json' })).body);
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('passes redocly lint (recommended rules) with 0 errors and 0 warnings', () => {
  const r = spawnSync(path.join(BIN, 'redocly'), ['lint', docFile, '--format=json'], { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
  const report = JSON.parse(r.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
  expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
}, 60_000);

it('generates a typed client whose calls to the activity and correction routes type-check', () => {
  const types = path.join(dir, 'api.d.ts');
  const gen = spawnSync(path.join(BIN, 'openapi-typescript'), [docFile, '-o', types], { encoding: 'utf8' });
  expect(gen.status).toBe(0);
  const client = path.join(dir, 'client.ts');
  writeFileSync(
    client,
    `import type { operations } from './api';
type Body<Op extends keyof operations> = operations[Op] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Ok<Op extends keyof operations, S extends number> = operations[Op]['responses'] extends Record<S, { content: { 'application/json': infer R } }> ? R : never;
declare function call<Op extends keyof operations>(op: Op, body: Body<Op>): Promise<unknown>;

const registered: Promise<unknown> = call('registerActivity', {
  assignment_id: 42, activity_type: 'call', occurred_at: '2026-11-27T14:30:00+01:00',
  registration_path: 'direct', registered_by: 'mia.mentor', client_id: 'app-7f3c9a',
});
const corrected: Promise<unknown> = call('correctContact', { last_contact_date: '2026-11-20', reason: 'logged on paper' });
declare const answer: Ok<'registerActivity', 201>;
const id: number | undefined = answer.activity?.id;
// @ts-expect-error: registration_path is required
call('registerActivity', { assignment_id: 42, activity_type: 'call', occurred_at: '2026-11-27T14:30:00+01:00', registered_by: 'mia.mentor' });
// @ts-expect-error: no such activity type
call('registerActivity', { assignment_id: 42, activity_type: 'telepathy', occurred_at: '2026-11-27T14:30:00+01:00', registration_path: 'direct', registered_by: 'm' });
// @ts-expect-error: a correction needs a reason
call('correctContact', { last_contact_date: '2026-11-20' });
export { registered, corrected, id };
`,
  );
  const program = ts.createProgram([client], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, types: [] });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);
}, 60_000);
