-- The watchdog's own state lives in PostgreSQL so that it keeps watching while Redis is down:
-- the tick lease (one process ticks at a time), the time it began watching (missed slots before it
-- are not examined) and the start of a Redis outage it has seen (`redis_unreachable`, once per outage).

-- AlterEnum
ALTER TYPE alert_kind ADD VALUE IF NOT EXISTS 'redis_unreachable';

-- CreateTable
CREATE TABLE "watchdog_state" (
    "job_name" TEXT NOT NULL,
    "watching_since" TIMESTAMPTZ(3) NOT NULL,
    "lease_holder" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "redis_down_since" TIMESTAMPTZ(3),
    CONSTRAINT "watchdog_state_pkey" PRIMARY KEY ("job_name")
);
