/**
 * Contact registered (direct, proxy, coordinator proxy and bulk) on assignments whose reminder
 * job is still queued while the run dispatches: none of them may be reminded after that.
 */
import type { World } from '../lib/world';
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

async function committedAt(w: World): Promise<Date> {
  const [row] = await w.prisma.$queryRaw<{ t: Date }[]>`SELECT clock_timestamp() AS t`;
  return row!.t;
}

export const activityDuringDispatch: Scenario = {
  name: 'activity-during-dispatch',
  title: 'activities registered while the run dispatches',
  due: 300,
  // One slow dispatcher, so most jobs are still queued when the contact comes in.
  vars: { DISPATCH_CONCURRENCY: '1' },
  workers: ['w1'],
  fast: true,
  async inject(w) {
    await w.trigger('chaos');
    const { run } = await w.holder();
    await waitForDispatching(w, 0.1);
    // The highest ids are dispatched last: pick twenty of them that have no reminder yet.
    const targets = await w.prisma.$queryRaw<{ id: number }[]>`
      SELECT a.id FROM assignments a
       WHERE a.status = 'active' AND a.id <= ${w.due}
         AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.assignment_id = a.id)
       ORDER BY a.id DESC LIMIT 20`;
    const ids = targets.map((t) => t.id);
    const activities = w.c.services.activities;
    const now = new Date().toISOString();
    const paths = ['direct', 'proxy', 'coordinator_proxy'] as const;
    for (const [i, id] of ids.slice(0, 15).entries()) {
      await activities.registerOne({ assignmentId: id, activityType: 'call', occurredAt: now, registeredBy: 'chaos', registrationPath: paths[i % 3]!, clientId: `chaos-${id}` }, 'chaos');
      w.contacted.set(id, await committedAt(w));
    }
    const bulk = ids.slice(15);
    await activities.registerBulk(bulk.map((id) => ({ assignmentId: id, activityType: 'visit' as const, occurredAt: now, registeredBy: 'chaos-import' })), { clientScope: 'chaos' });
    const at = await committedAt(w);
    for (const id of bulk) w.contacted.set(id, at);
    const row = await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } });
    const stillRunning = row.status === 'running';
    const ended = await waitForRunEnd(w, run.id, 90_000);
    // The run's own count of jobs the dispatch re-check skipped: the contact arrived before their turn.
    const skipped = (await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } })).remindersSkipped;
    w.note(`run ${run.id} ended ${ended}; ${skipped} of ${ids.length} contacted assignments skipped at dispatch`);
    if (stillRunning && ids.length === 20 && skipped > 0) w.hit();
  },
};
