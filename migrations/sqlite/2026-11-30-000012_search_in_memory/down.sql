DROP TRIGGER search_registration_renamed;
DROP TRIGGER search_registration_removed;
DROP TRIGGER search_registration_added;
DROP TABLE search_changes;
DROP TABLE search_generations;
CREATE TABLE search_words (
    stop_id TEXT NOT NULL,
    word TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    field INTEGER NOT NULL,
    PRIMARY KEY (stop_id, word, sort_key, registration_id, field)
) WITHOUT ROWID;
CREATE INDEX search_words_registration ON search_words (registration_id);
