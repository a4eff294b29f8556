/**
 * Redis Sentinel: the primary is killed (SIGKILL) mid-run; three sentinels promote the replica
 * (asynchronous replication: the primary's last writes may be lost with it) and the service
 * follows them to the new primary. Postgres decides, so the run, or the recovery run after it,
 * still writes exactly one reminder per due assignment.
 */
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

export const sentinelFailover: Scenario = {
  name: 'sentinel-failover',
  title: 'Sentinel: kill the primary mid-run (SIGKILL), sentinels fail over to the replica',
  due: 300,
  topology: 'sentinel',
  workers: ['w1', 'w2'],
  // ~10 s of real Redis processes: in `npm run chaos` only, to keep `bash .ci/run` inside its 15
  // minutes (a fresh-clone run took 865 s). npm test keeps the failover in
  // tests/integration/redis-sentinel.test.ts (a run on Sentinel db 3 with its primary killed mid-run, exactly once).
  fast: false,
  async inject(w) {
    const sentinel = w.sentinel!;
    await w.trigger('chaos');
    const { run } = await w.holder();
    await waitForDispatching(w, 0.25);
    const stillRunning = (await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } })).status === 'running';
    const oldPort = await sentinel.primaryPort();
    const killedAt = Date.now();
    await sentinel.servers.find((s) => s.port === oldPort)!.kill('SIGKILL');
    if (stillRunning) w.hit();
    const newPort = await sentinel.waitForFailover(oldPort);
    w.note(`primary ${oldPort} killed; ${newPort} promoted after ${Date.now() - killedAt} ms`);
    w.note(`interrupted run ended ${await waitForRunEnd(w, run.id, 60_000)}`);
  },
};
