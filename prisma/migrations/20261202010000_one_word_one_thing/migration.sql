-- One word for one thing (issue 14). "Scheduler" is the BullMQ job scheduler (the cron) and the
-- seed's ReminderSchedulerService; the row of the sweep's own state (enabled, pause, failures,
-- fencing token, time zone) is the sweep's state. "Idempotency key" is the HTTP header's
-- (api_idempotency_keys); the reminder's own unique (assignment, anchor, sequence) is its key.
ALTER TABLE "scheduler_state" RENAME TO "sweep_state";
ALTER TABLE "sweep_state" RENAME CONSTRAINT "scheduler_state_pkey" TO "sweep_state_pkey";
ALTER TABLE "reminders" RENAME COLUMN "idempotency_key" TO "reminder_key";
ALTER INDEX "reminders_idempotency_key_key" RENAME TO "reminders_reminder_key_key";

-- The activity trigger reads the time zone from the renamed table (otherwise unchanged).
CREATE OR REPLACE FUNCTION "touch_assignment_contact"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    contact_day DATE;
BEGIN
    SELECT (NEW."occurred_at" AT TIME ZONE COALESCE(
               (SELECT "time_zone" FROM "sweep_state" WHERE "job_name" = 'reminder-sweep'),
               'Europe/Oslo'))::date
      INTO contact_day;
    UPDATE "assignments"
       SET "last_contact_date" = contact_day, "updated_at" = CURRENT_TIMESTAMP
     WHERE "id" = NEW."assignment_id"
       AND ("last_contact_date" IS NULL OR "last_contact_date" < contact_day);
    RETURN NEW;
END;
$$;
