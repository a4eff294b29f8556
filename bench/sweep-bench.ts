/**
 * `npm run bench`: seeds assignments into a fresh database, starts real worker processes,
 * triggers one sweep and measures it from the trigger to the final execution-log row; then, on the
 * same data, the reference points (queue floor, naive baseline, set-based lower bound) as ratios.
 * Figures are printed and written to docs/benchmarks.md (one section per scenario, regenerated).
 * Everything runs against 127.0.0.1 in the bench's own database and Redis key prefix.
 *
 *   npm run bench -- --assignments 100000 --workers 1,2,4 --concurrency 200 [--email [--smtp-reply-ms 20] [--smtp-connections 10]] [--repeat 3] [--no-references]
 *   npm run bench -- --programmes 1000 --assignments 100000 [--workers 1]     # issue 15: programme-bench.ts
 *
 * With --repeat N each worker count is measured N times, alternating run and queue floor, and the
 * medians are reported (other sessions share this machine; alternating spreads their noise).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createEmailChannel } from '@reminders/core/channels/email-channel';
import { createPrisma } from '@reminders/core/db/prisma';
import { createExecutionLogRepository } from '@reminders/core/repositories/execution-log-repository';
import { seedDemoData } from '@reminders/core/seed/seed-demo-data';
import { SWEEP_SCHEDULER_ID } from '@reminders/core/jobs/job-catalog';
import { WORKER_NODE_OPTIONS } from '@reminders/core/worker-heap';
import { createBenchEnv, machineDescription } from './bench-env';
import { scenarioKey, targets, ratios, writeReport, type Scenario } from './bench-report';
import { measureRun } from './measure-run';
import { naiveBaseline, queueFloor, setBasedLowerBound, type FloorResult } from './reference-points';
import { dispatchStatements, type StatementsResult } from './statements-reference';
import { writeBatchSize } from '@reminders/core/services/reminder-dispatch-service';
import type { RunFigures } from './measure-run';
import { startBenchSmtpSink } from './smtp-sink';
import { benchProgrammes } from './programme-bench';
import { programmeTargets, writeProgrammeReport } from './programme-report';

const { values } = parseArgs({
  options: {
    assignments: { type: 'string', default: '10000' },
    /** Issue 15: the assignments as this many programmes against one programme of the same size, and a small programme's latency under a big run. */
    programmes: { type: 'string' },
    /** With --programmes: SWEEP_CONCURRENCY for the workers (unset: the service's default). */
    'sweep-concurrency': { type: 'string' },
    'due-share': { type: 'string', default: '1' },
    email: { type: 'boolean', default: false },
    /** With --email: the programmes' delivery, one digest a day per mentor (the default) or one e-mail per reminder. */
    delivery: { type: 'string', default: 'digest' },
    /** With --email: the sink answers each message's end of data after this many ms (a relay's latency). */
    'smtp-reply-ms': { type: 'string', default: '0' },
    /** With --email: SMTP_MAX_CONNECTIONS for the workers (unset: the service's default). */
    'smtp-connections': { type: 'string' },
    /** One worker count, or several (`1,2,4`) measured one after another on the same data. */
    workers: { type: 'string', default: '1' },
    /** DISPATCH_CONCURRENCY for the workers: jobs in flight per worker (a write batch holds up to half). */
    concurrency: { type: 'string', default: '500' },
    'no-references': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    /** NODE_OPTIONS for the worker processes (and the queue floor's); unset: the worker's deployed heap caps (worker-heap.ts), "" for V8's defaults. */
    'worker-node-options': { type: 'string' },
    /** Run the workers from another entry point (default: the build, dist/reminders.js, as `npm start` and the image run it). */
    'worker-bin': { type: 'string' },
    /** Only rewrite --out from the figures stored in it (after a change to the report's layout). */
    rerender: { type: 'boolean', default: false },
    /** How long the naive baseline may run before its rate is extrapolated. */
    'naive-seconds': { type: 'string', default: '20' },
    /** Longest a single measured run may take. */
    'timeout-minutes': { type: 'string', default: '15' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    out: { type: 'string', default: path.resolve(__dirname, '../docs/benchmarks.md') },
  },
});

function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, v: string | undefined, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) usage(`--${name} must be a whole number from 1 to ${max}, got "${v}"`);
  return n;
}

function localOnly(url: string, name: string) {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') usage(`--${name} must point at 127.0.0.1 (the bench only touches this machine), got ${host}`);
}

