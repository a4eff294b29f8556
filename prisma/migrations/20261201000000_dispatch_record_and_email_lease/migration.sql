-- Postgres decides the dispatch (DESIGN.md, "Postgres decides"):
--  * `run_dispatches` is a run's own record of what it fanned out, one row per assignment, with
--    each one's outcome written in the same statement as the reminder (or the e-mail's result).
--    A run's counts, its "every job settled" and its `lost` jobs are read from here, not Redis;
--    a dispatch job for an assignment that its run did not fan out writes nothing.
--  * (assignment, anchor date, sequence number) is unique: the reminder's identity, whatever key
--    a writer computes.
--  * E-mail delivery is an outbox with leases: a claim says who and until when; only the claimed
--    attempt may mark the result; an expired lease may be adopted.

-- A database written before this migration may hold two reminders for one (assignment, anchor,
-- sequence) (a forged dispatch job could write one under a made-up key). Refuse to go on, saying
-- how to find them, rather than guess which one to keep.
DO $$
DECLARE
    dup INTEGER;
BEGIN
    SELECT count(*) INTO dup FROM (
        SELECT 1 FROM "reminders" GROUP BY "assignment_id", "anchor_date", "sequence_number" HAVING count(*) > 1
    ) d;
    IF dup > 0 THEN
        RAISE EXCEPTION '% (assignment, anchor, sequence) groups have more than one reminder; list them with: SELECT assignment_id, anchor_date, sequence_number, array_agg(id ORDER BY id) FROM reminders GROUP BY 1, 2, 3 HAVING count(*) > 1; keep the oldest of each (delete the others and their notifications), then migrate again', dup;
    END IF;
END
$$;

-- DropIndex (the unique index below starts with the same two columns)
DROP INDEX "reminders_assignment_id_anchor_date_idx";

-- CreateIndex
CREATE UNIQUE INDEX "reminders_assignment_id_anchor_date_sequence_number_key" ON "reminders"("assignment_id", "anchor_date", "sequence_number");

-- AlterTable
ALTER TABLE "reminders" ADD COLUMN "email_lease_owner" TEXT,
ADD COLUMN "email_lease_until" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "cron_execution_log" ADD COLUMN "reminders_lost" INTEGER NOT NULL DEFAULT 0;

-- CreateEnum
CREATE TYPE "dispatch_outcome" AS ENUM ('sent', 'suppressed', 'skipped', 'failed', 'lost');

-- CreateTable
CREATE TABLE "run_dispatches" (
    "run_id" INTEGER NOT NULL,
    "assignment_id" INTEGER NOT NULL,
    "anchor_date" DATE NOT NULL,
    "outcome" "dispatch_outcome",
    "reason" TEXT,
    "reminder_id" INTEGER,
    "settled_at" TIMESTAMPTZ(3),
    CONSTRAINT "run_dispatches_pkey" PRIMARY KEY ("run_id","assignment_id")
);

-- CreateIndex (a run counts what is still unsettled, outcome IS NULL, and tallies the rest)
CREATE INDEX "run_dispatches_run_id_outcome_idx" ON "run_dispatches"("run_id", "outcome");

-- AddForeignKey
ALTER TABLE "run_dispatches" ADD CONSTRAINT "run_dispatches_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "cron_execution_log"("id") ON DELETE CASCADE ON UPDATE CASCADE;
