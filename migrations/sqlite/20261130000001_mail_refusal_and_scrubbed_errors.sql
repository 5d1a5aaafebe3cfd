-- A mail the receiving server refused for good because of its address: the
-- address is erased at once, and the job page still links the report.
ALTER TABLE outbox ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;

-- Earlier versions kept mail servers' replies verbatim, and a refusal
-- usually quotes the recipient's address. Only classified reasons are kept
-- from now on; what was kept before goes.
UPDATE job_attempts SET error = 'mail: the mail server''s reply is no longer kept'
    WHERE error LIKE 'mail:%' OR error LIKE '%@%';
UPDATE jobs SET last_error = 'mail: the mail server''s reply is no longer kept'
    WHERE last_error LIKE 'mail:%' OR last_error LIKE '%@%';
UPDATE outbox SET last_error = NULL WHERE last_error IS NOT NULL;
