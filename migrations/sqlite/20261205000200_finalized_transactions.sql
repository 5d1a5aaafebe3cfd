-- Finalized transactions already read (`getTransaction`, jsonParsed, deflated),
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

-- The signature list last read for an address (deflated JSON: the list,
-- and the balance or token amount then), so the next read of the same
-- address asks only for what is newer (`until`). Trimmed like the above,
-- to a tenth of its bound.
CREATE TABLE signature_lists (
    address TEXT PRIMARY KEY NOT NULL,
    data BLOB NOT NULL,
    stored_at BIGINT NOT NULL
);
CREATE INDEX signature_lists_stored_at ON signature_lists (stored_at);
