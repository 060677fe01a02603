ALTER TABLE feedback DROP COLUMN quote_selected;
