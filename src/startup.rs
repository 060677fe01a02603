//! Builds the application: state, middleware and every area's routes; binds the listener.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::background::Background;
use crate::config::Settings;
use crate::email::mailer::Mailer;
use crate::error::AppError;
use crate::metrics::record_http;
pub use crate::state::AppState;
use crate::telemetry::RequestSpan;
use crate::web::{
    PageError, api_problems, ensure_csrf_cookie, json_config_error, limit_public_writes,
    refuse_nul_in_url, remember_language, security_headers,
};
use crate::{
    analytics, assets, audit, auth, checkin, complaints, email, feedback, health, openapi,
    outcomes, people, registrations, tours, webhooks,
};

/// A bound, configured server, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    /// The outbox worker and periodic jobs, when this process runs them.
    background: Option<Background>,
    /// Clears this process's caches when another process changed what they hold.
    freshness: crate::freshness::Watcher,
}

impl Application {
    /// Connects to the database, runs migrations and binds the listener (port 0 picks a free
    /// port, as tests do; the base URL then follows the real port).
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.listen)?;
        let port = listener.local_addr()?.port();
        if settings.base_url.port_or_known_default() == Some(0) {
            settings
                .base_url
                .set_port(Some(port))
                .map_err(|()| anyhow::anyhow!("cannot set the base URL's port"))?;
        }
        let workers = settings.workers;
        let mail_worker = settings.mail_worker;
        let mailer = Mailer::from_settings(&settings)?;
        let state = web::Data::new(AppState::connect(settings).await?);
        let background = mail_worker.then(|| Background::start(state.clone().into_inner(), mailer));
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(web::Data::from(app_state.metrics.clone()))
                .app_data(web::JsonConfig::default().error_handler(json_config_error))
                .app_data(web::PayloadConfig::new(crate::web::JSON_BODY_LIMIT))
                .app_data(web::FormConfig::default().limit(64 * 1024))
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|err, _| AppError::BadRequest(err.to_string()).into()),
                )
                .app_data(
                    web::QueryConfig::default()
                        .error_handler(|err, _| AppError::BadRequest(err.to_string()).into()),
                )
                .wrap(from_fn(ensure_csrf_cookie))
                .wrap(from_fn(remember_language))
                .wrap(from_fn(limit_public_writes))
                .wrap(from_fn(refuse_nul_in_url))
                .wrap(from_fn(api_problems))
                .wrap(Compress::default())
                .wrap(from_fn(security_headers))
                .wrap(from_fn(record_http))
                .wrap(TracingLogger::<RequestSpan>::new())
                .configure(routes)
                .default_service(web::to(not_found))
        })
        .workers(workers)
        .shutdown_timeout(30)
        .listen(listener)?
        .run();
        let freshness = crate::freshness::Watcher::start(state.clone().into_inner());
        Ok(Self {
            port,
            server,
            state,
            background,
            freshness,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests read settings and the pool through it).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until a shutdown signal; in-flight requests are finished first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        // The HTTP side has drained; let the e-mail worker finish the message in hand.
        if let Some(background) = self.background {
            background.stop().await;
        }
        self.freshness.stop().await;
        served
    }

    /// A handle that stops the server gracefully (tests restart servers with it).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// Every area's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    health::routes(cfg);
    // The door's routes first: actix tries the routes in order, matching each pattern, and a
    // scan is the request that comes by the thousand.
    checkin::routes(cfg);
    openapi::routes(cfg);
    assets::routes(cfg);
    auth::routes(cfg);
    registrations::routes(cfg);
    complaints::routes(cfg);
    analytics::routes(cfg);
    outcomes::routes(cfg);
    feedback::routes(cfg);
    email::pages::routes(cfg);
    tours::routes(cfg);
    webhooks::routes(cfg);
    people::routes(cfg);
    audit::routes(cfg);
}

/// Unknown paths: problem+json under `/api` (405 with `Allow` when the path is known but not
/// the method), a page elsewhere.
async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    if req.path().starts_with("/api/") {
        Err(openapi::unrouted(req.path()).into())
    } else {
        Err(PageError::new(&req, AppError::NotFound("page")).into())
    }
}
