/**
 * The stall guard (apps/worker/src/stall-guard.ts): a worker that takes no job while one waits
 * (a blocking read that never came back after a Redis failover) is replaced by a new worker,
 * which takes the job; a busy worker, a paused queue and an empty one are left alone.
 */
import { Queue, Worker } from 'bullmq';
import { createStallGuard } from '@reminders/worker/stall-guard';
import { createRedis } from '@reminders/core/redis';
import { createLogger } from '@reminders/core/logger';
import { deleteRedisPrefix, TEST_REDIS_URL } from '../helpers/test-env';
import { waitFor } from '../helpers/wait-for';

const prefix = `test-stall-guard-${process.pid}`;
const connection = createRedis(TEST_REDIS_URL);
const queue = new Queue('guarded', { connection, prefix });
const logger = createLogger({ logLevel: 'silent' } as never);
const made: Worker[] = [];
const processed: string[] = [];

afterAll(async () => {
  await Promise.all(made.map((w) => w.close(true)));
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  connection.disconnect();
  await deleteRedisPrefix(prefix);
});

/** The first worker is never run (stuck: it takes nothing); later ones are real. */
function make(): Worker {
  const w = new Worker('guarded', async (job) => void processed.push(job.id!), { connection: createRedis(TEST_REDIS_URL), prefix, autorun: false });
  made.push(w);
  return w;
}

it('replaces a worker that takes no job while one waits; the new worker takes it', async () => {
  const guard = createStallGuard({ queue, make, idleMs: 15_000, logger });
  const job = await queue.add('j', {}, { jobId: 'waiting-1' });
  const t0 = Date.now();
  expect(await guard.check(t0)).toBe(false); // first sight of the job
  expect(await guard.check(t0 + 14_000)).toBe(false); // not yet idleMs
  expect(await guard.check(t0 + 15_000)).toBe(true);
  expect(guard.restarts).toBe(1);
  expect(guard.worker).not.toBe(made[0]);
  await waitFor('the new worker to take the job', () => processed.includes(job.id!));
  expect(await guard.check(t0 + 60_000)).toBe(false); // nothing waits now
});

it('leaves a paused queue alone however long its jobs wait', async () => {
  const guard = createStallGuard({ queue, make, idleMs: 1_000, logger });
  await queue.pause();
  try {
    await queue.add('j', {}, { jobId: 'paused-1' });
    const t0 = Date.now();
    for (const dt of [0, 5_000, 60_000]) expect(await guard.check(t0 + dt)).toBe(false);
    expect(guard.restarts).toBe(0);
  } finally {
    await queue.resume();
  }
});
