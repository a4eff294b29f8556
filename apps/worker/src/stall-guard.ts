/**
 * A BullMQ worker whose blocking read never comes back after a Redis failover (the class of
 * bullmq#4479 / ioredis#1888; seen here when a Cluster primary was killed under load: the sweep
 * worker recovered, the dispatch worker took no job again while its queue filled) sits idle with
 * no error. The guard notices it: the same job has been first in the waiting list at two checks
 * `idleMs` apart while this worker had no job in progress. A healthy idle worker takes a waiting
 * job within milliseconds, so that is a stuck worker: it is closed and a new one started in its
 * place. Its jobs are safe to hand over: dispatch writes are fenced and e-mails leased, and a
 * sweep job's request is admitted once.
 */
import type { Queue, Worker } from 'bullmq';
import type { Logger } from '@reminders/core/logger';

export type StallGuardOptions = {
  queue: Pick<Queue, 'getWaiting' | 'isPaused'>;
  /** Makes (and wires) a new worker; the guard runs it. */
  make: () => Worker;
  idleMs: number;
  logger: Logger;
};

export function createStallGuard(opts: StallGuardOptions) {
  let worker = opts.make();
  let active = 0;
  let suspect: { jobId: string; since: number } | null = null;
  let restarts = 0;

  const track = (w: Worker) => {
    w.on('active', () => (active += 1));
    const done = () => (active = Math.max(0, active - 1));
    w.on('completed', done);
    w.on('failed', done);
  };
  track(worker);

  return {
    get worker() {
      return worker;
    },
    get restarts() {
      return restarts;
    },
    /** One look (the caller runs it every few seconds); true when it restarted the worker. */
    async check(now = Date.now()): Promise<boolean> {
      // Busy, closing, or paused (in Bull Board, or this worker): waiting jobs are expected then.
      if (active > 0 || worker.closing || worker.isPaused() || (await opts.queue.isPaused())) {
        suspect = null;
        return false;
      }
      const [first] = await opts.queue.getWaiting(0, 0);
      if (!first?.id) {
        suspect = null;
        return false;
      }
      if (!suspect || suspect.jobId !== first.id) {
        suspect = { jobId: first.id, since: now };
        return false;
      }
      if (now - suspect.since < opts.idleMs) return false;
      opts.logger.error({ queue: worker.name, jobId: first.id, idleMs: now - suspect.since }, 'worker took no job while one waited: restarting it (a blocking read that never came back)');
      suspect = null;
      restarts += 1;
      const stuck = worker;
      worker = opts.make();
      track(worker);
      active = 0;
      void worker.run().catch((err: Error) => opts.logger.error({ err: { message: err.message } }, 'restarted worker stopped'));
      await stuck.close(true).catch(() => undefined);
      return true;
    },
  };
}

export type StallGuard = ReturnType<typeof createStallGuard>;
