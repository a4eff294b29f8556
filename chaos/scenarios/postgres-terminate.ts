/** Terminate every Postgres connection of the scenario's database, three times, mid-run. */
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

export const postgresTerminate: Scenario = {
  name: 'pg-terminate',
  title: 'pg_terminate_backend on all connections mid-run (x3)',
  due: 500,
  workers: ['w1', 'w2'],
  async inject(w) {
    await w.trigger('chaos');
    const { run } = await w.holder();
    await waitForDispatching(w, 0.25);
    let terminated = 0;
    let midRun = false;
    for (let i = 0; i < 3; i++) {
      terminated += await w.terminatePg();
      if (i === 0) midRun = (await w.retrying('run row', () => w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } }))).status === 'running';
      await w.sleep(300);
    }
    w.note(`${terminated} backends terminated`);
    if (terminated > 0 && midRun) w.hit();
    w.note(`interrupted run ended ${await waitForRunEnd(w, run.id)}`);
  },
};
