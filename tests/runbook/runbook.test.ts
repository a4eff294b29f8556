/**
 * The runbook (docs/runbook) is checked against the real system, so that nothing in it is invented:
 * its structure; every SQL block runs on a freshly migrated database (rolled back) and returns the
 * columns its sample shows; every `npx reminders ...` line parses against the real CLI; every HTTP
 * route exists in the OpenAPI document and every HTTP example is accepted by the live API; every
 * variable, table, column, status, alert kind, metric, Redis key, log message and error text it
 * names exists; every link and image resolves. walkthrough.test.ts follows Manual Operations live.
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Client, types } from 'pg';
import { Redis } from 'ioredis';
import { parse as parseYaml } from 'yaml';
import { Command, CommanderError } from 'commander';
import { CONFIG_VARIABLES, loadConfig } from '@reminders/core/config';
import { ROLES } from '@reminders/core/auth/roles';
import { isIsoDate } from '@reminders/core/domain/calendar';
import { createSweepLock } from '@reminders/core/lock';
import { redisKeys } from '@reminders/core/redis-keys';
import { SCHEDULE_REGISTRATION_LOCK_NAME, SWEEP_LOCK_NAME } from '@reminders/core/jobs/job-catalog';
import { DISPATCH_QUEUE, SWEEP_QUEUE, SWEEP_SCHEDULER_ID } from '@reminders/core/jobs/job-catalog';
import { ROUTE_ROLES } from '@reminders/api/route-roles';
import { METRIC_NAMES } from '@reminders/api/metrics/service-metrics';
import { createTestEnv, TEST_REDIS_URL, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { loadRunbook, parseMarkdown, RUNBOOK_DIR, sampleColumns, shellLines, shellWords, slugify, tableRows, type Block, type Page } from './markdown';

const ROOT = path.resolve(__dirname, '../..');
const pages = loadRunbook();
const entry = pages[0]!;
const blocks: (Block & { page: Page })[] = pages.flatMap((page) => page.blocks.map((b) => ({ ...b, page })));
const where = (p: { page?: Page; line: number }, page?: Page) => `${path.relative(ROOT, (p.page ?? page ?? entry).file)}:${p.line}`;

const SECTIONS = [
  'Overview',
  'Architecture Diagram',
  'Cron Schedule Registration',
  'Execution Log Schema',
  'Advisory Lock',
  'Alerting',
  'Manual Operations',
  'Troubleshooting',
  'Activity Registration Hook',
];

/** Source text the runbook quotes from: messages, errors, log lines. */
function sourceCorpus(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (name === 'generated' || name === 'node_modules') continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ts|sql)$/.test(name)) files.push(full);
    }
  };
  for (const dir of ['packages/core/src', 'apps/cli/src', 'apps/api/src', 'apps/worker/src', 'prisma/migrations']) walk(path.join(ROOT, dir));
  return [...files, path.join(ROOT, 'docker-compose.yml')].map((f) => readFileSync(f, 'utf8')).join('\n');
}
const corpus = sourceCorpus();

/** A quoted message matches the source when each literal piece of it (between `<placeholders>` and `...`) occurs there. */
function quotedFromSource(text: string): boolean {
  return text
    .split(/<[^>]*>|\.\.\.|…/)
    .map((f) => f.trim())
    .filter((f) => f.length >= 4)
    .every((f) => corpus.includes(f));
}

