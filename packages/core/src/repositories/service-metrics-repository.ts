/** The execution log's totals for /metrics, counted from rows at scrape time so every replica agrees. */
import type { PrismaClient } from '../db/prisma';

export type OutcomeTotals = { sent: number; suppressed: number; skipped: number; failed: number; lost: number };

export function createServiceMetricsRepository(prisma: PrismaClient) {
  return {
    /** How many runs of `jobName` are in each status. */
    async runsByStatus(jobName: string): Promise<Map<string, number>> {
      const rows = await prisma.cronExecutionLog.groupBy({ by: ['status'], where: { jobName }, _count: { _all: true } });
      return new Map(rows.map((r) => [r.status, r._count._all]));
    },

    /** The duration (ms) of every finished run: succeeded, failed or timed out. */
    async finishedRunDurationsMs(jobName: string): Promise<number[]> {
      const rows = await prisma.cronExecutionLog.findMany({
        where: { jobName, durationMs: { not: null }, status: { in: ['succeeded', 'failed', 'timed_out'] } },
        select: { durationMs: true },
      });
      return rows.map((d) => d.durationMs!);
    },

    /** The dispatch outcomes summed over all runs of `jobName`. */
    async outcomeTotals(jobName: string): Promise<OutcomeTotals> {
      const sums = await prisma.cronExecutionLog.aggregate({
        where: { jobName },
        _sum: { remindersSent: true, remindersSuppressed: true, remindersSkipped: true, remindersFailed: true, remindersLost: true },
      });
      return {
        sent: sums._sum.remindersSent ?? 0,
        suppressed: sums._sum.remindersSuppressed ?? 0,
        skipped: sums._sum.remindersSkipped ?? 0,
        failed: sums._sum.remindersFailed ?? 0,
        lost: sums._sum.remindersLost ?? 0,
      };
    },
  };
}

export type ServiceMetricsRepository = ReturnType<typeof createServiceMetricsRepository>;
