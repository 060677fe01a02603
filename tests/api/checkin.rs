use reqwest::StatusCode;
use roadshow::ids::RegistrationId;
use serde_json::{Value, json};

use crate::fixtures::{open_stop, registration_body};
use crate::helpers::{TestApp, json_with, problem, spawn_app};

/// A stop with a workshop, its checkpoints, and registrations: Claire (confirmed, in the
/// workshop), Paul (confirmed, not in it), Léa (waitlisted), Marc (cancelled).
struct Scene {
    stop_id: String,
    entrance: String,
    workshop_checkpoint: String,
    claire: Value,
    paul: Value,
    lea: Value,
    marc: Value,
    staff: String,
}

async fn scene(app: &TestApp) -> Scene {
    let (stop_id, w) = open_stop(app, 2, &[("Le label", 10, 11, 12)]).await;
    let register = |body: Value| {
        let path = format!("/api/v1/stops/{stop_id}/registrations");
        async move { json_with(app.post_json(&path, &body, None).await, StatusCode::CREATED).await }
    };
    let claire = register(registration_body("Claire", &[&w[0]])).await;
    let paul = register(registration_body("Paul", &[])).await;
    let lea = register(registration_body("Lea", &[])).await;
    let marc = register(registration_body("Marc", &[])).await;
    // Marc, waiting too, cancels: nobody moves up.
    let marc_token = marc["manage_url"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("t")
        .to_owned();
    let marc = json_with(
        app.api
            .delete(app.url(&format!("/api/v1/manage/{marc_token}")))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            &claire["status"],
            &paul["status"],
            &lea["status"],
            &marc["status"]
        ),
        (
            &json!("confirmed"),
            &json!("confirmed"),
            &json!("waitlisted"),
            &json!("cancelled")
        )
    );
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    let checkpoint = |kind: &str| {
        stop["checkpoints"]
            .as_array()
            .expect("checkpoints")
            .iter()
            .find(|c| c["kind"] == kind)
            .and_then(|c| c["id"].as_str())
            .expect("checkpoint")
            .to_owned()
    };
    Scene {
        entrance: checkpoint("entrance"),
        workshop_checkpoint: checkpoint("workshop"),
        stop_id,
        claire,
        paul,
        lea,
        marc,
        staff: app.token_for("staff").await,
    }
}

/// Puts the stop on now (scanners' times are believed only on its day and for three days) and
/// returns `at(s)`: the time `s` seconds after "09:00", which was an hour and a half ago.
fn stop_on_now(app: &TestApp, s: &Scene) -> impl Fn(i64) -> String {
    let now = crate::fixtures::now_utc();
    crate::fixtures::set_stop_times(
        app,
        &s.stop_id,
        now - chrono::Duration::hours(3),
        now + chrono::Duration::hours(5),
    );
    move |seconds: i64| {
        let t = now - chrono::Duration::minutes(90) + chrono::Duration::seconds(seconds);
        roadshow::time::in_zone(t, chrono_tz::Europe::Paris).to_rfc3339()
    }
}

