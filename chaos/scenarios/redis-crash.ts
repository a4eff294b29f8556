/**
 * Crash the scenario's Redis mid-run (SIGKILL; the append-only file is fsynced once a second, so
 * up to a second of writes is lost: jobs, lock extensions; a job lost so is counted `lost` by its
 * run, whose outcomes are in PostgreSQL) and start it again at once.
 */
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

export const redisCrash: Scenario = {
  name: 'redis-crash',
  title: 'crash Redis mid-run (SIGKILL, last second of writes lost)',
  due: 300,
  workers: ['w1', 'w2'],
  async inject(w) {
    await w.trigger('chaos');
    const { run } = await w.holder();
    await waitForDispatching(w, 0.25);
    const stillRunning = (await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } })).status === 'running';
    const downMs = Math.round(200 + Math.random() * 800);
    await w.redis.restart(downMs, 'SIGKILL');
    w.note(`redis down ${downMs} ms`);
    if (stillRunning) w.hit();
    w.note(`interrupted run ended ${await waitForRunEnd(w, run.id, 60_000)}`);
  },
};
