/**
 * Redis Cluster (three primaries, one replica each, REDIS_PREFIX={reminders}): the primary that
 * serves the {reminders} slot, where every queue and lock key lives, is killed (SIGKILL) mid-run;
 * its replica takes over (writes not yet replicated are lost) and the service follows the slot.
 * Exactly one reminder per due assignment, every run terminal.
 */
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

export const clusterFailover: Scenario = {
  name: 'cluster-failover',
  title: 'Cluster: kill the primary of the {reminders} slot mid-run (SIGKILL), its replica takes over',
  due: 300,
  topology: 'cluster',
  workers: ['w1', 'w2'],
  // ~10 s of real Redis processes: in `npm run chaos` only, to keep `bash .ci/run` inside its 15
  // minutes (a fresh-clone run took 865 s). npm test keeps the failover in
  // tests/integration/redis-cluster.test.ts ("after the primary of the {reminders} slot is killed, its replica takes over and the next sweep succeeds").
  fast: false,
  async inject(w) {
    const cluster = w.cluster!;
    await w.trigger('chaos');
    const { run } = await w.holder();
    await waitForDispatching(w, 0.25);
    const stillRunning = (await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } })).status === 'running';
    const primary = await cluster.primaryFor('{reminders}');
    const replica = await cluster.replicaOf(primary.id);
    const killedAt = Date.now();
    await cluster.process(primary.port).kill('SIGKILL');
    if (stillRunning) w.hit();
    await cluster.waitForPromotion(replica.id);
    w.note(`primary ${primary.port} killed; replica ${replica.port} promoted after ${Date.now() - killedAt} ms`);
    w.note(`interrupted run ended ${await waitForRunEnd(w, run.id, 60_000)}`);
  },
};
