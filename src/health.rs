//! Operations endpoints: liveness, readiness, Prometheus metrics.

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;

use crate::db;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz).service(metrics);
}

/// The process is up.
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The database answers, and this process's e-mail worker (when it runs one) makes progress.
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ping = db::run(&state.pool, |conn| {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    })
    .await;
    let worker = match state.outbox_signal.silent_for() {
        None => "not running here",
        Some(silence) if silence > crate::email::signal::STALLED_AFTER => "stalled",
        Some(_) => "ok",
    };
    match ping {
        Ok(()) if worker != "stalled" => {
            HttpResponse::Ok().json(serde_json::json!({"status": "ready", "mail_worker": worker}))
        }
        Ok(()) => {
            tracing::error!("the e-mail worker has made no progress for five minutes");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "unavailable", "mail_worker": worker}))
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "unavailable", "mail_worker": worker}))
        }
    }
}

#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let pool = state.pool.state();
    state
        .metrics
        .db_pool_connections
        .set(i64::from(pool.connections));
    state
        .metrics
        .db_pool_idle
        .set(i64::from(pool.idle_connections));
    state
        .metrics
        .db_wal_checkpoints
        .set(i64::try_from(state.pool.checkpoints()).unwrap_or(i64::MAX));
    let (pending, failed) = db::run(&state.pool, |conn| {
        Ok((
            crate::email::outbox::count_pending(conn)?,
            crate::email::outbox::count_failed(conn)?,
        ))
    })
    .await?;
    state.metrics.outbox_pending.set(pending);
    state.metrics.outbox_failed.set(failed);
    let body = state
        .metrics
        .encode()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("encoding metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(body))
}
