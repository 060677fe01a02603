DROP TRIGGER search_registration_changed;

CREATE TRIGGER search_registration_renamed
    AFTER UPDATE OF last_name, first_name, company, email ON registrations
BEGIN
    INSERT INTO search_generations (stop_id, generation) VALUES (NEW.stop_id, 1)
        ON CONFLICT (stop_id) DO UPDATE SET generation = generation + 1;
    INSERT INTO search_changes (stop_id, generation, registration_id)
        SELECT NEW.stop_id, generation, NEW.id FROM search_generations WHERE stop_id = NEW.stop_id;
END;
