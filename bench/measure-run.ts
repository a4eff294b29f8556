/**
 * One measured sweep: start real `reminders serve-worker` processes, trigger a run through the
 * sweep queue (a sweep request and its job, as `reminders trigger` does), wait for the final execution-log row, then read the
 * figures: latency from each job's enqueue time (BullMQ) to its reminder's `created_at`, peak RSS
 * per worker, Redis memory, CPU by consumer, and the exactly-once checks.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { SWEEP_JOB, SWEEP_QUEUE, DISPATCH_QUEUE, sweepJobOptions, sweepRequestJobId } from '@reminders/core/jobs/job-catalog';
import { percentile, startWorker, type BenchWorker } from './bench-env';
import { cpuSnapshot, cpuUsage, type CpuUsage } from './cpu-accounting';
import type { BenchSmtpSink } from './smtp-sink';

export type RunFigures = {
  status: string;
  /** Write statements the run took (distinct transaction start times of its reminders, to the ms); absent before 2026-12-07. */
  writeStatements?: number;
  error: string | null;
  triggerToFinalRowSeconds: number;
  triggerToLastWrittenSeconds: number;
  /**
   * The dispatch phase, measured like the queue floor (polled every 25 ms): from the first
   * dispatch job seen in the queue to every job settled (its outcome recorded, which follows its
   * reminder's commit).
   */
  dispatchSeconds: number;
  dispatchPerSecond: number;
  remindersSent: number;
  remindersPerSecond: number;
  latencySample: number;
  enqueueToWrittenP50Ms: number;
  enqueueToWrittenP99Ms: number;
  peakWorkerRssMb: number[];
  redisPeakMb: number;
  redisRunPeakMb: number;
  cpu: CpuUsage;
  reminderRows: number;
  duplicates: number;
  exactlyOnce: boolean;
  emailsReceived: number | null;
  emailDuplicates: number | null;
  /** With e-mail: trigger to the last e-mail recorded sent (digests go out after the run's final row). */
  emailsDoneSeconds?: number | null;
  /** Digests recorded sent (mentor and coordinator). */
  digestsSent?: number | null;
};

const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
const mb = (bytes: number) => +(bytes / 2 ** 20).toFixed(1);

