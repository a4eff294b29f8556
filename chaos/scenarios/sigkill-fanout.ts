/** SIGKILL the worker that holds the run while it is still fanning out dispatch jobs. */
import type { Scenario } from './types';

export const sigkillFanout: Scenario = {
  name: 'sigkill-fanout',
  title: 'SIGKILL the run holder during fan-out',
  due: 400,
  // Small pages: the fan-out takes many round trips, so the kill lands inside it.
  vars: { SWEEP_PAGE_SIZE: '10' },
  workers: ['w1', 'w2'],
  async inject(w) {
    await w.trigger('chaos');
    const { run, worker } = await w.holder();
    await w.waitFor('the fan-out to start', async () => ((await w.prisma.cronExecutionLog.findUnique({ where: { id: run.id } }))?.remindersEnqueued ?? 0) > 0, 20_000, 1);
    await worker.kill('SIGKILL');
    const after = await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } });
    if (after.status === 'running' && after.remindersEnqueued < w.due) w.hit();
    else w.note(`kill landed after the fan-out (${after.remindersEnqueued} of ${w.due} enqueued, status ${after.status})`);
  },
};
