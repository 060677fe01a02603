-- The attendee search answers from each stop's folded words kept in the memory of every
-- process that searches it (see src/registrations/search/). The words are folded in Rust from
-- the registrations themselves, so `search_words` goes. What the processes need from the
-- database is what changed since they last looked: every change of a registration's searched
-- fields is numbered per stop, one after the other, and logged (SQLite has one writer at a
-- time, so generations commit in their order; the PostgreSQL migration says why there too).
-- A gap tells a process to load the stop again.
DROP TABLE search_words;

CREATE TABLE search_generations (
    stop_id TEXT PRIMARY KEY NOT NULL,
    generation INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE search_changes (
    stop_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    registration_id TEXT NOT NULL,
    PRIMARY KEY (stop_id, generation)
) WITHOUT ROWID;

CREATE TRIGGER search_registration_added AFTER INSERT ON registrations
BEGIN
    INSERT INTO search_generations (stop_id, generation) VALUES (NEW.stop_id, 1)
        ON CONFLICT (stop_id) DO UPDATE SET generation = generation + 1;
    INSERT INTO search_changes (stop_id, generation, registration_id)
        SELECT NEW.stop_id, generation, NEW.id FROM search_generations WHERE stop_id = NEW.stop_id;
END;

CREATE TRIGGER search_registration_removed AFTER DELETE ON registrations
BEGIN
    INSERT INTO search_generations (stop_id, generation) VALUES (OLD.stop_id, 1)
        ON CONFLICT (stop_id) DO UPDATE SET generation = generation + 1;
    INSERT INTO search_changes (stop_id, generation, registration_id)
        SELECT OLD.stop_id, generation, OLD.id FROM search_generations WHERE stop_id = OLD.stop_id;
END;

CREATE TRIGGER search_registration_renamed
    AFTER UPDATE OF last_name, first_name, company, email ON registrations
BEGIN
    INSERT INTO search_generations (stop_id, generation) VALUES (NEW.stop_id, 1)
        ON CONFLICT (stop_id) DO UPDATE SET generation = generation + 1;
    INSERT INTO search_changes (stop_id, generation, registration_id)
        SELECT NEW.stop_id, generation, NEW.id FROM search_generations WHERE stop_id = NEW.stop_id;
END;
