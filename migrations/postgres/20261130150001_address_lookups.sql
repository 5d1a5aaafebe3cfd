-- What Kimiko read about addresses other than the analysed wallet (a
-- funder's history before it funded the wallet, a payee's recent history),
-- shared by every report that needs the same page until it expires. `data`
-- is the normalised lookup as JSON; `before_signature` is '' for the
-- newest page, so the key needs no NULL.
CREATE TABLE address_lookups (
    address TEXT NOT NULL,
    before_signature TEXT NOT NULL,
    data TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (address, before_signature)
);
CREATE INDEX address_lookups_expires_at ON address_lookups (expires_at);

-- What a running job's progress counts: 'fetching' (the wallet's own
-- transactions) or 'following_links' (addresses it is tied to).
ALTER TABLE jobs ADD COLUMN progress_phase TEXT NOT NULL DEFAULT 'fetching';
