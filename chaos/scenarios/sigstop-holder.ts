/**
 * SIGSTOP the run holder past its lock TTL; another worker's run takes over with a newer fencing
 * token; then SIGCONT. The frozen run's leftover work must be refused by the fencing token: no
 * reminder of the old run may be written once the new run has started.
 */
import { waitForDispatching, type Scenario } from './types';

export const sigstopHolder: Scenario = {
  name: 'sigstop-holder',
  title: 'SIGSTOP the lock holder past its TTL, new run, SIGCONT',
  due: 300,
  workers: ['w1', 'w2'],
  fast: true,
  async inject(w) {
    await w.trigger('chaos');
    const { run: old, worker: frozen } = await w.holder();
    await waitForDispatching(w, 0.2);
    frozen.freeze();
    await w.sleep(w.config.lockTtlMs + 500);
    // The lock has expired under the frozen holder; the other worker runs the next trigger.
    const takeover = await w.waitForRun(await w.trigger('chaos-takeover'));
    const stillFrozenRun = await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: old.id } });
    frozen.thaw();
    if (!takeover) {
      w.violation('the takeover run did not finish');
      return;
    }
    w.note(`takeover run ${takeover.id} ${takeover.status}; frozen run ${old.id} was ${stillFrozenRun.status} when thawed`);
    if (takeover.status === 'succeeded' && takeover.fencingToken! > old.fencingToken!) w.hit();
    // Give the thawed worker time to find its lock gone and wind its run down.
    await w.sleep(w.config.lockTtlMs + 1000);
    const late = await w.prisma.reminder.count({ where: { runId: old.id, createdAt: { gte: takeover.startedAt } } });
    if (late > 0) w.violation(`${late} reminders written by the frozen run ${old.id} after run ${takeover.id} had started (fencing failed)`);
    const oldRow = await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: old.id } });
    if (oldRow.status !== 'abandoned') w.violation(`the frozen run ${old.id} ended ${oldRow.status}; the takeover run should have closed it as abandoned`);
  },
};
