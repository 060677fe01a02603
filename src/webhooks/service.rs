//! The webhook use cases, called by the API and by the admin page alike, so that both check
//! and record the same way.

use super::{EventType, TEST_EVENT, signature, store, target};
use crate::audit::{self, Actor, Change};
use crate::db::{self, DbPool};
use crate::error::{AppError, FieldErrors};

/// What an admin asked for: a URL, the types, maybe a secret of their own.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<EventType>,
    pub secret: Option<String>,
}

/// The use case "register an endpoint": checked (a public `http(s)` URL unless private targets
/// are allowed, at least one type, a valid secret), then stored. Returns the endpoint, whose
/// secret is shown to the admin this once.
pub async fn register_endpoint(
    pool: &DbPool,
    allow_private: bool,
    actor: Actor,
    new: NewEndpoint,
) -> Result<store::Endpoint, AppError> {
    let mut errors = FieldErrors::new();
    let url = target::parse(&new.url, allow_private)
        .map_err(|message| errors.add("url", message))
        .ok();
    let mut events: Vec<&str> = new.events.iter().map(|e| e.as_str()).collect();
    events.sort_unstable();
    events.dedup();
    if events.is_empty() {
        errors.add("events", "v.required");
    }
    // Absent, null or empty (the page's field left blank): one is made.
    let secret = match new.secret.filter(|s| !s.is_empty()) {
        Some(given) if signature::key_of(&given).is_some() => given,
        Some(_) => {
            errors.add("secret", "v.webhook_secret");
            String::new()
        }
        None => signature::new_secret(),
    };
    let url = match url {
        Some(url) if errors.is_empty() => url,
        _ => return Err(AppError::Invalid(errors)),
    };
    let endpoint = store::Endpoint {
        id: uuid::Uuid::new_v4().to_string(),
        url: url.to_string(),
        secret,
        events: events.join(" "),
        created_by: Some(actor.id.clone()),
        created_at: crate::time::now(),
    };
    let stored = endpoint.clone();
    db::transaction(pool, move |conn| {
        store::insert_endpoint(conn, &stored)?;
        // The secret is not logged: it is shown once, to the admin who made it.
        audit::record(
            conn,
            Some(&actor),
            Change::new("webhook.created", "webhook", &stored.id)
                .with(serde_json::json!({"url": stored.url, "events": stored.events})),
        )
    })
    .await?;
    tracing::info!(webhook_id = %endpoint.id, url = %endpoint.url, "webhook registered");
    Ok(endpoint)
}

/// The use case "remove an endpoint": it and its deliveries go; nothing more is sent to it.
pub async fn remove_endpoint(pool: &DbPool, id: String, actor: Actor) -> Result<(), AppError> {
    let removed = id.clone();
    db::transaction(pool, move |conn| {
        let endpoint = store::find_endpoint(conn, &id)?.ok_or(AppError::NotFound("webhook"))?;
        store::delete_endpoint(conn, &id)?;
        audit::record(
            conn,
            Some(&actor),
            Change::new("webhook.deleted", "webhook", &id)
                .with(serde_json::json!({"url": endpoint.url})),
        )
    })
    .await?;
    tracing::info!(webhook_id = %removed, "webhook removed");
    Ok(())
}

/// The use case "send a test event": a `webhook.test` delivery queued for that endpoint alone.
/// Returns its message id.
pub async fn send_test(pool: &DbPool, id: String, actor: Actor) -> Result<String, AppError> {
    db::transaction(pool, move |conn| {
        store::find_endpoint(conn, &id)?.ok_or(AppError::NotFound("webhook"))?;
        let data = serde_json::json!({"webhook_id": id, "message": "a test event from roadshow"});
        let message = super::queue_for(conn, &id, TEST_EVENT, &data)?;
        audit::record(
            conn,
            Some(&actor),
            Change::new("webhook.tested", "webhook", &id)
                .with(serde_json::json!({"delivery_id": message})),
        )?;
        Ok(message)
    })
    .await
}

/// The use case "retry a delivery": due now again, whatever its state, under the same id.
pub async fn retry_delivery(
    pool: &DbPool,
    endpoint_id: String,
    delivery_id: String,
    actor: Actor,
) -> Result<(), AppError> {
    let found = db::transaction(pool, move |conn| {
        let found = store::retry_now(conn, &endpoint_id, &delivery_id, crate::time::now())?;
        if found {
            audit::record(
                conn,
                Some(&actor),
                Change::new("webhook.delivery_retried", "webhook", &endpoint_id)
                    .with(serde_json::json!({"delivery_id": delivery_id})),
            )?;
        }
        Ok(found)
    })
    .await?;
    if found {
        Ok(())
    } else {
        Err(AppError::NotFound("delivery"))
    }
}
