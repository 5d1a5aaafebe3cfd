-- The .sol name a request was made with (public: it resolves on chain to
-- the job's wallet), so the report can say which name led to it. NULL for
-- a request made with the address itself.
ALTER TABLE jobs ADD COLUMN sol_name TEXT;

-- What a wallet's previous report said, kept past the report's own expiry
-- so a fresh analysis can show what changed: its score, grade, when it was
-- made, by which analyser, and its findings (id, title, severity, points:
-- JSON). Public data only, never an email address; one row per wallet,
-- replaced by each new analysis; rows not replaced for a year are deleted.
CREATE TABLE report_history (
    wallet            TEXT PRIMARY KEY NOT NULL,
    score             BIGINT NOT NULL CHECK (score BETWEEN 0 AND 100),
    grade             TEXT NOT NULL,
    findings          TEXT NOT NULL,
    analyzer_version  TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX report_history_created_at ON report_history (created_at);
