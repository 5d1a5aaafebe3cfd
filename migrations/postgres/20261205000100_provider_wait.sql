-- While a running job is held back by its RPC provider's rate limits: how
-- long the rest of its reading should take, in seconds (NULL otherwise).
-- The job page says it is waiting for the provider, and for how long.
ALTER TABLE jobs ADD COLUMN provider_wait_secs BIGINT;
