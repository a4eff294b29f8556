-- sweep_state.time_zone was the activity trigger's time zone; since programmes (20261202020000)
-- the trigger reads the assignment's programme's, and nothing reads this column: a second copy of
-- default's time zone that only the workers kept in step. Dropped, so there is one.
ALTER TABLE "sweep_state" DROP COLUMN "time_zone";