export async function measureRun(o: {
  pg: Client;
  redisUrl: string;
  prefix: string;
  vars: (extra?: Record<string, string>) => Record<string, string>;
  workers: number;
  concurrency: number;
  due: number;
  smtp: BenchSmtpSink | null;
  timeoutMs: number;
  /** The programmes' delivery (issue 16): one digest a day per mentor, or one e-mail per reminder. @defaultValue digest */
  delivery?: 'digest' | 'each';
  /** Another entry point for the workers than apps/cli/bin/reminders.js (e.g. a precompiled bundle). */
  workerBin?: string;
}): Promise<RunFigures> {
  const extra = { REDIS_PREFIX: o.prefix, DISPATCH_CONCURRENCY: String(o.concurrency), ...(o.smtp ? { SMTP_URL: o.smtp.url } : {}) };
  const procs: BenchWorker[] = [];
  const redis = new Redis(o.redisUrl);
  const sweepQueue = new Queue(SWEEP_QUEUE, { connection: redis, prefix: o.prefix });
  const dispatchQueue = new Queue(DISPATCH_QUEUE, { connection: redis, prefix: o.prefix });
  try {
    for (let i = 0; i < o.workers; i++) procs.push(await startWorker(o.vars({ ...extra, WORKER_ID: `bench-${i + 1}` }), o.workerBin));
    o.smtp?.reset();
    await o.pg.query(`UPDATE programmes SET delivery = $1::programme_delivery`, [o.delivery ?? 'digest']);
    const { rows: [{ last }] } = await o.pg.query(`SELECT coalesce(max(id), 0) AS last FROM cron_execution_log`);
    const memStart = await usedMemory(redis);
    let memPeak = memStart;
    const before = cpuSnapshot();
    const wallStart = Date.now();
    const t0 = performance.now();
    // As `reminders trigger` does: the request row first, then the job that names it (a job
    // naming no request is refused by the worker).
    const { rows: [request] } = await o.pg.query(`INSERT INTO sweep_requests (trigger, requested_by) VALUES ('manual', 'bench') RETURNING id`);
    await sweepQueue.add(SWEEP_JOB, { requestId: request.id }, { ...sweepJobOptions, jobId: sweepRequestJobId(request.id) });
    let row: Record<string, unknown> | undefined;
    let firstEnqueuedAt = 0;
    let settledAt = 0;
    let runId = 0;
    for (;;) {
      if (!firstEnqueuedAt) {
        const c = await dispatchQueue.getJobCounts('waiting', 'active', 'completed', 'delayed', 'prioritized', 'failed');
        if (Object.values(c).some((v) => v > 0)) firstEnqueuedAt = Date.now();
      } else if (!settledAt) {
        // The run's records are counted only once the queue looks drained (as the floor's is
        // timed): counting them every 25 ms scanned the run's records each time and took
        // PostgreSQL CPU from the run it measured (at 1M, most of a core).
        const c = await dispatchQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(c).every((n) => n === 0)) {
          runId ||= Number((await o.pg.query(`SELECT coalesce(min(id), 0) AS id FROM cron_execution_log WHERE id > $1`, [last])).rows[0].id);
          if (runId && Number((await o.pg.query(`SELECT count(*) AS n FROM run_dispatches WHERE run_id = $1 AND outcome IS NOT NULL`, [runId])).rows[0].n) >= o.due) settledAt = Date.now();
        }
      }
      const r = await o.pg.query(`SELECT * FROM cron_execution_log WHERE id > $1 AND status NOT IN ('running') ORDER BY id DESC LIMIT 1`, [last]);
      memPeak = Math.max(memPeak, await usedMemory(redis));
      if (r.rows[0]) {
        row = r.rows[0];
        break;
      }
      if (performance.now() - t0 > o.timeoutMs) throw new Error(`no final execution-log row within ${o.timeoutMs / 1000} s`);
      await new Promise((res) => setTimeout(res, 25));
    }
    const elapsedMs = performance.now() - t0;
    // E-mail is done when nothing waits for a digest or a send (the workers' tick drains digests).
    let emailsDoneSeconds: number | null = null;
    if (o.smtp) {
      for (;;) {
        const { rows: [w] } = await o.pg.query(`
          SELECT (SELECT count(*) FROM reminders WHERE email_status IN ('digest', 'reserved') OR coordinator_email_status = 'digest')::int
               + (SELECT count(*) FROM digests WHERE status = 'pending')::int AS waiting`);
        if (Number(w.waiting) === 0) break;
        if (performance.now() - t0 > o.timeoutMs) throw new Error(`e-mail still waiting after ${o.timeoutMs / 1000} s`);
        // Each look scans the reminders: every 25 ms it cost PostgreSQL more CPU than the outbox itself.
        await new Promise((res) => setTimeout(res, 1000));
      }
      emailsDoneSeconds = +((performance.now() - t0) / 1000).toFixed(2);
    }
    const cpu = cpuUsage(before, cpuSnapshot(), procs.map((p) => p.proc.pid!));
    const rss = procs.map((p) => p.peakRssMb());

    const { rows: [check] } = await o.pg.query(`
      SELECT (SELECT count(*) FROM reminders)::int AS reminders,
             (SELECT count(*) FROM (SELECT 1 FROM reminders GROUP BY assignment_id, anchor_date, sequence_number HAVING count(*) > 1) d)::int AS duplicates,
             (SELECT count(DISTINCT assignment_id) FROM reminders)::int AS assignments,
             (SELECT count(*) FROM reminders WHERE email_status = 'sent' AND mentor_digest_id IS NULL)::int
               + (SELECT count(*) FROM digests WHERE status = 'sent')::int AS emailed,
             (SELECT count(*) FROM digests WHERE status = 'sent')::int AS digests_sent,
             (SELECT (extract(epoch FROM max(created_at)) * 1000)::bigint FROM reminders) AS last_written,
             -- A reminder's created_at is its statement's transaction start (now()): one value per write batch.
             (SELECT count(DISTINCT created_at) FROM reminders)::int AS write_statements`);
    const latencies = await enqueueToWritten(redis, o.pg, o.prefix);
    const sent = Number(row!.reminders_sent);
    const dispatchEnd = settledAt || Number(check.last_written);
    const dispatchSeconds = firstEnqueuedAt ? (dispatchEnd - firstEnqueuedAt) / 1000 : elapsedMs / 1000;
    const emailOk = !o.smtp || (o.smtp.received() === check.emailed && o.smtp.duplicates() === 0);
    return {
      status: String(row!.status),
      writeStatements: Number(check.write_statements),
      error: (row!.error as string | null) ?? null,
      triggerToFinalRowSeconds: +(elapsedMs / 1000).toFixed(2),
      triggerToLastWrittenSeconds: +((Number(check.last_written) - wallStart) / 1000).toFixed(2),
      remindersSent: sent,
      remindersPerSecond: Math.round(sent / (elapsedMs / 1000)),
      dispatchSeconds: +dispatchSeconds.toFixed(2),
      dispatchPerSecond: Math.round(check.reminders / dispatchSeconds),
      latencySample: latencies.length,
      enqueueToWrittenP50Ms: percentile(latencies, 50),
      enqueueToWrittenP99Ms: percentile(latencies, 99),
      peakWorkerRssMb: rss,
      redisPeakMb: mb(memPeak),
      redisRunPeakMb: mb(memPeak - memStart),
      cpu,
      reminderRows: check.reminders,
      duplicates: check.duplicates,
      exactlyOnce: check.reminders === o.due && check.assignments === o.due && check.duplicates === 0 && emailOk,
      emailsReceived: o.smtp ? o.smtp.received() : null,
      emailDuplicates: o.smtp ? o.smtp.duplicates() : null,
      emailsDoneSeconds,
      digestsSent: o.smtp ? Number(check.digests_sent) : null,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await sweepQueue.close();
    await dispatchQueue.close();
    redis.disconnect();
  }
}

