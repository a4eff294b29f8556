/**
 * Pause (the ops service, as `npx reminders pause` and POST /v1/sweep/pause do) while a run
 * dispatches. The pause is in the write's fence: once it has committed no write statement gets
 * through (a statement already running when it committed finishes first; its rows carry that
 * statement's start as created_at), the run ends `cancelled` within seconds, and after a resume
 * the recovery run sends the rest.
 */
import type { World } from '../lib/world';
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

async function dbNow(w: World): Promise<Date> {
  const [row] = await w.prisma.$queryRaw<{ t: Date }[]>`SELECT clock_timestamp() AS t`;
  return row!.t;
}

export const pauseMidRun: Scenario = {
  name: 'pause-mid-run',
  title: 'pause during dispatch, then resume',
  due: 300,
  workers: ['w1', 'w2'],
  fast: true,
  async inject(w) {
    await w.trigger('chaos');
    const { run } = await w.holder();
    const before = await waitForDispatching(w, 0.2);
    await w.c.services.ops.pause({ by: 'chaos-operator', reason: 'chaos: pause mid-run' });
    const pausedAt = await dbNow(w);
    const status = await waitForRunEnd(w, run.id, 30_000);
    const endedAfter = ((await dbNow(w)).getTime() - pausedAt.getTime()) / 1000;
    // Anything still queued of the paused run would run now: give it the time to try.
    await w.sleep(1500);
    const late = await w.prisma.reminder.count({ where: { createdAt: { gt: pausedAt } } });
    const written = await w.prisma.reminder.count();
    const row = await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } });
    w.note(`${before} written before the pause, ${written} after it settled; run ${run.id} ${status} ${endedAfter.toFixed(1)} s after the pause (${row.remindersSkipped} skipped)`);
    if (late) w.violation(`${late} reminders written after the pause had committed`);
    if (status !== 'cancelled') w.violation(`run ${run.id} ended ${status} after the pause, expected cancelled`);
    if (endedAfter > 15) w.violation(`run ${run.id} took ${endedAfter.toFixed(0)} s to stop after the pause`);
    await w.c.services.ops.resume({ by: 'chaos-operator' });
    if (status === 'cancelled' && written < w.due && !late) w.hit();
  },
};
