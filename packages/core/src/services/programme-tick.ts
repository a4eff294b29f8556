/**
 * When each programme's scheduled sweep starts (issue 15).
 *
 * The shape: one frequent tick (every PROGRAMME_TICK_SECONDS, in every worker) that records and
 * enqueues today's scheduled sweep of each programme whose local send time has come and that has
 * none yet for its local day; not one BullMQ job scheduler per programme. Why:
 *   - PostgreSQL decides whether a programme's day has had its scheduled sweep: a unique request
 *     per (programme, local date) (sweep_request_repository.claimScheduledSlots). Replicas, a tick
 *     that runs twice, a restart or Redis losing a job cannot make a second one; a tick that was
 *     down at the send time records it as soon as it is back (late, not never).
 *   - DST days by construction: "the local wall clock has passed send_at today" holds exactly once
 *     per local day: a send time in the spring-forward gap (02:30) fires when the clock jumps past
 *     it, one in the repeated autumn hour fires the first time (the day's request then exists).
 *     A cron per programme would lean on cron-parser's handling of both, and skip the gap.
 *   - A programme added, changed or removed takes effect at the next tick, with no restart and
 *     nothing to register or clean up in Redis; 1,000 programmes are 1,000 rows, not 1,000
 *     schedulers.
 * The programme `default` keeps the BullMQ job scheduler on REMINDER_CRON (any cron pattern, as
 * before programmes): its runbook commands and weekday-only crons keep working.
 * A programme's first slot is the first one after it was created: created at 10:00 with a send
 * time of 07:00, it first runs tomorrow.
 */
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { SweepRequestRepository } from '../repositories/sweep-request-repository';
import type { SweepRequests } from './sweep-requests';

export type ProgrammeTickDeps = {
  requests: Pick<SweepRequestRepository, 'claimScheduledSlots'>;
  sweepRequests: Pick<SweepRequests, 'enqueue'>;
  clock: Clock;
  logger: Logger;
};

export function createProgrammeTick(deps: ProgrammeTickDeps) {
  const log = deps.logger.child({ component: 'programme-tick' });
  return {
    /** Records and enqueues the scheduled sweeps whose time has come; returns their request ids. */
    async tick(): Promise<number[]> {
      const claimed = await deps.requests.claimScheduledSlots(deps.clock.now());
      for (const r of claimed) {
        log.info({ requestId: r.id, programmeId: r.programmeId, slot: r.slot }, 'scheduled sweep of a programme requested');
        // Enqueued now; if Redis is away the row stays, and enqueuePending puts it on the queue later.
        await deps.sweepRequests.enqueue(r).catch((err: Error) => log.warn({ requestId: r.id, err: { message: err.message } }, 'could not enqueue a scheduled sweep yet; it stays recorded'));
      }
      return claimed.map((r) => r.id);
    },
  };
}

export type ProgrammeTick = ReturnType<typeof createProgrammeTick>;
