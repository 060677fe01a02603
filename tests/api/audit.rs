//! The audit log: each kind of change made by a person or a token is an entry with who made it,
//! written with the change (a refused change leaves none); admins read it filtered, through the
//! API and a page; nothing can change or delete an entry.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{create_tour, open_stop, register, registration_body, stop_body};
use crate::helpers::{TestApp, json_with, problem, spawn_app};
use crate::pages::{logged_in, logged_in_admin, page, select};

/// A token for a new account of `role` with a known address.
async fn token_of(app: &TestApp, email: &str, role: &str) -> String {
    app.create_user(email, role, "correct horse battery");
    json_with(
        app.post_json(
            "/api/v1/auth/tokens",
            &json!({"email": email, "password": "correct horse battery"}),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn log(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    json_with(
        app.get(&format!("/api/v1/audit{query}"), Some(token)).await,
        StatusCode::OK,
    )
    .await
    .as_array()
    .cloned()
    .expect("entries")
}

async fn delete(app: &TestApp, path: &str, token: &str) -> StatusCode {
    app.api
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .status()
}

#[tokio::test]
async fn every_kind_of_change_is_logged_with_its_actor() {
    let app = spawn_app().await;
    let admin = token_of(&app, "admin@roadshow.example", "admin").await;
    let marketing = token_of(&app, "marketing@roadshow.example", "marketing").await;
    let staff = token_of(&app, "staff@roadshow.example", "staff").await;

    // Set-up, by the admin.
    let tour = create_tour(&app, &admin, "Tour de France 2027").await;
    let tour_id = tour["id"].as_str().expect("id");
    let stop = json_with(
        app.post_json(
            &format!("/api/v1/tours/{tour_id}/stops"),
            &stop_body("Strasbourg", json!({"capacity": 100})),
            Some(&admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let stop_id = stop["id"].as_str().expect("id");
    json_with(
        app.patch_json(
            &format!("/api/v1/stops/{stop_id}"),
            &json!({"capacity": 150}),
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let workshop = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/workshops"),
            &crate::fixtures::workshop_body("Licences"),
            Some(&admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let workshop_id = workshop["id"].as_str().expect("id");
    assert_eq!(
        delete(&app, &format!("/api/v1/workshops/{workshop_id}"), &admin).await,
        StatusCode::NO_CONTENT
    );
    let claire = register(&app, stop_id, registration_body("Claire", &[])).await;

    // A scanner device: registered by staff, revoked by the admin.
    let device = json_with(
        app.post_json(
            "/api/v1/devices",
            &json!({"stop_id": stop_id, "name": "Door phone"}),
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let device_id = device["id"].as_str().expect("id");
    assert_eq!(
        delete(&app, &format!("/api/v1/devices/{device_id}"), &admin).await,
        StatusCode::OK
    );

    // A complaint recorded by staff, worked by marketing.
    let complaint = json_with(
        app.post_json(
            "/api/v1/complaints",
            &json!({"stop_id": stop_id, "theme": "trainers", "summary": "Le formateur allait trop vite"}),
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let complaint_id = complaint["id"].as_str().expect("id");
    json_with(
        app.patch_json(
            &format!("/api/v1/complaints/{complaint_id}"),
            &json!({"status": "acknowledged", "owner": "Julie"}),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // An outcome recorded and withdrawn; an export downloaded.
    let outcome = json_with(
        app.post_json(
            "/api/v1/outcomes",
            &json!({"registration_id": claire["id"], "kind": "certification_started",
                    "occurred_on": chrono::Utc::now().date_naive().to_string()}),
            Some(&marketing),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let outcome_id = outcome["id"].as_str().expect("id");
    assert_eq!(
        delete(&app, &format!("/api/v1/outcomes/{outcome_id}"), &marketing).await,
        StatusCode::NO_CONTENT
    );
    let export = app
        .api
        .get(app.url(&format!("/analytics/stops/{stop_id}/export/attendees.csv")))
        .bearer_auth(&marketing)
        .send()
        .await
        .expect("sent");
    assert_eq!(export.status(), StatusCode::OK);

    // A webhook registered and removed.
    let hook = json_with(
        app.post_json(
            "/api/v1/webhooks",
            &json!({"url": "http://127.0.0.1:9/crm", "events": ["checkin.created"]}),
            Some(&admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let hook_id = hook["id"].as_str().expect("id");
    assert_eq!(
        delete(&app, &format!("/api/v1/webhooks/{hook_id}"), &admin).await,
        StatusCode::NO_CONTENT
    );

    // A refused change leaves no entry: the stop has a registration.
    problem(
        app.api
            .delete(app.url(&format!("/api/v1/stops/{stop_id}")))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("sent"),
        StatusCode::CONFLICT,
    )
    .await;

    let entries = log(&app, &admin, "").await;
    let expected = [
        ("user.created", None),
        ("token.created", Some("staff@roadshow.example")),
        ("tour.created", Some("admin@roadshow.example")),
        ("stop.created", Some("admin@roadshow.example")),
        ("stop.updated", Some("admin@roadshow.example")),
        ("workshop.created", Some("admin@roadshow.example")),
        ("workshop.deleted", Some("admin@roadshow.example")),
        ("device.registered", Some("staff@roadshow.example")),
        ("device.revoked", Some("admin@roadshow.example")),
        ("complaint.created", Some("staff@roadshow.example")),
        ("complaint.updated", Some("marketing@roadshow.example")),
        ("outcome.recorded", Some("marketing@roadshow.example")),
        ("outcome.deleted", Some("marketing@roadshow.example")),
        ("export.downloaded", Some("marketing@roadshow.example")),
        ("webhook.created", Some("admin@roadshow.example")),
        ("webhook.deleted", Some("admin@roadshow.example")),
    ];
    for (action, actor) in expected {
        let entry = entries
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} entry in {entries:#?}"));
        match actor {
            Some(email) => assert_eq!(entry["actor"]["email"], email, "{action}"),
            None => assert_eq!(entry["actor"], Value::Null, "{action}"),
        }
    }
    assert!(!entries.iter().any(|e| e["action"] == "stop.deleted"));
    // What changed, from and to.
    let updated = entries
        .iter()
        .find(|e| e["action"] == "stop.updated")
        .expect("stop.updated");
    assert_eq!(updated["target_id"], stop_id);
    assert_eq!(
        updated["details"]["capacity"],
        json!({"from": 100, "to": 150})
    );
    let worked = entries
        .iter()
        .find(|e| e["action"] == "complaint.updated")
        .expect("complaint.updated");
    assert_eq!(
        worked["details"]["status"],
        json!({"from": "open", "to": "acknowledged"})
    );
    // Newest first.
    let times: Vec<&str> = entries.iter().filter_map(|e| e["at"].as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    // Filters: by actor, by action or its target's prefix, since a moment.
    let by_marketing = log(&app, &admin, "?actor=Marketing@roadshow.example").await;
    assert!(!by_marketing.is_empty());
    assert!(
        by_marketing
            .iter()
            .all(|e| e["actor"]["role"] == "marketing")
    );
    let stops = log(&app, &admin, "?action=stop.").await;
    let actions: Vec<&str> = stops.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, vec!["stop.updated", "stop.created"]);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();
    assert!(
        log(&app, &admin, &format!("?since={tomorrow}"))
            .await
            .is_empty()
    );
    let by_target = log(&app, &admin, &format!("?target_id={complaint_id}")).await;
    assert_eq!(by_target.len(), 2);
    for bad in [
        "?since=yesterday",
        "?action=stop%25",
        "?action=%20stop",
        "?limit=0",
        "?limit=5000",
    ] {
        problem(
            app.get(&format!("/api/v1/audit{bad}"), Some(&admin)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    for role in [&marketing, &staff] {
        problem(
            app.get("/api/v1/audit", Some(role)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
}

#[tokio::test]
async fn no_route_changes_or_deletes_an_entry() {
    let app = spawn_app().await;
    let admin = app.token_for("admin").await;
    let before = log(&app, &admin, "").await;
    assert!(!before.is_empty());
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
        reqwest::Method::DELETE,
    ] {
        let answer = app
            .api
            .request(method.clone(), app.url("/api/v1/audit"))
            .bearer_auth(&admin)
            .json(&json!({}))
            .send()
            .await
            .expect("sent");
        assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(answer.headers()["allow"], "GET");
        let one = app
            .api
            .request(method.clone(), app.url("/api/v1/audit/anything"))
            .bearer_auth(&admin)
            .json(&json!({}))
            .send()
            .await
            .expect("sent");
        assert_eq!(one.status(), StatusCode::NOT_FOUND, "{method}");
    }
    assert_eq!(log(&app, &admin, "").await, before);
}

#[tokio::test]
async fn the_admin_page_lists_and_filters_entries() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let client = logged_in_admin(&app, "en").await;
    let (status, doc) = page(&client, &app, "/admin/audit").await;
    assert_eq!(status, StatusCode::OK);
    let rows = select(&doc, "#entries tbody tr");
    assert!(rows.len() >= 2, "the tour and the stop created");
    let (_, filtered) = page(&client, &app, "/admin/audit?action=stop.created").await;
    let text: String = select(&filtered, "#entries")[0].text().collect();
    assert!(text.contains(&stop_id), "{text}");
    assert!(!text.contains("tour.created"), "{text}");
    let options = select(&filtered, "select[name=action] option[selected]");
    assert_eq!(options[0].value().attr("value"), Some("stop.created"));
    let (_, none) = page(&client, &app, "/admin/audit?actor=nobody%40example.fr").await;
    assert_eq!(select(&none, "#no-entries").len(), 1);

    let marketing = logged_in(&app, "m@roadshow.example", "marketing", "en").await;
    let (status, _) = page(&marketing, &app, "/admin/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
