//! The door's security: claimed scan times are bounded (and so are the charts made of them),
//! device tokens carry the scanner scope of one stop and expire, and a resent `scan_id` answers
//! only to a caller allowed at the stop of that scan.

use chrono::{Duration, NaiveDateTime};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{entrance_of, now_utc, open_stop, registration_body, set_stop_times};
use crate::helpers::{TestApp, json_with, problem, spawn_app};

async fn register(app: &TestApp, stop_id: &str, name: &str) -> Value {
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            &registration_body(name, &[]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

fn badge(registration: &Value) -> &str {
    registration["badge"]["token"].as_str().expect("badge")
}

async fn scan(app: &TestApp, token: &str, body: Value) -> Value {
    json_with(
        app.post_json("/api/v1/checkins", &body, Some(token)).await,
        StatusCode::OK,
    )
    .await
}

async fn device_for(app: &TestApp, creator: &str, stop_id: &str) -> (String, String) {
    let device = json_with(
        app.post_json(
            "/api/v1/devices",
            &json!({"stop_id": stop_id, "name": "Accueil"}),
            Some(creator),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (
        device["id"].as_str().expect("id").to_owned(),
        device["token"].as_str().expect("token").to_owned(),
    )
}

fn parse_time(value: &Value) -> NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a time"))
        .expect("RFC 3339")
        .naive_utc()
}

fn paris(t: NaiveDateTime) -> String {
    roadshow::time::in_zone(t, chrono_tz::Europe::Paris).to_rfc3339()
}

async fn metrics(app: &TestApp) -> String {
    app.get("/metrics", None)
        .await
        .text()
        .await
        .expect("metrics")
}

async fn arrivals(app: &TestApp, token: &str, stop_id: &str) -> Vec<Value> {
    let figures = json_with(
        app.get(&format!("/api/v1/analytics/stops/{stop_id}"), Some(token))
            .await,
        StatusCode::OK,
    )
    .await;
    figures["arrivals"].as_array().expect("arrivals").clone()
}

fn total(arrivals: &[Value]) -> i64 {
    arrivals.iter().filter_map(|a| a["count"].as_i64()).sum()
}

#[tokio::test]
async fn back_dated_scans_count_at_their_arrival_and_charts_stay_on_the_stop_s_day() {
    let app = spawn_app().await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &stop_id, "Claire").await;
    let paul = register(&app, &stop_id, "Paul").await;
    let lea = register(&app, &stop_id, "Lea").await;
    let before = now_utc();
    // The stop is on now.
    set_stop_times(
        &app,
        &stop_id,
        before - Duration::hours(2),
        before + Duration::hours(6),
    );
    let entrance = entrance_of(&app, &stop_id).await;
    let ten_years_ago = "2016-11-30T09:00:00+01:00";

    // Online, a phone whose clock says 2016: let in, but counted now.
    let first = scan(
        &app,
        &staff,
        json!({"token": badge(&claire), "checkpoint_id": entrance, "scanned_at": ten_years_ago}),
    )
    .await;
    assert_eq!(first["result"], "ok");
    let again = scan(
        &app,
        &staff,
        json!({"token": badge(&claire), "checkpoint_id": entrance}),
    )
    .await;
    assert_eq!(again["result"], "already_checked_in");
    let claire_at = parse_time(&again["first_scanned_at"]);
    assert!(claire_at >= before, "{claire_at} is the arrival time");

    // A batch cannot date a check-in back either, nor move an existing one earlier; a
    // plausible offline time (half an hour ago) is kept.
    let half_an_hour_ago = before - Duration::minutes(30);
    let batch = json!({"scans": [
        {"token": badge(&paul), "checkpoint_id": entrance, "scan_id": "old-1", "scanned_at": ten_years_ago},
        {"token": badge(&claire), "checkpoint_id": entrance, "scan_id": "old-2", "scanned_at": ten_years_ago},
        {"token": badge(&lea), "checkpoint_id": entrance, "scan_id": "fine-1", "scanned_at": paris(half_an_hour_ago)},
    ]});
    let answer = json_with(
        app.post_json("/api/v1/checkins/batch", &batch, Some(&staff))
            .await,
        StatusCode::OK,
    )
    .await;
    let results: Vec<&str> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["result"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(results, ["ok", "already_checked_in", "ok"]);
    assert_eq!(
        parse_time(&answer["results"][1]["first_scanned_at"]),
        claire_at,
        "claire's check-in did not move"
    );
    let lea_again = scan(
        &app,
        &staff,
        json!({"token": badge(&lea), "checkpoint_id": entrance}),
    )
    .await;
    assert_eq!(lea_again["first_scanned_at"], paris(half_an_hour_ago));
    let paul_again = scan(
        &app,
        &staff,
        json!({"token": badge(&paul), "checkpoint_id": entrance}),
    )
    .await;
    assert!(parse_time(&paul_again["first_scanned_at"]) >= before);

    let text = metrics(&app).await;
    assert!(
        text.contains(r#"roadshow_checkin_scan_time_rejected_total{reason="before_stop"} 3"#),
        "{text}"
    );

    // The chart covers the minutes the scans really happened in.
    let shown = arrivals(&app, &marketing, &stop_id).await;
    assert_eq!(total(&shown), 3);
    assert!(shown.len() <= 4, "{shown:?}");

    // Rows written before the bound (or by hand) cannot blow the chart up either: ten years
    // back, the check-in counts in the first quarter hour of the stop's window.
    {
        use roadshow::db::schema::check_ins;
        let claire_id = claire["id"].as_str().expect("id");
        let moved =
            diesel::update(check_ins::table.filter(check_ins::registration_id.eq(claire_id)))
                .set(check_ins::scanned_at.eq(before - Duration::days(3650)))
                .execute(&mut app.connection())
                .expect("check-in back-dated");
        assert_eq!(moved, 1);
    }
    let shown = arrivals(&app, &marketing, &stop_id).await;
    assert_eq!(total(&shown), 3);
    assert!(shown.len() <= 3 * 96 + 1, "{} buckets", shown.len());
    let window_start = before - Duration::hours(14);
    assert!(
        parse_time(&shown[0]["at"]) <= window_start
            && parse_time(&shown[0]["at"]) > window_start - Duration::minutes(15),
        "{}",
        shown[0]
    );
    assert_eq!(shown[0]["count"], 1);
}

#[tokio::test]
async fn a_scan_synced_days_after_it_was_made_counts_at_its_arrival() {
    let app = spawn_app().await;
    let staff = app.token_for("staff").await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let marc = register(&app, &stop_id, "Marc").await;
    let now = now_utc();
    // A long stop: four days ago is within its day, but too long ago for a phone to hold.
    set_stop_times(
        &app,
        &stop_id,
        now - Duration::days(5),
        now + Duration::days(1),
    );
    let entrance = entrance_of(&app, &stop_id).await;
    let batch = json!({"scans": [
        {"token": badge(&marc), "checkpoint_id": entrance, "scan_id": "late-1",
         "scanned_at": paris(now - Duration::days(4))},
    ]});
    let answer = json_with(
        app.post_json("/api/v1/checkins/batch", &batch, Some(&staff))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["results"][0]["result"], "ok");
    let again = scan(
        &app,
        &staff,
        json!({"token": badge(&marc), "checkpoint_id": entrance}),
    )
    .await;
    assert!(parse_time(&again["first_scanned_at"]) >= now);
    let text = metrics(&app).await;
    assert!(
        text.contains(r#"roadshow_checkin_scan_time_rejected_total{reason="too_old"} 1"#),
        "{text}"
    );
}

#[tokio::test]
async fn device_tokens_have_the_scanner_scope_at_their_own_stop_only() {
    let app = spawn_app().await;
    let admin = app.token_for("admin").await;
    let staff = app.token_for("staff").await;
    let (here, _) = open_stop(&app, 10, &[]).await;
    let (there, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &here, "Claire").await;
    let hugo = register(&app, &there, "Hugo").await;
    let entrance = entrance_of(&app, &here).await;
    let there_entrance = entrance_of(&app, &there).await;
    let (_, admin_device) = device_for(&app, &admin, &here).await;
    let (_, staff_device) = device_for(&app, &staff, &here).await;
    let (other_device_id, _) = device_for(&app, &admin, &there).await;

    // An admin's device is a scanner, not an admin.
    let tour = json!({"name": "Tour pirate", "targets": []});
    problem(
        app.post_json("/api/v1/tours", &tour, Some(&admin_device))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    for path in [
        format!("/api/v1/stops/{here}/feedback-summary"),
        format!("/api/v1/analytics/stops/{here}"),
        format!("/api/v1/stops/{here}/devices"),
    ] {
        problem(
            app.get(&path, Some(&admin_device)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    problem(
        app.api
            .delete(app.url(&format!("/api/v1/devices/{other_device_id}")))
            .bearer_auth(&admin_device)
            .send()
            .await
            .expect("sent"),
        StatusCode::FORBIDDEN,
    )
    .await;
    // A staff device cannot act outside the scan endpoints, here or elsewhere.
    for device in [&staff_device, &admin_device] {
        for stop in [&here, &there] {
            problem(
                app.post_json(
                    "/api/v1/complaints",
                    &json!({"stop_id": stop, "theme": "other", "summary": "Café froid"}),
                    Some(device),
                )
                .await,
                StatusCode::FORBIDDEN,
            )
            .await;
        }
    }

    // At its own stop it does all a scanner does.
    let scanned = scan(
        &app,
        &admin_device,
        json!({"token": badge(&claire), "checkpoint_id": entrance, "scan_id": "here-1"}),
    )
    .await;
    assert_eq!(scanned["result"], "ok");
    for path in [
        format!("/api/v1/stops/{here}/scanner-data"),
        format!("/api/v1/stops/{here}/attendees?q=Claire"),
        format!("/api/v1/checkpoints/{entrance}/status"),
    ] {
        json_with(app.get(&path, Some(&admin_device)).await, StatusCode::OK).await;
    }
    json_with(
        app.post_json("/api/v1/scans/here-1/undo", &json!({}), Some(&staff_device))
            .await,
        StatusCode::OK,
    )
    .await;
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{here}/walk-ins"),
            &registration_body("Walker", &[]),
            Some(&admin_device),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // At another stop nothing, wherever the stop comes from: the path, the checkpoint, the scan.
    let there_scan = scan(
        &app,
        &staff,
        json!({"token": badge(&hugo), "checkpoint_id": there_entrance, "scan_id": "there-1"}),
    )
    .await;
    assert_eq!(there_scan["result"], "ok");
    for device in [&admin_device, &staff_device] {
        for path in [
            format!("/api/v1/stops/{there}/scanner-data"),
            format!("/api/v1/stops/{there}/attendees?q=Hugo"),
            format!("/api/v1/checkpoints/{there_entrance}/status"),
        ] {
            problem(app.get(&path, Some(device)).await, StatusCode::FORBIDDEN).await;
        }
        problem(
            app.post_json(
                &format!("/api/v1/stops/{there}/walk-ins"),
                &registration_body("Intrus", &[]),
                Some(device),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        problem(
            app.post_json("/api/v1/scans/there-1/undo", &json!({}), Some(device))
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        problem(
            app.post_json(
                "/api/v1/checkins/batch",
                &json!({"scans": [{"token": badge(&hugo), "checkpoint_id": there_entrance}]}),
                Some(device),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // Hugo's check-in at the other stop is untouched.
    let status = json_with(
        app.get(
            &format!("/api/v1/checkpoints/{there_entrance}/status"),
            Some(&staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["checked_in"], 1);
}

#[tokio::test]
async fn device_tokens_expire_some_days_after_their_stop_ends() {
    let app = spawn_app().await;
    assert_eq!(app.settings.device_token_days_after_stop, 2);
    let staff = app.token_for("staff").await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let (_, used_yesterday) = device_for(&app, &staff, &stop_id).await;
    let (_, used_later) = device_for(&app, &staff, &stop_id).await;
    let data = format!("/api/v1/stops/{stop_id}/scanner-data");
    let now = now_utc();

    // Ended yesterday: the phones still sync.
    set_stop_times(
        &app,
        &stop_id,
        now - Duration::days(1) - Duration::hours(8),
        now - Duration::days(1),
    );
    json_with(app.get(&data, Some(&used_yesterday)).await, StatusCode::OK).await;

    // Ended three days ago: the token is dead.
    set_stop_times(
        &app,
        &stop_id,
        now - Duration::days(3) - Duration::hours(8),
        now - Duration::days(3),
    );
    problem(
        app.get(&data, Some(&used_later)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // A person's own token is not affected.
    json_with(app.get(&data, Some(&staff)).await, StatusCode::OK).await;
}

#[tokio::test]
async fn a_resent_scan_id_answers_only_to_a_caller_allowed_at_its_stop() {
    let app = spawn_app().await;
    let staff = app.token_for("staff").await;
    let (here, _) = open_stop(&app, 10, &[]).await;
    let (there, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &here, "Claire").await;
    let entrance = entrance_of(&app, &here).await;
    let there_entrance = entrance_of(&app, &there).await;
    let (_, here_device) = device_for(&app, &staff, &here).await;
    let (_, there_device) = device_for(&app, &staff, &there).await;

    let first = scan(
        &app,
        &staff,
        json!({"token": badge(&claire), "checkpoint_id": entrance, "scan_id": "door-1"}),
    )
    .await;
    assert_eq!(first["registration"]["first_name"], "Claire");

    // A device of another stop guesses the scan id at its own checkpoint: refused, no name.
    let guess = json!({"token": "anything", "checkpoint_id": there_entrance, "scan_id": "door-1"});
    let refused = problem(
        app.post_json("/api/v1/checkins", &guess, Some(&there_device))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(!refused.to_string().contains("Claire"), "{refused}");
    let refused = problem(
        app.post_json(
            "/api/v1/checkins/batch",
            &json!({"scans": [guess]}),
            Some(&there_device),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(!refused.to_string().contains("Claire"), "{refused}");

    // The stop's own device and staff get the stored answer, about the scan's own checkpoint.
    let replayed = scan(
        &app,
        &here_device,
        json!({"token": "anything", "checkpoint_id": entrance, "scan_id": "door-1"}),
    )
    .await;
    assert_eq!(replayed["result"], "ok");
    assert_eq!(replayed["registration"]["first_name"], "Claire");
    assert_eq!(replayed["checkpoint_id"], entrance.as_str());
    let replayed = scan(&app, &staff, guess).await;
    assert_eq!(replayed, first);
}