describe('structure', () => {
  it('the entry page has the nine top-level sections, in order', () => {
    expect(entry.headings.filter((h) => h.level === 2).map((h) => h.text)).toEqual(SECTIONS);
  });

  it('the architecture diagram is Mermaid and shows the run from cron to alert, in order, and where everything sits', () => {
    const diagrams = blocks.filter((b) => b.lang === 'mermaid' && b.section === 'Architecture Diagram');
    expect(diagrams.length).toBeGreaterThanOrEqual(2);
    const flow = diagrams[0]!.code;
    const steps = ['Cron fires', 'Acquire lock', 'ReminderSchedulerService', 'Log result', 'Release lock', 'Increment consecutive_failures', 'ALERT_FAILURE_THRESHOLD', 'Dispatch consecutive_failures alert'];
    const at = steps.map((s) => flow.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const part of ['API', 'Workers', 'Redis', 'PostgreSQL', 'serve-api', 'serve-worker']) expect(diagrams[1]!.code).toContain(part);
    for (const d of diagrams) expect(d.code).toMatch(/^flowchart (TD|LR)\n/);
  });

  it('Troubleshooting covers the required scenarios, each with symptoms, confirmation, fix and verification', () => {
    const required = [
      'Missed runs',
      'Lock contention',
      'Long runs and ReminderSchedulerService timeouts',
      'Duplicate-reminder reports',
      'Reminders after contact',
      'Redis down',
      'Postgres down',
      'Scheduler missing after a deploy',
    ];
    const lines = entry.text.split('\n');
    const subsections = entry.headings.filter((h) => h.level === 3 && h.line > entry.headings.find((x) => x.text === 'Troubleshooting')!.line);
    for (const name of required) {
      const h = subsections.find((s) => s.text === name);
      expect(h).toBeDefined();
      const next = entry.headings.find((x) => x.line > h!.line && x.level <= 3);
      const body = lines.slice(h!.line, next ? next.line - 1 : undefined).join('\n');
      for (const part of ['**Symptoms.**', '**Confirm.**', '**Fix.**', '**Verify.**']) expect({ name, has: body.includes(part) }).toEqual({ name, has: true });
    }
  });

  it('links to the integration test that specifies the expected behaviour', () => {
    expect(entry.links.map((l) => l.target)).toContain('../../tests/integration/reminder-sweep.test.ts');
  });
});

