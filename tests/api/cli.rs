//! The `roadshow` command itself: configuration errors, migrate, user add, the demo loader,
//! the benchmark tour and the analytics rebuild.

use chrono::Datelike;
use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use roadshow::config::DatabaseUrl;
use serde_json::json;

use crate::helpers::{fresh_database, json_with};

fn roadshow(db_url: &str, dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roadshow"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db_url)
        .env("ROADSHOW_DATA_DIR", dir.join("data"))
        .env("RUST_LOG", "warn")
        .current_dir(dir);
    command
}

fn url_of(db: &crate::helpers::TestDatabase) -> String {
    match &db.url {
        DatabaseUrl::Sqlite(p) => format!("sqlite://{p}"),
        DatabaseUrl::Postgres(u) => u.clone(),
    }
}

#[test]
fn a_bad_setting_is_named_and_exits_with_code_2() {
    let dir = tempfile::tempdir().expect("dir");
    let cases = [
        ("DATABASE_URL", "mysql://localhost/x"),
        ("ROADSHOW_LISTEN", "not-an-address"),
        ("ROADSHOW_RATE_LIMIT", "-1"),
    ];
    for (variable, value) in cases {
        let output = roadshow("sqlite://x.db", dir.path())
            .env(variable, value)
            .arg("migrate")
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{variable}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(variable), "{variable}: {stderr}");
    }
}

