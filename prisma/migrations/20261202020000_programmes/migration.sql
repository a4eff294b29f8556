-- Programmes (issue 15): the unit of scheduling, rules and operations. Every assignment belongs
-- to one. A deployment that configures none has one, `default` (id 1), which the service keeps in
-- step with the environment it runs with (REMINDER_TZ, the time of REMINDER_CRON, the rule knobs)
-- while `from_environment` is true; existing assignments and runs belong to it, so an existing
-- deployment behaves as before.
CREATE TABLE "programmes" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "send_at" TEXT NOT NULL,
    "first_after_days" INTEGER NOT NULL,
    "repeat_every_days" INTEGER NOT NULL,
    "escalate_after" INTEGER NOT NULL,
    "stop_after" INTEGER,
    "default_locale" TEXT NOT NULL DEFAULT 'nb',
    "from_environment" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "programmes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "programmes_slug_format" CHECK ("slug" ~ '^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$'),
    CONSTRAINT "programmes_send_at_format" CHECK ("send_at" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    CONSTRAINT "programmes_rules_positive" CHECK ("first_after_days" >= 1 AND "repeat_every_days" >= 1 AND "escalate_after" >= 1 AND ("stop_after" IS NULL OR "stop_after" >= 1)),
    CONSTRAINT "programmes_locale" CHECK ("default_locale" IN ('nb', 'en'))
);
CREATE UNIQUE INDEX "programmes_slug_key" ON "programmes"("slug");

INSERT INTO "programmes" ("id", "slug", "name", "time_zone", "send_at", "first_after_days", "repeat_every_days", "escalate_after", "from_environment")
VALUES (1, 'default', 'Default programme', 'Europe/Oslo', '07:00', 14, 7, 3, true);
SELECT setval(pg_get_serial_sequence('programmes', 'id'), 1);

-- Assignments inserted without a programme (other services, older importers) join `default`.
ALTER TABLE "assignments" ADD COLUMN "programme_id" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_programme_id_fkey" FOREIGN KEY ("programme_id") REFERENCES "programmes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE INDEX "assignments_programme_id_status_id_idx" ON "assignments"("programme_id", "status", "id");

-- Each programme's sweep has its own state row (pause, failures, fencing token) and its own runs.
ALTER TABLE "sweep_state" ADD COLUMN "programme_id" INTEGER;
UPDATE "sweep_state" SET "programme_id" = 1 WHERE "job_name" = 'reminder-sweep';
ALTER TABLE "sweep_state" ALTER COLUMN "programme_id" SET NOT NULL;
ALTER TABLE "sweep_state" ADD CONSTRAINT "sweep_state_programme_id_fkey" FOREIGN KEY ("programme_id") REFERENCES "programmes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE UNIQUE INDEX "sweep_state_programme_id_key" ON "sweep_state"("programme_id");

-- (A run row written without a programme, by an older worker during a rolling upgrade, is default's.)
ALTER TABLE "cron_execution_log" ADD COLUMN "programme_id" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "cron_execution_log" ADD CONSTRAINT "cron_execution_log_programme_id_fkey" FOREIGN KEY ("programme_id") REFERENCES "programmes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Calendar days are counted in the assignment's programme's time zone.
CREATE OR REPLACE FUNCTION "touch_assignment_contact"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    contact_day DATE;
BEGIN
    SELECT (NEW."occurred_at" AT TIME ZONE p."time_zone")::date
      INTO contact_day
      FROM "assignments" a JOIN "programmes" p ON p."id" = a."programme_id"
     WHERE a."id" = NEW."assignment_id";
    UPDATE "assignments"
       SET "last_contact_date" = contact_day, "updated_at" = CURRENT_TIMESTAMP
     WHERE "id" = NEW."assignment_id"
       AND ("last_contact_date" IS NULL OR "last_contact_date" < contact_day);
    RETURN NEW;
END;
$$;
CREATE INDEX "cron_execution_log_programme_id_started_at_idx" ON "cron_execution_log"("programme_id", "started_at");
