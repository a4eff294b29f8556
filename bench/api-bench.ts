/**
 * `npm run bench:api`: activity registration throughput over HTTP. Seeds a fresh database, starts
 * the real API (same container, same auth, same Postgres pool as production) in this process on
 * 127.0.0.1, and drives it with autocannon for a bounded time per scenario: single registrations
 * (POST /v1/activities) and bulk registrations (POST /v1/activities/bulk). Prints registrations
 * per second (counted in the database, not just from 2xx answers) and latency percentiles.
 * In the same run, alternating with the real phases, it measures its own floor: a bare Fastify
 * route doing one INSERT (bench/api-floor.ts), same connections, and reports the ratios.
 * The load generator shares the process with the servers (both sides alike).
 * Figures are written to docs/benchmarks.md (the API section only; `--rerender` redraws it).
 *
 *   npm run bench:api -- [--assignments 20000] [--seconds 10] [--connections 50] [--bulk-connections 8] [--bulk-size 100] [--no-floor]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { buildApp } from '@reminders/api/app';
import { createContainer } from '@reminders/core/container';
import { createLogger } from '@reminders/core/logger';
import { seedDemoData } from '@reminders/core/seed/seed-demo-data';
import path from 'node:path';
import { createBenchEnv, machineDescription } from './bench-env';
import { startFloorApi } from './api-floor';
import { apiTargets, readApiScenario, writeApiReport, type ApiPhase, type ApiScenario } from './api-report';
import { cpuSnapshot, cpuUsage } from './cpu-accounting';

const { values } = parseArgs({
  options: {
    assignments: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'bulk-connections': { type: 'string', default: '8' },
    'bulk-size': { type: 'string', default: '100' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'no-floor': { type: 'boolean', default: false },
    /** Only redraw the API section of --out from the figures stored in it. */
    rerender: { type: 'boolean', default: false },
    out: { type: 'string', default: path.resolve(__dirname, '../docs/benchmarks.md') },
  },
});

function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, max: number): number {
  const v = values[name as keyof typeof values] as string;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) usage(`--${name} must be a whole number from 1 to ${max}, got "${v}"`);
  return n;
}

for (const name of ['database-url', 'redis-url'] as const) {
  const host = new URL(values[name]!).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') usage(`--${name} must point at 127.0.0.1 (the bench only touches this machine), got ${host}`);
}

type Phase = ApiPhase;

