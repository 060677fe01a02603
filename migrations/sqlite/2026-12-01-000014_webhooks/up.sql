-- Webhooks (Standard Webhooks): the endpoints admins register, and an outbox of deliveries
-- queued in the transaction of the change they tell of, sent by the background worker.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,                 -- whsec_ + base64 of the signing key
    events TEXT NOT NULL,                 -- the event types it receives, space-separated
    created_by TEXT,                      -- the user who registered it
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,         -- msg_…: the webhook-id header, the same on each attempt
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,                   -- the JSON sent, fixed when the event happened
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,               -- a worker's lease on the row
    last_status_code INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
