-- The door's search answers from memory (src/registrations/search/): each person is kept as an
-- answer shows them, status included, so a change of status is logged like a change of name.
DROP TRIGGER search_changes ON registrations;

CREATE TRIGGER search_changes
    AFTER INSERT OR DELETE OR UPDATE OF last_name, first_name, company, email, status
    ON registrations
    FOR EACH ROW EXECUTE FUNCTION search_note_change();
