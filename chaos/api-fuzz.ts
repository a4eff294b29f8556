/**
 * Property-based fuzzing of the HTTP API (fast-check) through `app.inject`, on a database of its
 * own: every generated request is malformed or aimed at something that does not exist (see
 * lib/api-requests.ts; Bull Board's routes in lib/board-requests.ts), and for each one the API must answer
 *   - never 5xx;
 *   - every 4xx as application/problem+json with type, title, status (= the status code), detail
 *     and instance;
 *   - nothing accepted: a 2xx only for a read (GET);
 *   - nothing changed: after every request that could write, a fingerprint of every table (and of
 *     the sweep queue) is the same as before the first.
 * Every distinct kind of failure is reported with its count and a first example.
 * `npm test` runs a few hundred requests (tests/chaos/api-fuzz.test.ts), `npm run chaos` thousands.
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { ROLES, type Role } from '@reminders/core/auth/roles';
import type { PrismaClient } from '@reminders/core/db/prisma';
import { PUBLIC_ROUTES, ROUTE_ROLES } from '@reminders/api/route-roles';
import { startApiHarness } from '../tests/helpers/api-harness';
import { createAssignment } from '../tests/helpers/fixtures';
import { createTestEnv } from '../tests/helpers/test-env';
import { requestArbitrary, type FuzzWorld, type GeneratedRequest } from './lib/api-requests';

export type FuzzOptions = {
  numRuns: number;
  /** fast-check seed, to replay a failure. */
  seed?: number;
};

export type FuzzReport = {
  ok: boolean;
  requests: number;
  durationMs: number;
  /** "400×812, 401×300, ..." */
  statusLine: string;
  seed: number;
  /** Each kind of failure with its count and an example, one per line; absent when none. */
  failure?: string;
};

const NOW = '2026-11-28T06:00:00Z';

/** One query: an md5 per table over all its rows, so "nothing changed" costs one round trip. */
async function fingerprintSql(prisma: PrismaClient): Promise<string> {
  const tables = await prisma.$queryRaw<{ t: string }[]>`
    SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`;
  const parts = tables.map(({ t }) => `(SELECT '${t}:' || count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM "${t}" x)`);
  return `SELECT concat_ws(' ', ${parts.join(', ')}) AS f`;
}

function problemFault(res: LightMyRequestResponse): string | null {
  const ct = String(res.headers['content-type'] ?? '');
  if (!ct.startsWith('application/problem+json')) return `a ${res.statusCode} with content-type "${ct}", not application/problem+json: ${res.body.slice(0, 200)}`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return `a ${res.statusCode} whose body is not JSON: ${res.body.slice(0, 200)}`;
  }
  if (body.status !== res.statusCode) return `problem status ${String(body.status)} differs from the response status ${res.statusCode}`;
  for (const f of ['type', 'title', 'detail', 'instance']) if (typeof body[f] !== 'string' || !body[f]) return `problem without "${f}": ${res.body.slice(0, 200)}`;
  if (!String(body.type).startsWith('/problems/')) return `problem type "${String(body.type)}" is not /problems/<slug>`;
  return null;
}

/** The request in one line, tokens named by their role (a report must not carry a token). */
function describe(r: GeneratedRequest, tokens: Record<string, string>): string {
  let text = `${r.method} ${r.url.slice(0, 120)} [${r.defect}] headers ${JSON.stringify(r.headers).slice(0, 300)} body ${(r.payload ?? '').slice(0, 200)}`;
  for (const [name, token] of Object.entries(tokens)) text = text.split(token).join(`<${name} token>`);
  return text;
}

