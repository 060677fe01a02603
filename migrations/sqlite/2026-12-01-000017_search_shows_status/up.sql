-- The door's search answers from memory (src/registrations/search/): each person is kept as an
-- answer shows them, status included, so a change of status is logged like a change of name.
DROP TRIGGER search_registration_renamed;

CREATE TRIGGER search_registration_changed
    AFTER UPDATE OF last_name, first_name, company, email, status ON registrations
BEGIN
    INSERT INTO search_generations (stop_id, generation) VALUES (NEW.stop_id, 1)
        ON CONFLICT (stop_id) DO UPDATE SET generation = generation + 1;
    INSERT INTO search_changes (stop_id, generation, registration_id)
        SELECT NEW.stop_id, generation, NEW.id FROM search_generations WHERE stop_id = NEW.stop_id;
END;
