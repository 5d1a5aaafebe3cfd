-- Where the email address lives while it is still needed: one row per job
-- whose report mail is not delivered yet (or whose dead job is still in
-- its dead-letter window), written once when the job is queued and
-- deleted when the address is erased. Nothing else holds the address, so
-- making an erasure unreadable in the files rewrites only this small table
-- (VACUUM FULL of a few rows), never the whole history of jobs and mails
-- (src/storage/recipients.rs).
CREATE TABLE mail_recipients (
    job_id  TEXT PRIMARY KEY NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    -- Personal data: never logged, never rendered.
    email   TEXT NOT NULL
);
-- No sample values in pg_statistic, where an erasure would never reach them.
ALTER TABLE mail_recipients ALTER COLUMN email SET STATISTICS 0;

-- The addresses still kept move here; the columns that held them go. Their
-- old values stay in the old tables' files until the rewrite in the next
-- migration (VACUUM FULL clears dropped columns as it copies).
INSERT INTO mail_recipients (job_id, email)
    SELECT jobs.id, COALESCE(jobs.email, outbox.to_addr)
    FROM jobs LEFT JOIN outbox ON outbox.job_id = jobs.id
    WHERE jobs.email IS NOT NULL OR outbox.to_addr IS NOT NULL;
ALTER TABLE jobs DROP COLUMN email;
ALTER TABLE outbox DROP COLUMN to_addr;

-- Vacuums of that small table take no turns across processes (each is a
-- few milliseconds): the counters of the old whole-table vacuums go.
DROP TABLE erasure_vacuums;
