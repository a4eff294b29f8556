/**
 * docs/benchmarks.md, regenerated from data: every scenario (size, channels, workers,
 * concurrency) keeps its own section with its figures embedded as JSON in a comment, so a run of
 * one size replaces only its own section and the summary table is rebuilt from all of them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { CpuUsage } from './cpu-accounting';
import type { RunFigures } from './measure-run';
import type { FloorResult, NaiveResult, SetBasedResult } from './reference-points';
import { statementBounds, type StatementsResult } from './statements-reference';
import { readApiScenario, renderApiSection } from './api-report';
import { readProgrammeScenario, renderProgrammeSection } from './programme-report';
import { WORKER_NODE_OPTIONS } from '@reminders/core/worker-heap';

export type Scenario = {
  key: string;
  date: string;
  machine: string;
  load: { loadavgBefore: number[]; loadavgAfter: number[] };
  assignments: number;
  dueShare: number;
  due: number;
  email: boolean;
  /** With e-mail: the programmes' delivery (issue 16); absent in figures from before digests (one e-mail per reminder). */
  delivery?: 'digest' | 'each' | null;
  /** With e-mail: how long the sink held back each end-of-data answer (a relay's latency), and SMTP_MAX_CONNECTIONS. */
  smtp?: { replyDelayMs: number; maxConnections: number } | null;
  workers: number;
  concurrency: number;
  /** NODE_OPTIONS the workers ran with, when the bench was asked for any. */
  nodeOptions?: string | null;
  seedSeconds: number;
  /** Every repeat's trigger-to-final-row and queue-floor seconds (the figures shown are the medians). */
  samples?: { runSeconds: number[]; floorSeconds: number[] };
  /** Whether every repeat, not only the median one, succeeded with exactly one reminder per due assignment. */
  allExactlyOnce?: boolean;
  run: RunFigures;
  floor: FloorResult | null;
  naive: NaiveResult | null;
  setBased: SetBasedResult | null;
  /** (d) the dispatch's statements with no queue, with and without foreign-key checks; absent in figures from before 2026-12-07. */
  statements?: StatementsResult[] | null;
};

const DATA = /<!-- bench-data (\{.*\}) -->/g;

export function scenarioKey(s: { assignments: number; email: boolean; delivery?: string; workers: number; concurrency: number; dueShare: number; nodeOptions?: string; smtp?: Scenario['smtp'] }): string {
  // The deployed heap caps are the default and keep the key it had; any other options get their own.
  const opts = s.nodeOptions !== undefined && s.nodeOptions !== WORKER_NODE_OPTIONS ? `-node(${s.nodeOptions.replace(/[^A-Za-z0-9=.-]/g, '') || 'v8-defaults'})` : '';
  const smtp = s.email && s.smtp ? `-relay${s.smtp.replyDelayMs}ms-sc${s.smtp.maxConnections}` : '';
  // Digest runs get their own key; per-reminder runs keep the key they had before digests existed.
  const digest = s.email && s.delivery === 'digest' ? '-digest' : '';
  return `${s.assignments}-${s.email ? 'email' : 'inapp'}${digest}${smtp}-due${s.dueShare}-w${s.workers}-c${s.concurrency}${opts}`;
}

export function ratios(s: Scenario) {
  const ours = s.run.remindersPerSecond;
  return {
    /** Dispatch throughput (first job enqueued to last reminder written) over the floor's (first add to drained). */
    vsFloor: s.floor && s.run.dispatchPerSecond ? s.run.dispatchPerSecond / s.floor.perSecond : null,
    /** The stricter view: the whole run, trigger to final row (guard, counts, fan-out, final tally). */
    vsFloorEndToEnd: s.floor ? ours / s.floor.perSecond : null,
    vsNaive: s.naive ? ours / s.naive.perSecond : null,
    /** How many times longer the run took than the one-statement lower bound (trigger to final row vs the statement). */
    vsSetBased: s.setBased ? s.run.triggerToFinalRowSeconds / s.setBased.seconds : null,
  };
}

