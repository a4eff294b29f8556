/**
 * The queue floor's worker process: the dispatch queue's own Worker options with a processor that
 * does nothing, so the bench can measure what BullMQ itself costs on this machine. Worker 1 also
 * fans out when the bench asks (IPC), the way the sweep worker does in the real run.
 */
import { Queue, Worker } from 'bullmq';
import { loadConfig } from '@reminders/core/config';
import { DISPATCH_JOB, dispatchJobOptions, type DispatchPayload } from '@reminders/core/jobs/job-catalog';
import { createRedis } from '@reminders/core/redis';
import { dispatchJobId } from '@reminders/core/domain/reminder-rules';

export const FLOOR_QUEUE = 'queue-floor';

async function main() {
  const config = loadConfig();
  const connection = createRedis(config.redisUrl);
  const producer = createRedis(config.redisUrl);
  const worker = new Worker(FLOOR_QUEUE, async () => undefined, {
    connection,
    prefix: config.redisPrefix,
    concurrency: config.dispatchConcurrency,
    metrics: { maxDataPoints: 60 * 24 },
    name: config.workerId,
  });
  const queue = new Queue<DispatchPayload>(FLOOR_QUEUE, { connection: producer, prefix: config.redisPrefix });
  await worker.waitUntilReady();
  process.on('message', (m: { produce?: number; pageSize?: number }) => {
    if (!m.produce) return;
    void produce(queue, m.produce, m.pageSize ?? config.sweepPageSize, config.emailMaxAttempts, config.dispatchRetryBackoffMs).then(() =>
      process.send?.({ produced: m.produce }),
    );
  });
  process.on('SIGTERM', () => void worker.close().then(() => queue.close()).then(() => process.exit(0)));
  process.stdout.write('"worker ready"\n');
}

/** The same jobs the sweep adds (payload shape, ids, options), a page at a time with addBulk. */
async function produce(queue: Queue<DispatchPayload>, n: number, pageSize: number, attempts: number, backoff: number) {
  const opts = dispatchJobOptions(attempts, backoff);
  for (let start = 1; start <= n; start += pageSize) {
    const page = [];
    for (let id = start; id < Math.min(n + 1, start + pageSize); id++) {
      const data: DispatchPayload = { runId: 1, assignmentId: id };
      page.push({ name: DISPATCH_JOB, data, opts: { ...opts, jobId: dispatchJobId(1, id) } });
    }
    await queue.addBulk(page);
  }
}

if (require.main === module) void main();
