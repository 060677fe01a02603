ALTER TABLE analytics_counts RENAME TO analytics_counts_partitioned;
ALTER TABLE analytics_counts_partitioned
    RENAME CONSTRAINT analytics_counts_pkey TO analytics_counts_partitioned_pkey;

CREATE TABLE analytics_counts (
    stop_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    company_size TEXT NOT NULL,
    partner_type TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (stop_id, metric, subject, company_size, partner_type)
);

INSERT INTO analytics_counts SELECT * FROM analytics_counts_partitioned;
DROP TABLE analytics_counts_partitioned;
