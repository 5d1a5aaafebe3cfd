-- Kimiko's first schema. Times are unix milliseconds (UTC). Never edit a
-- migration once it has shipped: add a new one.

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
    attempts        INTEGER NOT NULL DEFAULT 0,
    max_attempts    INTEGER NOT NULL,
    -- Earliest time the job may be claimed (backoff pushes it out).
    run_at          INTEGER NOT NULL,
    -- While running: the claim expires at lease_until unless the worker's
    -- heartbeat extends it; lease_owner names the worker instance.
    lease_until     INTEGER,
    lease_owner     TEXT,
    last_error      TEXT,
    progress_done   INTEGER NOT NULL DEFAULT 0,
    progress_total  INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    finished_at     INTEGER
);

-- Claiming scans queued jobs by run_at, and expired leases of running ones.
CREATE INDEX jobs_claim ON jobs (status, run_at);
CREATE INDEX jobs_lease ON jobs (status, lease_until);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- Every attempt of every job: what a dead letter is judged by.
CREATE TABLE job_attempts (
    job_id       TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    worker       TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    -- NULL while running; 'succeeded', 'retry', 'dead' or 'abandoned'.
    outcome      TEXT,
    error        TEXT,
    PRIMARY KEY (job_id, attempt)
);

-- The latest report per wallet.
CREATE TABLE reports (
    wallet            TEXT PRIMARY KEY NOT NULL,
    score             INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    grade             TEXT NOT NULL,
    -- The Report as JSON, exactly as the API serves it.
    data              TEXT NOT NULL,
    analyzer_version  TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL
);

CREATE INDEX reports_expiry ON reports (expires_at);

-- Accepted requests, for rate limits and dedupe. Keyed hashes only: the
-- address itself is never stored here.
CREATE TABLE requests (
    id          INTEGER PRIMARY KEY,
    email_hash  TEXT NOT NULL,
    wallet      TEXT NOT NULL,
    ip_hash     TEXT,
    created_at  INTEGER NOT NULL
);

CREATE INDEX requests_email ON requests (email_hash, created_at);
CREATE INDEX requests_created ON requests (created_at);

-- The report mail of each job, written in the same transaction as the report
-- and marked sent once the SMTP server accepts it: a retried job finds its
-- row and never sends twice.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    job_id      TEXT NOT NULL UNIQUE REFERENCES jobs (id) ON DELETE CASCADE,
    -- Personal data: NULL once sent (or the job is dead).
    to_addr     TEXT,
    subject     TEXT NOT NULL,
    html        TEXT NOT NULL,
    text        TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
);
