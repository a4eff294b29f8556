-- `no_workers`: the watchdog (which also runs in the API) found no live worker heartbeat for
-- WORKER_ABSENT_ALERT_MINUTES. ADD VALUE may run inside the migrator's transaction (PostgreSQL 12+)
-- because nothing in this transaction uses the new value.

-- AlterEnum
ALTER TYPE alert_kind ADD VALUE IF NOT EXISTS 'no_workers';