export async function runApiFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const env = await createTestEnv();
  const h = await startApiHarness(env, { now: NOW, authFailures: { max: 1_000_000_000 } });
  const statuses = new Map<number, number>();
  let requests = 0;
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  try {
    const assignmentIds: number[] = [];
    for (let i = 0; i < 3; i++) assignmentIds.push((await createAssignment(h.prisma, { assignedDate: '2026-01-01', lastContactDate: '2026-11-01', mentorEmail: 'mia@example.org' })).assignmentId);
    const revoked = await h.c.services.tokens.create({ name: 'fuzz-revoked', role: 'admin', createdBy: 'fuzz' });
    await h.c.services.tokens.revoke('fuzz-revoked', 'fuzz');
    // Authenticating writes last_used_at once a minute per token (the clock stands still here):
    // do it now, so the fingerprint below already holds it.
    for (const role of ROLES) await h.c.services.tokens.authenticate(h.tokens[role]);
    // Something for the board's reads and refused writes to aim at: a waiting sweep job and the job scheduler.
    await h.c.queues.sweep.add('reminder-sweep', { trigger: 'manual', triggeredBy: 'fuzz' } as never, { jobId: 'fuzz-waiting' });
    await h.c.queues.sweep.upsertJobScheduler('reminder-sweep', { pattern: '0 7 * * *', tz: 'Europe/Oslo' }, { name: 'reminder-sweep', data: { trigger: 'scheduled' } as never });
    const world: FuzzWorld = {
      assignmentIds,
      tokens: h.tokens as Record<Role, string>,
      revokedToken: revoked.token,
      tokenNames: (await h.c.services.tokens.list()).map((t) => t.name),
      routes: ROUTE_ROLES as Record<string, readonly Role[]>,
      publicRoutes: PUBLIC_ROUTES,
    };
    const sql = await fingerprintSql(h.prisma);
    const fingerprint = async () => {
      const [row] = await h.prisma.$queryRawUnsafe<{ f: string }[]>(sql);
      const queue = await h.c.queues.sweep.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
      const dispatch = await h.c.queues.dispatch.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
      const paused = [await h.c.queues.sweep.isPaused(), await h.c.queues.dispatch.isPaused()];
      const schedulers = await h.c.queues.sweep.getJobSchedulersCount();
      return `${row!.f} sweep-queue:${JSON.stringify(queue)} dispatch-queue:${JSON.stringify(dispatch)} paused:${paused.join(',')} schedulers:${schedulers}`;
    };
    const before = await fingerprint();

    // Every distinct kind of failure is collected (with its first example) rather than stopping
    // at the first, so one run shows everything that is wrong.
    const failures = new Map<string, { count: number; routes: Set<string>; example: string }>();
    const fail = (r: GeneratedRequest, kind: string, detail: string) => {
      const route = `${r.method} /${r.url.split('?')[0]!.split('/').slice(1, 3).join('/')}`;
      const f = failures.get(kind) ?? { count: 0, routes: new Set<string>(), example: `${detail.slice(0, 240)}\n    request: ${describe(r, { ...world.tokens, revoked: world.revokedToken })}` };
      f.count += 1;
      f.routes.add(route);
      failures.set(kind, f);
    };
    let baseline = before;
    const property = fc.asyncProperty(requestArbitrary(world), async (r) => {
      requests += 1;
      const res = await h.app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payload: r.payload });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) {
        fail(r, `answered ${res.statusCode}`, res.body.slice(0, 300));
      } else if (res.statusCode >= 400) {
        const fault = problemFault(res);
        const code = /"code":"(FST_[A-Z_]+)"/.exec(res.body)?.[1];
        if (fault) fail(r, `${res.statusCode} not problem+json${code ? ` (${code})` : ''}`, fault);
      } else if (r.method !== 'GET') {
        fail(r, `accepted (${res.statusCode}) a wrong request`, res.body.slice(0, 300));
      }
      if (r.method !== 'GET') {
        const after = await fingerprint();
        if (after !== baseline) {
          fail(r, 'changed the database or the sweep queue', `before ${baseline.slice(0, 400)}\n    after  ${after.slice(0, 400)}`);
          baseline = after;
        }
      }
    });
    await fc.assert(property, { numRuns: opts.numRuns, seed });
    let failure: string | undefined;
    if (failures.size) {
      failure = [...failures.entries()]
        .map(([k, f]) => `${k}: ${f.count} request(s) on ${[...f.routes].sort().join(', ')}; e.g.\n    ${f.example}`)
        .concat(`replay: seed ${seed}`)
        .join('\n  ');
    }
    const statusLine = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(', ');
    return { ok: !failure, requests, durationMs: Date.now() - started, statusLine, seed, failure };
  } finally {
    await h.close();
    await env.destroy();
  }
}