/** The issue's targets for this size (only the ones that apply). */
export function targets(s: Scenario): { target: string; short: string; met: boolean }[] {
  const r = ratios(s);
  const t: { target: string; short: string; met: boolean }[] = [];
  const ok = s.run.status === 'succeeded' && s.run.exactlyOnce && s.allExactlyOnce !== false;
  if (s.assignments === 10_000 && !s.email) t.push({ target: 'under 10 s trigger to final row', short: '< 10 s', met: ok && s.run.triggerToFinalRowSeconds < 10 });
  if (s.assignments === 100_000) {
    if (!s.email) t.push({ target: 'under 30 s trigger to final row', short: '< 30 s', met: ok && s.run.triggerToFinalRowSeconds < 30 });
    if (!s.email && r.vsFloor !== null) t.push({ target: 'dispatch throughput at least 70% of the queue floor', short: '≥ 70% of floor', met: ok && r.vsFloor >= 0.7 });
    if (s.email && r.vsNaive !== null) t.push({ target: 'with e-mail: at least 10× the naive baseline', short: '≥ 10× naive', met: ok && r.vsNaive >= 10 });
    // Issue 17: closer to the floor, and less memory per worker.
    const want = s.workers === 1 ? 0.75 : s.workers === 2 ? 0.8 : null;
    if (!s.email && want !== null && r.vsFloor !== null) t.push({ target: `issue 17: dispatch throughput at least ${want}× the queue floor`, short: `≥ ${want}× floor`, met: ok && r.vsFloor >= want });
    if (!s.email && s.concurrency === 500) t.push({ target: 'issue 17: peak worker RSS at most 250 MB at the default concurrency', short: 'RSS ≤ 250 MB', met: s.run.peakWorkerRssMb.every((m) => m <= 250) });
  }
  if (s.assignments === 1_000_000) {
    t.push({ target: 'completes within 10 minutes, exactly once', short: '< 10 min, once', met: ok && s.run.triggerToFinalRowSeconds < 600 });
    t.push({ target: 'each worker under 500 MB RSS', short: 'RSS < 500 MB', met: s.run.peakWorkerRssMb.every((m) => m < 500) });
  }
  return t;
}

const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const f = (v: number, d = 1) => v.toFixed(d);
const x = (v: number | null, d = 2) => (v === null ? '–' : `${v.toFixed(d)}×`);
const cpuLine = (c: CpuUsage) => {
  const total = c.postgres + c.redis + c.workers + c.bench + c.other + c.idle || 1;
  const pct = (v: number) => `${Math.round((100 * v) / total)}%`;
  return (
    `${f(c.wallSeconds)} s wall; CPU seconds: PostgreSQL ${f(c.postgres)}, Redis ${f(c.redis)}, workers ${f(c.workers)}, bench ${f(c.bench)}, ` +
    `other processes ${f(c.other)}, idle ${f(c.idle)} (of the machine: ours ${pct(c.postgres + c.redis + c.workers + c.bench)}, others ${pct(c.other)}, idle ${pct(c.idle)})`
  );
};

/** "in-app", or "in-app + e-mail" with the relay the sink played: "instant relay" or "relay 20 ms". */
function channels(s: Scenario): string {
  if (!s.email) return 'in-app';
  if (!s.smtp) return 'in-app + e-mail';
  return `in-app + e-mail (${s.smtp.replyDelayMs ? `relay ${s.smtp.replyDelayMs} ms` : 'instant relay'}, ${s.smtp.maxConnections} conn.)`;
}

function nodeOptionsLabel(options: string): string {
  if (!options) return "none (V8's default heap sizing)";
  return `\`${options}\`${options === WORKER_NODE_OPTIONS ? ' (the deployed heap caps, worker-heap.ts)' : ''}`;
}

