-- Follow-up reminders service: initial schema (mirrors prisma/schema.prisma).

-- CreateEnum
CREATE TYPE "assignment_status" AS ENUM ('active', 'paused', 'closed');
CREATE TYPE "activity_type" AS ENUM ('call', 'visit', 'meeting', 'message', 'other');
CREATE TYPE "registration_path" AS ENUM ('direct', 'proxy', 'bulk', 'coordinator_proxy', 'database');
CREATE TYPE "email_status" AS ENUM ('not_applicable', 'reserved', 'sent', 'failed');
CREATE TYPE "recipient_type" AS ENUM ('peer_mentor', 'coordinator');
CREATE TYPE "run_trigger" AS ENUM ('scheduled', 'manual', 'catchup');
CREATE TYPE "run_status" AS ENUM ('running', 'succeeded', 'failed', 'skipped_locked', 'skipped_disabled', 'timed_out', 'abandoned', 'awaiting_confirmation', 'cancelled');
CREATE TYPE "alert_kind" AS ENUM ('consecutive_failures', 'recovered', 'long_run', 'missed_run', 'scheduler_missing', 'pause_overdue', 'blast_radius');
CREATE TYPE "token_role" AS ENUM ('service', 'viewer', 'operator', 'admin');

-- CreateTable
CREATE TABLE "coordinators" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "coordinators_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "peer_mentors" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "coordinator_id" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "peer_mentors_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "contacts" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "assignments" (
    "id" SERIAL NOT NULL,
    "peer_mentor_id" INTEGER NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "coordinator_id" INTEGER,
    "status" "assignment_status" NOT NULL DEFAULT 'active',
    "assigned_date" DATE NOT NULL,
    "last_contact_date" DATE,
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "assignments_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "activities" (
    "id" SERIAL NOT NULL,
    "assignment_id" INTEGER NOT NULL,
    "activity_type" "activity_type" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "registration_path" "registration_path" NOT NULL DEFAULT 'database',
    "registered_by" TEXT NOT NULL DEFAULT 'database',
    "client_id" TEXT,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "activities_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "cron_execution_log" (
    "id" SERIAL NOT NULL,
    "job_name" TEXT NOT NULL,
    "trigger" "run_trigger" NOT NULL,
    "status" "run_status" NOT NULL,
    "scheduled_for" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,
    "heartbeat_at" TIMESTAMPTZ(3),
    "assignments_evaluated" INTEGER NOT NULL DEFAULT 0,
    "reminders_enqueued" INTEGER NOT NULL DEFAULT 0,
    "reminders_sent" INTEGER NOT NULL DEFAULT 0,
    "reminders_suppressed" INTEGER NOT NULL DEFAULT 0,
    "reminders_skipped" INTEGER NOT NULL DEFAULT 0,
    "reminders_failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "worker_id" TEXT NOT NULL,
    "fencing_token" BIGINT,
    "triggered_by" TEXT,
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "cron_execution_log_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "scheduler_state" (
    "job_name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "pause_reason" TEXT,
    "paused_by" TEXT,
    "paused_at" TIMESTAMPTZ(3),
    "paused_until" TIMESTAMPTZ(3),
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "last_fencing_token" BIGINT NOT NULL DEFAULT 0,
    "last_success_at" TIMESTAMPTZ(3),
    "time_zone" TEXT NOT NULL DEFAULT 'Europe/Oslo',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scheduler_state_pkey" PRIMARY KEY ("job_name")
);

