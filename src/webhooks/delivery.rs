//! The webhook worker: claims due deliveries with a lease, signs and sends each (several at
//! once, so that a slow receiver delays only its own), retries after a non-2xx answer, a
//! time-out or a refused address with exponential backoff, and gives up after
//! `MAX_ATTEMPTS`. Requests never wait for it: they only queued a row.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::signature;
use super::store::{self, Attempt, Delivery, Endpoint};
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// Attempts before a delivery is marked failed (with the default 30 s first delay, doubled and
/// capped at an hour, the last is about three hours after the event).
pub const MAX_ATTEMPTS: i32 = 10;
/// How long a worker may hold a claimed delivery before another may take it.
const LEASE_SECONDS: i64 = 60;
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often the queue is looked at.
const POLL: Duration = Duration::from_millis(500);
/// Deliveries claimed, and sent at once, per round.
const BATCH: i64 = 16;

/// Runs until `stop` turns true; deliveries in flight are finished first.
pub async fn run(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        // A redirect could lead anywhere, past the address check: it counts as a failure.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("roadshow-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: no HTTP client, nothing will be sent");
            return;
        }
    };
    tracing::info!("webhook worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        let sent = match send_due(&state, &client).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "webhooks: could not read the queue");
                0
            }
        };
        if sent > 0 {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!("webhook worker stopped");
}

/// Claims due deliveries and sends them together; returns how many were attempted.
async fn send_due(state: &Arc<AppState>, client: &reqwest::Client) -> Result<usize, AppError> {
    // A write: on SQLite it takes this process's writer turn (see the e-mail worker's claim).
    let claimed = db::transaction(&state.pool, |conn| {
        Ok(store::claim_due(
            conn,
            crate::time::now(),
            chrono::Duration::seconds(LEASE_SECONDS),
            BATCH,
        )?)
    })
    .await?;
    let count = claimed.len();
    let mut sending = JoinSet::new();
    for (delivery, endpoint) in claimed {
        let (state, client) = (Arc::clone(state), client.clone());
        sending.spawn(async move {
            let attempt = attempt(&state, &client, &delivery, &endpoint).await;
            let id = delivery.id.clone();
            db::run(&state.pool, move |conn| {
                Ok(store::record_attempt(
                    conn,
                    &id,
                    &attempt,
                    crate::time::now(),
                )?)
            })
            .await
        });
    }
    while let Some(done) = sending.join_next().await {
        match done {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "webhooks: could not record an attempt"),
            Err(e) => tracing::error!(error = %e, "webhooks: an attempt stopped"),
        }
    }
    Ok(count)
}

/// Sends one delivery and says how it went.
async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    delivery: &Delivery,
    endpoint: &Endpoint,
) -> Attempt {
    let result = send(state, client, delivery, endpoint).await;
    let attempts = delivery.attempts + 1;
    let failed = |status_code: Option<i32>, error: String| {
        let retry_at = (attempts < MAX_ATTEMPTS).then(|| {
            crate::time::now()
                + crate::email::worker::backoff(
                    state.settings.webhook_retry_seconds,
                    delivery.attempts,
                )
        });
        tracing::warn!(
            delivery_id = %delivery.id, endpoint_id = %endpoint.id, attempts, error = %error,
            gives_up = retry_at.is_none(), "webhook not delivered"
        );
        Attempt {
            status_code,
            error: Some(error),
            retry_at,
        }
    };
    match result {
        Ok(status) if status.is_success() => {
            tracing::info!(delivery_id = %delivery.id, endpoint_id = %endpoint.id, kind = %delivery.event_type, "webhook delivered");
            Attempt {
                status_code: Some(i32::from(status.as_u16())),
                error: None,
                retry_at: None,
            }
        }
        Ok(status) => failed(
            Some(i32::from(status.as_u16())),
            format!("the receiver answered {status}"),
        ),
        Err(error) => failed(None, error),
    }
}

async fn send(
    state: &AppState,
    client: &reqwest::Client,
    delivery: &Delivery,
    endpoint: &Endpoint,
) -> Result<reqwest::StatusCode, String> {
    let allow_private = state.settings.webhook_allow_private;
    let url = super::target::parse(&endpoint.url, allow_private)
        .map_err(|key| format!("the URL {}", crate::i18n::Locale::En.t(key)))?;
    super::target::resolve(&url, allow_private).await?;
    let key = signature::key_of(&endpoint.secret).ok_or("the endpoint's secret is not valid")?;
    let timestamp = chrono::Utc::now().timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature::sign(&key, &delivery.id, timestamp, &delivery.body),
        )
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "the receiver did not answer within 10 s".to_owned()
            } else {
                format!("could not reach the receiver: {e}")
            }
        })?;
    Ok(response.status())
}
