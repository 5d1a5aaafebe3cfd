-- The claim takes queued jobs in (run_at, created_at) order; with both in
-- the index it reads the first few rows and sorts nothing.
DROP INDEX jobs_claim;
CREATE INDEX jobs_claim ON jobs (status, run_at, created_at);
