/**
 * The API bench's section of docs/benchmarks.md: rendered from the figures it embeds as JSON, so
 * `npm run bench` (which rewrites the whole file) keeps it, and `npm run bench:api` replaces only it.
 */
import { keptSection } from './kept-section';

export type ApiPhase = {
  label: string;
  requests: number;
  non2xx: number;
  errors: number;
  registrations: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** CPU seconds over the phase: PostgreSQL's processes and this process (server and load generator alike). */
  cpu?: { postgres: number; bench: number };
};

export type ApiScenario = {
  date: string;
  machine: string;
  load: { loadavgBefore: number[]; loadavgAfter: number[] };
  assignments: number;
  seconds: number;
  connections: number;
  bulkConnections: number;
  bulkSize: number;
  /** Keys: single, single-floor, bulk, bulk-floor. */
  phases: Record<string, ApiPhase>;
  /** CPU seconds other processes took during the bench (other sessions on the shared machine). */
  otherCpuSeconds?: number | null;
};


export const rate = (p: ApiPhase) => p.registrations / p.seconds;

export function apiTargets(s: ApiScenario): { target: string; met: boolean; ratio: number }[] {
  const { single, bulk } = s.phases;
  const sf = s.phases['single-floor'];
  const bf = s.phases['bulk-floor'];
  const out: { target: string; met: boolean; ratio: number }[] = [];
  if (single && sf) {
    const r = rate(single) / rate(sf);
    out.push({ target: 'single registration at least 0.6× the bare insert', met: r >= 0.6, ratio: r });
    const p = single.p99 / Math.max(1, sf.p99);
    out.push({ target: "single registration p99 at most 2× the bare insert's", met: p <= 2, ratio: p });
  }
  if (bulk && bf) {
    const r = rate(bulk) / rate(bf);
    out.push({ target: 'bulk registration at least 0.8× the bare multi-row insert', met: r >= 0.8, ratio: r });
  }
  return out;
}

function apiLines(s: ApiScenario): string[] {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const row = (name: string, p: ApiPhase | undefined) =>
    p ? `| ${name} | ${n(rate(p))} | ${n(p.requests / p.seconds)} | ${p.p50} | ${p.p90} | ${p.p99} | ${p.max} | ${n(p.requests)} | ${p.non2xx} | ${p.errors} |` : null;
  const ph = s.phases;
  const ratio = (a?: ApiPhase, b?: ApiPhase) => (a && b ? `${(rate(a) / rate(b)).toFixed(2)}×` : '–');
  const p99 = (a?: ApiPhase, b?: ApiPhase) => (a && b ? `${a.p99} ms vs ${b.p99} ms (${(a.p99 / Math.max(1, b.p99)).toFixed(2)}×)` : '–');
  return [
    '## API: activity registration against a bare insert',
    '',
    'Written by `npm run bench:api` (bench/api-bench.ts); `npm run bench` keeps this section as it is.',
    'The real API (same container, auth, schemas and Postgres pool as production) and, in the same',
    'run on the same data, a bare Fastify app (bench/api-floor.ts) whose route does only one pg',
    '`INSERT INTO activities` (the contact trigger fires) for a single registration and one multi-row',
    'INSERT for bulk: the floor. Both are driven by autocannon from the same process with the same',
    'connections, floor and real phase alternating. Registrations are counted in the database.',
    '',
    `Measured ${s.date} on ${s.machine}; ${n(s.assignments)} assignments seeded; ${s.seconds} s per phase; ` +
      `single: ${s.connections} connections; bulk: ${s.bulkConnections} connections × ${s.bulkSize} items. ` +
      `Load average before / after: ${s.load.loadavgBefore.map((v) => v.toFixed(2)).join(' ')} / ${s.load.loadavgAfter.map((v) => v.toFixed(2)).join(' ')}` +
      (s.otherCpuSeconds != null ? `; other processes took ${s.otherCpuSeconds.toFixed(1)} CPU s meanwhile.` : '.'),
    '',
    '| phase | registrations/s | requests/s | p50 ms | p90 ms | p99 ms | max ms | requests | non-2xx | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('floor: bare single INSERT', ph['single-floor']),
    row('POST /v1/activities', ph.single),
    row(`floor: bare multi-row INSERT ×${s.bulkSize}`, ph['bulk-floor']),
    row(`POST /v1/activities/bulk ×${s.bulkSize}`, ph.bulk),
    '',
    `Single: **${ratio(ph.single, ph['single-floor'])}** the floor's registrations per second; p99 ${p99(ph.single, ph['single-floor'])}.`,
    `Bulk: **${ratio(ph.bulk, ph['bulk-floor'])}** the floor's registrations per second; p99 ${p99(ph.bulk, ph['bulk-floor'])}.`,
    '',
    ...cpuLines(s),
    'Targets (issue 17): ' + apiTargets(s).map((t) => `${t.met ? 'met' : '**not met**'}: ${t.target} (${t.ratio.toFixed(2)}×)`).join('; ') + '.',
    '',
    '```',
    `npm run bench:api -- --assignments ${s.assignments} --seconds ${s.seconds} --connections ${s.connections} --bulk-connections ${s.bulkConnections} --bulk-size ${s.bulkSize}`,
    '```',
  ].filter((l): l is string => l !== null);
}