/** (d)'s row, and the paragraph on what its PostgreSQL CPU allows beside the floor's; empty without figures. */
function statementLines(s: Scenario, vsFloor: number | null): { rows: string[]; paragraph: string[] } {
  const fk = s.statements?.find((st) => st.foreignKeys);
  if (!fk) return { rows: [], paragraph: [] };
  const noFk = s.statements?.find((st) => !st.foreignKeys);
  const rows = [
    `| (d) the dispatch's own statements, no queue: fan-out, then the write in batches of ${fk.batchSize}, one connection | fan-out ${f(fk.fanOut.seconds, 2)} s (PostgreSQL ${f(fk.fanOut.postgresCpu)} CPU s); writes ${f(fk.writes.seconds, 2)} s (PostgreSQL ${f(fk.writes.postgresCpu)} CPU s) for ${n(fk.written)} reminders${noFk ? `; with the foreign-key checks off (measurement only): writes PostgreSQL ${f(noFk.writes.postgresCpu)} CPU s` : ''} |`,
  ];
  const b = s.floor ? statementBounds(s.floor.cpu, s.statements!, s.setBased?.postgresCpu ?? null) : null;
  if (!b) return { rows, paragraph: [] };
  const paragraph = [
    '',
    `What the database's share allows: the queue floor took ${f(b.floorCpu)} CPU s (Redis, workers, bench) for these jobs; the run needs that and, at the least, ` +
      `the PostgreSQL CPU of its statements with no queue at all (d): ${f(b.asDeployed.postgresCpu)} s. With the machine as busy as during the floor, that caps the run at ` +
      `**${x(b.asDeployed.bound)}** the floor's pace` +
      (b.noForeignKeys ? `; without the foreign-key checks it would be ${x(b.noForeignKeys.bound)} (${f(b.noForeignKeys.postgresCpu)} s)` : '') +
      (b.rowsOnly ? `, writing only the rows (c) ${x(b.rowsOnly.bound)} (${f(b.rowsOnly.postgresCpu)} s)` : '') +
      `. Measured: ${x(vsFloor)}.`,
  ];
  return { rows, paragraph };
}

