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

/// Sends SIGTERM to a child process (through the shell's `kill`: no extra crate).
fn terminate(process: &Process) {
    let pid = process.0.id();
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[tokio::test]
async fn sigterm_during_a_burst_loses_nothing_acknowledged_and_exits_cleanly() {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use roadshow::db::schema::{outbox, registrations};
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_database(dir.path());
    let url = database_url(&db.url);
    let data_dir = dir.path().join("data");
    let sink = MailSink::start();
    // The set-up server sends nothing: the only worker is the process stopped below.
    let setup = crate::helpers::spawn_app_on_with(tempfile::tempdir().expect("dir"), db, |s| {
        s.mail_worker = false;
    })
    .await;
    let (stop_id, _) = open_stop(&setup, 100_000, &[]).await;
    let (mut process, address) = serve(&url, &data_dir, sink.port).await;

    // Sixteen clients register people as fast as they can; SIGTERM lands in the middle.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let client = reqwest::Client::new();
    let mut burst = tokio::task::JoinSet::new();
    for worker in 0..16 {
        let (client, acknowledged) = (client.clone(), Arc::clone(&acknowledged));
        let path = format!("{address}/api/v1/stops/{stop_id}/registrations");
        burst.spawn(async move {
            for i in 0..1000 {
                let body = crate::fixtures::registration_body(&format!("W{worker}n{i}"), &[]);
                match client.post(&path).json(&body).send().await {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        if let Ok(created) = r.json::<serde_json::Value>().await
                            && let Some(id) = created["id"].as_str()
                            && let Ok(mut ids) = acknowledged.lock()
                        {
                            ids.push(id.to_owned());
                        }
                    }
                    // Refused or cut off once the server stops: not acknowledged.
                    _ => break,
                }
            }
        });
    }
    while acknowledged.lock().map(|ids| ids.len()).unwrap_or(0) < 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    terminate(&process);
    while burst.join_next().await.is_some() {}

    // It stops by itself, with success, within the grace period.
    let mut exited = None;
    for _ in 0..400 {
        if let Some(status) = process.0.try_wait().expect("wait") {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = exited.expect("roadshow stopped within 40 s of SIGTERM");
    assert!(status.success(), "exit status {status:?}");
    assert!(
        client
            .get(format!("{address}/healthz"))
            .send()
            .await
            .is_err()
    );

    // Every registration answered 201 is stored and confirmed.
    let ids = acknowledged
        .lock()
        .map(|ids| ids.clone())
        .unwrap_or_default();
    assert!(ids.len() >= 100);
    let stored: i64 = registrations::table
        .filter(registrations::id.eq_any(&ids))
        .filter(registrations::status.eq("confirmed"))
        .count()
        .get_result(&mut setup.connection())
        .expect("counted");
    assert_eq!(stored, i64::try_from(ids.len()).unwrap_or(i64::MAX));
    // No e-mail is left leased by the stopped process: another worker may send them at once.
    let leased: i64 = outbox::table
        .filter(outbox::status.eq("pending"))
        .filter(outbox::locked_until.gt(roadshow::time::now()))
        .count()
        .get_result(&mut setup.connection())
        .expect("counted");
    assert_eq!(leased, 0);
}

/// Polls `probe` until it is true; how long it took, or `None` after `limit`.
async fn time_until<F, Fut>(limit: Duration, mut probe: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if probe().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn a_revocation_and_a_setup_change_reach_the_other_process_within_a_second() {
    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_database(dir.path());
    let url = database_url(&db.url);
    let sink = MailSink::start();
    let setup = crate::helpers::spawn_app_on_with(tempfile::tempdir().expect("dir"), db, |s| {
        s.mail_worker = false;
    })
    .await;
    let (stop_id, workshops) = open_stop(&setup, 50, &[("Licences", 20, 10, 11)]).await;
    let admin = setup.token_for("admin").await;
    let staff = setup.token_for("staff").await;
    let (_a, a) = serve(&url, &dir.path().join("a"), sink.port).await;
    let (_b, b) = serve(&url, &dir.path().join("b"), sink.port).await;
    let client = reqwest::Client::new();

    // A scanner registered through A, used on B: B caches its token and the room's checkpoint.
    let device: serde_json::Value = client
        .post(format!("{a}/api/v1/devices"))
        .bearer_auth(&staff)
        .json(&serde_json::json!({"stop_id": stop_id, "name": "Door phone"}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("device");
    let device_token = device["token"].as_str().expect("token").to_owned();
    let checkpoint = crate::fixtures::checkpoint_of(&setup, &stop_id, Some(&workshops[0])).await;
    let status_on_b = || {
        let (client, url, token) = (
            client.clone(),
            format!("{b}/api/v1/checkpoints/{checkpoint}/status"),
            device_token.clone(),
        );
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("sent")
        }
    };
    let first: serde_json::Value = status_on_b().await.json().await.expect("status");
    assert_eq!(first["name"], "Salle Erasme");

    // The room is renamed through A: B shows the new name.
    let renamed = client
        .patch(format!("{a}/api/v1/workshops/{}", workshops[0]))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"room": "Salle Kléber"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(renamed.status(), StatusCode::OK);
    let seen = time_until(Duration::from_secs(2), || async {
        let status: serde_json::Value = status_on_b().await.json().await.unwrap_or_default();
        status["name"] == "Salle Kléber"
    })
    .await
    .expect("B sees the new room");

    // The device is revoked through A: B refuses it.
    let revoked = client
        .delete(format!(
            "{a}/api/v1/devices/{}",
            device["id"].as_str().expect("id")
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(revoked.status(), StatusCode::OK);
    let refused = time_until(Duration::from_secs(2), || async {
        status_on_b().await.status() == StatusCode::UNAUTHORIZED
    })
    .await
    .expect("B refuses the revoked device");
    // The poll is every 250 ms; the limit above leaves room for a loaded machine.
    println!("seen by the other process after {seen:?} (set-up) and {refused:?} (revocation)");
}

/// The deadlocks PostgreSQL has counted in the test's database, once the backends of the
/// processes named `application` have exited (a backend hands in its counts as it exits);
/// `None` on SQLite.
async fn deadlocks_after(app: &crate::helpers::TestApp, application: &str) -> Option<i64> {
    use diesel::RunQueryDsl;
    use diesel::sql_types::BigInt;
    let roadshow::db::DbConnection::Pg(conn) = &mut app.connection() else {
        return None;
    };
    let still_connected =
        format!("(SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}')");
    // Until then their counts may not be handed in: reading earlier could miss a deadlock.
    let mut left = -1;
    for _ in 0..200 {
        left = diesel::select(diesel::dsl::sql::<BigInt>(&still_connected))
            .get_result(conn)
            .expect("pg_stat_activity");
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "the stopped processes' connections are still open");
    Some(
        diesel::select(diesel::dsl::sql::<BigInt>(
            "(SELECT deadlocks FROM pg_stat_database WHERE datname = current_database())",
        ))
        .get_result(conn)
        .expect("pg_stat_database"),
    )
}

#[tokio::test]
async fn two_processes_checking_in_batches_in_opposite_orders_never_deadlock() {
    use crate::fixtures::{entrance_of, now_utc, register, set_stop_times};
    const SIZES: [&str; 4] = ["1-5", "6-20", "21-50", "51-250"];
    const PARTNERS: [&str; 2] = ["reseller", "integrator"];
    const PER_BATCH: usize = 8;
    const ROUNDS: usize = 12;
    let application = "roadshow_door_a_and_b";

    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_database(dir.path());
    let url = match &db.url {
        DatabaseUrl::Postgres(u) => format!("{u}?application_name={application}"),
        other => database_url(other),
    };
    let sink = MailSink::start();
    let setup = crate::helpers::spawn_app_on_with(tempfile::tempdir().expect("dir"), db, |s| {
        s.mail_worker = false;
    })
    .await;
    let (stop_id, _) = open_stop(&setup, 100, &[]).await;
    let now = now_utc();
    set_stop_times(
        &setup,
        &stop_id,
        now - chrono::Duration::hours(1),
        now + chrono::Duration::hours(8),
    );
    let entrance = entrance_of(&setup, &stop_id).await;
    let staff = setup.token_for("staff").await;
    // Two doors' worth of people: the same company sizes and kinds of partner on each side, so
    // that both doors' batches add to the same counters — one door's in the other's reverse
    // order.
    let mut badges: [Vec<String>; 2] = Default::default();
    for (door, side) in badges.iter_mut().enumerate() {
        for n in 0..PER_BATCH {
            let mut body =
                crate::fixtures::registration_body(&format!("Porte{door}Personne{n}"), &[]);
            body["company_size"] = SIZES[n % SIZES.len()].into();
            body["partner_type"] = PARTNERS[n / SIZES.len() % PARTNERS.len()].into();
            let made = register(&setup, &stop_id, body).await;
            side.push(made["badge"]["token"].as_str().expect("badge").to_owned());
        }
    }
    badges[1].reverse();
    let (_a, a) = serve(&url, &dir.path().join("a"), sink.port).await;
    let (_b, b) = serve(&url, &dir.path().join("b"), sink.port).await;
    let client = reqwest::Client::new();
    let batch = |address: &str, tokens: &[String]| {
        let scans: Vec<serde_json::Value> = tokens
            .iter()
            .map(|t| serde_json::json!({"token": t, "checkpoint_id": entrance}))
            .collect();
        client
            .post(format!("{address}/api/v1/checkins/batch"))
            .bearer_auth(&staff)
            .json(&serde_json::json!({ "scans": scans }))
            .send()
    };

    // Each round, both doors send their batch at once; then every check-in is undone, so that
    // the next round checks the same people in again.
    for round in 0..ROUNDS {
        let (on_a, on_b) = tokio::join!(batch(&a, &badges[0]), batch(&b, &badges[1]));
        let mut scan_ids = Vec::new();
        for answer in [on_a, on_b] {
            let decided: serde_json::Value = answer.expect("sent").json().await.expect("json");
            for result in decided["results"].as_array().expect("results") {
                assert_eq!(result["result"], "ok", "round {round}: {result}");
                scan_ids.push(result["scan_id"].as_str().expect("scan id").to_owned());
            }
        }
        assert_eq!(scan_ids.len(), 2 * PER_BATCH);
        let undos = scan_ids.iter().enumerate().map(|(i, scan_id)| {
            client
                .post(format!(
                    "{}/api/v1/scans/{scan_id}/undo",
                    if i % 2 == 0 { &a } else { &b }
                ))
                .bearer_auth(&staff)
                .json(&serde_json::json!({}))
                .send()
        });
        for undone in futures::future::join_all(undos).await {
            assert!(undone.expect("sent").status().is_success());
        }
    }

    // Nothing drifted, and PostgreSQL never had to break a deadlock (which it does after a
    // second, failing one of the two groups, whose scans are then decided again one by one).
    let drift = roadshow::analytics::counts::drift(&mut setup.connection()).expect("recounted");
    assert!(drift.is_empty(), "{drift:?}");
    drop((_a, _b));
    if let Some(deadlocks) = deadlocks_after(&setup, application).await {
        assert_eq!(deadlocks, 0, "deadlocks broken by PostgreSQL");
    }
}
