-- Verbatim comments marketing picks as representative of a stop.
ALTER TABLE feedback ADD COLUMN quote_selected BOOLEAN NOT NULL DEFAULT FALSE;