function section(s: Scenario): string {
  const r = ratios(s);
  const run = s.run;
  const lines = [
    `## ${n(s.assignments)} assignments, ${channels(s)}, ${s.workers} worker(s) × concurrency ${s.concurrency}`,
    '',
    `Scenario \`${s.key}\`, measured ${s.date} on ${s.machine}. Load average before / after: ${s.load.loadavgBefore.map((v) => f(v, 2)).join(' ')} / ${s.load.loadavgAfter.map((v) => f(v, 2)).join(' ')}.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| due assignments (due share ${s.dueShare}) | ${n(s.due)} (seeded in ${f(s.seedSeconds)} s) |`,
    ...(s.samples && s.samples.runSeconds.length > 1
      ? [`| repeats (run, queue floor alternating; medians shown) | run: ${s.samples.runSeconds.map((v) => f(v, 2)).join(', ')} s; floor: ${s.samples.floorSeconds.map((v) => f(v, 2)).join(', ')} s; all exactly once: ${s.allExactlyOnce ? 'yes' : '**NO**'} |`]
      : []),
    ...(typeof s.nodeOptions === 'string' ? [`| worker NODE_OPTIONS | ${nodeOptionsLabel(s.nodeOptions)} |`] : []),
    ...(s.email && s.smtp
      ? [
          `| SMTP sink | answers each message's end of data ${s.smtp.replyDelayMs ? `after ${s.smtp.replyDelayMs} ms (a relay's queue write and distance)` : 'at once (loopback, no relay latency)'}; workers keep SMTP_MAX_CONNECTIONS = ${s.smtp.maxConnections} connections each |`,
        ]
      : []),
    `| run status | ${run.status}${run.error ? ` (${run.error})` : ''} |`,
    `| trigger to final execution-log row | **${f(run.triggerToFinalRowSeconds, 2)} s** (last reminder written at ${f(run.triggerToLastWrittenSeconds, 2)} s) |`,
    `| reminders per second, trigger to final row | **${n(run.remindersPerSecond)}** (${n(run.remindersSent)} sent) |`,
    ...(run.dispatchPerSecond ? [`| dispatch throughput (first dispatch job seen in the queue to every job settled) | **${n(run.dispatchPerSecond)}**/s over ${f(run.dispatchSeconds, 2)} s |`] : []),
    ...(run.writeStatements ? [`| write statements (batches) | ${n(run.writeStatements)}, ${f(run.reminderRows / run.writeStatements)} reminders each on average |`] : []),
    `| enqueue to written, p50 / p99 | ${n(run.enqueueToWrittenP50Ms)} ms / ${n(run.enqueueToWrittenP99Ms)} ms (over ${n(run.latencySample)} jobs) |`,
    `| peak RSS per worker (VmHWM) | ${run.peakWorkerRssMb.map((m) => `${m} MB`).join(', ')} |`,
    `| Redis memory at peak | ${f(run.redisPeakMb)} MB used (${f(run.redisRunPeakMb)} MB above the start of the run) |`,
    `| exactly once | ${run.exactlyOnce ? 'yes' : '**NO**'}: ${n(run.reminderRows)} reminder rows for ${n(s.due)} due, ${run.duplicates} duplicate keys${run.emailsReceived !== null ? `; ${n(run.emailsReceived)} e-mails received by the sink, ${run.emailDuplicates} duplicate Message-IDs` : ''} |`,
    ...(s.email && run.emailsDoneSeconds != null
      ? [`| e-mail (${s.delivery === 'digest' ? 'one digest a day per mentor, coordinators one escalation digest' : 'one e-mail per reminder, coordinators one message per escalation'}) | **${n(run.emailsReceived ?? 0)} e-mails** for ${n(run.reminderRows)} reminders (${n(run.digestsSent ?? 0)} digests); last e-mail recorded sent **${f(run.emailsDoneSeconds, 2)} s** after the trigger |`]
      : []),
    `| CPU during the run | ${cpuLine(run.cpu)} |`,
  ];
  if (s.floor) {
    lines.push(
      `| (a) queue floor: same ${n(s.floor.jobs)} jobs, no-op processor, same workers | ${n(s.floor.perSecond)} jobs/s (first job seen to drained: ${f(s.floor.seconds, 2)} s; fan-out ${f(s.floor.fanOutSeconds, 2)} s; RSS ${s.floor.peakWorkerRssMb.join(', ')} MB) |`,
      `| CPU during the queue floor | ${cpuLine(s.floor.cpu)} |`,
    );
  }
  if (s.naive) {
    lines.push(
      `| (b) naive baseline: sequential query + insert + delivery | ${n(s.naive.perSecond)} reminders/s (${n(s.naive.processed)} in ${f(s.naive.seconds, 1)} s${s.naive.timeBoxed ? ', time-boxed, rate extrapolated' : ''}${s.email ? `; ${n(s.naive.emailsSent)} e-mails` : ''}) |`,
    );
  }
  if (s.setBased) {
    const pgCpu = s.setBased.postgresCpu !== undefined ? `; PostgreSQL ${f(s.setBased.postgresCpu)} CPU s` : '';
    lines.push(`| (c) set-based lower bound: one INSERT ... SELECT | ${f(s.setBased.seconds, 2)} s for ${n(s.setBased.reminders)} reminders + ${n(s.setBased.notifications)} notifications (${n(s.setBased.perSecond)}/s${pgCpu}) |`);
  }
  const statements = statementLines(s, r.vsFloor);
  lines.push(...statements.rows);
  lines.push(
    `| **ratio to (a) queue floor** | dispatch throughput **${x(r.vsFloor)}** the floor's; end to end (trigger to final row) ${x(r.vsFloorEndToEnd)} |`,
    `| **ratio to (b) naive baseline** | **${x(r.vsNaive, 1)}** the naive throughput |`,
    `| **ratio to (c) set-based bound** | the run takes **${x(r.vsSetBased, 1)}** as long as the single statement |`,
  );
  lines.push(...statements.paragraph);
  const t = targets(s);
  if (t.length) lines.push('', 'Targets (issues 7 and 17): ' + t.map((g) => `${g.met ? 'met' : '**not met**'}: ${g.target}`).join('; ') + '.');
  lines.push('', `<!-- bench-data ${JSON.stringify(s)} -->`, '');
  return lines.join('\n');
}

function order(a: Scenario, b: Scenario): number {
  const relay = (s: Scenario) => s.smtp?.replyDelayMs ?? 0;
  return (
    a.assignments - b.assignments ||
    Number(a.email) - Number(b.email) ||
    relay(a) - relay(b) ||
    a.dueShare - b.dueShare ||
    a.workers - b.workers ||
    a.concurrency - b.concurrency
  );
}

export function readScenarios(file: string): Map<string, Scenario> {
  const out = new Map<string, Scenario>();
  if (!existsSync(file)) return out;
  for (const m of readFileSync(file, 'utf8').matchAll(DATA)) {
    const s = JSON.parse(m[1]!) as Scenario;
    out.set(s.key, s);
  }
  return out;
}

/** Adds (or replaces) these scenarios and rewrites the whole file from the data. */
export function writeReport(file: string, fresh: Scenario[], notes: string[]): void {
  const all = readScenarios(file);
  // The API bench's section is its own (npm run bench:api); kept as its figures say.
  const api = readApiScenario(file);
  const programmes = readProgrammeScenario(file);
  for (const s of fresh) all.set(s.key, s);
  const list = [...all.values()].sort(order);
  const summary = list.map((s) => {
    const r = ratios(s);
    const t = targets(s);
    return `| ${n(s.assignments)} | ${channels(s)} | ${s.workers} × ${s.concurrency} | ${n(s.due)} | ${f(s.run.triggerToFinalRowSeconds, 2)} s | ${n(s.run.remindersPerSecond)} | ${n(s.run.enqueueToWrittenP50Ms)} / ${n(s.run.enqueueToWrittenP99Ms)} ms | ${Math.max(...s.run.peakWorkerRssMb)} MB | ${s.run.exactlyOnce && s.allExactlyOnce !== false ? 'yes' : 'NO'} | ${x(r.vsFloor)} / ${x(r.vsFloorEndToEnd)} | ${x(r.vsNaive, 1)} | ${x(r.vsSetBased, 1)} | ${f(s.run.cpu.other)} s | ${t.length ? t.map((g) => (g.met ? `${g.short}: met` : `${g.short}: **not met**`)).join('; ') : '–'} | ${s.date.slice(0, 16)} |`;
  });
  const md = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/sweep-bench.ts); do not edit by hand. Each scenario seeds a fresh',
    'database, starts real `reminders serve-worker` processes, triggers one sweep and times it from the',
    'trigger to the final execution-log row; then, on the same data and machine, it measures the',
    'reference points: (a) the queue floor (the same number of BullMQ jobs, same options and worker',
    'processes, a no-op processor), (b) the naive baseline (a sequential loop: query, insert, same',
    'delivery per assignment, no queue; time-boxed, its rate extrapolated), (c) the set-based lower',
    'bound (one INSERT ... SELECT writing the same reminder and notification rows) and (d) the dispatch\'s',
    'own statements with no queue (bench/statements-reference.ts: the real fan-out, then the real write',
    'in the workers\' batch size, one connection; once more with the foreign-key checks off for that',
    'connection, to show what they cost). A run of one scenario replaces only its own section.',
    '',
    '"Other processes" is CPU time taken by everything that is not this benchmark, its workers,',
    'PostgreSQL or Redis: on this shared 2-core machine, other sessions run test suites at the same time,',
    'so read each figure with that column (and the load averages in its section) beside it. With',
    '`--repeat N` the run and the queue floor alternate N times and the medians are shown.',
    '',
    'The ratio to the queue floor compares like with like, both polled every 25 ms: the dispatch',
    'throughput (first dispatch job seen in the queue to every job settled) against the floor\'s (first',
    'job seen to queue drained). The end-to-end ratio (trigger to final execution-log row, which adds',
    'the blast-radius count, the run bookkeeping and the final tally) is shown beside it. The naive',
    'ratio uses the end-to-end rate.',
    '',
    'Reading the ratios on 2 cores. The queue floor alone keeps both cores about 80% busy (its worker',
    'and Redis); the run needs that plus PostgreSQL writing the rows (the set-based bound is the least',
    'that costs) plus the dispatch code, on the same two cores, so its ratio to the floor is roughly the',
    'floor\'s CPU seconds over the run\'s (compare the two "CPU during" rows). Each section with (d)',
    'says what that allows at best: the floor\'s CPU over the floor\'s plus the PostgreSQL CPU of the',
    'statements alone. With e-mail, the SMTP',
    'sink can answer each message at once (loopback: then nodemailer\'s CPU per message, in the worker,',
    'bounds the run, and the naive loop loses little by waiting) or after a delay that stands for a real',
    'relay\'s queue write and distance (`--smtp-reply-ms`): then the naive loop waits that long per',
    'message while each worker keeps SMTP_MAX_CONNECTIONS messages in flight.',
    '',
    ...notes.map((l) => l),
    ...(notes.length ? [''] : []),
    ...(api ? [renderApiSection(api)] : []),
    ...(programmes ? [renderProgrammeSection(programmes)] : []),
    '## Summary',
    '',
    '| assignments | channels | workers × concurrency | due | trigger → final row | reminders/s | p50 / p99 enqueue → written | peak worker RSS | exactly once | vs (a) floor: dispatch / end to end | vs (b) naive | vs (c) set-based (time) | other CPU | targets | measured (UTC) |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |',
    ...summary,
    '',
    ...list.map(section),
  ].join('\n');
  writeFileSync(file, md);
}