#[test]
fn the_demo_loads_into_an_empty_database_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_database(dir.path());
    let url = url_of(&db);
    let first = roadshow(&url, dir.path())
        .arg("demo")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("8 stops, 32 workshops and"), "{stdout}");
    assert!(
        stdout.contains("admin@roadshow.example / demo-admin"),
        "{stdout}"
    );

    let second = roadshow(&url, dir.path())
        .arg("demo")
        .output()
        .expect("runs");
    assert_eq!(second.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&second.stderr).contains("only loaded into an empty database"));

    // The demo tour is what the article describes: Strasbourg on 13 October.
    let mut conn = match &db.url {
        DatabaseUrl::Sqlite(p) => {
            roadshow::db::DbConnection::Sqlite(diesel::Connection::establish(p).expect("conn"))
        }
        DatabaseUrl::Postgres(u) => {
            roadshow::db::DbConnection::Pg(diesel::Connection::establish(u).expect("conn"))
        }
    };
    let view =
        roadshow::tours::service::tour_view(&mut conn, roadshow::sample_data::demo::DEMO_TOUR_SLUG)
            .expect("demo tour");
    assert_eq!(view.targets[0].value, 550);
    let strasbourg = view
        .stops
        .iter()
        .find(|s| s.stop.city == "Strasbourg")
        .expect("Strasbourg");
    assert_eq!(
        roadshow::time::in_zone(strasbourg.stop.starts_at, strasbourg.timezone).to_rfc3339(),
        "2026-10-13T09:00:00+02:00"
    );
    // Every stop has a few hundred registrations; the popular ones have a waitlist.
    for stop in &view.stops {
        let counts = roadshow::registrations::store::count_by_status(&mut conn, &stop.stop.id)
            .expect("counts");
        let total: i64 = counts.iter().map(|(_, n)| n).sum();
        assert!(total >= 200, "{}: {total}", stop.stop.city);
    }
    assert_eq!(strasbourg.seats_left, 0, "Strasbourg is full");
    // Past stops have check-ins: 15–30 % no-shows.
    for stop in &view.stops {
        let confirmed =
            roadshow::checkin::store::count_confirmed(&mut conn, &stop.stop.id).expect("count");
        let entrance = roadshow::checkin::store::entrance_of(&mut conn, &stop.stop.id)
            .expect("query")
            .expect("entrance");
        let arrived =
            roadshow::checkin::store::count_check_ins(&mut conn, &entrance.id).expect("count");
        let no_show = 100 * (confirmed - arrived) / confirmed;
        assert!(
            (15..=30).contains(&no_show),
            "{}: {no_show} % no-shows",
            stop.stop.city
        );
    }
    let waiting = roadshow::registrations::store::count_by_status(&mut conn, &strasbourg.stop.id)
        .expect("counts")
        .into_iter()
        .find(|(status, _)| status == "waitlisted")
        .map_or(0, |(_, n)| n);
    assert!(waiting > 0, "Strasbourg has a waitlist");
    // No demo registration queues an e-mail.
    {
        use diesel::prelude::*;
        let queued: i64 = roadshow::db::schema::outbox::table
            .count()
            .get_result(&mut conn)
            .expect("count");
        assert_eq!(queued, 0);
    }
    // Feedback at every past stop, Strasbourg clearly worse, the article's quote among its
    // licensing complaints, some already worked on.
    {
        use diesel::prelude::*;
        use roadshow::db::schema::{complaints, feedback};
        let trainers_at = |conn: &mut roadshow::db::DbConnection, stop_id: &str| -> f64 {
            let scores: Vec<i32> = feedback::table
                .filter(feedback::stop_id.eq(stop_id))
                .select(feedback::trainers)
                .load(conn)
                .expect("scores");
            assert!(!scores.is_empty(), "feedback at every past stop");
            f64::from(scores.iter().sum::<i32>()) / scores.len() as f64
        };
        let strasbourg_score = trainers_at(&mut conn, &strasbourg.stop.id);
        for stop in view.stops.iter().filter(|s| s.stop.city != "Strasbourg") {
            assert!(
                trainers_at(&mut conn, &stop.stop.id) > strasbourg_score + 1.0,
                "{}",
                stop.stop.city
            );
        }
        let quote: i64 = complaints::table
            .filter(complaints::stop_id.eq(&strasbourg.stop.id))
            .filter(complaints::theme.eq("licensing"))
            .filter(complaints::summary.like("%maîtriser le principe%"))
            .count()
            .get_result(&mut conn)
            .expect("count");
        assert!(quote > 0);
        let worked: i64 = complaints::table
            .filter(complaints::status.eq_any(["acknowledged", "resolved"]))
            .count()
            .get_result(&mut conn)
            .expect("count");
        assert!(worked > 0);
    }
    // The upcoming tour is open for registration.
    let spring = roadshow::tours::service::tour_view(
        &mut conn,
        roadshow::sample_data::demo::DEMO_SPRING_SLUG,
    )
    .expect("spring tour");
    assert!(spring.stops.iter().all(|s| s.registration_open));
    // Dated from the day the demo is loaded, so it stays upcoming whenever that is.
    let in_80_days = roadshow::time::now() + chrono::Duration::days(80);
    assert!(
        spring
            .stops
            .iter()
            .all(|s| s.stop.starts_at > in_80_days
                && s.stop.starts_at.weekday() == chrono::Weekday::Tue),
        "{:?}",
        spring
            .stops
            .iter()
            .map(|s| s.stop.starts_at)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_the_account_can_log_in() {
    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_database(dir.path());
    let url = url_of(&db);
    let mut child = roadshow(&url, dir.path())
        .args([
            "user",
            "add",
            "--email",
            "Bertrand@Roadshow.example",
            "--name",
            "Bertrand Launay",
            "--role",
            "marketing",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"promis, on corrige\n")
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // A short password and an unknown role are refused, field by field.
    let mut bad = roadshow(&url, dir.path())
        .args([
            "user",
            "add",
            "--email",
            "x@roadshow.example",
            "--name",
            "X",
            "--role",
            "boss",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    bad.stdin
        .take()
        .expect("stdin")
        .write_all(b"short\n")
        .expect("write");
    let output = bad.wait_with_output().expect("wait");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("role") && stderr.contains("password"),
        "{stderr}"
    );

    // The server on the same database accepts the account.
    let app = crate::helpers::spawn_app_with_database(dir, db).await;
    let body = json_with(
        app.post_json(
            "/api/v1/auth/tokens",
            &json!({"email": "bertrand@roadshow.example", "password": "promis, on corrige"}),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["role"], "marketing");
}

#[test]
fn the_benchmark_tour_is_generated_consistent_with_the_analytics() {
    let dir = tempfile::tempdir().expect("dir");
    let db = fresh_database(dir.path());
    let url = url_of(&db);
    let output = roadshow(&url, dir.path())
        .args(["bench-data", "--stops", "2", "--registrations", "400"])
        .args(["--scans", "300", "--feedback", "60"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tour_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("tour_id="))
        .expect("the tour id is printed")
        .trim()
        .to_owned();
    let mut conn = match &db.url {
        DatabaseUrl::Sqlite(p) => {
            roadshow::db::DbConnection::Sqlite(diesel::Connection::establish(p).expect("conn"))
        }
        DatabaseUrl::Postgres(u) => {
            roadshow::db::DbConnection::Pg(diesel::Connection::establish(u).expect("conn"))
        }
    };
    let tour = roadshow::analytics::service::tour_analytics(
        &mut conn,
        &tour_id,
        &roadshow::analytics::figures::AttendeeFilter::default(),
    )
    .expect("analytics");
    assert_eq!(tour.stops.len(), 2);
    assert_eq!(tour.totals.registered, 400);
    let t = &tour.totals;
    assert_eq!(t.confirmed + t.waitlisted + t.cancelled, t.registered);
    assert!(t.checked_in > 0 && t.checked_in <= t.confirmed, "{t:?}");
    assert!(t.feedback.responses > 0 && t.feedback.responses <= t.checked_in);
    // The bulk loader's rows are counted by the same triggers as the application's.
    let drift = |conn: &mut roadshow::db::DbConnection| {
        roadshow::analytics::counts::drift(conn).expect("recounted")
    };
    assert_eq!(drift(&mut conn), []);
    // A counter written around the triggers is found and put right by `analytics rebuild`.
    {
        use diesel::prelude::*;
        use roadshow::db::schema::analytics_counts;
        diesel::update(analytics_counts::table.filter(analytics_counts::metric.eq("check_in")))
            .set(analytics_counts::n.eq(analytics_counts::n + 1))
            .execute(&mut conn)
            .expect("tampered");
    }
    let off = drift(&mut conn).len();
    assert!(off > 0);
    let rebuilt = roadshow(&url, dir.path())
        .args(["analytics", "rebuild"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&rebuilt.stdout);
    assert!(rebuilt.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("{off} of them were off")),
        "{stdout}"
    );
    assert_eq!(drift(&mut conn), []);
    // A second load is refused: the benchmark needs an empty database.
    let again = roadshow(&url, dir.path())
        .args(["bench-data", "--stops", "1", "--registrations", "10"])
        .output()
        .expect("runs");
    assert!(!again.status.success());
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_everything_acknowledged_before_it() {
    use crate::fixtures::{open_stop, registration_body};
    let app = crate::helpers::spawn_app().await;
    let url = url_of(&app.db);
    let backup = app.dir.path().join("backup.db");
    if matches!(app.db.url, DatabaseUrl::Postgres(_)) {
        // PostgreSQL: the command says which tool to use and changes nothing.
        let out = roadshow(&url, app.dir.path())
            .arg("backup")
            .arg(&backup)
            .output()
            .expect("ran");
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        assert!(!backup.exists());
        return;
    }
    let (stop_id, _) = open_stop(&app, 10_000, &[]).await;
    let path = format!("/api/v1/stops/{stop_id}/registrations");
    for i in 0..20 {
        let body = registration_body(&format!("Before{i}"), &[]);
        json_with(app.post_json(&path, &body, None).await, StatusCode::CREATED).await;
    }
    // Writers go on during the backup.
    let writer = {
        let (client, url) = (app.api.clone(), app.url(&path));
        tokio::spawn(async move {
            for i in 0..40 {
                let body = registration_body(&format!("During{i}"), &[]);
                let _ = client.post(&url).json(&body).send().await;
            }
        })
    };
    let out = roadshow(&url, app.dir.path())
        .arg("backup")
        .arg(&backup)
        .output()
        .expect("ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    writer.await.expect("writer");
    // A second backup to the same file is refused rather than overwriting it.
    let again = roadshow(&url, app.dir.path())
        .arg("backup")
        .arg(&backup)
        .output()
        .expect("ran");
    assert!(!again.status.success());

    // Restore: a new server on the copy.
    let dir = tempfile::tempdir().expect("dir");
    let restored_db = fresh_database(dir.path());
    let DatabaseUrl::Sqlite(restored_path) = &restored_db.url else {
        unreachable!("SQLite above")
    };
    std::fs::copy(&backup, restored_path).expect("copied");
    let restored = crate::helpers::spawn_app_with_database(dir, restored_db).await;
    let marketing = restored.token_for("marketing").await;
    let figures = json_with(
        restored
            .get(
                &format!("/api/v1/analytics/stops/{stop_id}"),
                Some(&marketing),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let registered = figures["registered"].as_i64().expect("registered");
    assert!((20..=60).contains(&registered), "{figures}");
    let staff = restored.token_for("staff").await;
    let found = json_with(
        restored
            .get(
                &format!("/api/v1/stops/{stop_id}/attendees?q=before19"),
                Some(&staff),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(found.to_string().contains("Before19"), "{found}");
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let roadshow::db::DbConnection::Sqlite(mut conn) = restored.connection() else {
        unreachable!("SQLite above")
    };
    let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .expect("checked");
    assert_eq!(check[0].integrity_check, "ok");
}
