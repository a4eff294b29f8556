/** Stored alerts. (kind, incident_key) is unique: that is what makes an alert fire once per incident. */
import { Prisma, type PrismaClient } from '../db/prisma';

export type AlertKind =
  | 'consecutive_failures'
  | 'recovered'
  | 'long_run'
  | 'missed_run'
  | 'scheduler_missing'
  | 'pause_overdue'
  | 'blast_radius'
  | 'no_workers'
  | 'redis_unreachable'
  | 'token_expiring';

export type NewAlert = { kind: AlertKind; incidentKey: string; message: string; details?: Record<string, unknown>; runId?: number | null; now: Date };

export function createAlertRepository(prisma: PrismaClient) {
  return {
    /** Inserts the alert unless the same incident was already raised; returns the new row's id or null. */
    async insertOnce(a: NewAlert): Promise<number | null> {
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        INSERT INTO alerts (kind, incident_key, run_id, message, details, created_at)
        VALUES (${a.kind}::alert_kind, ${a.incidentKey}, ${a.runId ?? null}, ${a.message}, ${JSON.stringify(a.details ?? {})}::jsonb, ${a.now})
        ON CONFLICT (kind, incident_key) DO NOTHING
        RETURNING id`;
      return rows[0]?.id ?? null;
    },
    exists: async (kind: AlertKind, incidentKey: string) => (await prisma.alert.count({ where: { kind, incidentKey } })) > 0,
    get: (id: number) => prisma.alert.findUniqueOrThrow({ where: { id } }),
    markDelivered: (id: number, now: Date, attempts: number) =>
      prisma.alert.update({ where: { id }, data: { deliveredAt: now, deliveryAttempts: { increment: attempts }, lastError: null } }),
    markFailed: (id: number, error: string, attempts: number) =>
      prisma.alert.update({ where: { id }, data: { lastError: error.slice(0, 2000), deliveryAttempts: { increment: attempts } } }),
    undelivered: (maxAttempts: number) =>
      prisma.alert.findMany({ where: { deliveredAt: null, deliveryAttempts: { lt: maxAttempts } }, orderBy: { id: 'asc' }, take: 100 }),
    /** How many alerts of each kind were ever raised. */
    async countByKind(): Promise<Map<string, number>> {
      const rows = await prisma.alert.groupBy({ by: ['kind'], _count: { _all: true } });
      return new Map(rows.map((a) => [a.kind, a._count._all]));
    },
    recent: (limit: number, where: Prisma.AlertWhereInput = {}) => prisma.alert.findMany({ where, orderBy: { id: 'desc' }, take: limit }),
  };
}

export type AlertRepository = ReturnType<typeof createAlertRepository>;
