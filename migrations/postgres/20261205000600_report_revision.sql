-- Which stored version of a wallet's report a process has cached: a random
-- value drawn at every store, so two reports stored in the same second (by
-- two processes) still differ. Rows from before count as revision 0.
ALTER TABLE reports ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
