-- API tokens expire: expires_at is set at creation (a default lifetime per role, or --expires-in);
-- NULL (tokens created before this migration) never expires. The watchdog raises token_expiring a
-- week ahead.
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" TIMESTAMPTZ(3);
ALTER TYPE alert_kind ADD VALUE IF NOT EXISTS 'token_expiring';