fn badge(registration: &Value) -> String {
    registration["badge"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn scan(app: &TestApp, token: &str, body: Value) -> Value {
    json_with(
        app.post_json("/api/v1/checkins", &body, Some(token)).await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn every_verdict_at_the_entrance_and_at_a_workshop() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let (other_stop, _) = open_stop(&app, 5, &[]).await;
    let stranger = json_with(
        app.post_json(
            &format!("/api/v1/stops/{other_stop}/registrations"),
            &registration_body("Stranger", &[]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let forged = roadshow::badge::BadgeKeys::from_seed([9; 32])
        .sign(
            &s.stop_id.as_str().into(),
            &s.claire["id"].as_str().expect("id").into(),
        )
        .expect("signed");
    let claire = badge(&s.claire);
    let cases: Vec<(&str, String, &str, &str)> = vec![
        ("first scan", claire.clone(), &s.entrance, "ok"),
        (
            "second scan",
            claire.clone(),
            &s.entrance,
            "already_checked_in",
        ),
        (
            "workshop she chose",
            claire.clone(),
            &s.workshop_checkpoint,
            "ok",
        ),
        (
            "workshop he did not choose",
            badge(&s.paul),
            &s.workshop_checkpoint,
            "not_enrolled",
        ),
        ("waitlisted", badge(&s.lea), &s.entrance, "waitlisted"),
        ("cancelled", badge(&s.marc), &s.entrance, "cancelled"),
        (
            "another stop's badge",
            badge(&stranger),
            &s.entrance,
            "wrong_stop",
        ),
        ("another tour's key", forged, &s.entrance, "invalid_token"),
        (
            "truncated signature",
            claire[..claire.len() - 8].to_owned(),
            &s.entrance,
            "invalid_token",
        ),
        ("empty", String::new(), &s.entrance, "invalid_token"),
        ("10 kB", "Q".repeat(10 * 1024), &s.entrance, "invalid_token"),
        (
            "binary",
            "\u{0}\u{1}\u{7f}\u{fffd}".to_owned(),
            &s.entrance,
            "invalid_token",
        ),
        (
            "a URL",
            "https://evil.example/?q=1".to_owned(),
            &s.entrance,
            "invalid_token",
        ),
    ];
    for (case, token, checkpoint, expected) in cases {
        let answer = scan(
            &app,
            &s.staff,
            json!({"token": token, "checkpoint_id": checkpoint}),
        )
        .await;
        assert_eq!(answer["result"], expected, "{case}: {answer}");
        assert!(answer["scan_id"].is_string(), "{case}");
    }
    let again = scan(
        &app,
        &s.staff,
        json!({"token": claire, "checkpoint_id": s.entrance}),
    )
    .await;
    assert_eq!(again["registration"]["first_name"], "Claire");
    assert_eq!(again["registration"]["company"], "Alsace Informatique");
    assert!(
        again["first_scanned_at"]
            .as_str()
            .is_some_and(|t| t.ends_with("+02:00") || t.ends_with("+01:00")),
        "{again}"
    );
    // An unknown registration signed with our own key.
    let keys_dir = app.settings.data_dir.join("badge-signing.key");
    let seed: [u8; 32] = std::fs::read(keys_dir)
        .expect("key")
        .try_into()
        .expect("32 bytes");
    let unknown = roadshow::badge::BadgeKeys::from_seed(seed)
        .sign(&s.stop_id.as_str().into(), &RegistrationId::generate())
        .expect("signed");
    let answer = scan(
        &app,
        &s.staff,
        json!({"token": unknown, "checkpoint_id": s.entrance}),
    )
    .await;
    assert_eq!(answer["result"], "unknown_registration");
}

#[tokio::test]
async fn resending_a_scan_id_returns_the_same_answer_and_records_nothing() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let body = json!({"token": badge(&s.claire), "checkpoint_id": s.entrance, "scan_id": "device-7-scan-1", "device_id": "device-7"});
    let first = scan(&app, &s.staff, body.clone()).await;
    let second = scan(&app, &s.staff, body).await;
    assert_eq!(first, second);
    assert_eq!(first["result"], "ok");
    let status = json_with(
        app.get(
            &format!("/api/v1/checkpoints/{}/status", s.entrance),
            Some(&s.staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["checked_in"], 1);
    assert_eq!(status["expected"], 2);
    assert_eq!(
        status["recent"].as_array().map(Vec::len),
        Some(1),
        "one scan recorded"
    );
}

#[tokio::test]
async fn many_devices_scanning_one_badge_at_once_get_exactly_one_ok() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let token = badge(&s.claire);
    let requests = (0..40).map(|i| {
        let body =
            json!({"token": token, "checkpoint_id": s.entrance, "device_id": format!("phone-{i}")});
        let app = &app;
        let staff = s.staff.clone();
        async move { scan(app, &staff, body).await }
    });
    let answers = futures::future::join_all(requests).await;
    let oks = answers.iter().filter(|a| a["result"] == "ok").count();
    let already = answers
        .iter()
        .filter(|a| a["result"] == "already_checked_in")
        .count();
    assert_eq!((oks, already), (1, 39));
}

#[tokio::test]
async fn a_batch_is_answered_in_order_and_a_badge_gets_one_ok_dated_by_its_earliest_scan() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let at = stop_on_now(&app, &s);
    // Online at 09:10 on one device…
    scan(
        &app,
        &s.staff,
        json!({"token": badge(&s.claire), "checkpoint_id": s.entrance, "scanned_at": at(600)}),
    )
    .await;
    // …and a phone that was offline syncs: Claire at 09:02 (a duplicate: she was let in online
    // first, but her check-in now dates from 09:02), Paul at 09:05, garbage, Paul again at 09:06.
    let batch = json!({"scans": [
        {"token": badge(&s.claire), "checkpoint_id": s.entrance, "scan_id": "off-1", "scanned_at": at(120)},
        {"token": badge(&s.paul), "checkpoint_id": s.entrance, "scan_id": "off-2", "scanned_at": at(300)},
        {"token": "not a badge", "checkpoint_id": s.entrance, "scan_id": "off-3", "scanned_at": at(330)},
        {"token": badge(&s.paul), "checkpoint_id": s.entrance, "scan_id": "off-4", "scanned_at": at(360)},
    ]});
    let answer = json_with(
        app.post_json("/api/v1/checkins/batch", &batch, Some(&s.staff))
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
    assert_eq!(
        results,
        [
            "already_checked_in",
            "ok",
            "invalid_token",
            "already_checked_in"
        ]
    );
    let scan_ids: Vec<&str> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["scan_id"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(scan_ids, ["off-1", "off-2", "off-3", "off-4"]);
    // Claire's check-in keeps the earliest time seen.
    let again = scan(
        &app,
        &s.staff,
        json!({"token": badge(&s.claire), "checkpoint_id": s.entrance}),
    )
    .await;
    assert_eq!(again["first_scanned_at"], at(120));
    // Syncing the same batch again changes nothing.
    let replay = json_with(
        app.post_json("/api/v1/checkins/batch", &batch, Some(&s.staff))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replay, answer);
    let metrics = app
        .get("/metrics", None)
        .await
        .text()
        .await
        .expect("metrics");
    assert!(
        metrics.contains("roadshow_checkin_synced_late_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"roadshow_checkin_scans_total{result="ok"} 2"#),
        "{metrics}"
    );
}

/// A synced batch with no badge twice is decided as one group (one read of the registrations,
/// one insert of the check-ins, one of the scans): every verdict, an earlier offline scan of a
/// badge already checked in, and the workshop door, each answered as a scan sent alone is.
#[tokio::test]
async fn a_batch_decided_as_one_group_answers_as_scans_sent_one_by_one() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let at = stop_on_now(&app, &s);
    // Claire was let in online at 09:10; a phone offline since 09:00 saw her at 09:02.
    scan(
        &app,
        &s.staff,
        json!({"token": badge(&s.claire), "checkpoint_id": s.entrance, "scanned_at": at(600)}),
    )
    .await;
    let scans = [
        (badge(&s.claire), &s.entrance, "already_checked_in"),
        (badge(&s.paul), &s.entrance, "ok"),
        (badge(&s.lea), &s.entrance, "waitlisted"),
        (badge(&s.marc), &s.entrance, "cancelled"),
        ("not a badge".to_owned(), &s.entrance, "invalid_token"),
        (badge(&s.claire), &s.workshop_checkpoint, "ok"),
        (badge(&s.paul), &s.workshop_checkpoint, "not_enrolled"),
    ];
    let batch = json!({"scans": scans.iter().enumerate().map(|(i, (token, checkpoint, _))| json!({
        "token": token, "checkpoint_id": checkpoint, "scan_id": format!("group-{i}"),
        "scanned_at": at(120 + i64::try_from(i).unwrap_or(0)),
    })).collect::<Vec<_>>()});
    let answer = json_with(
        app.post_json("/api/v1/checkins/batch", &batch, Some(&s.staff))
            .await,
        StatusCode::OK,
    )
    .await;
    let results = answer["results"].as_array().expect("results");
    let verdicts: Vec<&str> = results
        .iter()
        .map(|r| r["result"].as_str().unwrap_or("?"))
        .collect();
    let expected: Vec<&str> = scans.iter().map(|(_, _, verdict)| *verdict).collect();
    assert_eq!(verdicts, expected);
    // Claire's check-in now dates from the offline scan, and the answer says so.
    assert_eq!(results[0]["first_scanned_at"], at(120));
    assert_eq!(results[0]["registration"]["first_name"], "Claire");
    assert_eq!(
        results[5]["registration"]["workshops"][0]["status"],
        "confirmed"
    );
    // The same scans sent again one by one, under new ids: each is now a duplicate or the
    // same refusal, and the check-ins are those the group made.
    for (i, (token, checkpoint, verdict)) in scans.iter().enumerate() {
        let alone = scan(
            &app,
            &s.staff,
            json!({"token": token, "checkpoint_id": checkpoint, "scan_id": format!("alone-{i}")}),
        )
        .await;
        let again = if *verdict == "ok" {
            "already_checked_in"
        } else {
            verdict
        };
        assert_eq!(alone["result"], again, "scan {i} sent alone");
        if alone["result"] == "already_checked_in" {
            // Dated by the group's scan (Claire's moved back to it).
            assert_eq!(
                alone["first_scanned_at"],
                at(120 + i64::try_from(i).unwrap_or(0))
            );
        }
    }
    // Resending the group answers as before.
    let replay = json_with(
        app.post_json("/api/v1/checkins/batch", &batch, Some(&s.staff))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replay, answer);
}

#[tokio::test]
async fn malformed_scans_are_4xx_but_any_token_text_is_a_decision() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let body = problem(
        app.post_json(
            "/api/v1/checkins",
            &json!({"checkpoint_id": s.entrance}),
            Some(&s.staff),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(body["errors"]["token"].is_string());
    problem(
        app.post_raw(
            "/api/v1/checkins",
            "application/json",
            "{\"token\":",
            Some(&s.staff),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    problem(
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": "x", "checkpoint_id": "nope"}),
            Some(&s.staff),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let batch = json!({"scans": [{"token": "x", "checkpoint_id": s.entrance}, {"token": "y"}]});
    let body = problem(
        app.post_json("/api/v1/checkins/batch", &batch, Some(&s.staff))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        body["errors"]["scans[1].checkpoint_id"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn roles_and_devices_decide_who_may_scan() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let body = json!({"token": badge(&s.claire), "checkpoint_id": s.entrance});
    problem(
        app.post_json("/api/v1/checkins", &body, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let marketing = app.token_for("marketing").await;
    problem(
        app.post_json("/api/v1/checkins", &body, Some(&marketing))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // A device bound to this stop scans; bound to another stop it may not.
    let device = json_with(
        app.post_json(
            "/api/v1/devices",
            &json!({"stop_id": s.stop_id, "name": "Accueil 1"}),
            Some(&s.staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let device_token = device["token"].as_str().expect("token").to_owned();
    assert_eq!(
        scan(&app, &device_token, body.clone()).await["result"],
        "ok"
    );
    let (other_stop, _) = open_stop(&app, 5, &[]).await;
    let other = json_with(
        app.get(&format!("/api/v1/stops/{other_stop}"), None).await,
        StatusCode::OK,
    )
    .await;
    let other_entrance = other["checkpoints"][0]["id"].as_str().expect("id");
    problem(
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": badge(&s.paul), "checkpoint_id": other_entrance}),
            Some(&device_token),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // A device cannot make more devices.
    problem(
        app.post_json(
            "/api/v1/devices",
            &json!({"stop_id": s.stop_id, "name": "Copy"}),
            Some(&device_token),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // An admin revokes it: 401 from then on. Staff cannot revoke.
    let device_id = device["id"].as_str().expect("id");
    problem(
        app.api
            .delete(app.url(&format!("/api/v1/devices/{device_id}")))
            .bearer_auth(&s.staff)
            .send()
            .await
            .expect("sent"),
        StatusCode::FORBIDDEN,
    )
    .await;
    let admin = app.token_for("admin").await;
    let revoked = app
        .api
        .delete(app.url(&format!("/api/v1/devices/{device_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(revoked.status(), StatusCode::OK);
    problem(
        app.post_json("/api/v1/checkins", &body, Some(&device_token))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let listed = json_with(
        app.get(
            &format!("/api/v1/stops/{}/devices", s.stop_id),
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed[0]["revoked"], true);
}

#[tokio::test]
async fn undo_removes_a_mistaken_check_in_but_keeps_the_scan() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let body = json!({"token": badge(&s.claire), "checkpoint_id": s.entrance});
    let first = scan(&app, &s.staff, body.clone()).await;
    let undone = app
        .post_json(
            &format!(
                "/api/v1/scans/{}/undo",
                first["scan_id"].as_str().expect("id")
            ),
            &json!({}),
            Some(&s.staff),
        )
        .await;
    assert_eq!(undone.status(), StatusCode::OK);
    assert_eq!(
        scan(&app, &s.staff, body).await["result"],
        "ok",
        "checked in again after the undo"
    );
    let status = json_with(
        app.get(
            &format!("/api/v1/checkpoints/{}/status", s.entrance),
            Some(&s.staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["checked_in"], 1);
    let recent = status["recent"].as_array().expect("recent");
    assert_eq!(recent.len(), 2, "both scans are kept");
    assert_eq!(recent[1]["undone"], true);
    // Undoing a scan that is not a check-in is a conflict.
    let bad = scan(
        &app,
        &s.staff,
        json!({"token": "junk", "checkpoint_id": s.entrance}),
    )
    .await;
    problem(
        app.post_json(
            &format!(
                "/api/v1/scans/{}/undo",
                bad["scan_id"].as_str().expect("id")
            ),
            &json!({}),
            Some(&s.staff),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
}

#[tokio::test]
async fn staff_find_people_by_name_and_register_walk_ins_already_checked_in() {
    /// The scene's attendees found for `q` by its staff.
    async fn search(app: &TestApp, s: &Scene, q: &str) -> Value {
        let path = format!("/api/v1/stops/{}/attendees?q={q}", s.stop_id);
        json_with(app.get(&path, Some(&s.staff)).await, StatusCode::OK).await
    }
    let app = spawn_app().await;
    let s = scene(&app).await;
    let found = search(&app, &s, "clai").await;
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["first_name"], "Claire");
    let by_company = search(&app, &s, "ALSACE").await;
    assert!(by_company.as_array().map_or(0, Vec::len) >= 3);
    // The badge token from the search checks her in when she lost her badge.
    let token = found[0]["badge_token"].as_str().expect("token");
    assert_eq!(
        scan(
            &app,
            &s.staff,
            json!({"token": token, "checkpoint_id": s.entrance})
        )
        .await["result"],
        "ok"
    );
    let found = search(&app, &s, "claire").await;
    let checked_in_at = |found: &Value| {
        let shown = found[0]["checked_in_at"].as_str().expect("a time");
        chrono::DateTime::parse_from_rfc3339(shown).expect("RFC 3339")
    };
    let in_paris = checked_in_at(&found);
    // Times are shown in the stop's zone, and a new zone shows at once (the zone is kept in
    // memory, and forgotten when the set-up changes).
    let admin = app.token_for("admin").await;
    let moved = app
        .patch_json(
            &format!("/api/v1/stops/{}", s.stop_id),
            &json!({"timezone": "Asia/Kathmandu"}),
            Some(&admin),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let found = search(&app, &s, "claire").await;
    let in_kathmandu = checked_in_at(&found);
    assert_eq!(in_kathmandu.offset().local_minus_utc(), 5 * 3600 + 45 * 60);
    assert_eq!(in_kathmandu, in_paris, "the same moment");
    let unknown = app
        .get(
            "/api/v1/stops/no-such-stop/attendees?q=claire",
            Some(&s.staff),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let marketing = app.token_for("marketing").await;
    problem(
        app.get(
            &format!("/api/v1/stops/{}/attendees?q=claire", s.stop_id),
            Some(&marketing),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The stop is full: a walk-in is refused and nothing is kept.
    let walk_in = app
        .post_json(
            &format!("/api/v1/stops/{}/walk-ins", s.stop_id),
            &registration_body("Walker", &[]),
            Some(&s.staff),
        )
        .await;
    problem(walk_in, StatusCode::CONFLICT).await;
    // Room at another stop: registered, confirmed and already in.
    let (roomy, _) = open_stop(&app, 50, &[]).await;
    let walker = json_with(
        app.post_json(
            &format!("/api/v1/stops/{roomy}/walk-ins"),
            &registration_body("Walker", &[]),
            Some(&s.staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(walker["status"], "confirmed");
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{roomy}"), None).await,
        StatusCode::OK,
    )
    .await;
    let entrance = stop["checkpoints"][0]["id"].as_str().expect("id");
    let answer = scan(
        &app,
        &s.staff,
        json!({"token": badge(&walker), "checkpoint_id": entrance}),
    )
    .await;
    assert_eq!(answer["result"], "already_checked_in");
}

#[tokio::test]
async fn the_scanner_data_lets_a_device_decide_offline() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    scan(
        &app,
        &s.staff,
        json!({"token": badge(&s.claire), "checkpoint_id": s.entrance}),
    )
    .await;
    let data = json_with(
        app.get(
            &format!("/api/v1/stops/{}/scanner-data", s.stop_id),
            Some(&s.staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(data["stop_prefix"], s.stop_id.replace('-', "")[..16]);
    assert_eq!(data["keys"].as_array().map(Vec::len), Some(1));
    assert_eq!(data["checkpoints"].as_array().map(Vec::len), Some(2));
    let attendees = data["attendees"].as_array().expect("attendees");
    assert_eq!(
        attendees.len(),
        4,
        "cancelled ones too, so that offline says so"
    );
    let claire = attendees
        .iter()
        .find(|a| a["first_name"] == "Claire")
        .expect("Claire");
    assert_eq!(claire["workshops"].as_array().map(Vec::len), Some(1));
    assert_eq!(data["checked_in"].as_array().map(Vec::len), Some(1));
    assert_eq!(data["checked_in"][0][0], json!(s.entrance));
    assert_eq!(data["checked_in"][0][1], s.claire["id"]);
    assert!(data["checked_in"][0][2].is_string(), "with its time");
}