describe('links and images', () => {
  const anchorsOf = (file: string) => parseMarkdown(file, readFileSync(file, 'utf8')).headings.map((h) => h.slug);

  it('every relative link and image resolves, anchors included', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const l of page.links) {
        if (/^[a-z]+:/i.test(l.target)) continue;
        const [file, anchor] = l.target.split('#') as [string, string | undefined];
        const target = file ? path.resolve(path.dirname(page.file), file) : page.file;
        if (!existsSync(target)) broken.push(`${where(l, page)} ${l.target}: no such file`);
        else if (anchor && target.endsWith('.md') && !anchorsOf(target).includes(anchor)) broken.push(`${where(l, page)} ${l.target}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the runbook anchors named by the Prometheus rules exist', () => {
    const rules = readFileSync(path.join(ROOT, 'docs/monitoring/prometheus-rules.yml'), 'utf8');
    const anchors = [...rules.matchAll(/runbook: "docs\/runbook\/README\.md#([^"]+)"/g)].map((m) => m[1]!);
    expect(anchors.length).toBeGreaterThan(2);
    for (const a of anchors) expect(entry.headings.map((h) => h.slug)).toContain(a);
  });

  it('the screenshots are the ones the Bull Board browser test writes', () => {
    const e2e = readFileSync(path.join(ROOT, 'tests/e2e/bull-board.test.ts'), 'utf8');
    const images = pages.flatMap((p) => p.links.filter((l) => l.image));
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const img of images) expect(e2e).toContain(`'${path.basename(img.target)}'`);
  });
});

describe('names the runbook uses exist', () => {
  const prose = pages.flatMap((p) => p.prose.map((l) => ({ ...l, page: p })));
  const spans = pages.flatMap((p) => p.spans.map((s) => ({ ...s, page: p })));

  it('every environment variable is one the config module reads', () => {
    const texts = [...prose.map((l) => ({ text: l.text, at: where(l) })), ...blocks.filter((b) => b.lang !== 'sql').map((b) => ({ text: b.code, at: where(b) }))];
    /** Shell variables the curl example defines for itself; Node's own NODE_OPTIONS (the worker's heap caps). */
    const allowed = new Set(['TOKEN', 'NODE_OPTIONS']);
    const unknown = new Set<string>();
    for (const { text, at } of texts) {
      const named = [...text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g), ...text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] ?? m[0]);
      for (const v of named) if (!CONFIG_VARIABLES.includes(v) && !allowed.has(v)) unknown.add(`${at} ${v}`);
    }
    expect([...unknown]).toEqual([]);
  });

  it('every log message, error text and CLI answer it quotes occurs in the source', () => {
    const command = /^(npx |docker |redis-cli |curl |pg_isready |GET |POST |SELECT )/;
    const quoted = spans
      .filter((s) => /^"msg":"/.test(s.text) || /^error: /.test(s.text) || (s.text.includes('; ') && !command.test(s.text)))
      .map((s) => ({ text: s.text.replace(/^"msg":"(.*)"$/, '$1').replace(/^error: /, ''), at: where(s) }));
    const troubleshooting = entry.prose.filter((l) => l.section === 'Troubleshooting');
    for (const row of tableRows(troubleshooting)) {
      const m = /^`([^`]+)`$/.exec(row[0]!);
      if (m) quoted.push({ text: m[1]!, at: 'error table' });
    }
    expect(quoted.length).toBeGreaterThan(15);
    expect(quoted.filter((q) => !quotedFromSource(q.text))).toEqual([]);
  });

  it('the configuration error it quotes is the one start-up prints', () => {
    const quoted = spans.filter((s) => s.text.startsWith('Invalid configuration: '));
    expect(quoted.length).toBeGreaterThan(0);
    for (const s of quoted) {
      const variable = /^Invalid configuration: (\w+)/.exec(s.text)![1]!;
      expect(() => loadConfig({ [variable]: 'not valid at all' })).toThrow(s.text);
    }
  });

  it('every Prometheus alert it names is a rule in docs/monitoring', () => {
    const rules = parseYaml(readFileSync(path.join(ROOT, 'docs/monitoring/prometheus-rules.yml'), 'utf8')) as { groups: { rules: { alert: string }[] }[] };
    const names = new Set(rules.groups.flatMap((g) => g.rules.map((r) => r.alert)));
    const named = spans.filter((s) => /^Reminders[A-Z]\w+$/.test(s.text));
    expect(named.length).toBeGreaterThan(3);
    for (const s of named) expect({ at: where(s), name: s.text, exists: names.has(s.text) }).toMatchObject({ exists: true });
  });

  it('every queue and scheduler name is the job catalog’s', () => {
    const named = spans.filter((s) => /^reminder-[a-z]+$/.test(s.text));
    expect(named.length).toBeGreaterThan(3);
    for (const s of named) expect([SWEEP_QUEUE, DISPATCH_QUEUE, SWEEP_SCHEDULER_ID]).toContain(s.text);
  });

  it('every Redis key is one the service uses (default prefix), named by redis-keys.ts', async () => {
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    try {
      const k = redisKeys('reminders');
      // The lock the workers really take has the key the module names.
      expect(createSweepLock({ redis, prefix: 'reminders', name: SWEEP_LOCK_NAME, ttlMs: 1000 }).key).toBe(k.lock(SWEEP_LOCK_NAME));
      const known = new Set([k.lock(SWEEP_LOCK_NAME), k.lockHolder(SWEEP_LOCK_NAME), k.lock(SCHEDULE_REGISTRATION_LOCK_NAME), k.workers, k.workersWatchSince, k.workersLastLeft]);
      const words = [...spans.map((s) => s.text), ...blocks.filter((b) => b.lang === 'sh' || b.lang === 'text').flatMap((b) => b.code.split(/\s+/))];
      const keys = words.filter((w) => /^reminders:[\w:-]+$/.test(w));
      expect(keys.length).toBeGreaterThan(5);
      expect(keys.filter((k) => !known.has(k))).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('the roles table is the one the API enforces', () => {
    const rows = tableRows(entry.prose.filter((l) => l.section === 'Manual Operations')).filter((r) => /^`(GET|POST) \//.test(r[0]!));
    expect(rows.length).toBeGreaterThan(10);
    for (const [route, roles] of rows) {
      const key = route!.replace(/`/g, '');
      expect({ key, roles: roles!.split(/,\s*/) }).toEqual({ key, roles: [...(ROUTE_ROLES[key] ?? ['<not a route>'])] });
    }
  });
});

describe('against a migrated database and the live API', () => {
  let env: TestEnv;
  let api: ApiHarness;
  let pg: Client;
  let openapi: { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> } & Record<string, unknown>;
  const sqlColumns = new Set<string>();

  beforeAll(async () => {
    env = await createTestEnv();
    // DATE columns as the text psql shows (YYYY-MM-DD), not as a Date in the test's time zone.
    pg = new Client({ connectionString: env.databaseUrl, types: { getTypeParser: ((oid: number, format?: 'text') => (oid === types.builtins.DATE ? (v: string) => v : types.getTypeParser(oid, format))) as typeof types.getTypeParser } });
    await pg.connect();
    // Assignments 1..45; 42 is the runbook's example (assigned 2026-09-01, silent since 2026-11-01).
    await pg.query(`
      WITH c AS (INSERT INTO coordinators (name) VALUES ('Cora') RETURNING id),
           m AS (INSERT INTO peer_mentors (name, coordinator_id) SELECT 'Mia', id FROM c RETURNING id, coordinator_id),
           k AS (INSERT INTO contacts (name) SELECT 'Contact ' || g FROM generate_series(1, 45) g RETURNING id)
      INSERT INTO assignments (peer_mentor_id, contact_id, coordinator_id, assigned_date, last_contact_date)
      SELECT m.id, k.id, m.coordinator_id, '2026-09-01', '2026-11-01' FROM k, m ORDER BY k.id`);
    api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z', workers: true, sweepWorker: true });
    openapi = api.app.swagger() as typeof openapi;
  });

  afterAll(async () => {
    await pg?.end();
    await api?.close();
    await env?.destroy();
  });

  describe('SQL', () => {
    /** Rows a block's example needs, inserted inside the same rolled-back transaction. */
    const setup: Record<string, string> = {
      'close-stuck-run': `INSERT INTO cron_execution_log (id, job_name, trigger, status, started_at, heartbeat_at, worker_id, fencing_token)
                          VALUES (118, 'reminder-sweep', 'scheduled', 'running', now() - interval '40 minutes', now() - interval '39 minutes', 'worker-2', 7),
                                 (119, 'reminder-sweep', 'manual', 'succeeded', now() - interval '10 minutes', now(), 'worker-1', 8)`,
      'recent-runs': `INSERT INTO cron_execution_log (job_name, trigger, status, started_at, finished_at, duration_ms, worker_id)
                      VALUES ('reminder-sweep', 'manual', 'succeeded', now(), now(), 0, 'worker-1')`,
      'contact-state': `INSERT INTO activities (assignment_id, activity_type, occurred_at, registration_path, registered_by)
                        VALUES (42, 'visit', '2026-11-20T15:00:00Z', 'proxy', 'sam.proxy')`,
    };
    /** What the example must then show. */
    const expectations: Record<string, (rows: Record<string, unknown>[]) => void> = {
      'close-stuck-run': (rows) => expect(rows).toEqual([expect.objectContaining({ id: 118, status: 'abandoned', worker_id: 'worker-2' })]),
      'recent-runs': (rows) => expect(rows).toEqual([expect.objectContaining({ status: 'succeeded', worker_id: 'worker-1' })]),
      'contact-state': (rows) => {
        expect(rows).toHaveLength(1);
        // The trigger moved the date in the same transaction as the activity.
        expect(rows[0]!.last_contact_date).toBe('2026-11-20');
      },
      'trigger-exists': (rows) => expect(rows).toEqual([{ tgname: 'activities_touch_contact', tgenabled: 'O' }]),
    };

    const sqlBlocks = blocks.filter((b) => b.lang === 'sql');

    it('every SQL block is named (a `<!-- sql: name -->` marker) and there are only a few', () => {
      expect(sqlBlocks.length).toBeGreaterThanOrEqual(3);
      expect(sqlBlocks.length).toBeLessThanOrEqual(6);
      for (const b of sqlBlocks) expect({ at: where(b), name: b.markers.sql ?? null }).toEqual({ at: where(b), name: expect.any(String) });
    });

    it.each(sqlBlocks.map((b) => [b.markers.sql ?? where(b), b] as const))('%s runs on the current schema and returns what its sample shows', async (name, block) => {
      await pg.query('BEGIN');
      try {
        if (setup[name]) await pg.query(setup[name]!);
        const result = await pg.query(block.code);
        for (const f of result.fields) sqlColumns.add(f.name);
        const sample = blocks.find((b) => b.markers['sql-result'] === name);
        if (sample) expect(result.fields.map((f) => f.name)).toEqual(sampleColumns(sample.code));
        expectations[name]?.(result.rows);
      } finally {
        await pg.query('ROLLBACK');
      }
    });

    it('the queries the mission asks for are there: recent runs, clearing a stuck run, last_contact_date of an assignment', () => {
      const names = sqlBlocks.map((b) => b.markers.sql);
      for (const n of ['recent-runs', 'close-stuck-run', 'contact-state']) expect(names).toContain(n);
      for (const n of ['recent-runs', 'close-stuck-run', 'contact-state']) expect(blocks.some((b) => b.markers['sql-result'] === n)).toBe(true);
    });
  });

  describe('schema names', () => {
    async function known(): Promise<Set<string>> {
      const q = async (sql: string) => (await pg.query<{ n: string }>(sql)).rows.map((r) => r.n);
      const names = [
        ...(await q(`SELECT table_name AS n FROM information_schema.tables WHERE table_schema = 'public'`)),
        ...(await q(`SELECT column_name AS n FROM information_schema.columns WHERE table_schema = 'public'`)),
        ...(await q(`SELECT enumlabel AS n FROM pg_enum`)),
        ...(await q(`SELECT typname AS n FROM pg_type t JOIN pg_namespace s ON s.oid = t.typnamespace WHERE s.nspname = 'public'`)),
        ...(await q(`SELECT tgname AS n FROM pg_trigger WHERE NOT tgisinternal`)),
        ...(await q(`SELECT proname AS n FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace WHERE s.nspname = 'public'`)),
        ...(await q(`SELECT relname AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'pg_catalog'`)),
        ...METRIC_NAMES,
        ...sqlColumns,
      ];
      // Field and parameter names of the HTTP API.
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) return v.forEach(walk);
        if (!v || typeof v !== 'object') return;
        const o = v as Record<string, unknown>;
        if (o.properties && typeof o.properties === 'object') names.push(...Object.keys(o.properties));
        if (typeof o.name === 'string' && typeof o.in === 'string') names.push(o.name);
        Object.values(o).forEach(walk);
      };
      walk(openapi);
      return new Set(names);
    }

    it('every table, column, status, alert kind, trigger, metric and field it names in `code` exists', async () => {
      const names = await known();
      const spans = pages.flatMap((p) => p.spans.map((s) => ({ ...s, page: p })));
      const snake = spans.filter((s) => /^[a-z][a-z0-9]*(_[a-z0-9]+)+(\(\))?$/.test(s.text));
      expect(snake.length).toBeGreaterThan(50);
      expect(snake.filter((s) => !names.has(s.text.replace(/\(\)$/, ''))).map((s) => `${where(s)} ${s.text}`)).toEqual([]);
      // Dotted names: an audit action written by the service, or a path of API fields.
      const dotted = spans.filter((s) => /^[a-z_]+\.[a-z_]+$/.test(s.text));
      for (const s of dotted) {
        const ok = corpus.includes(`'${s.text}'`) || s.text.split('.').every((p) => names.has(p));
        expect({ at: where(s), name: s.text, ok }).toMatchObject({ ok: true });
      }
    });

    it('the execution log section explains every column of cron_execution_log and every run status', async () => {
      const cols = (await pg.query<{ n: string }>(`SELECT column_name AS n FROM information_schema.columns WHERE table_name = 'cron_execution_log'`)).rows.map((r) => r.n);
      const statuses = (await pg.query<{ n: string }>(`SELECT enumlabel AS n FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'run_status' ORDER BY enumsortorder`)).rows.map((r) => r.n);
      expect(statuses).toEqual(['running', 'succeeded', 'failed', 'skipped_locked', 'skipped_disabled', 'timed_out', 'abandoned', 'awaiting_confirmation', 'cancelled']);
      const rows = tableRows(entry.prose.filter((l) => l.section === 'Execution Log Schema'));
      const described = new Set(rows.flatMap((r) => [...r[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
      expect(cols.filter((c) => !described.has(c))).toEqual([]);
      expect(statuses.filter((s) => !described.has(s))).toEqual([]);
      for (const r of rows) if (described.has(r[0]!.replace(/`/g, ''))) expect(r[1]!.length).toBeGreaterThan(5);
    });

    it('the alerting section has a row for every alert kind, with its threshold and recovery', async () => {
      const kinds = (await pg.query<{ n: string }>(`SELECT enumlabel AS n FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'alert_kind'`)).rows.map((r) => r.n);
      const rows = tableRows(entry.prose.filter((l) => l.section === 'Alerting'));
      for (const kind of kinds) {
        const row = rows.find((r) => r[0] === `\`${kind}\``);
        expect({ kind, row: row?.length ?? 0 }).toEqual({ kind, row: 5 });
      }
    });
  });

  describe('HTTP', () => {
    type Route = { method: string | null; path: string; query: string[]; at: string };

    function mentionedRoutes(): Route[] {
      const out: Route[] = [];
      const scan = (text: string, at: string) => {
        for (const m of text.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/[^\s`"'),]*)/g)) out.push(route(m[1]!, m[2]!, at));
        const bare = text.replace(/\b(GET|POST|PUT|PATCH|DELETE) \/[^\s`"'),]*/g, '');
        for (const m of bare.matchAll(/(?<![\w.:/])(\/(?:v1\/[\w/:{}.-]+|healthz|readyz|metrics|docs(?:\/json)?|admin\/queues))(?![\w/])/g)) out.push(route(null, m[1]!, at));
      };
      const route = (method: string | null, target: string, at: string): Route => {
        const [p, q] = target.replace(/[.,;:]+$/, '').split('?') as [string, string | undefined];
        return { method, path: p, query: q ? q.split('&').map((kv) => kv.split('=')[0]!) : [], at };
      };
      for (const page of pages) for (const l of page.prose) scan(l.text, where(l, page));
      for (const b of blocks) if (b.lang !== 'sql') scan(b.code, where(b));
      return out;
    }

    function openapiRoute(r: Route) {
      for (const [template, ops] of Object.entries(openapi.paths)) {
        const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
        if (!re.test(r.path)) continue;
        const op = r.method ? ops[r.method.toLowerCase()] : Object.values(ops)[0];
        if (op) return op;
      }
      return null;
    }

    it('every route it names exists: in the OpenAPI document (with its query parameters), or as a page of the API', () => {
      const routes = mentionedRoutes();
      expect(routes.length).toBeGreaterThan(40);
      const missing: string[] = [];
      for (const r of routes) {
        const op = openapiRoute(r);
        if (op) {
          const params = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
          for (const q of r.query) if (!params.includes(q)) missing.push(`${r.at} ${r.path}?${q}: no such query parameter`);
          continue;
        }
        // Pages outside the OpenAPI document: Swagger UI and Bull Board.
        if (api.app.hasRoute({ method: (r.method ?? 'GET') as 'GET', url: r.path }) && ['/docs', '/docs/json', '/admin/queues'].includes(r.path)) continue;
        missing.push(`${r.at} ${r.method ?? ''} ${r.path}`);
      }
      expect(missing).toEqual([]);
    });

    it('the schedule problem it quotes is what the service reports for a missing job scheduler', async () => {
      const problem = await api.c.services.schedule.check();
      const quoted = pages.flatMap((p) => p.spans).filter((s) => /job scheduler \S+ is missing/.test(s.text));
      expect(quoted.length).toBeGreaterThan(0);
      for (const s of quoted) expect(s.text.replace(/^PROBLEM: /, '')).toBe(problem);
    });

    it('every HTTP example, sent as written (with a real token), is accepted by the live API', async () => {
      const examples = blocks.filter((b) => b.lang === 'http');
      expect(examples.length).toBeGreaterThan(10);
      for (const ex of examples) {
        const [head, ...rest] = ex.code.split(/\n\s*\n/);
        const [requestLine, ...headerLines] = head!.split('\n');
        const m = /^(GET|POST) (\S+)(?: HTTP\/1\.1)?$/.exec(requestLine!.trim());
        expect({ at: where(ex), requestLine: m ? 'ok' : requestLine }).toEqual({ at: where(ex), requestLine: 'ok' });
        const headers = Object.fromEntries(headerLines.map((h) => h.split(/:\s*/, 2) as [string, string]).map(([k, v]) => [k.toLowerCase(), v]));
        expect(headers.authorization).toMatch(/^Bearer <(viewer|operator|admin|service) token>$/);
        const body = rest.join('\n\n').trim();
        const res = await api.call({
          method: m![1] as 'GET' | 'POST',
          url: m![2]!,
          headers: body ? { 'content-type': headers['content-type'] ?? '' } : {},
          payload: body || undefined,
          as: 'admin',
        });
        const problem = res.statusCode >= 400 ? (res.json() as { type?: string; detail?: string }) : null;
        // Accepted: 2xx, or a refusal by the service itself because of the state (run 57 does not exist, the lock is free).
        const accepted = res.statusCode < 300 || ([404, 409].includes(res.statusCode) && problem?.type !== '/problems/not-found');
        expect({ at: where(ex), request: requestLine, status: res.statusCode, problem, accepted }).toMatchObject({ accepted: true });
      }
      // The documented trigger example ran a real sweep and answered with its row.
      const runs = await api.prisma.cronExecutionLog.findMany({ where: { trigger: 'manual' } });
      expect(runs.some((r) => r.status === 'succeeded' && r.triggeredBy === 'test-admin')).toBe(true);
      expect(await api.prisma.adminAuditLog.count({ where: { action: 'assignment.correct_last_contact_date', targetId: '42' } })).toBe(1);
    });
  });
});

describe('CLI', () => {
  /** Thrown by the stand-ins below: the command got through its own checks and would now connect. */
  class Reached extends Error {}
  const reach = async () => {
    throw new Reached();
  };

  type Program = typeof import('@reminders/cli/program');
  let registerCommands: Program['registerCommands'];

  beforeAll(() => {
    // Only the connection is replaced; each command's own parsing and validation runs for real.
    jest.doMock('@reminders/cli/composition', () => ({ withOps: reach, withData: reach }));
    registerCommands = (require('@reminders/cli/program') as Program).registerCommands;
  });

  /** Commands that connect without going through the CLI's composition root: stopped at their action. */
  const SERVE = new Set(['migrate', 'seed', 'start', 'serve-api', 'serve-worker']);

  async function parse(args: string[]): Promise<'ok' | string> {
    const program = registerCommands(new Command());
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
    for (const c of all(program)) {
      c.exitOverride();
      c.configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
      if (SERVE.has(c.name()) && c.parent === program) c.action(reach);
    }
    try {
      await program.parseAsync(args, { from: 'user' });
      return 'the command line reached no command';
    } catch (err) {
      if (err instanceof Reached) return 'ok';
      if (err instanceof CommanderError && err.exitCode === 0) return 'ok';
      return (err as Error).message;
    }
  }

  /** Every `reminders ...` command line: shell blocks and `code` in the prose. */
  function commandLines(): { words: string[]; at: string }[] {
    const out: { words: string[]; at: string }[] = [];
    const add = (line: string, at: string) => {
      const m = /^(?:npx |docker compose exec \S+ )reminders( .*)$/.exec(line);
      if (!m) return;
      const words = shellWords(m[1]!);
      if (words.length === 1 && /^(\.\.\.|…)$/.test(words[0]!)) return; // "npx reminders ...": the CLI in general
      out.push({ words, at });
    };
    for (const b of blocks) if (b.lang === 'sh') for (const line of shellLines(b.code)) add(line, where(b));
    for (const page of pages) for (const s of page.spans) add(s.text, where(s, page));
    return out;
  }

  it('the parser refuses what the CLI refuses (so the next test can fail)', async () => {
    for (const bad of [['trigger', '--bogus'], ['frobnicate'], ['runs', '--limit', '0'], ['pause'], ['lock'], ['trigger', '--dry-run', '--confirm', '5'], ['pause', '--reason', 'x', '--until', 'soon'], ['correct-contact', '--assignment', 'x', '--date', '2026-11-20', '--reason', 'abc']]) {
      expect({ bad, result: await parse(bad) }).not.toEqual({ bad, result: 'ok' });
    }
    expect(await parse(['trigger', '--help'])).toBe('ok');
  });

  it('every `npx reminders ...` line in the runbook parses against the real CLI', async () => {
    const lines = commandLines();
    expect(lines.length).toBeGreaterThan(20);
    const used = new Set<string>();
    for (const { words, at } of lines) {
      expect({ at, line: words.join(' '), result: await parse(words) }).toEqual({ at, line: words.join(' '), result: 'ok' });
      // Values the CLI hands to the service unchecked (it connects first): checked here the same way.
      const value = (opt: string) => (words.includes(opt) ? words[words.indexOf(opt) + 1]! : null);
      if (value('--role') !== null) expect(ROLES).toContain(value('--role'));
      if (value('--date') !== null) expect({ at, date: value('--date'), ok: isIsoDate(value('--date')!) }).toMatchObject({ ok: true });
      used.add(words.filter((w) => !w.startsWith('-'))[0]!);
    }
    // The operations the runbook must show are all there.
    for (const c of ['status', 'runs', 'trigger', 'pause', 'resume', 'lock', 'correct-contact', 'token', 'serve-worker', 'migrate']) expect(used).toContain(c);
  });
});

it('documents only pages inside docs/runbook', () => {
  for (const p of pages) expect(p.file.startsWith(RUNBOOK_DIR)).toBe(true);
  expect(pages.map((p) => slugify(path.basename(p.file, '.md')))).toEqual(expect.arrayContaining(['readme', 'bull-board']));
});
