/**
 * `npm run bench`: seeds assignments into a fresh database, starts real worker processes,
 * triggers one sweep and measures it from the trigger to the final execution-log row.
 * Figures are printed and written to docs/benchmarks.md (regenerated, never typed by hand).
 *
 *   npm run bench -- --assignments 10000 --due-share 1 --workers 1 --concurrency 50
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { seedDemoData } from '@reminders/core/seed/seed-demo-data';
import { SWEEP_JOB, SWEEP_QUEUE, DISPATCH_QUEUE } from '@reminders/core/jobs/job-catalog';
import { createBenchEnv, machineDescription, percentile, startWorker } from './bench-env';

const { values } = parseArgs({
  options: {
    assignments: { type: 'string', default: '10000' },
    'due-share': { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '50' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    out: { type: 'string', default: path.resolve(__dirname, '../docs/benchmarks.md') },
  },
});

function positiveInt(name: string, v: string | undefined, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    process.stderr.write(`--${name} must be a whole number from 1 to ${max}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

async function main() {
  const assignments = positiveInt('assignments', values.assignments, 5_000_000);
  const workers = positiveInt('workers', values.workers, 16);
  const concurrency = positiveInt('concurrency', values.concurrency, 1000);
  const dueShare = Number(values['due-share']);
  if (!(dueShare >= 0 && dueShare <= 1)) {
    process.stderr.write(`--due-share must be between 0 and 1, got "${values['due-share']}"\n`);
    process.exit(2);
  }

  const env = await createBenchEnv(values['database-url']!, values['redis-url']!);
  const config = env.config();
  const redis = new Redis(config.redisUrl);
  const pg = new Client({ connectionString: env.databaseUrl });
  await pg.connect();
  try {
    const seedStarted = performance.now();
    const seeded = await seedDemoData({ databaseUrl: env.databaseUrl }, { assignments, dueShare, timeZone: config.reminderTz, rules: config.rules });
    const seedMs = performance.now() - seedStarted;
    process.stdout.write(`seeded ${assignments} assignments (${seeded.dueToday} due today) in ${(seedMs / 1000).toFixed(1)} s\n`);
    await pg.query('VACUUM ANALYZE');

    const procs = await Promise.all(
      Array.from({ length: workers }, (_, i) => startWorker(env.vars({ WORKER_ID: `bench-${i + 1}`, DISPATCH_CONCURRENCY: String(concurrency) }))),
    );
    const sweepQueue = new Queue(SWEEP_QUEUE, { connection: redis, prefix: env.prefix });
    const dispatchQueue = new Queue(DISPATCH_QUEUE, { connection: redis, prefix: env.prefix });
    await redis.config('RESETSTAT');
    const startMem = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    let peakMem = startMem;

    const t0 = performance.now();
    await sweepQueue.add(SWEEP_JOB, { trigger: 'manual', triggeredBy: 'bench' });
    let row: Record<string, unknown> | undefined;
    for (;;) {
      const r = await pg.query(`SELECT * FROM cron_execution_log WHERE status <> 'running' ORDER BY id DESC LIMIT 1`);
      peakMem = Math.max(peakMem, Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]));
      if (r.rows[0]) {
        row = r.rows[0];
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    const elapsedMs = performance.now() - t0;

    const { rows: [check] } = await pg.query(`
      SELECT (SELECT count(*) FROM reminders)::int AS reminders,
             (SELECT count(*) FROM (SELECT 1 FROM reminders GROUP BY assignment_id, anchor_date, sequence_number HAVING count(*) > 1) d)::int AS duplicates`);
    const jobs = await dispatchQueue.getJobs(['completed'], 0, 300_000);
    const latencies = jobs.map((j) => (j.finishedOn ?? 0) - j.timestamp).filter((x) => x >= 0).sort((a, b) => a - b);
    const rss = procs.map((p) => p.peakRssMb());
    await Promise.all(procs.map((p) => p.stop()));
    await sweepQueue.close();
    await dispatchQueue.close();

    const sent = Number(row!.reminders_sent);
    const result = {
      date: new Date().toISOString(),
      machine: machineDescription(),
      assignments,
      due: seeded.dueToday,
      workers,
      concurrency,
      status: String(row!.status),
      seedSeconds: +(seedMs / 1000).toFixed(2),
      triggerToFinalRowSeconds: +(elapsedMs / 1000).toFixed(2),
      remindersSent: sent,
      remindersPerSecond: Math.round(sent / (elapsedMs / 1000)),
      enqueueToWrittenP50Ms: percentile(latencies, 50),
      enqueueToWrittenP99Ms: percentile(latencies, 99),
      peakWorkerRssMb: rss,
      redisPeakMemoryMb: +((peakMem) / 2 ** 20).toFixed(1),
      exactlyOnce: check.reminders === seeded.dueToday && check.duplicates === 0,
      reminderRows: check.reminders,
      duplicates: check.duplicates,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    writeReport(values.out!, result);
    if (!result.exactlyOnce || result.status !== 'succeeded') process.exitCode = 1;
  } finally {
    await pg.end();
    redis.disconnect();
    await env.destroy();
  }
}

function writeReport(file: string, r: Record<string, unknown>) {
  const rows = Object.entries(r).map(([k, v]) => `| ${k} | ${Array.isArray(v) ? v.join(', ') : String(v)} |`);
  const md = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/sweep-bench.ts); do not edit by hand. Each run seeds a fresh',
    'database, starts real worker processes, triggers one sweep and times it from the trigger to the',
    'final execution-log row.',
    '',
    `## Sweep: ${r.assignments} assignments, ${r.workers} worker(s) × concurrency ${r.concurrency}`,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(file, md);
  process.stdout.write(`wrote ${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
