-- The attendee search answers from each stop's folded words kept in the memory of every
-- process that searches it (see src/registrations/search/). The words are folded in Rust from
-- the registrations themselves, so `search_words` goes. What the processes need from the
-- database is what changed since they last looked: every change of a registration's searched
-- fields is numbered per stop, one after the other, and logged.
--
-- The number comes from the stop's row of `search_generations`, which the changing transaction
-- holds locked until it commits (registrations of one stop already wait on its seat counter):
-- generations therefore commit in their order, and a process that reads generation n after its
-- own has read every change before it. A gap tells a process to load the stop again.
DROP TABLE search_words;

CREATE TABLE search_generations (
    stop_id TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);

CREATE TABLE search_changes (
    stop_id TEXT NOT NULL,
    generation BIGINT NOT NULL,
    registration_id TEXT NOT NULL,
    PRIMARY KEY (stop_id, generation)
);

CREATE FUNCTION search_note_change() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
    changed registrations;
    numbered BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    INSERT INTO search_generations (stop_id, generation) VALUES (changed.stop_id, 1)
        ON CONFLICT (stop_id) DO UPDATE SET generation = search_generations.generation + 1
        RETURNING generation INTO numbered;
    INSERT INTO search_changes (stop_id, generation, registration_id)
        VALUES (changed.stop_id, numbered, changed.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER search_changes
    AFTER INSERT OR DELETE OR UPDATE OF last_name, first_name, company, email ON registrations
    FOR EACH ROW EXECUTE FUNCTION search_note_change();
