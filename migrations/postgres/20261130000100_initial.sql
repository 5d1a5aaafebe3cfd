-- Kimiko's schema on PostgreSQL: the same tables, columns and meanings as
-- the SQLite migrations in ../sqlite up to 20261130000001, written in one
-- step. Times are unix milliseconds (UTC), BIGINT so they read as i64 like
-- SQLite's INTEGER. Never edit a migration once it has shipped: add a new
-- one (and its SQLite counterpart).

-- One row per report request: the queue.
CREATE TABLE jobs (
    -- Random base58 (128 bits): public, in the job page URL.
    id              TEXT PRIMARY KEY NOT NULL,
    wallet          TEXT NOT NULL,
    -- Personal data: set to NULL once the report mail is delivered or the
    -- job is dead. Never logged, never rendered.
    email           TEXT,
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'succeeded', 'dead')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    max_attempts    BIGINT NOT NULL,
    -- Earliest time the job may be claimed (backoff pushes it out).
    run_at          BIGINT NOT NULL,
    -- While running: the claim expires at lease_until unless the worker's
    -- heartbeat extends it; lease_owner names the worker instance.
    lease_until     BIGINT,
    lease_owner     TEXT,
    last_error      TEXT,
    progress_done   BIGINT NOT NULL DEFAULT 0,
    progress_total  BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    -- Analyse again even when a stored report is still within its lifetime.
    refresh         BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX jobs_claim ON jobs (status, run_at, created_at);
CREATE INDEX jobs_lease ON jobs (status, lease_until);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- Every attempt of every job: what a dead letter is judged by.
CREATE TABLE job_attempts (
    job_id       TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt      BIGINT NOT NULL,
    worker       TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    -- NULL while running; 'succeeded', 'retry', 'dead' or 'abandoned'.
    outcome      TEXT,
    error        TEXT,
    PRIMARY KEY (job_id, attempt)
);

-- The latest report per wallet.
CREATE TABLE reports (
    wallet            TEXT PRIMARY KEY NOT NULL,
    score             BIGINT NOT NULL CHECK (score BETWEEN 0 AND 100),
    grade             TEXT NOT NULL,
    -- The Report as JSON, exactly as the API serves it.
    data              TEXT NOT NULL,
    analyzer_version  TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL
);

CREATE INDEX reports_expiry ON reports (expires_at);

-- Accepted requests, for rate limits and dedupe. Keyed hashes only: the
-- address itself is never stored here.
CREATE TABLE requests (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_hash  TEXT NOT NULL,
    wallet      TEXT NOT NULL,
    ip_hash     TEXT,
    created_at  BIGINT NOT NULL
);

CREATE INDEX requests_email ON requests (email_hash, created_at);
CREATE INDEX requests_created ON requests (created_at);

-- The report mail of each job, written in the same transaction as the report
-- and marked sent once the SMTP server accepts it: a retried job finds its
-- row and never sends twice.
CREATE TABLE outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id      TEXT NOT NULL UNIQUE REFERENCES jobs (id) ON DELETE CASCADE,
    -- Personal data: NULL once sent (or the job is dead).
    to_addr     TEXT,
    subject     TEXT NOT NULL,
    html        TEXT NOT NULL,
    text        TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT,
    -- 1 when the receiving server refused the address for good (an integer,
    -- as in SQLite, so one statement text serves both backends).
    refused     INTEGER NOT NULL DEFAULT 0
);

-- ANALYZE (autovacuum runs it) keeps sample values of each column in
-- pg_statistic, where an erasure would never reach them: the address
-- columns get no statistics at all.
ALTER TABLE jobs ALTER COLUMN email SET STATISTICS 0;
ALTER TABLE outbox ALTER COLUMN to_addr SET STATISTICS 0;

-- Postgres only: several processes run the scheduler, and each tick of a
-- housekeeping task is run by the one that records it here first.
CREATE TABLE task_runs (
    task          TEXT NOT NULL,
    -- The tick (unix ms) the task was due at, the same in every process.
    scheduled_at  BIGINT NOT NULL,
    started_at    BIGINT NOT NULL,
    PRIMARY KEY (task, scheduled_at)
);

-- Postgres only: the per-client submission limit, shared by every process
-- (with SQLite, one process keeps it in memory). One row per client, keyed
-- on a keyed hash of its address (never the address): its bucket as the
-- generic cell rate algorithm keeps it, the time (unix ms) at which the
-- client's next request would find the bucket full again, less its burst.
CREATE TABLE client_limits (
    client_hash  TEXT PRIMARY KEY NOT NULL,
    tat          BIGINT NOT NULL
);
CREATE INDEX client_limits_tat ON client_limits (tat);
