-- Which analyser wrote each cached lookup: a lookup is normalised data, and
-- an analyser that reads a transaction differently (or needs a field an
-- older one did not keep) must not reuse another version's rows. Rows from
-- before this column have '' and are never read again; they expire.
ALTER TABLE address_lookups ADD COLUMN analyzer_version TEXT NOT NULL DEFAULT '';
