-- Per-programme sweeps (issue 15): a sweep request names the programme it sweeps (default, 1,
-- for requests written before programmes and by callers that name none).
ALTER TABLE "sweep_requests" ADD COLUMN "programme_id" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "sweep_requests" ADD CONSTRAINT "sweep_requests_programme_id_fkey" FOREIGN KEY ("programme_id") REFERENCES "programmes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "sweep_requests_programme_id_created_at_idx" ON "sweep_requests"("programme_id", "created_at");
