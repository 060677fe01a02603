//! The test harness: the real server on a free port, a fresh database per test (a temporary
//! SQLite file, or a new PostgreSQL database when `TEST_DATABASE_URL` names a server).

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{Client, Response, StatusCode};
use roadshow::config::{DatabaseUrl, Settings};
use roadshow::startup::Application;
use serde_json::{Value, json};

use crate::mail::MailSink;

/// A running roadshow with its own database.
pub struct TestApp {
    pub address: String,
    pub api: Client,
    pub settings: Settings,
    pub db: TestDatabase,
    /// The SMTP server this app sends to.
    pub mail: MailSink,
    handle: actix_web::dev::ServerHandle,
    pub dir: tempfile::TempDir,
}

/// The database of one test, dropped with it.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    /// For PostgreSQL: the server URL (to drop the database) and the database's name.
    pg_admin: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.pg_admin
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            // Best effort: a database left behind is only clutter on the test server.
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

/// A fresh, empty database for one test.
pub fn fresh_database(dir: &std::path::Path) -> TestDatabase {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(admin_url) => {
            let name = format!("roadshow_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn =
                PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .expect("create the test database");
            let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            TestDatabase {
                url: DatabaseUrl::Postgres(url.to_string()),
                pg_admin: Some((admin_url, name)),
            }
        }
        None => TestDatabase {
            url: DatabaseUrl::Sqlite(dir.join("roadshow.db").display().to_string()),
            pg_admin: None,
        },
    }
}

/// Settings for a test server: port 0, its own folders, no rate limit.
pub fn test_settings(dir: &std::path::Path, db: &TestDatabase) -> Settings {
    let url = match &db.url {
        DatabaseUrl::Sqlite(p) => format!("sqlite://{p}"),
        DatabaseUrl::Postgres(u) => u.clone(),
    };
    let data_dir = dir.join("data").display().to_string();
    let vars = [
        ("DATABASE_URL", url.as_str()),
        ("ROADSHOW_LISTEN", "127.0.0.1:0"),
        ("ROADSHOW_RATE_LIMIT", "0"),
        // Tests read figures right after changing them; the cache has its own test.
        ("ROADSHOW_ANALYTICS_CACHE_SECONDS", "0"),
        ("ROADSHOW_DATA_DIR", data_dir.as_str()),
        ("ROADSHOW_WORKERS", "2"),
        ("ROADSHOW_DB_POOL", "4"),
        // Webhook receivers in tests listen on loopback, and a retry should not take 30 s.
        ("ROADSHOW_WEBHOOK_ALLOW_PRIVATE", "1"),
        ("ROADSHOW_WEBHOOK_RETRY_SECONDS", "1"),
    ];
    Settings::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("test settings are valid")
}

/// Starts roadshow on a free port with a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Same, with settings changed first.
pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = fresh_database(dir.path());
    start(dir, db, MailSink::start(), change).await
}

/// Starts roadshow on a database that a test already prepared.
pub async fn spawn_app_with_database(dir: tempfile::TempDir, db: TestDatabase) -> TestApp {
    start(dir, db, MailSink::start(), |_| {}).await
}

/// Starts roadshow on a prepared database, sending to `mail`.
pub async fn spawn_app_on(dir: tempfile::TempDir, db: TestDatabase, mail: MailSink) -> TestApp {
    start(dir, db, mail, |_| {}).await
}

/// Starts roadshow on a prepared database with its settings changed (no SMTP sink).
pub async fn spawn_app_on_with(
    dir: tempfile::TempDir,
    db: TestDatabase,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    start(dir, db, MailSink::start(), change).await
}

/// Starts roadshow sending to SMTP on `mail_port` (which may have nothing listening yet).
pub async fn spawn_app_with_smtp_port(mail_port: u16) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = fresh_database(dir.path());
    start(dir, db, MailSink::detached(mail_port), |_| {}).await
}

async fn start(
    dir: tempfile::TempDir,
    db: TestDatabase,
    mail: MailSink,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        roadshow::telemetry::init(false);
    }
    let mut settings = test_settings(dir.path(), &db);
    settings.smtp_url =
        Some(url::Url::parse(&format!("smtp://127.0.0.1:{}", mail.port)).expect("smtp url"));
    settings.mail_retry_seconds = 1;
    change(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    settings = app.state().settings.clone();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        api: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        settings,
        db,
        mail,
        handle,
        dir,
    }
}

impl TestApp {
    /// Stops this server gracefully and starts a new one on the same database and folders.
    pub async fn restart(self, mail: MailSink) -> TestApp {
        self.handle.stop(true).await;
        let TestApp { dir, db, .. } = self;
        start(dir, db, mail, |_| {}).await
    }
}

impl TestApp {
    /// `address + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A connection to the test's database (for arranging data directly).
    pub fn connection(&self) -> roadshow::db::DbConnection {
        match &self.db.url {
            DatabaseUrl::Sqlite(p) => {
                // As the server's own connections: a lock held a moment (a write, a
                // checkpoint) is waited for rather than an error.
                let mut conn = diesel::SqliteConnection::establish(p).expect("sqlite connection");
                diesel::connection::SimpleConnection::batch_execute(
                    &mut conn,
                    "PRAGMA busy_timeout = 10000;",
                )
                .expect("busy timeout");
                roadshow::db::DbConnection::Sqlite(conn)
            }
            DatabaseUrl::Postgres(u) => {
                roadshow::db::DbConnection::Pg(PgConnection::establish(u).expect("pg connection"))
            }
        }
    }

    /// Creates an account directly in the database.
    pub fn create_user(&self, email: &str, role: &str, password: &str) {
        let user = roadshow::auth::service::NewUser::parse(email, "Test User", role, password)
            .expect("valid user");
        roadshow::auth::service::create_user(&mut self.connection(), &user).expect("user created");
    }

    /// A bearer token for a new account of `role`.
    pub async fn token_for(&self, role: &str) -> String {
        let email = format!("{role}-{}@roadshow.example", uuid::Uuid::new_v4().simple());
        self.create_user(&email, role, "correct horse battery");
        let response = self
            .post_json(
                "/api/v1/auth/tokens",
                &json!({"email": email, "password": "correct horse battery"}),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.api.get(self.url(path));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        request.send().await.expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        self.send_json(reqwest::Method::POST, path, body, token)
            .await
    }

    pub async fn send_put(&self, path: &str, body: &Value, token: &str) -> Response {
        self.send_json(reqwest::Method::PUT, path, body, Some(token))
            .await
    }

    pub async fn patch_json(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        self.send_json(reqwest::Method::PATCH, path, body, token)
            .await
    }

    async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
        token: Option<&str>,
    ) -> Response {
        let mut request = self.api.request(method, self.url(path)).json(body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        request.send().await.expect("request sent")
    }

    /// Posts a raw body with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
        token: Option<&str>,
    ) -> Response {
        let mut request = self
            .api
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        request.send().await.expect("request sent")
    }
}

/// Reads a JSON body after checking the status (the body is shown when the status is wrong).
pub async fn json_with(response: Response, expected: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, expected, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Checks a problem+json answer and returns it.
pub async fn problem(response: Response, expected: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = json_with(response, expected).await;
    assert_eq!(
        content_type, "application/problem+json",
        "problem content type; body: {body}"
    );
    assert_eq!(body["status"], expected.as_u16(), "{body}");
    assert!(
        body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}
