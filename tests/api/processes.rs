//! Several roadshow processes on one database behave like one: no overbooking, each e-mail
//! sent once. Real processes of the built binary, not servers inside the test process.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use roadshow::config::DatabaseUrl;

use crate::fixtures::open_stop;
use crate::helpers::{fresh_database, spawn_app_on};
use crate::mail::MailSink;
use crate::registrations::{count, stampede};

/// A `roadshow serve` child process, killed when dropped.
pub struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `DATABASE_URL` that points a child process at `url`.
pub fn database_url(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(p) => format!("sqlite://{p}"),
        DatabaseUrl::Postgres(u) => u.clone(),
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

pub async fn serve(db_url: &str, data_dir: &std::path::Path, smtp_port: u16) -> (Process, String) {
    let port = free_port();
    let address = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_roadshow"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db_url)
        .env("ROADSHOW_LISTEN", format!("127.0.0.1:{port}"))
        .env("ROADSHOW_BASE_URL", &address)
        .env("ROADSHOW_DATA_DIR", data_dir)
        .env("ROADSHOW_RATE_LIMIT", "0")
        .env("ROADSHOW_WORKERS", "2")
        .env("SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start roadshow");
    let process = Process(child);
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{address}/readyz")).send().await
            && r.status() == StatusCode::OK
        {
            return (process, address);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("roadshow did not become ready at {address}");
}

#[tokio::test]
async fn two_processes_on_one_database_never_overbook_and_send_each_email_once() {
    // Arrange: a database with a stop (made through an in-process server), then two processes.
    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_database(dir.path());
    let url = database_url(&db.url);
    let data_dir = dir.path().join("data");
    // Its mail worker stays on, so three workers (two processes and this one) share the queue.
    let sink = MailSink::start();
    let setup = spawn_app_on(tempfile::tempdir().expect("dir"), db, sink.clone()).await;
    let (stop_id, workshops) = open_stop(&setup, 50, &[("Label", 10, 11, 12)]).await;
    let (_a, address_a) = serve(&url, &data_dir, sink.port).await;
    let (_b, address_b) = serve(&url, &data_dir, sink.port).await;

    // Act: 200 registrations at once, alternating between the two processes.
    let results = stampede(&[address_a, address_b], &stop_id, &workshops[0]).await;

    // Assert: exactly the capacity confirmed, and 200 e-mails, none twice.
    assert_eq!(count(&results, |r| &r["status"], "confirmed"), 50);
    assert_eq!(count(&results, |r| &r["status"], "waitlisted"), 150);
    assert_eq!(
        count(&results, |r| &r["workshops"][0]["status"], "confirmed"),
        10
    );
    sink.wait_for(200).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut recipients: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(recipients.len(), 200);
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 200, "no one got two e-mails");
    drop(setup);
}

#[tokio::test]
async fn a_separate_mail_worker_process_sends_what_serve_queued() {
    let app = crate::helpers::spawn_app_with(|s| s.mail_worker = false).await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    app.post_json(
        &format!("/api/v1/stops/{stop_id}/registrations"),
        &crate::fixtures::registration_body("Claire", &[]),
        None,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        app.mail.messages().is_empty(),
        "serve does not send with the worker off"
    );

    let db_url = database_url(&app.settings.database_url);
    let worker = Process(
        Command::new(env!("CARGO_BIN_EXE_roadshow"))
            .arg("mail-worker")
            .env_clear()
            .env("DATABASE_URL", db_url)
            .env("ROADSHOW_DATA_DIR", &app.settings.data_dir)
            .env("SMTP_URL", format!("smtp://127.0.0.1:{}", app.mail.port))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the mail worker"),
    );
    let messages = app.mail.wait_for(1).await;
    assert_eq!(
        messages[0].to,
        vec!["claire@alsace-informatique.fr".to_owned()]
    );
    drop(worker);
}
