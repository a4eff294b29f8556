-- Effectiveness stats (issue 16) pick a programme's reminders by the local day of created_at: the
-- API's period and the metrics' last 28 days scan only the window instead of every reminder.
CREATE INDEX "reminders_created_at_idx" ON "reminders"("created_at");
