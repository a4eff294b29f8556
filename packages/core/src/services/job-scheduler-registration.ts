/**
 * Registers the BullMQ job scheduler that stands in for the cron. Upserted from one place (behind
 * a short lock, so replicas starting together do not fight), then read back and checked: a
 * scheduler that is missing, has another pattern / time zone, or no future `next` is an error.
 */
import type { Queue } from 'bullmq';
import type { Clock } from '../clock';
import type { SweepLock } from '../lock';
import type { Logger } from '../logger';
import { SWEEP_JOB, SWEEP_SCHEDULER_ID, sweepJobOptions, type SweepPayload } from '../jobs/job-catalog';

export type ScheduleInfo = { id: string; pattern: string | null; tz: string | null; next: Date | null };

export class ScheduleVerificationError extends Error {
  override name = 'ScheduleVerificationError';
}

export function createJobSchedulerRegistration(deps: {
  queue: Queue<SweepPayload>;
  lock: SweepLock;
  cron: string;
  timeZone: string;
  clock: Clock;
  logger: Logger;
}) {
  async function read(): Promise<ScheduleInfo | null> {
    const s = await deps.queue.getJobScheduler(SWEEP_SCHEDULER_ID);
    if (!s) return null;
    return { id: SWEEP_SCHEDULER_ID, pattern: s.pattern ?? null, tz: s.tz ?? null, next: s.next ? new Date(Number(s.next)) : null };
  }

  function problems(s: ScheduleInfo | null): string | null {
    if (!s) return `job scheduler ${SWEEP_SCHEDULER_ID} is missing`;
    if (s.pattern !== deps.cron) return `job scheduler pattern is "${s.pattern}", expected "${deps.cron}"`;
    if (s.tz !== deps.timeZone) return `job scheduler time zone is "${s.tz}", expected "${deps.timeZone}"`;
    // Allow a minute of slack: `next` is moved forward only after the fired job is picked up.
    if (!s.next || s.next.getTime() < deps.clock.now().getTime() - 60_000) return `job scheduler next fire time ${s.next?.toISOString() ?? 'is empty'} is in the past`;
    return null;
  }

  return {
    read,
    /** What is wrong with the registered schedule, or null when it matches the configuration. */
    check: async () => problems(await read()),

    /** Upserts the scheduler when it is missing or differs, then verifies it. */
    async ensure(): Promise<ScheduleInfo> {
      for (let attempt = 0; attempt < 20; attempt++) {
        const r = await deps.lock.withLock(async () => {
          const current = await read();
          if (problems(current) === null) return { changed: false };
          await deps.queue.upsertJobScheduler(
            SWEEP_SCHEDULER_ID,
            { pattern: deps.cron, tz: deps.timeZone },
            // No data: the slot is the job's id, and the worker trusts nothing else on it.
            { name: SWEEP_JOB, data: {}, opts: sweepJobOptions },
          );
          deps.logger.info({ cron: deps.cron, tz: deps.timeZone, previous: current }, 'job scheduler upserted');
          return { changed: true };
        });
        if (r.acquired) break;
        // Another replica is registering it right now; give it a moment, then verify its work.
        await new Promise((res) => setTimeout(res, 250));
      }
      const s = await read();
      const problem = problems(s);
      if (problem) throw new ScheduleVerificationError(`schedule verification failed: ${problem}`);
      deps.logger.info({ cron: s!.pattern, tz: s!.tz, next: s!.next }, 'job scheduler verified');
      return s!;
    },
  };
}

export type JobSchedulerRegistration = ReturnType<typeof createJobSchedulerRegistration>;