async function main() {
  if (values.rerender) {
    writeReport(values.out!, [], REPRODUCE);
    process.stdout.write(`rewrote ${values.out} from its stored figures\n`);
    return;
  }
  const assignments = positiveInt('assignments', values.assignments, 5_000_000);
  const workerCounts = values.workers!.split(',').map((w) => positiveInt('workers', w, 16));
  const concurrency = positiveInt('concurrency', values.concurrency, 1000);
  const naiveMs = positiveInt('naive-seconds', values['naive-seconds'], 3600) * 1000;
  const timeoutMs = positiveInt('timeout-minutes', values['timeout-minutes'], 120) * 60_000;
  const dueShare = Number(values['due-share']);
  if (!(dueShare >= 0 && dueShare <= 1)) usage(`--due-share must be between 0 and 1, got "${values['due-share']}"`);
  localOnly(values['database-url']!, 'database-url');
  localOnly(values['redis-url']!, 'redis-url');
  const references = !values['no-references'];
  const repeat = positiveInt('repeat', values.repeat, 20);
  const nodeOptions = values['worker-node-options'] ?? WORKER_NODE_OPTIONS;
  const email = values.email!;
  const smtpReplyMs = Number(values['smtp-reply-ms']);
  if (!Number.isInteger(smtpReplyMs) || smtpReplyMs < 0 || smtpReplyMs > 10_000) usage(`--smtp-reply-ms must be a whole number from 0 to 10000, got "${values['smtp-reply-ms']}"`);
  const smtpConnections = values['smtp-connections'] === undefined ? undefined : positiveInt('smtp-connections', values['smtp-connections'], 200);
  if (!email && (smtpReplyMs > 0 || smtpConnections !== undefined)) usage('--smtp-reply-ms and --smtp-connections need --email');
  const delivery = values.delivery!;
  if (delivery !== 'digest' && delivery !== 'each') usage(`--delivery must be digest or each, got "${delivery}"`);
  if (!email && values.delivery !== 'digest') usage('--delivery needs --email');

  if (values.programmes !== undefined) {
    const programmes = positiveInt('programmes', values.programmes, 10_000);
    if (workerCounts.length !== 1) usage('--programmes measures one worker count at a time');
    if (assignments % programmes !== 0) usage(`--assignments (${assignments}) must be a multiple of --programmes (${programmes}), so every programme has the same size`);
    const s = await benchProgrammes({
      databaseUrl: values['database-url']!,
      redisUrl: values['redis-url']!,
      programmes,
      assignments,
      workers: workerCounts[0]!,
      concurrency,
      sweepConcurrency: values['sweep-concurrency'] === undefined ? undefined : positiveInt('sweep-concurrency', values['sweep-concurrency'], 200),
      timeoutMs,
      say: (line) => process.stdout.write(`${line}\n`),
    });
    for (const t of programmeTargets(s)) process.stdout.write(`  target ${t.met ? 'met' : 'NOT MET'}: ${t.target}\n`);
    writeProgrammeReport(values.out!, s);
    process.stdout.write(`wrote ${values.out}\n`);
    if (!s.one.exactlyOnce || !s.many.exactlyOnce || !s.latency.exactlyOnce) process.exitCode = 1;
    return;
  }
  const env = await createBenchEnv(values['database-url']!, values['redis-url']!);
  const config = env.config();
  const vars = (extra: Record<string, string> = {}) =>
    env.vars({
      NODE_OPTIONS: nodeOptions,
      ...(smtpConnections !== undefined ? { SMTP_MAX_CONNECTIONS: String(smtpConnections) } : {}),
      ...extra,
    });
  const pg = new Client({ connectionString: env.databaseUrl });
  await pg.connect();
  const smtp = email ? await startBenchSmtpSink({ replyDelayMs: smtpReplyMs }) : null;
  const smtpShape = email ? { replyDelayMs: smtpReplyMs, maxConnections: smtpConnections ?? config.smtpMaxConnections } : null;
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const reset = async () => {
    await pg.query('TRUNCATE notifications, reminders');
    await pg.query('VACUUM ANALYZE');
  };
  const scenarios: Scenario[] = [];
  try {
    const seedStarted = performance.now();
    const seeded = await seedDemoData({ databaseUrl: env.databaseUrl }, { assignments, dueShare, timeZone: config.reminderTz, rules: config.rules });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    say(`seeded ${assignments} assignments (${seeded.dueToday} due today) in ${seedSeconds.toFixed(1)} s`);
    await pg.query('VACUUM ANALYZE');

    let first = true;
    for (const workers of workerCounts) {
      const loadavgBefore = os.loadavg();
      const runs: RunFigures[] = [];
      const floors: FloorResult[] = [];
      for (let r = 1; r <= repeat; r++) {
        if (!first) await reset();
        first = false;
        say(`run ${r}/${repeat}: ${workers} worker(s) × concurrency ${concurrency}${email ? ', e-mail on' : ''} (load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')})`);
        const prefix = `${env.prefix}-w${workers}-r${r}`;
        const run = await measureRun({ pg, redisUrl: config.redisUrl, prefix, vars, workers, concurrency, due: seeded.dueToday, smtp, timeoutMs, workerBin: values['worker-bin'], delivery });
        await env.dropKeys(prefix);
        runs.push(run);
        say(`  ${run.status}: ${run.triggerToFinalRowSeconds} s, ${run.remindersPerSecond} reminders/s, p50/p99 ${run.enqueueToWrittenP50Ms}/${run.enqueueToWrittenP99Ms} ms, RSS ${run.peakWorkerRssMb.join('/')} MB, exactly once: ${run.exactlyOnce}`);
        if (email) say(`  e-mail (${delivery}): ${run.emailsReceived} e-mails for ${run.reminderRows} reminders (${run.digestsSent} digests), last one ${run.emailsDoneSeconds} s after the trigger`);
        if (!references) continue;
        const floorPrefix = `${env.prefix}-floor-w${workers}-r${r}`;
        const floor = await queueFloor({
          vars: vars({ REDIS_PREFIX: floorPrefix, DISPATCH_CONCURRENCY: String(concurrency) }),
          prefix: floorPrefix,
          redisUrl: config.redisUrl,
          jobs: seeded.dueToday,
          workers,
          pageSize: config.sweepPageSize,
          timeoutMs,
        });
        await env.dropKeys(floorPrefix);
        floors.push(floor);
        say(`  queue floor: ${Math.round(floor.perSecond)} jobs/s (${floor.seconds.toFixed(2)} s)`);
      }
      scenarios.push({
        key: scenarioKey({ assignments, email, delivery, workers, concurrency, dueShare, nodeOptions, smtp: smtpShape }),
        date: new Date().toISOString(),
        machine: machineDescription(),
        load: { loadavgBefore, loadavgAfter: os.loadavg() },
        assignments,
        dueShare,
        due: seeded.dueToday,
        email,
        delivery: email ? delivery : null,
        smtp: smtpShape,
        workers,
        concurrency,
        nodeOptions,
        seedSeconds: +seedSeconds.toFixed(2),
        run: median(runs, (x) => x.triggerToFinalRowSeconds),
        floor: floors.length ? median(floors, (x) => x.seconds) : null,
        samples: { runSeconds: runs.map((x) => x.triggerToFinalRowSeconds), floorSeconds: floors.map((x) => +x.seconds.toFixed(2)) },
        // Every repeat must have been exactly once, not just the median one.
        allExactlyOnce: runs.every((x) => x.exactlyOnce && x.status === 'succeeded'),
        naive: null,
        setBased: null,
        statements: null,
      });
    }

    if (references) {
      const prisma = createPrisma(env.databaseUrl, { max: 1 });
      const log = createExecutionLogRepository(prisma);
      // The references write rows under a run of their own (reminders reference a run and a token).
      const reference = async <T>(what: string, fn: (run: { runId: number; fencingToken: bigint; now: Date }) => Promise<T>): Promise<T> => {
        await reset();
        const now = new Date();
        const run = await log.startRun({ jobName: SWEEP_SCHEDULER_ID, trigger: 'manual', workerId: `bench-${what}`, now, triggeredBy: 'bench' });
        try {
          return await fn({ ...run, now });
        } finally {
          await log.finish(run.runId, { status: 'cancelled', now: new Date(), counts: {}, error: `benchmark reference point: ${what}` });
        }
      };
      // The naive loop delivers through the same (pooled) e-mail channel the dispatch uses.
      const channel = smtp ? createEmailChannel({ smtpUrl: smtp.url, from: config.smtpFrom, pool: {} }) : null;
      try {
        const naive = await reference('naive', (r) =>
          naiveBaseline({ databaseUrl: env.databaseUrl, config, email: channel, budgetMs: naiveMs, maxRows: seeded.dueToday, ...r }),
        );
        say(`  naive baseline: ${Math.round(naive.perSecond)} reminders/s (${naive.processed} in ${naive.seconds.toFixed(1)} s${naive.timeBoxed ? ', time-boxed' : ''})`);
        const setBased = await reference('set-based', (r) => setBasedLowerBound({ databaseUrl: env.databaseUrl, config, emailEnabled: email, ...r }));
        say(`  set-based lower bound: ${setBased.seconds.toFixed(2)} s for ${setBased.reminders} reminders (PostgreSQL ${setBased.postgresCpu} CPU s)`);
        const batchSize = writeBatchSize(concurrency);
        const statements: StatementsResult[] = [];
        for (const foreignKeys of [true, false]) {
          const st = await reference(foreignKeys ? 'statements' : 'statements-no-fk', (r) =>
            dispatchStatements({ databaseUrl: env.databaseUrl, config, emailEnabled: email, batchSize, foreignKeys, runId: r.runId, now: r.now }),
          );
          say(`  statements${foreignKeys ? '' : ' (no foreign-key checks)'}: fan-out ${st.fanOut.seconds} s (PostgreSQL ${st.fanOut.postgresCpu} CPU s), writes ${st.writes.seconds} s (PostgreSQL ${st.writes.postgresCpu} CPU s), ${st.written} written`);
          statements.push(st);
        }
        for (const s of scenarios) Object.assign(s, { naive, setBased, statements });
      } finally {
        channel?.close();
        await prisma.$disconnect();
      }
    }

    for (const s of scenarios) {
      const r = ratios(s);
      say(`${s.key}: ${s.run.triggerToFinalRowSeconds} s; vs floor ${r.vsFloor?.toFixed(2) ?? '-'} (dispatch), ${r.vsFloorEndToEnd?.toFixed(2) ?? '-'} (end to end); vs naive ${r.vsNaive?.toFixed(1) ?? '-'}×; vs set-based ${r.vsSetBased?.toFixed(1) ?? '-'}× the time`);
      for (const t of targets(s)) say(`  target ${t.met ? 'met' : 'NOT MET'}: ${t.target}`);
    }
    writeReport(values.out!, scenarios, REPRODUCE);
    say(`wrote ${values.out}`);
    if (scenarios.some((s) => !s.allExactlyOnce)) process.exitCode = 1;
  } finally {
    await pg.end();
    await smtp?.close();
    await env.destroy();
  }
}

