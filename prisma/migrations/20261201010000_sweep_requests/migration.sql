-- A sweep job carries no authority: it names a sweep_requests row, written (with its audit row,
-- for a person's trigger) BEFORE the job is enqueued. The worker reads trigger, actor, confirm and
-- slot from the row and consumes it once. `dedupe_key` makes a request once-only where it must be:
-- one catch-up per slot, one retry per failed run, one scheduled run per cron slot.
-- `retry`: the watchdog's same-day retry of a failed run. ADD VALUE may run inside the migrator's
-- transaction because nothing in this transaction uses the new value.

-- AlterEnum
ALTER TYPE run_trigger ADD VALUE IF NOT EXISTS 'retry';

-- CreateTable
CREATE TABLE "sweep_requests" (
    "id" SERIAL NOT NULL,
    "trigger" "run_trigger" NOT NULL,
    "requested_by" TEXT NOT NULL,
    "confirm_run_id" INTEGER,
    "slot" TIMESTAMPTZ(3),
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueued_at" TIMESTAMPTZ(3),
    "consumed_at" TIMESTAMPTZ(3),
    "job_id" TEXT,
    "run_id" INTEGER,
    CONSTRAINT "sweep_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sweep_requests_dedupe_key_key" ON "sweep_requests"("dedupe_key");
CREATE INDEX "sweep_requests_created_at_idx" ON "sweep_requests"("created_at");
