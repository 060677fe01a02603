-- On PostgreSQL this migration makes the check-ins of one stop take their turn across
-- processes, so that two groups of scans cannot lock the stop's counters in opposite orders.
-- SQLite has one writer at a time for the whole database: nothing to do here. The folder keeps
-- both trees of migrations alike.
SELECT 1;
