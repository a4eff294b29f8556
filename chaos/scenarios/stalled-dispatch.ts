/**
 * A dispatch worker frozen (SIGSTOP) while it holds active dispatch jobs with e-mail in flight,
 * for longer than BullMQ's lock duration and stalled-check interval (30 s each; the worker app
 * has no setting to shorten them, so this waits the real time): another worker's stalled check
 * moves the jobs back and runs them again; then SIGCONT, and the frozen worker finishes its
 * stale copies. No reminder may be written twice, and no e-mail sent twice except those the
 * frozen worker had claimed and not confirmed (the relay may already have accepted them: the
 * documented window, at most the frozen worker's messages in flight, same Message-ID).
 */
import type { Job } from 'bullmq';
import type { World } from '../lib/world';
import { waitForDispatching, waitForRunEnd, type Scenario } from './types';

/** The victim's active dispatch jobs (BullMQ records the worker name as processedBy). */
async function activeOn(w: World, workerId: string): Promise<Job[]> {
  const active = await w.c.queues.dispatch.getActive();
  return active.filter((j) => j.processedBy === workerId);
}

async function liveClaims(w: World, workerId: string): Promise<number> {
  return w.prisma.reminder.count({ where: { emailStatus: 'reserved', emailLeaseOwner: { startsWith: `${workerId} (` }, emailLeaseUntil: { gt: new Date() } } });
}

export const stalledDispatch: Scenario = {
  name: 'stalled-dispatch',
  title: 'a dispatch worker frozen past the stall interval with e-mail in flight, its jobs re-run, then SIGCONT (SMTP on)',
  due: 300,
  smtp: true,
  // A relay that takes 100 ms to accept, so the frozen worker has messages in flight.
  smtpAcceptDelayMs: 100,
  workers: ['w1', 'w2', 'w3'],
  async inject(w) {
    await w.trigger('chaos');
    const { run, worker: holder } = await w.holder();
    await waitForDispatching(w, 0.15);
    const victim = [...w.workers.values()].find((x) => x.id !== holder.id)!;
    // Freeze it at a moment it holds jobs, preferably with an e-mail claimed.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await liveClaims(w, victim.id)) === 0) await w.sleep(2);
    victim.freeze();
    const frozenAt = Date.now();
    const held = await activeOn(w, victim.id);
    const inDoubt = await w.noteEmailsInDoubt(victim.id, 0);
    const ids = held.map((j) => (j.data as { assignmentId: number }).assignmentId);
    if (!ids.length) {
      victim.thaw();
      w.note('the frozen worker held no active dispatch job');
      return;
    }
    // Its jobs' records settle only once another worker has run them again.
    let rerun = false;
    try {
      await w.waitFor(`the frozen worker's ${ids.length} jobs to be re-run elsewhere`, async () => {
        const n = await w.prisma.runDispatch.count({ where: { runId: run.id, assignmentId: { in: ids }, outcome: { not: null } } });
        return n === ids.length ? true : null;
      }, 110_000, 250);
      rerun = true;
    } catch (err) {
      w.violation(`${(err as Error).message}: still unsettled ${Math.round((Date.now() - frozenAt) / 1000)} s after the freeze`);
    }
    const frozenFor = (Date.now() - frozenAt) / 1000;
    victim.thaw();
    const status = await waitForRunEnd(w, run.id, 60_000);
    // The thawed worker's stale copies finish now: give them the time to try to write and send.
    await w.sleep(3000);
    const stalled = (await Promise.all(held.map((j) => w.c.queues.dispatch.getJob(j.id!)))).filter((j) => (j?.stalledCounter ?? 0) > 0).length;
    w.note(`${victim.id} frozen ${frozenFor.toFixed(0)} s holding ${ids.length} job(s), ${inDoubt} e-mail(s) claimed; ${stalled} marked stalled and re-run; run ${run.id} ${status}`);
    if (rerun && status === 'succeeded') w.hit();
  },
};
