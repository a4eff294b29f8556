/**
 * Dispatch jobs removed while the run dispatches, as an operator can in Bull Board: a few one by
 * one (`queue.remove`, the job's "remove" button) and then a "clean" of waiting jobs. The run must
 * not wait for jobs that will never report: it ends within seconds (not RUN_TIMEOUT_MINUTES) as
 * failed with reminders_lost equal to what was removed, and the recovery run sends them.
 */
import type { Scenario } from './types';
import { waitForDispatching, waitForRunEnd } from './types';

export const removedJobs: Scenario = {
  name: 'removed-jobs',
  title: 'dispatch jobs removed mid-run (Bull Board remove and clean of waiting jobs)',
  due: 300,
  // One slow dispatcher, so most jobs are still waiting when they are removed.
  vars: { DISPATCH_CONCURRENCY: '1' },
  workers: ['w1'],
  fast: true,
  async inject(w) {
    await w.trigger('chaos');
    const { run } = await w.holder();
    await waitForDispatching(w, 0.05);
    const q = w.c.queues.dispatch;
    const waiting = await q.getWaiting(0, 9);
    // When each removal was asked for, on the database's clock: BullMQ removes a job in any state
    // but active, so one the dispatcher fetched and finished after getWaiting listed it is
    // "removed" after it reported (a Bull Board remove of a finished job). Those are told apart
    // below by their record's settled_at; the rest were removed while they waited.
    const dbNow = async () => (await w.prisma.$queryRaw<{ at: Date }[]>`SELECT clock_timestamp() AS at`)[0]!.at;
    const asked: { id: string; at: Date }[] = [];
    for (const job of waiting) {
      const at = await dbNow();
      if (await q.remove(job.id!)) asked.push({ id: job.id!, at });
    }
    const cleanAt = await dbNow();
    for (const id of await q.clean(0, 25, 'wait')) asked.push({ id, at: cleanAt });
    const removedAt = Date.now();
    const status = await waitForRunEnd(w, run.id, 60_000);
    const seconds = (Date.now() - removedAt) / 1000;
    const row = await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } });
    // How long the run waited after the last job that did report: the time to notice the lost ones.
    const [last] = await w.prisma.$queryRaw<{ at: Date | null }[]>`
      SELECT max(settled_at) AS at FROM run_dispatches WHERE run_id = ${run.id} AND outcome <> 'lost'`;
    const noticed = row.finishedAt && last?.at ? (row.finishedAt.getTime() - last.at.getTime()) / 1000 : NaN;
    const assignmentOf = (id: string) => Number(/-a(\d+)$/.exec(id)?.[1] ?? 0);
    const records = await w.prisma.$queryRaw<{ assignment_id: number; settled_at: Date | null; outcome: string | null }[]>`
      SELECT assignment_id, settled_at, outcome::text AS outcome FROM run_dispatches
       WHERE run_id = ${run.id} AND assignment_id = ANY(${asked.map((a) => assignmentOf(a.id))}::int[])`;
    const settledAt = new Map(records.filter((r) => r.outcome !== 'lost' && r.settled_at).map((r) => [r.assignment_id, r.settled_at!]));
    const reportedFirst = (a: { id: string; at: Date }) => (settledAt.get(assignmentOf(a.id)) ?? a.at) < a.at;
    const removedIds = asked.filter((a) => !reportedFirst(a)).map((a) => a.id);
    const removed = removedIds.length;
    w.note(
      `${removed} jobs removed${asked.length > removed ? ` (and ${asked.length - removed} that had reported before their removal)` : ''}; ` +
        `run ${run.id} ended ${status} ${seconds.toFixed(1)} s later, ${noticed.toFixed(1)} s after its last reported job, with ${row.remindersLost} lost`,
    );
    if (!(noticed <= 10)) w.violation(`run ${run.id} ended ${noticed.toFixed(1)} s after its last reported job (lost jobs must end it within seconds)`);
    if (status !== 'failed') w.violation(`run ${run.id} ended ${status}, expected failed (jobs were removed)`);
    // A job the one dispatcher had already fetched when it was removed still runs and reports (at
    // most DISPATCH_CONCURRENCY of them): every other removed job must be counted lost.
    const assignmentIds = removedIds.map(assignmentOf);
    const [counted] = await w.prisma.$queryRaw<{ ran: number }[]>`
      SELECT count(*)::int AS ran FROM run_dispatches WHERE run_id = ${run.id} AND assignment_id = ANY(${assignmentIds}::int[]) AND outcome <> 'lost'`;
    const ran = counted?.ran ?? 0;
    if (ran > 1) w.violation(`${ran} removed jobs still reported, more than the one the dispatcher can have in hand`);
    if (row.remindersLost !== removed - ran) w.violation(`run ${run.id} counted ${row.remindersLost} lost, ${removed} jobs were removed (${ran} of them already taken by the dispatcher)`);
    // The run notices when nothing has settled for a couple of seconds; the rest is the dispatch of what was left.
    if (seconds > 45) w.violation(`run ${run.id} took ${seconds.toFixed(0)} s to end after the removal`);
    if (removed > ran && status === 'failed' && row.remindersLost === removed - ran) w.hit();
  },
};
