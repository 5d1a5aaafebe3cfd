-- A request from a report page's "Ask for a fresh analysis" form: analyse
-- again even when a stored report is still within its lifetime.
ALTER TABLE jobs ADD COLUMN refresh INTEGER NOT NULL DEFAULT 0;