const REPRODUCE = [
  'Worker memory (issue 17). The workers run as deployed: the build (dist/reminders.js, which',
  '`npm run bench` makes first) under the worker\'s heap caps (packages/core/src/worker-heap.ts:',
  '`--max-old-space-size=192 --max-semi-space-size=32`, which `reminders start` and docker-compose.yml',
  'give the worker), with Prisma\'s WebAssembly compiled by V8\'s baseline tier only. Measured',
  '2026-12-03, 100,000 assignments, 1 worker x 500: an idle worker holds 215 MB RSS, of which ~65 MB',
  'is what V8\'s optimizing compile of Prisma\'s query compiler leaves behind (glibc arenas of its',
  'background threads; the JS heap is ~42 MB): 148 MB with the baseline tier only, and a 100k run was',
  'no slower (29.0 / 29.5 s against 31.9 / 33.8 s). Peak RSS under load then follows V8\'s heap',
  'sizing, not DISPATCH_CONCURRENCY (2026-12-01: 329 MB at 500 and at 200, 338 MB at 100): 392 MB',
  'with V8\'s defaults, 246 MB with the caps and both tiers, 172-174 MB with the caps and the baseline',
  'tier (those with a semi-space cap of 8 MiB). The semi-space cap was then chosen by measurement',
  '(2026-12-07, 1 worker x 500; at 8 MiB the garbage collector took 21% of the worker\'s time): run /',
  'peak RSS 19.9 s / 172 MB at 8 MiB, 18.8 s / 186 MB at 16, 17.7 s / 219 MB at 32, 17.2 s / 272 MB at',
  '64. `--worker-node-options=""` measures V8\'s default heap sizing, `--worker-bin` another entry.',
  '',
  'Reproduce (each command adds or replaces its own sections):',
  '',
  '```',
  'npm run bench -- --assignments 10000 --repeat 3',
  'npm run bench -- --assignments 10000 --concurrency 50 --repeat 3      # a tenth of the DISPATCH_CONCURRENCY default',
  'npm run bench -- --assignments 100000 --workers 1,2,4 --repeat 3',
  'npm run bench -- --assignments 100000 --email --workers 1,2                      # a relay that answers at once',
  'npm run bench -- --assignments 100000 --email --smtp-reply-ms 20 --workers 1,2   # a relay that takes 20 ms per message',
  'npm run bench -- --assignments 100000 --email --smtp-reply-ms 20 --smtp-connections 20   # twice the connections',
  'npm run bench -- --assignments 1000000',
  'npm run bench -- --programmes 1000 --assignments 100000   # the programmes section: 1,000 programmes against one',
  'npm run bench:api                                 # the API section: registration against a bare insert',
  '```',
];

/** The middle sample by `key` (the lower middle for an even count). */
function median<T>(xs: T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor((xs.length - 1) / 2)]!;
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
