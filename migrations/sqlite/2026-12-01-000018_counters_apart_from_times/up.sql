-- Nothing to do on SQLite: `analytics_counts` is a WITHOUT ROWID table, kept in primary-key
-- order, so the tour overview's counters already lie together, apart from the counters by
-- quarter hour. (PostgreSQL partitions the table by metric for the same effect; the migration
-- is numbered on both backends so that their histories match.)
SELECT 1;
