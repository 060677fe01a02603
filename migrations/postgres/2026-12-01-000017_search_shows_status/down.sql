DROP TRIGGER search_changes ON registrations;

CREATE TRIGGER search_changes
    AFTER INSERT OR DELETE OR UPDATE OF last_name, first_name, company, email ON registrations
    FOR EACH ROW EXECUTE FUNCTION search_note_change();
