/**
 * An assignment's snooze (assignments.snoozed_until, included, and snooze_reason): set and cleared
 * with the row locked, each change with its admin_audit_log row (before and after) in the same
 * transaction. "Today" is the assignment's programme's local date.
 */
import type { PrismaClient } from '../db/prisma';
import { addDays, dateColumnToIso } from '../domain/calendar';

export type Snooze = { until: string | null; reason: string | null };

/** The furthest a snooze may reach, in days from today. */
export const SNOOZE_MAX_DAYS = 366;

type Locked = { status: 'active' | 'paused' | 'closed'; snoozed_until: Date | null; snooze_reason: string | null; today: Date; time_zone: string };

const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 };

export function createSnoozeRepository(prisma: PrismaClient) {
  const lock = async (tx: Pick<PrismaClient, '$queryRaw'>, assignmentId: number, now: Date) =>
    (
      await tx.$queryRaw<Locked[]>`
        SELECT a.status::text AS status, a.snoozed_until, a.snooze_reason, (${now}::timestamptz AT TIME ZONE p.time_zone)::date AS today, p.time_zone
          FROM assignments a JOIN programmes p ON p.id = a.programme_id
         WHERE a.id = ${assignmentId} FOR UPDATE OF a`
    )[0];
  const snoozeOf = (r: Locked): Snooze => ({ until: r.snoozed_until ? dateColumnToIso(r.snoozed_until) : null, reason: r.snooze_reason });

  return {
    /** Snoozes through `until` (today or later, at most SNOOZE_MAX_DAYS ahead, on the programme's calendar); `assignment.snooze` audited. */
    snooze: (p: { assignmentId: number; until: string; reason: string | null; actor: string; now: Date }) =>
      prisma.$transaction(async (tx) => {
        const row = await lock(tx, p.assignmentId, p.now);
        if (!row) return { kind: 'not_found' as const };
        if (row.status === 'closed') return { kind: 'closed' as const };
        const today = dateColumnToIso(row.today);
        if (p.until < today) return { kind: 'in_past' as const, today, timeZone: row.time_zone };
        const latest = addDays(today, SNOOZE_MAX_DAYS);
        if (p.until > latest) return { kind: 'too_far' as const, today, latest, timeZone: row.time_zone };
        const before = snoozeOf(row);
        const after: Snooze = { until: p.until, reason: p.reason };
        await tx.$executeRaw`UPDATE assignments SET snoozed_until = ${p.until}::date, snooze_reason = ${p.reason}, updated_at = ${p.now} WHERE id = ${p.assignmentId}`;
        const audit = await tx.adminAuditLog.create({
          data: { actor: p.actor, action: 'assignment.snooze', targetType: 'assignment', targetId: String(p.assignmentId), before, after, reason: p.reason, createdAt: p.now },
          select: { id: true },
        });
        return { kind: 'snoozed' as const, before, after, auditId: audit.id };
      }, TX_OPTIONS),

    /** Clears the snooze; with none in force nothing is written (`changed: false`). `assignment.unsnooze` audited. */
    unsnooze: (p: { assignmentId: number; actor: string; now: Date }) =>
      prisma.$transaction(async (tx) => {
        const row = await lock(tx, p.assignmentId, p.now);
        if (!row) return { kind: 'not_found' as const };
        const before = snoozeOf(row);
        if (before.until === null) return { kind: 'cleared' as const, changed: false, before, auditId: null };
        await tx.$executeRaw`UPDATE assignments SET snoozed_until = NULL, snooze_reason = NULL, updated_at = ${p.now} WHERE id = ${p.assignmentId}`;
        const audit = await tx.adminAuditLog.create({
          data: { actor: p.actor, action: 'assignment.unsnooze', targetType: 'assignment', targetId: String(p.assignmentId), before, after: { until: null, reason: null }, createdAt: p.now },
          select: { id: true },
        });
        return { kind: 'cleared' as const, changed: true, before, auditId: audit.id };
      }, TX_OPTIONS),
  };
}

export type SnoozeRepository = ReturnType<typeof createSnoozeRepository>;
