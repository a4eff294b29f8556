-- What each delivery event did (issue 16, delivery feedback), decided in the transaction that
-- stored it: the operator reading delivery_events, and reminders_delivery_events_total, see why a
-- soft bounce was or was not retried without re-deriving it from the state of the day.
--   undeliverable          a hard bounce or complaint that made the address undeliverable (coordinators told)
--   already_undeliverable  a hard bounce or complaint for an address already undeliverable (counted only)
--   digest_retried         a soft bounce that set the digest it names back to pending
--   reminder_retried       a soft bounce that set the reminder it names back to failed (the next dispatch re-sends it)
--   retries_exhausted      a soft bounce for a message already retried as often as allowed
--   counted                a soft bounce counted against the address, nothing to retry
--   ignored                an address no mentor or coordinator has
CREATE TYPE "delivery_event_effect" AS ENUM ('undeliverable', 'already_undeliverable', 'digest_retried', 'reminder_retried', 'retries_exhausted', 'counted', 'ignored');
ALTER TABLE "delivery_events" ADD COLUMN "effect" "delivery_event_effect" NOT NULL;
