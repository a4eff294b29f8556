/**
 * Restart the scenario's Redis mid-run (graceful shutdown, AOF kept), down for 0.5 to 2 lock TTLs:
 * sometimes the lock survives, sometimes it expires under the run.
 */
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

export const redisRestart: Scenario = {
  name: 'redis-restart',
  title: 'restart Redis mid-run (down 1-4 s, lock TTL 2 s)',
  due: 300,
  workers: ['w1', 'w2'],
  fast: true,
  async inject(w) {
    await w.trigger('chaos');
    const { run } = await w.holder();
    await waitForDispatching(w, 0.25);
    const downMs = Math.round(w.config.lockTtlMs * (0.5 + Math.random() * 1.5));
    const stillRunning = (await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } })).status === 'running';
    await w.redis.restart(downMs, 'SIGTERM');
    w.note(`redis down ${downMs} ms`);
    if (stillRunning) w.hit();
    // Let the run notice (lock lost or not) and finish on its own before the operator steps in.
    w.note(`interrupted run ended ${await waitForRunEnd(w, run.id)}`);
  },
};
