-- An operator's retry of failed digests (`npx reminders digests retry`, POST /v1/digests/retry):
-- the attempt counter keeps counting (a sender's claim is its attempt number, so a number is
-- never reused), and retry_from remembers where this round of EMAIL_MAX_ATTEMPTS began.
ALTER TABLE "digests" ADD COLUMN "retry_from" INTEGER NOT NULL DEFAULT 0;
