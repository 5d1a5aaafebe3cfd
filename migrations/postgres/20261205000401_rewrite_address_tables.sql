-- no-transaction
-- Once, at the upgrade that moved addresses to mail_recipients: rewrite the
-- tables that held them, so no old row version (and no value of the
-- dropped columns) stays in their files. VACUUM cannot run in a
-- transaction, hence its own migration. After this, erasures never touch
-- these tables again.
VACUUM FULL jobs, outbox, job_attempts;
