-- `dry_run` was never true: the dry run (`npx reminders trigger --dry-run`, `GET /v1/sweep/preview`)
-- writes no execution-log row at all.

-- AlterTable
ALTER TABLE cron_execution_log DROP COLUMN dry_run;