/**
 * Enqueue (the job's BullMQ timestamp) to written (the reminder's created_at) for every completed
 * dispatch job BullMQ still holds: all of them up to its removeOnComplete count (200,000), the
 * most recent ones beyond that. The job id names the run and the assignment.
 */
async function enqueueToWritten(redis: Redis, pg: Client, prefix: string): Promise<number[]> {
  const base = `${prefix}:${DISPATCH_QUEUE}`;
  const ids = await redis.zrange(`${base}:completed`, '0', '-1');
  const out: number[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    const p = redis.pipeline();
    for (const id of chunk) p.hget(`${base}:${id}`, 'timestamp');
    const stamps = (await p.exec())!.map(([, v]) => Number(v));
    const jobs = chunk.map((id) => /^dispatch-r(\d+)-a(\d+)$/.exec(id));
    const keys = jobs.map((m) => (m ? `${m[1]}-${m[2]}` : ''));
    const { rows } = await pg.query<{ k: string; at: string }>(
      `SELECT r.run_id || '-' || r.assignment_id AS k, (extract(epoch FROM r.created_at) * 1000)::bigint AS at
         FROM reminders r JOIN unnest($1::int[], $2::int[]) AS u(run_id, assignment_id) ON r.run_id = u.run_id AND r.assignment_id = u.assignment_id`,
      [jobs.map((m) => Number(m?.[1] ?? 0)), jobs.map((m) => Number(m?.[2] ?? 0))],
    );
    const written = new Map(rows.map((r) => [r.k, Number(r.at)]));
    keys.forEach((k, j) => {
      const at = written.get(k);
      if (at !== undefined && stamps[j]) out.push(Math.max(0, at - stamps[j]!));
    });
  }
  return out.sort((a, b) => a - b);
}
