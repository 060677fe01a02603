DROP TRIGGER search_changes ON registrations;
DROP FUNCTION search_note_change();
DROP TABLE search_changes;
DROP TABLE search_generations;
CREATE TABLE search_words (
    stop_id TEXT NOT NULL,
    word TEXT COLLATE "C" NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    field INTEGER NOT NULL,
    PRIMARY KEY (stop_id, word, sort_key, registration_id, field)
);
CREATE INDEX search_words_registration ON search_words (registration_id);
