-- Prices change one row at a time, compare-and-swap on a version per price (every
-- existing price starts at version 1), instead of the whole price book being replaced.
ALTER TABLE prices ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
