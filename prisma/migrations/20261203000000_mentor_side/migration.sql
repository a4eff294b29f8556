-- The mentor's side (issue 16): per-programme delivery (one digest a day, or one e-mail per
-- reminder) and absence policy; mentors' locale and e-mail preference; absences and snoozes;
-- addresses that bounced; the digest outbox with its own key and lease; which preference each
-- reminder was sent under.

CREATE TYPE "programme_delivery" AS ENUM ('digest', 'each');
CREATE TYPE "absence_policy" AS ENUM ('freeze', 'cover');
ALTER TABLE "programmes" ADD COLUMN "delivery" "programme_delivery" NOT NULL DEFAULT 'digest';
ALTER TABLE "programmes" ADD COLUMN "absence_policy" "absence_policy" NOT NULL DEFAULT 'freeze';

-- A mentor's own choices: the language of their messages (NULL: the programme's) and whether
-- reminders also come by e-mail (in-app notifications always do). Coordinators get a locale too.
ALTER TABLE "peer_mentors" ADD COLUMN "locale" TEXT;
ALTER TABLE "peer_mentors" ADD COLUMN "reminder_email" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "peer_mentors" ADD COLUMN "preferences_updated_at" TIMESTAMPTZ(3);
ALTER TABLE "peer_mentors" ADD CONSTRAINT "peer_mentors_locale" CHECK ("locale" IS NULL OR "locale" IN ('nb', 'en'));
ALTER TABLE "coordinators" ADD COLUMN "locale" TEXT;
ALTER TABLE "coordinators" ADD CONSTRAINT "coordinators_locale" CHECK ("locale" IS NULL OR "locale" IN ('nb', 'en'));

-- A mentor away from `starts_on` to `ends_on` (both included, in the programme's calendar).
-- Cancelled absences stay for the audit trail and count for nothing.
CREATE TABLE "mentor_absences" (
    "id" SERIAL NOT NULL,
    "peer_mentor_id" INTEGER NOT NULL,
    "starts_on" DATE NOT NULL,
    "ends_on" DATE NOT NULL,
    "reason" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),
    "cancelled_by" TEXT,
    CONSTRAINT "mentor_absences_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "mentor_absences_range" CHECK ("ends_on" >= "starts_on")
);
ALTER TABLE "mentor_absences" ADD CONSTRAINT "mentor_absences_peer_mentor_id_fkey" FOREIGN KEY ("peer_mentor_id") REFERENCES "peer_mentors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "mentor_absences_peer_mentor_id_ends_on_idx" ON "mentor_absences"("peer_mentor_id", "ends_on");

-- An assignment left out of reminders up to and including `snoozed_until`.
ALTER TABLE "assignments" ADD COLUMN "snoozed_until" DATE;
ALTER TABLE "assignments" ADD COLUMN "snooze_reason" TEXT;

-- The reminder arithmetic with absences and snoozes, one definition for the fan-out, the write,
-- the dry run and the contact view (mirrored in domain/reminder-rules.ts):
--   absence_facts: days of (after, upto] the mentor was absent (overlapping absences counted
--   once) and whether `upto` itself is one of them;
--   reminder_due: an assignment's silence (under `freeze`, absent days are not silence), the
--   sequence number due for it, its due date, and whether a reminder is due today (not snoozed
--   through today, not absent today under `freeze`, within stop_after). Status and "already
--   written" are the caller's.
-- (An index probe decides first whether the mentor was absent at all, so the counting runs only
-- for the few who were: the fan-out of 85,000 assignments took 0.27 s without absences, 1.5 s
-- with the counting on every row, and stays close to the first with the probe.)
CREATE OR REPLACE FUNCTION "absence_facts"("p_mentor" INTEGER, "p_after" DATE, "p_upto" DATE)
RETURNS TABLE ("days" INTEGER, "on_last" BOOLEAN)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN e.any THEN
                  (SELECT count(DISTINCT g.d)::int
                     FROM "mentor_absences" ab
                    CROSS JOIN LATERAL generate_series(GREATEST(ab."starts_on", "p_after" + 1)::timestamp, LEAST(ab."ends_on", "p_upto")::timestamp, interval '1 day') AS g(d)
                    WHERE ab."peer_mentor_id" = "p_mentor" AND ab."cancelled_at" IS NULL
                      AND ab."ends_on" > "p_after" AND ab."starts_on" <= "p_upto")
                ELSE 0 END,
           e.any AND EXISTS (SELECT 1 FROM "mentor_absences" ab
                              WHERE ab."peer_mentor_id" = "p_mentor" AND ab."cancelled_at" IS NULL
                                AND ab."ends_on" >= "p_upto" AND ab."starts_on" <= "p_upto")
      FROM (SELECT EXISTS (SELECT 1 FROM "mentor_absences" ab
                            WHERE ab."peer_mentor_id" = "p_mentor" AND ab."cancelled_at" IS NULL
                              AND ab."ends_on" > "p_after" AND ab."starts_on" <= "p_upto") AS any) e
$$;

CREATE OR REPLACE FUNCTION "reminder_due"("p_mentor" INTEGER, "p_anchor" DATE, "p_today" DATE, "p_first_after" INTEGER,
                                          "p_repeat_every" INTEGER, "p_stop_after" INTEGER, "p_policy" "absence_policy", "p_snoozed_until" DATE)
