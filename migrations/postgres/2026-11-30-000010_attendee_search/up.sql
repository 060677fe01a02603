-- The words of each registration (names, company, e-mail), folded in Rust: lower case, accents
-- removed (see registrations/search.rs). A search for "kleb" reads the primary key's range
-- ['kleb', 'kleb\u{10FFFF}') of one stop instead of every registration of the stop, already in
-- the order shown (by word, then by name: `sort_key` is the folded "last first"), so that it
-- stops after the first screenful however many people match. The rows of registrations that
-- exist already are written by the program when it starts.
-- COLLATE "C": byte order, as SQLite's, so that a prefix is a range of the index whatever the
-- database's locale.
CREATE TABLE search_words (
    stop_id TEXT NOT NULL,
    word TEXT COLLATE "C" NOT NULL,
    sort_key TEXT COLLATE "C" NOT NULL,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    -- 0 last name, 1 first name, 2 company, 3 e-mail: a last name equal to a searched word
    -- ranks first.
    field INTEGER NOT NULL,
    PRIMARY KEY (stop_id, word, sort_key, registration_id, field)
);
CREATE INDEX search_words_registration ON search_words (registration_id);
