-- Finalized transactions already read (`getTransaction`, jsonParsed, gzip),
-- by signature: a finalized transaction never changes, so it is read from
-- the RPC once and then from here by every report, job attempt and lookup
-- of another address. Bounded: past KIMIKO_TX_CACHE_SIZE rows the oldest
-- stored go first (`stored_at`, indexed for that).
CREATE TABLE finalized_transactions (
    signature TEXT PRIMARY KEY NOT NULL,
    data BLOB NOT NULL,
    stored_at BIGINT NOT NULL
);
CREATE INDEX finalized_transactions_stored_at ON finalized_transactions (stored_at);