async function main() {
  if (values.rerender) {
    const stored = readApiScenario(values.out!);
    if (!stored) usage(`${values.out} holds no API bench figures to redraw`);
    writeApiReport(values.out!, stored);
    process.stdout.write(`rewrote the API section of ${values.out}\n`);
    return;
  }
  const assignments = positiveInt('assignments', 1_000_000);
  const seconds = positiveInt('seconds', 600);
  const connections = positiveInt('connections', 1000);
  const bulkConnections = positiveInt('bulk-connections', 1000);
  const bulkSize = positiveInt('bulk-size', 1000);
  const say = (s: string) => process.stdout.write(`${s}\n`);

  const env = await createBenchEnv(values['database-url']!, values['redis-url']!);
  const config = env.config({ LOG_LEVEL: 'warn' });
  const container = createContainer({ config, logger: createLogger(config, { name: 'api-bench' }) });
  const app = await buildApp({ root: container });
  try {
    const seeded = await seedDemoData({ databaseUrl: env.databaseUrl }, { assignments, timeZone: config.reminderTz, rules: config.rules });
    say(`seeded ${seeded.assignments} assignments (${seeded.activeAssignments} active, ${seeded.activities} activities)`);
    const ids = (await container.prisma.$queryRaw<{ id: number }[]>`SELECT id FROM assignments WHERE status <> 'closed' ORDER BY id`).map((r) => r.id);
    const { token } = await container.services.tokens.create({ name: 'api-bench', role: 'service', createdBy: 'bench' });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    say(`API on ${address}; ${machineDescription()}`);
    const load = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
    say(`load average before: ${load()} (other work on the machine lowers these figures)`);

    let k = 0;
    const pick = () => ids[(k = (k + 7919) % ids.length)]!;
    // A minute ago: on or after every assignment's start, never in the future.
    const item = () => ({ assignment_id: pick(), activity_type: 'call', occurred_at: new Date(Date.now() - 60_000).toISOString(), registered_by: 'bench' });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const countActivities = async (path: 'direct' | 'bulk') => container.prisma.activity.count({ where: { registrationPath: path, registeredBy: 'bench' } });
    const floor = values['no-floor'] ? null : await startFloorApi(env.databaseUrl, { poolSize: 10 });

    async function phase(label: string, path: 'direct' | 'bulk', opts: { base?: string; url: string; connections: number; body: () => unknown }): Promise<Phase> {
      const before = await countActivities(path);
      const cpuAt = cpuSnapshot();
      const result = await autocannon({
        url: `${opts.base ?? address}${opts.url}`,
        connections: opts.connections,
        duration: seconds,
        requests: [{ method: 'POST', headers, setupRequest: (req) => ({ ...req, body: JSON.stringify(opts.body()) }) }],
      });
      const { postgres, bench } = cpuUsage(cpuAt, cpuSnapshot(), []);
      const registrations = (await countActivities(path)) - before;
      const elapsed = result.duration || seconds;
      return {
        label,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        registrations,
        seconds: elapsed,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
        cpu: { postgres, bench },
      };
    }

    const phases: Phase[] = [];
    const byKey: Record<string, Phase> = {};
    const loadavgBefore = os.loadavg();
    const cpuBefore = cpuSnapshot();
    const single = () => ({ ...item(), registration_path: 'direct' });
    const bulk = () => ({ items: Array.from({ length: bulkSize }, item) });
    // Floor first, then the real route, for each shape: the two see the same machine a few seconds apart.
    if (floor) {
      say(`floor single: bare INSERT, ${connections} connections, ${seconds} s ...`);
      phases.push((byKey['single-floor'] = await phase('floor single', 'direct', { base: floor.address, url: '/floor/activities', connections, body: single })));
    }
    say(`single: POST /v1/activities, ${connections} connections, ${seconds} s ...`);
    phases.push((byKey.single = await phase('single', 'direct', { url: '/v1/activities', connections, body: single })));
    if (floor) {
      say(`floor bulk: bare multi-row INSERT x${bulkSize}, ${bulkConnections} connections, ${seconds} s ...`);
      phases.push((byKey['bulk-floor'] = await phase(`floor bulk`, 'bulk', { base: floor.address, url: '/floor/activities/bulk', connections: bulkConnections, body: bulk })));
    }
    say(`bulk: POST /v1/activities/bulk, ${bulkSize} items per request, ${bulkConnections} connections, ${seconds} s ...`);
    phases.push((byKey.bulk = await phase(`bulk x${bulkSize}`, 'bulk', { url: '/v1/activities/bulk', connections: bulkConnections, body: bulk })));
    const cpu = cpuUsage(cpuBefore, cpuSnapshot(), []);
    await floor?.close();

    say('');
    say('scenario      registrations/s   requests/s   p50 ms   p90 ms   p99 ms   max ms   requests   non-2xx   errors');
    for (const p of phases) {
      say(
        [
          p.label.padEnd(12),
          String(Math.round(p.registrations / p.seconds)).padStart(17),
          String(Math.round(p.requests / p.seconds)).padStart(12),
          String(p.p50).padStart(8),
          String(p.p90).padStart(8),
          String(p.p99).padStart(8),
          String(p.max).padStart(8),
          String(p.requests).padStart(10),
          String(p.non2xx).padStart(9),
          String(p.errors).padStart(8),
        ].join(' '),
      );
    }
    say(`load average after: ${load()}; CPU seconds taken by other processes meanwhile: ${cpu.other.toFixed(1)}`);
    if (phases.some((p) => p.non2xx > 0 || p.errors > 0)) {
      say('some requests failed: the figures above are not valid');
      process.exitCode = 1;
      return;
    }
    const scenario: ApiScenario = {
      date: new Date().toISOString(),
      machine: machineDescription(),
      load: { loadavgBefore, loadavgAfter: os.loadavg() },
      assignments,
      seconds,
      connections,
      bulkConnections,
      bulkSize,
      phases: byKey,
      otherCpuSeconds: +cpu.other.toFixed(1),
    };
    for (const t of apiTargets(scenario)) say(`target ${t.met ? 'met' : 'NOT MET'}: ${t.target} (${t.ratio.toFixed(2)}×)`);
    if (floor) {
      writeApiReport(values.out!, scenario);
      say(`wrote the API section of ${values.out}`);
    }
  } finally {
    await app.close();
    await container.close();
    await env.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`api bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
