-- The unsettled records' index leads with outcome (issue 17). As (run_id, outcome) it served every
-- lookup that names a run, and the planner took it for the dispatch's lookups by (run_id,
-- assignment_id) whenever its statistics made both look like one row (a table analysed empty, or
-- holding mostly earlier runs' settled records): each lookup then read the whole run's records,
-- 300 lookups x 8,000 records in the test "planned on statistics from before the run ..."
-- (tests/integration/dispatch-batching.test.ts). Led by outcome, it serves only what it is for,
-- a run's unsettled records (outcome IS NULL AND run_id = $1), and the primary key is the one
-- index for a run's record by assignment.
DROP INDEX "run_dispatches_run_id_outcome_idx";
CREATE INDEX "run_dispatches_outcome_run_id_idx" ON "run_dispatches"("outcome", "run_id");
