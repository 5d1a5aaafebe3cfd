-- The erasure vacuums of every process, numbered: a process that waited
-- for another's vacuum skips its own when one that started after its
-- erasures has completed meanwhile (src/storage/erasure.rs).
CREATE TABLE erasure_vacuums (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    -- The number of the last vacuum started.
    started    BIGINT NOT NULL,
    -- The number of the last one that completed.
    completed  BIGINT NOT NULL
);
INSERT INTO erasure_vacuums (id, started, completed) VALUES (1, 0, 0);
