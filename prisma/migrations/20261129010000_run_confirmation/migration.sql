-- Blast-radius guard: a run that found far more due assignments than usual stops as
-- `awaiting_confirmation`; an operator confirms it (a new run continues, named here) or cancels it.

-- AlterTable
ALTER TABLE "cron_execution_log" ADD COLUMN "resolved_by" TEXT,
ADD COLUMN "resolved_at" TIMESTAMPTZ(3),
ADD COLUMN "continued_by_run_id" INTEGER;
