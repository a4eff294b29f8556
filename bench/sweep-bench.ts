/**
 * `npm run bench`: seeds assignments into a fresh database, starts real worker processes,
 * triggers one sweep and measures it from the trigger to the final execution-log row; then, on the
 * same data, the reference points (queue floor, naive baseline, set-based lower bound) as ratios.
 * Figures are printed and written to docs/benchmarks.md (one section per scenario, regenerated).
 * Everything runs against 127.0.0.1 in the bench's own database and Redis key prefix.
 *
 *   npm run bench -- --assignments 100000 --workers 1,2,4 --concurrency 200 [--email] [--no-references]
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
import { createBenchEnv, machineDescription } from './bench-env';
import { scenarioKey, targets, ratios, writeReport, type Scenario } from './bench-report';
import { measureRun } from './measure-run';
import { naiveBaseline, queueFloor, setBasedLowerBound } from './reference-points';
import { startBenchSmtpSink } from './smtp-sink';

const { values } = parseArgs({
  options: {
    assignments: { type: 'string', default: '10000' },
    'due-share': { type: 'string', default: '1' },
    email: { type: 'boolean', default: false },
    /** One worker count, or several (`1,2,4`) measured one after another on the same data. */
    workers: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '200' },
    'no-references': { type: 'boolean', default: false },
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
  const email = values.email!;

  const env = await createBenchEnv(values['database-url']!, values['redis-url']!);
  const config = env.config();
  const pg = new Client({ connectionString: env.databaseUrl });
  await pg.connect();
  const smtp = email ? await startBenchSmtpSink() : null;
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

    for (const [i, workers] of workerCounts.entries()) {
      if (i > 0) await reset();
      const loadavgBefore = os.loadavg();
      say(`run: ${workers} worker(s) × concurrency ${concurrency}${email ? ', e-mail on' : ''} (load average ${loadavgBefore.map((v) => v.toFixed(2)).join(' ')})`);
      const run = await measureRun({ pg, redisUrl: config.redisUrl, prefix: `${env.prefix}-w${workers}`, vars: env.vars, workers, concurrency, due: seeded.dueToday, smtp, timeoutMs });
      say(`  ${run.status}: ${run.triggerToFinalRowSeconds} s, ${run.remindersPerSecond} reminders/s, p50/p99 ${run.enqueueToWrittenP50Ms}/${run.enqueueToWrittenP99Ms} ms, RSS ${run.peakWorkerRssMb.join('/')} MB, exactly once: ${run.exactlyOnce}`);
      const floor = references
        ? await queueFloor({
            vars: env.vars({ REDIS_PREFIX: `${env.prefix}-floor-w${workers}`, DISPATCH_CONCURRENCY: String(concurrency) }),
            prefix: `${env.prefix}-floor-w${workers}`,
            redisUrl: config.redisUrl,
            jobs: seeded.dueToday,
            workers,
            pageSize: config.sweepPageSize,
            timeoutMs,
          })
        : null;
      if (floor) say(`  queue floor: ${Math.round(floor.perSecond)} jobs/s (${floor.seconds.toFixed(2)} s)`);
      scenarios.push({
        key: scenarioKey({ assignments, email, workers, concurrency, dueShare }),
        date: new Date().toISOString(),
        machine: machineDescription(),
        load: { loadavgBefore, loadavgAfter: os.loadavg() },
        assignments,
        dueShare,
        due: seeded.dueToday,
        email,
        workers,
        concurrency,
        seedSeconds: +seedSeconds.toFixed(2),
        run,
        floor,
        naive: null,
        setBased: null,
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
        say(`  set-based lower bound: ${setBased.seconds.toFixed(2)} s for ${setBased.reminders} reminders`);
        for (const s of scenarios) Object.assign(s, { naive, setBased });
      } finally {
        channel?.close();
        await prisma.$disconnect();
      }
    }

    for (const s of scenarios) {
      const r = ratios(s);
      say(`${s.key}: ${s.run.triggerToFinalRowSeconds} s; vs floor ${r.vsFloor?.toFixed(2) ?? '-'}; vs naive ${r.vsNaive?.toFixed(1) ?? '-'}×; vs set-based ${r.vsSetBased?.toFixed(1) ?? '-'}× the time`);
      for (const t of targets(s)) say(`  target ${t.met ? 'met' : 'NOT MET'}: ${t.target}`);
    }
    writeReport(values.out!, scenarios, []);
    say(`wrote ${values.out}`);
    if (scenarios.some((s) => !s.run.exactlyOnce || s.run.status !== 'succeeded')) process.exitCode = 1;
  } finally {
    await pg.end();
    await smtp?.close();
    await env.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
