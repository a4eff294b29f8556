/** The sweep's persistent state: paused or not, consecutive failures, fencing token, time zone. */
import type { PrismaClient } from '../db/prisma';

export function createSchedulerStateRepository(prisma: PrismaClient) {
  return {
    get: async (jobName: string) => {
      const row = await prisma.schedulerState.findUnique({ where: { jobName } });
      if (!row) throw new Error(`scheduler_state has no row for ${jobName}; run \`npx reminders migrate\``);
      return row;
    },

    /** Keeps the database trigger's time zone (activities -> last_contact_date) in step with REMINDER_TZ. */
    syncTimeZone: async (jobName: string, timeZone: string) => {
      await prisma.schedulerState.updateMany({ where: { jobName, NOT: { timeZone } }, data: { timeZone } });
    },

    currentFencingToken: async (jobName: string): Promise<bigint> => {
      const row = await prisma.schedulerState.findUnique({ where: { jobName }, select: { lastFencingToken: true } });
      return row?.lastFencingToken ?? 0n;
    },

    /** Updates the failure counter after a run; returns the new count. */
    recordOutcome: async (jobName: string, succeeded: boolean, now: Date): Promise<number> => {
      const row = await prisma.schedulerState.update({
        where: { jobName },
        data: succeeded
          ? { consecutiveFailures: 0, lastSuccessAt: now }
          : { consecutiveFailures: { increment: 1 } },
        select: { consecutiveFailures: true },
      });
      return row.consecutiveFailures;
    },
  };
}

export type SchedulerStateRepository = ReturnType<typeof createSchedulerStateRepository>;