RETURNS TABLE ("silent" INTEGER, "seq" INTEGER, "due_date" DATE, "absent_today" BOOLEAN, "snoozed" BOOLEAN, "due" BOOLEAN)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT y.silent, y.seq, "p_anchor" + "p_first_after" + (y.seq - 1) * "p_repeat_every" + z.frozen, f.on_last, z.snoozed,
           y.silent >= "p_first_after" AND ("p_stop_after" IS NULL OR y.seq <= "p_stop_after") AND NOT z.snoozed
             AND NOT ("p_policy" = 'freeze' AND f.on_last)
      FROM "absence_facts"("p_mentor", "p_anchor", "p_today") f
     CROSS JOIN LATERAL (SELECT CASE WHEN "p_policy" = 'freeze' THEN f.days ELSE 0 END AS frozen,
                                ("p_snoozed_until" IS NOT NULL AND "p_snoozed_until" >= "p_today") AS snoozed) z
     CROSS JOIN LATERAL (SELECT ("p_today" - "p_anchor") - z.frozen AS silent,
                                1 + ((("p_today" - "p_anchor") - z.frozen) - "p_first_after") / "p_repeat_every" AS seq) y
$$;

-- Addresses a delivery event said cannot receive mail (a hard bounce or a complaint), and the
-- soft bounces counted against them. Keyed by the lower-cased address.
CREATE TABLE "email_addresses" (
    "address" TEXT NOT NULL,
    "undeliverable_at" TIMESTAMPTZ(3),
    "undeliverable_reason" TEXT,
    "hard_bounces" INTEGER NOT NULL DEFAULT 0,
    "soft_bounces" INTEGER NOT NULL DEFAULT 0,
    "complaints" INTEGER NOT NULL DEFAULT 0,
    "last_event_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "email_addresses_pkey" PRIMARY KEY ("address"),
    CONSTRAINT "email_addresses_lower" CHECK ("address" = lower("address"))
);

CREATE TYPE "delivery_event_type" AS ENUM ('hard_bounce', 'soft_bounce', 'complaint');
-- Each event a provider reported, once (`source`, `event_id` make a webhook's retry harmless).
CREATE TABLE "delivery_events" (
    "id" SERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "type" "delivery_event_type" NOT NULL,
    "address" TEXT NOT NULL,
    "message_id" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "diagnostic" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "received_by" TEXT NOT NULL,
    CONSTRAINT "delivery_events_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "delivery_events_source_event_id_key" ON "delivery_events"("source", "event_id");
CREATE INDEX "delivery_events_address_occurred_at_idx" ON "delivery_events"("address", "occurred_at");

-- The digest outbox: one row per message (a mentor's daily digest, a coordinator's escalation
-- digest, a coordinator's notice that an address bounced), its own idempotency key, and a leased
-- delivery state like the reminders' (claim with a lease, send, mark for the attempt claimed).
CREATE TYPE "digest_kind" AS ENUM ('mentor', 'coordinator', 'undeliverable_notice');
CREATE TYPE "digest_status" AS ENUM ('pending', 'sent', 'failed', 'cancelled');
CREATE TABLE "digests" (
    "id" SERIAL NOT NULL,
    "digest_key" TEXT NOT NULL,
    "kind" "digest_kind" NOT NULL,
    "programme_id" INTEGER NOT NULL,
    "recipient_type" "recipient_type" NOT NULL,
    "recipient_id" INTEGER NOT NULL,
    "local_date" DATE NOT NULL,
    "part" INTEGER NOT NULL DEFAULT 1,
    "status" "digest_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "digests_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "digests_part_positive" CHECK ("part" >= 1)
);
CREATE UNIQUE INDEX "digests_digest_key_key" ON "digests"("digest_key");
CREATE UNIQUE INDEX "digests_kind_recipient_id_programme_id_local_date_part_key" ON "digests"("kind", "recipient_id", "programme_id", "local_date", "part");
CREATE INDEX "digests_programme_id_idx" ON "digests"("programme_id");
CREATE INDEX "digests_status_next_attempt_at_idx" ON "digests"("status", "next_attempt_at");
ALTER TABLE "digests" ADD CONSTRAINT "digests_programme_id_fkey" FOREIGN KEY ("programme_id") REFERENCES "programmes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A reminder in digest mode waits with e-mail status `digest` until a digest takes it.
ALTER TYPE "email_status" ADD VALUE 'digest';
-- Which of the mentor's e-mail circumstances applied when the reminder was written.
CREATE TYPE "email_preference" AS ENUM ('each', 'digest', 'opted_out', 'undeliverable', 'no_address', 'no_channel', 'covered');
ALTER TABLE "reminders" ADD COLUMN "preference_applied" "email_preference";
ALTER TABLE "reminders" ADD COLUMN "mentor_digest_id" INTEGER;
ALTER TABLE "reminders" ADD COLUMN "coordinator_digest_id" INTEGER;
-- The coordinator's copy in digest mode (escalations, covered absences): `digest` until a digest takes it.
ALTER TABLE "reminders" ADD COLUMN "coordinator_email_status" "email_status" NOT NULL DEFAULT 'not_applicable';
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_mentor_digest_id_fkey" FOREIGN KEY ("mentor_digest_id") REFERENCES "digests"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_coordinator_digest_id_fkey" FOREIGN KEY ("coordinator_digest_id") REFERENCES "digests"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "reminders_mentor_digest_id_idx" ON "reminders"("mentor_digest_id");
CREATE INDEX "reminders_coordinator_digest_id_idx" ON "reminders"("coordinator_digest_id");
CREATE INDEX "reminders_email_status_idx" ON "reminders"("email_status");
CREATE INDEX "reminders_coordinator_email_status_idx" ON "reminders"("coordinator_email_status");

-- Secrets the service signs links with (the one-click unsubscribe link), made here once so every
-- API process of a deployment shares them without another setting. 244 random bits.
CREATE TABLE "signing_keys" (
    "purpose" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("purpose")
);
INSERT INTO "signing_keys" ("purpose", "secret")
VALUES ('unsubscribe', replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''));
