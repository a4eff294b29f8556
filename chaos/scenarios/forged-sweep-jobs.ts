/**
 * Forged sweep jobs, added straight onto the queue (as Bull Board's "add job" or redis-cli can)
 * while a real run is going: a catch-up claiming the watchdog, a manual trigger with a made-up
 * actor, a job naming a request that does not exist, a "scheduled" job made by hand, and a replay
 * of the real trigger's request id after its run. Every one must be refused (failed job, audit row
 * `sweep.refused`), none may produce a run, and the real run does the work exactly once.
 */
import { Job } from 'bullmq';
import type { World } from '../lib/world';
import type { Scenario } from './types';

type Forgery = { what: string; data: Record<string, unknown>; jobId?: string };

/** Waits for a job to end; the BullMQ state and reason. */
async function outcome(w: World, jobId: string) {
  return w.waitFor(`job ${jobId} to end`, async () => {
    const state = await w.c.queues.sweep.getJobState(jobId);
    if (state !== 'failed' && state !== 'completed') return null;
    const job = await Job.fromId(w.c.queues.sweep, jobId);
    return { state, reason: job?.failedReason ?? '' };
  }, 30_000, 50);
}

/** Refused as it must be: failed with the gate's reason, one audit row, no run. */
async function checkRefused(w: World, what: string, jobId: string): Promise<boolean> {
  const o = await outcome(w, jobId);
  const audits = await w.prisma.adminAuditLog.count({ where: { action: 'sweep.refused', actor: 'system:worker', targetId: jobId } });
  if (o.state !== 'failed' || !o.reason.startsWith('sweep job refused: ')) w.violation(`${what} (job ${jobId}) was not refused: ${o.state} ${o.reason}`);
  if (audits !== 1) w.violation(`${what} (job ${jobId}) left ${audits} sweep.refused audit rows, expected 1`);
  return o.state === 'failed' && audits === 1;
}

export const forgedSweepJobs: Scenario = {
  name: 'forged-sweep-jobs',
  title: 'forged sweep jobs on the queue (watchdog catch-up, made-up actor, unknown request, hand-made slot, replay) during a run',
  due: 300,
  workers: ['w1', 'w2'],
  fast: true,
  async inject(w) {
    const realJob = await w.trigger('chaos-operator');
    const { run } = await w.holder();
    const now = Date.now();
    const forgeries: Forgery[] = [
      { what: 'catch-up claiming the watchdog', data: { trigger: 'catchup', triggeredBy: 'watchdog', slot: new Date(now).toISOString() } },
      { what: 'manual trigger with a made-up actor', data: { trigger: 'manual', triggeredBy: 'ops-mallory' } },
      { what: 'job naming an unknown request', data: { requestId: 999_999 }, jobId: 'sweep-request-999999' },
      { what: 'hand-made scheduled job', data: { trigger: 'scheduled' }, jobId: `repeat:reminder-sweep:${now - (now % 60_000)}` },
    ];
    const added = await Promise.all(forgeries.map(async (f) => ({ f, job: await w.c.queues.sweep.add('sweep', f.data as never, { jobId: f.jobId, attempts: 3 }) })));
    let refused = 0;
    for (const { f, job } of added) if (await checkRefused(w, f.what, job.id!)) refused += 1;

    const done = await w.waitForRun(realJob);
    if (!done || done.id !== run.id) w.violation(`the real trigger's run did not finish as run ${run.id}`);
    // The real request again, once its run is over and its job id freed.
    const request = await w.prisma.sweepRequest.findFirstOrThrow({ where: { requestedBy: 'chaos-operator' } });
    await w.c.queues.sweep.remove(realJob);
    await w.c.queues.sweep.add('sweep', { requestId: request.id }, { jobId: realJob });
    if (await checkRefused(w, 'replay of the real request', realJob)) refused += 1;

    const runs = await w.runs();
    const forgedRuns = runs.filter((r) => r.id !== run.id);
    if (forgedRuns.length) w.violation(`forged jobs produced runs: ${forgedRuns.map((r) => `${r.id} ${r.trigger} by ${r.triggeredBy}`).join(', ')}`);
    w.note(`${refused}/${forgeries.length + 1} forged jobs refused; real run ${run.id} ${done?.status ?? '?'} with ${done?.remindersSent ?? 0} sent`);
    if (refused === forgeries.length + 1 && !forgedRuns.length) w.hit();
  },
};
