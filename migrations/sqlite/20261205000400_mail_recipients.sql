-- Where the email address lives while it is still needed: one row per job
-- whose report mail is not delivered yet (or whose dead job is still in
-- its dead-letter window), written once when the job is queued and
-- deleted when the address is erased. Nothing else holds the address, so
-- making an erasure unreadable in the files touches only this small table,
-- never the whole history of jobs and mails (src/storage/recipients.rs).
CREATE TABLE mail_recipients (
    job_id  TEXT PRIMARY KEY NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    -- Personal data: never logged, never rendered.
    email   TEXT NOT NULL
);

-- The addresses still kept move here; the columns that held them go (with
-- secure_delete on, rewriting the rows overwrites the old bytes; the next
-- clean folds the WAL back).
INSERT INTO mail_recipients (job_id, email)
    SELECT jobs.id, COALESCE(jobs.email, outbox.to_addr)
    FROM jobs LEFT JOIN outbox ON outbox.job_id = jobs.id
    WHERE jobs.email IS NOT NULL OR outbox.to_addr IS NOT NULL;
ALTER TABLE jobs DROP COLUMN email;
ALTER TABLE outbox DROP COLUMN to_addr;