CREATE TABLE "reminders" (
    "id" SERIAL NOT NULL,
    "assignment_id" INTEGER NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "anchor_date" DATE NOT NULL,
    "sequence_number" INTEGER NOT NULL,
    "due_date" DATE NOT NULL,
    "escalated" BOOLEAN NOT NULL DEFAULT false,
    "run_id" INTEGER,
    "fencing_token" BIGINT NOT NULL,
    "email_status" "email_status" NOT NULL DEFAULT 'not_applicable',
    "email_attempts" INTEGER NOT NULL DEFAULT 0,
    "email_last_error" TEXT,
    "email_sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "reminders_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "notifications" (
    "id" SERIAL NOT NULL,
    "reminder_id" INTEGER,
    "recipient_type" "recipient_type" NOT NULL,
    "recipient_id" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "alerts" (
    "id" SERIAL NOT NULL,
    "kind" "alert_kind" NOT NULL,
    "incident_key" TEXT NOT NULL,
    "run_id" INTEGER,
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "delivery_attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "admin_audit_log" (
    "id" SERIAL NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "admin_audit_log_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_tokens" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "role" "token_role" NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "peer_mentors_coordinator_id_idx" ON "peer_mentors"("coordinator_id");
CREATE INDEX "assignments_status_id_idx" ON "assignments"("status", "id");
CREATE INDEX "assignments_peer_mentor_id_idx" ON "assignments"("peer_mentor_id");
CREATE INDEX "assignments_contact_id_idx" ON "assignments"("contact_id");
CREATE INDEX "assignments_coordinator_id_idx" ON "assignments"("coordinator_id");
CREATE UNIQUE INDEX "activities_client_id_key" ON "activities"("client_id");
CREATE INDEX "activities_assignment_id_occurred_at_idx" ON "activities"("assignment_id", "occurred_at");
CREATE INDEX "cron_execution_log_job_name_started_at_idx" ON "cron_execution_log"("job_name", "started_at" DESC);
CREATE INDEX "cron_execution_log_status_idx" ON "cron_execution_log"("status");
CREATE UNIQUE INDEX "reminders_idempotency_key_key" ON "reminders"("idempotency_key");
CREATE INDEX "reminders_assignment_id_anchor_date_idx" ON "reminders"("assignment_id", "anchor_date");
CREATE INDEX "reminders_run_id_idx" ON "reminders"("run_id");
CREATE UNIQUE INDEX "notifications_reminder_id_recipient_type_key" ON "notifications"("reminder_id", "recipient_type");
CREATE INDEX "notifications_recipient_type_recipient_id_idx" ON "notifications"("recipient_type", "recipient_id");
CREATE UNIQUE INDEX "alerts_kind_incident_key_key" ON "alerts"("kind", "incident_key");
CREATE INDEX "alerts_run_id_idx" ON "alerts"("run_id");
CREATE INDEX "alerts_created_at_idx" ON "alerts"("created_at");
CREATE INDEX "admin_audit_log_target_type_target_id_idx" ON "admin_audit_log"("target_type", "target_id");
CREATE INDEX "admin_audit_log_created_at_idx" ON "admin_audit_log"("created_at");
CREATE UNIQUE INDEX "api_tokens_name_key" ON "api_tokens"("name");
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- AddForeignKey
ALTER TABLE "peer_mentors" ADD CONSTRAINT "peer_mentors_coordinator_id_fkey" FOREIGN KEY ("coordinator_id") REFERENCES "coordinators"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_peer_mentor_id_fkey" FOREIGN KEY ("peer_mentor_id") REFERENCES "peer_mentors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_coordinator_id_fkey" FOREIGN KEY ("coordinator_id") REFERENCES "coordinators"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "activities" ADD CONSTRAINT "activities_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "assignments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "assignments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "cron_execution_log"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_reminder_id_fkey" FOREIGN KEY ("reminder_id") REFERENCES "reminders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "cron_execution_log"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The sweep's state row always exists, so pause / resume / fencing are plain UPDATEs.
INSERT INTO "scheduler_state" ("job_name") VALUES ('reminder-sweep');

-- The activity registration hook: every activity row, whoever inserts it, moves the assignment's
-- last_contact_date forward to the activity's calendar date in the organisation's time zone
-- (scheduler_state.time_zone, kept in step with REMINDER_TZ at start-up). Never backwards.
CREATE FUNCTION "touch_assignment_contact"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    contact_day DATE;
BEGIN
    SELECT (NEW."occurred_at" AT TIME ZONE COALESCE(
               (SELECT "time_zone" FROM "scheduler_state" WHERE "job_name" = 'reminder-sweep'),
               'Europe/Oslo'))::date
      INTO contact_day;
    UPDATE "assignments"
       SET "last_contact_date" = contact_day, "updated_at" = CURRENT_TIMESTAMP
     WHERE "id" = NEW."assignment_id"
       AND ("last_contact_date" IS NULL OR "last_contact_date" < contact_day);
    RETURN NEW;
END;
$$;

CREATE TRIGGER "activities_touch_contact"
    AFTER INSERT OR UPDATE OF "occurred_at", "assignment_id" ON "activities"
    FOR EACH ROW EXECUTE FUNCTION "touch_assignment_contact"();