/** Where the CPU went, per registration: what the floor costs and what the real path adds on top. */
function cpuLines(s: ApiScenario): string[] {
  const ph = s.phases;
  const keys = ['single-floor', 'single', 'bulk-floor', 'bulk'].filter((k) => ph[k]?.cpu && ph[k]!.registrations > 0);
  if (keys.length === 0) return [];
  const us = (seconds: number, p: ApiPhase) => Math.round((seconds * 1e6) / p.registrations).toLocaleString('en-US');
  return [
    'CPU per registration over each phase (µs; the machine has 2 cores, shared by PostgreSQL and this process, which runs the',
    'servers and the load generator alike):',
    '',
    '| phase | PostgreSQL | bench process | both |',
    '| --- | ---: | ---: | ---: |',
    ...keys.map((k) => {
      const p = ph[k]!;
      return `| ${p.label} | ${us(p.cpu!.postgres, p)} | ${us(p.cpu!.bench, p)} | ${us(p.cpu!.postgres + p.cpu!.bench, p)} |`;
    }),
    '',
    ...(['single', 'bulk'] as const).flatMap((shape) => {
      const real = ph[shape];
      const floor = ph[`${shape}-floor`];
      if (!real?.cpu || !floor?.cpu || real.registrations === 0 || floor.registrations === 0) return [];
      const per = (p: ApiPhase, seconds: number) => (seconds * 1e6) / p.registrations;
      const pg = per(real, real.cpu.postgres) - per(floor, floor.cpu.postgres);
      const proc = per(real, real.cpu.bench) - per(floor, floor.cpu.bench);
      // With the machine's cores busy, the rate follows the CPU a registration takes.
      const floorCpu = per(floor, floor.cpu.postgres + floor.cpu.bench);
      const cap = (pgOnly: boolean) => floorCpu / (floorCpu + (pgOnly ? pg : pg + proc));
      return [
        `${shape === 'single' ? 'Single' : 'Bulk'}: the real path adds ${Math.round(pg)} µs of PostgreSQL and ${Math.round(proc)} µs of this process per registration to the floor's; ` +
          `with the cores saturated that alone puts it at ~${cap(false).toFixed(2)}× the floor, and the PostgreSQL part alone (judging each item, the client id, the contact state) at ~${cap(true).toFixed(2)}×.`,
      ];
    }),
    '',
  ];
}

const section = keptSection<ApiScenario>('api-bench', apiLines);
export const renderApiSection = section.render;
export const readApiScenario = section.read;
/** Replaces the API section (or adds it before the sweep's summary) and leaves the rest as it is. */
export const writeApiReport = section.write;
