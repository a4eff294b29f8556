/**
 * `trigger --wait` / `wait_seconds` on a confirmed run that started and was then interrupted: the
 * waiting caller is told it started (and which run it is), not "could not start".
 */
import { Worker } from 'bullmq';
import { createRedis } from '@reminders/core/redis';
import { createTestEnv, TEST_REDIS_URL, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';

let env: TestEnv;
let api: ApiHarness;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z' });
});

afterAll(async () => {
  await api?.close();
  await env.destroy();
});

it('an interrupted confirmed run is reported as started and interrupted, naming its run', async () => {
  const held = await api.prisma.cronExecutionLog.create({ data: { jobName: 'reminder-sweep', trigger: 'scheduled', status: 'awaiting_confirmation', workerId: 'w1', startedAt: new Date('2026-11-28T05:00:00Z') } });
  const { jobId } = await api.c.services.ops.trigger({ by: 'ops-anna', confirmRunId: held.id });
  // A worker that starts the confirmed run (its row, the held run resolved) and then dies mid-run:
  // BullMQ fails the job.
  const connection = createRedis(TEST_REDIS_URL);
  const worker = new Worker(
    api.c.queues.sweep.name,
    async () => {
      const { runId } = await api.c.repositories.executionLog.startRun({ jobName: 'reminder-sweep', trigger: 'manual', workerId: 'w2', now: new Date('2026-11-28T06:00:00Z'), triggeredBy: 'ops-anna' });
      await api.c.repositories.executionLog.resolveHeld(held.id, { by: 'ops-anna', now: new Date('2026-11-28T06:00:00Z'), continuedByRunId: runId });
      throw new Error('worker lost its lock mid-run');
    },
    { connection, prefix: env.redisPrefix, autorun: true },
  );
  try {
    const err = await api.c.services.ops.waitForRun(jobId, 30_000).catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: 'run-interrupted' });
    expect((err as Error).message).toMatch(new RegExp(`^run \\d+ \\(confirming run ${held.id}\\) started but was interrupted: worker lost its lock mid-run; it is running now`));
    expect((err as Error).message).not.toMatch(/could not start/);
  } finally {
    await worker.close();
    connection.disconnect();
  }
});
