/** The sweep's persistent state: paused or not, consecutive failures, fencing token, time zone. */
import type { PrismaClient } from '../db/prisma';

export function createSweepStateRepository(prisma: PrismaClient) {
  return {
    get: async (jobName: string) => {
      const row = await prisma.sweepState.findUnique({ where: { jobName } });
      if (!row) throw new Error(`sweep_state has no row for ${jobName}; run \`npx reminders migrate\``);
      return row;
    },

    /** The state row, or null when there is none (unlike `get`, which throws: the watchdog reads on). */
    find: (jobName: string) => prisma.sweepState.findUnique({ where: { jobName } }),

    currentFencingToken: async (jobName: string): Promise<bigint> => {
      const row = await prisma.sweepState.findUnique({ where: { jobName }, select: { lastFencingToken: true } });
      return row?.lastFencingToken ?? 0n;
    },

    pause: (jobName: string, p: { by: string; reason: string; until: Date | null; now: Date }) =>
      prisma.sweepState.update({
        where: { jobName },
        data: { enabled: false, pausedBy: p.by, pauseReason: p.reason, pausedAt: p.now, pausedUntil: p.until },
      }),

    resume: (jobName: string) =>
      prisma.sweepState.update({
        where: { jobName },
        data: { enabled: true, pausedBy: null, pauseReason: null, pausedAt: null, pausedUntil: null },
      }),

    /** Resumes a pause whose end time has passed; returns the pause that ended, or null. */
    async resumeIfExpired(jobName: string, now: Date) {
      return prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ paused_by: string | null; pause_reason: string | null; paused_until: Date }[]>`
          SELECT paused_by, pause_reason, paused_until FROM sweep_state
           WHERE job_name = ${jobName} AND NOT enabled AND paused_until IS NOT NULL AND paused_until <= ${now}
             FOR UPDATE`;
        if (!row) return null;
        await tx.sweepState.update({
          where: { jobName },
          data: { enabled: true, pausedBy: null, pauseReason: null, pausedAt: null, pausedUntil: null },
        });
        return { pausedBy: row.paused_by, reason: row.pause_reason, until: row.paused_until };
      });
    },

    /** Updates the failure counter after a run; returns the new count. */
    recordOutcome: async (jobName: string, succeeded: boolean, now: Date): Promise<number> => {
      const row = await prisma.sweepState.update({
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

export type SweepStateRepository = ReturnType<typeof createSweepStateRepository>;
