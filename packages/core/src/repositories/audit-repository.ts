/** The admin audit log: who changed what, before and after, and why. */
import type { PrismaClient } from '../db/prisma';

export type AuditEntry = {
  actor: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  now: Date;
};

const json = (v: unknown) => (v === undefined ? undefined : (JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))) as object));

export function createAuditRepository(prisma: PrismaClient) {
  return {
    record: (e: AuditEntry) =>
      prisma.adminAuditLog.create({
        data: {
          actor: e.actor,
          action: e.action,
          targetType: e.targetType,
          targetId: e.targetId ?? null,
          before: json(e.before),
          after: json(e.after),
          reason: e.reason ?? null,
          createdAt: e.now,
        },
      }),
    recent: (limit: number, action?: string) =>
      prisma.adminAuditLog.findMany({ where: action ? { action } : {}, orderBy: { id: 'desc' }, take: limit }),
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
