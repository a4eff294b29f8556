/**
 * The execution log's and the sweep state's figures for /metrics, counted from rows at scrape time
 * so every replica agrees, one set per programme (label: its slug). Only the first `labelMax`
 * programmes by id get their own label; the rest are summed under `programme="other"`. Id order,
 * not size, picks them: a programme's series never move between its slug and `other` from one
 * scrape to the next (a counter that moved would look like a reset to Prometheus), and `default`
 * (id 1) always keeps its own.
 */
import { Prisma, type PrismaClient } from '../db/prisma';

export type OutcomeTotals = { sent: number; suppressed: number; skipped: number; failed: number; lost: number };

/** The label value of the programmes beyond the cap. */
export const OTHER_PROGRAMME_LABEL = 'other';

/** One programme's state (or, for `other`, the summary of several: see `sweepStates`). */
export type ProgrammeState = { programme: string; enabled: boolean; consecutiveFailures: number; lastSuccessAt: Date };

/** `labels(id, programme)`: the label every programme's rows are grouped under. */
const labels = (labelMax: number) => Prisma.sql`
  labels AS (
    SELECT id, CASE WHEN row_number() OVER (ORDER BY id) <= ${labelMax}::int THEN slug ELSE ${OTHER_PROGRAMME_LABEL}::text END AS programme
      FROM programmes)`;

/** The sweep runs of every programme: `reminder-sweep` (default) and `reminder-sweep:<slug>`. */
const sweepRuns = (baseJobName: string) => Prisma.sql`(r.job_name = ${baseJobName} OR r.job_name LIKE ${`${baseJobName}:%`})`;

export function createServiceMetricsRepository(prisma: PrismaClient) {
  return {
    /** How many sweep runs each programme label has in each status. */
    async runsByStatus(baseJobName: string, labelMax: number): Promise<{ programme: string; status: string; n: number }[]> {
      return prisma.$queryRaw`
        WITH ${labels(labelMax)}
        SELECT l.programme, r.status::text AS status, count(*)::int AS n
          FROM cron_execution_log r JOIN labels l ON l.id = r.programme_id
         WHERE ${sweepRuns(baseJobName)}
         GROUP BY l.programme, r.status`;
    },

    /** The duration (ms) of every finished run (succeeded, failed or timed out), with its programme label. */
    async finishedRunDurationsMs(baseJobName: string, labelMax: number): Promise<{ programme: string; durationMs: number }[]> {
      return prisma.$queryRaw`
        WITH ${labels(labelMax)}
        SELECT l.programme, r.duration_ms AS "durationMs"
          FROM cron_execution_log r JOIN labels l ON l.id = r.programme_id
         WHERE ${sweepRuns(baseJobName)} AND r.duration_ms IS NOT NULL AND r.status IN ('succeeded', 'failed', 'timed_out')`;
    },

    /** The dispatch outcomes summed over all sweep runs, per programme label. */
    async outcomeTotals(baseJobName: string, labelMax: number): Promise<({ programme: string } & OutcomeTotals)[]> {
      return prisma.$queryRaw`
        WITH ${labels(labelMax)}
        SELECT l.programme,
               sum(r.reminders_sent)::float8 AS sent, sum(r.reminders_suppressed)::float8 AS suppressed,
               sum(r.reminders_skipped)::float8 AS skipped, sum(r.reminders_failed)::float8 AS failed,
               sum(r.reminders_lost)::float8 AS lost
          FROM cron_execution_log r JOIN labels l ON l.id = r.programme_id
         WHERE ${sweepRuns(baseJobName)}
         GROUP BY l.programme`;
    },

    /**
     * Every programme label's sweep state. A programme that never succeeded reports its creation
     * time as its last success: a programme created a minute ago is not "26 hours without a
     * success". For `other` (several programmes) it is a summary that keeps the alerts meaningful:
     * enabled while any is, the highest failure streak, and the oldest last success of those enabled.
     */
    async sweepStates(labelMax: number): Promise<ProgrammeState[]> {
      return prisma.$queryRaw`
        WITH ${labels(labelMax)}
        SELECT l.programme,
               bool_or(coalesce(s.enabled, true)) AS enabled,
               max(coalesce(s.consecutive_failures, 0))::int AS "consecutiveFailures",
               coalesce(min(coalesce(s.last_success_at, p.created_at)) FILTER (WHERE coalesce(s.enabled, true)),
                        max(coalesce(s.last_success_at, p.created_at))) AS "lastSuccessAt"
          FROM labels l JOIN programmes p ON p.id = l.id LEFT JOIN sweep_state s ON s.programme_id = l.id
         GROUP BY l.programme`;
    },

    /**
     * Delivery events stored (issue 16), by type and what each did. An address belongs to no one
     * programme (a mentor may be in several), so these carry no programme label, like alerts.
     */
    async deliveryEventTotals(): Promise<{ type: string; effect: string; n: number }[]> {
      return prisma.$queryRaw`SELECT type::text AS type, effect::text AS effect, count(*)::int AS n FROM delivery_events GROUP BY 1, 2`;
    },

    /** The digest outbox by kind and status (issue 16): `pending` that keeps rising means digests are not going out. */
    async digestTotals(): Promise<{ kind: string; status: string; n: number }[]> {
      return prisma.$queryRaw`SELECT kind::text AS kind, status::text AS status, count(*)::int AS n FROM digests GROUP BY 1, 2`;
    },

    /**
     * Seconds since the oldest pending digest became due (created, or its retry time passed) with
     * nobody holding it: 0 when none waits. Workers drain every PROGRAMME_TICK_SECONDS, so a
     * figure of minutes means no worker is sending (all down, or each failing before the send).
     */
    async digestOldestDueSeconds(): Promise<number> {
      const [r] = await prisma.$queryRaw<{ s: number | null }[]>`
        SELECT EXTRACT(EPOCH FROM clock_timestamp() - min(COALESCE(next_attempt_at, created_at)))::float8 AS s
          FROM digests
         WHERE status = 'pending' AND COALESCE(next_attempt_at, created_at) <= clock_timestamp()
           AND (lease_until IS NULL OR lease_until <= clock_timestamp())`;
      return Math.max(0, Math.floor(r?.s ?? 0));
    },

    /** Addresses currently marked undeliverable. */
    async undeliverableAddresses(): Promise<number> {
      const [r] = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM email_addresses WHERE undeliverable_at IS NOT NULL`;
      return r?.n ?? 0;
    },
  };
}

export type ServiceMetricsRepository = ReturnType<typeof createServiceMetricsRepository>;
