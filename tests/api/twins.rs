//! Each use case has an API route and a page: both call the same service function, so they
//! have the same effects — e-mail queued and sent, counters, metrics, caches. One test a twin.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{entrance_of, open_stop, registration_body};
use crate::helpers::{TestApp, json_with, problem, spawn_app};
use crate::pages::{csrf_of, logged_in, logged_in_admin, page};

/// The value of one sample of `/metrics` (`name{labels}` as printed), 0 when absent.
async fn metric(app: &TestApp, sample: &str) -> f64 {
    let text = app
        .get("/metrics", None)
        .await
        .text()
        .await
        .expect("metrics");
    text.lines()
        .find_map(|line| {
            line.strip_prefix(sample)
                .and_then(|rest| rest.strip_prefix(' '))
                .and_then(|value| value.trim().parse().ok())
        })
        .unwrap_or(0.0)
}

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

const SCANS_OK: &str = "roadshow_checkin_scans_total{result=\"ok\"}";
const DECISIONS: &str = "roadshow_checkin_decision_seconds_count";
const CONFIRMED: &str = "roadshow_registrations_total{status=\"confirmed\"}";

#[tokio::test]
async fn a_scan_counts_the_same_from_the_api_and_from_the_scanner_page() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let entrance = entrance_of(&app, &stop_id).await;
    let claire = register(&app, &stop_id, "Claire").await;
    let paul = register(&app, &stop_id, "Paul").await;
    let staff = app.token_for("staff").await;
    let before = (metric(&app, SCANS_OK).await, metric(&app, DECISIONS).await);

    let answer = json_with(
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": claire["badge"]["token"], "checkpoint_id": entrance}),
            Some(&staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["result"], "ok");
    let after_api = (metric(&app, SCANS_OK).await, metric(&app, DECISIONS).await);
    assert_eq!(after_api, (before.0 + 1.0, before.1 + 1.0));

    let client = logged_in(&app, "door@roadshow.example", "staff", "en").await;
    let path = format!("/scan/checkpoints/{entrance}");
    let (_, doc) = page(&client, &app, &path).await;
    let response = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("code", paul["badge"]["token"].as_str().expect("token")),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let after_page = (metric(&app, SCANS_OK).await, metric(&app, DECISIONS).await);
    assert_eq!(after_page, (after_api.0 + 1.0, after_api.1 + 1.0));
}

#[tokio::test]
async fn a_walk_in_counts_and_mails_the_same_from_the_api_and_from_the_page() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let staff = app.token_for("staff").await;
    let before = metric(&app, CONFIRMED).await;
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/walk-ins"),
            &registration_body("Api", &[]),
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(metric(&app, CONFIRMED).await, before + 1.0);

    let client = logged_in(&app, "door@roadshow.example", "staff", "en").await;
    let path = format!("/scan/stops/{stop_id}/walk-in");
    let (_, doc) = page(&client, &app, &path).await;
    let response = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("first_name", "Page"),
            ("last_name", "Martin"),
            ("email", "page@martin-micro.fr"),
            ("company", "Martin Micro"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(metric(&app, CONFIRMED).await, before + 2.0);
    app.mail.wait_for(2).await;
    assert_eq!(app.mail.to("api@alsace-informatique.fr").len(), 1);
    assert_eq!(app.mail.to("page@martin-micro.fr").len(), 1);
}

#[tokio::test]
async fn revoking_a_device_is_the_same_from_the_api_and_from_the_stop_page() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let staff = app.token_for("staff").await;
    let admin_token = app.token_for("admin").await;
    let new_device = |name: &'static str| {
        let body = json!({"stop_id": stop_id, "name": name});
        let staff = staff.clone();
        let app = &app;
        async move {
            json_with(
                app.post_json("/api/v1/devices", &body, Some(&staff)).await,
                StatusCode::CREATED,
            )
            .await
        }
    };
    let scanner_data = format!("/api/v1/stops/{stop_id}/scanner-data");
    let by_api = new_device("Accueil 1").await;
    let by_page = new_device("Accueil 2").await;

    let revoke = |id: String| {
        let token = admin_token.clone();
        let app = &app;
        async move {
            app.api
                .delete(app.url(&format!("/api/v1/devices/{id}")))
                .bearer_auth(token)
                .send()
                .await
                .expect("sent")
        }
    };
    assert_eq!(
        revoke(by_api["id"].as_str().expect("id").to_owned())
            .await
            .status(),
        StatusCode::OK
    );
    let admin = logged_in_admin(&app, "en").await;
    let (_, doc) = page(&admin, &app, &format!("/admin/stops/{stop_id}")).await;
    let csrf = csrf_of(&doc);
    let post_revoke = |id: String| {
        let (admin, csrf, url) = (
            admin.clone(),
            csrf.clone(),
            app.url(&format!("/admin/devices/{id}/revoke")),
        );
        let stop_id = stop_id.clone();
        async move {
            admin
                .post(url)
                .form(&[("csrf_token", csrf.as_str()), ("stop_id", stop_id.as_str())])
                .send()
                .await
                .expect("sent")
        }
    };
    let response = post_revoke(by_page["id"].as_str().expect("id").to_owned()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Both refused at once.
    for device in [&by_api, &by_page] {
        let token = device["token"].as_str().expect("token");
        assert_eq!(
            app.get(&scanner_data, Some(token)).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // An unknown device is a 404 on both sides, not a silent success on one.
    problem(revoke("no-such-device".into()).await, StatusCode::NOT_FOUND).await;
    assert_eq!(
        post_revoke("no-such-device".into()).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn resolving_a_complaint_tells_the_reseller_from_the_api_and_from_the_page() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    let mut complaints = Vec::new();
    for name in ["Api", "Page"] {
        let registration = register(&app, &stop_id, name).await;
        let complaint = json_with(
            app.post_json(
                "/api/v1/complaints",
                &json!({"stop_id": stop_id, "theme": "licensing", "summary": "Licences",
                        "registration_id": registration["id"], "notify_reseller": true}),
                Some(&staff),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        complaints.push(complaint["id"].as_str().expect("id").to_owned());
    }
    app.mail.wait_for(2).await;

    json_with(
        app.patch_json(
            &format!("/api/v1/complaints/{}", complaints[0]),
            &json!({"status": "resolved", "resolution": "Un formateur certifié"}),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let client = logged_in(&app, "marketing@roadshow.example", "marketing", "en").await;
    let path = format!("/complaints/{}", complaints[1]);
    let (_, doc) = page(&client, &app, &path).await;
    let response = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("status", "resolved"),
            ("owner", "Sophie"),
            ("resolution", "Un formateur certifié"),
            ("due_on", ""),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    app.mail.wait_for(4).await;
    for reseller in ["api@alsace-informatique.fr", "page@alsace-informatique.fr"] {
        assert_eq!(app.mail.to(reseller).len(), 2, "{reseller}");
    }
}

#[tokio::test]
async fn an_outcome_is_the_same_recorded_from_the_api_or_from_the_attendee_page() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &stop_id, "Claire").await;
    let id = claire["id"].as_str().expect("id").to_owned();
    let marketing = app.token_for("marketing").await;
    json_with(
        app.post_json(
            "/api/v1/outcomes",
            &json!({"registration_id": id, "kind": "certification_started",
                    "occurred_on": "2026-10-20"}),
            Some(&marketing),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let client = logged_in(&app, "analyst@roadshow.example", "marketing", "en").await;
    let path = format!("/analytics/registrations/{id}");
    let (_, doc) = page(&client, &app, &path).await;
    let response = client
        .post(app.url(&format!("{path}/outcomes")))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("kind", "demo_requested"),
            ("occurred_on", "2026-10-21"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // A second of a kind is refused the same way on both sides.
    let again = client
        .post(app.url(&format!("{path}/outcomes")))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("kind", "certification_started"),
            ("occurred_on", "2026-10-22"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let outcomes = json_with(
        app.get(
            &format!("/api/v1/registrations/{id}/outcomes"),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = outcomes
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|o| o["kind"].as_str())
        .collect();
    assert_eq!(kinds.len(), 2, "{outcomes}");
    assert!(kinds.contains(&"certification_started") && kinds.contains(&"demo_requested"));
}

#[tokio::test]
async fn recording_a_complaint_is_the_same_from_the_api_and_from_the_page() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    let summary = "Pas de leads pour les nouveaux certifiés";
    let (company, detail) = ("Vosges Réseaux", "Trois demandes sans réponse.");
    json_with(
        app.post_json(
            "/api/v1/complaints",
            &json!({"stop_id": stop_id, "theme": "leads", "summary": summary,
                    "company": company, "detail": detail}),
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let client = logged_in(&app, "staff@roadshow.example", "staff", "en").await;
    let (_, doc) = page(&client, &app, &format!("/complaints/new?stop_id={stop_id}")).await;
    let response = client
        .post(app.url("/complaints"))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("stop_id", stop_id.as_str()),
            ("theme", "leads"),
            ("summary", summary),
            ("company", company),
            ("detail", detail),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let list = json_with(
        app.get(
            &format!("/api/v1/complaints?stop_id={stop_id}"),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let recorded = list.as_array().expect("list");
    assert_eq!(recorded.len(), 2, "{list}");
    // The same complaint but for what each recording makes anew: its id and times.
    let effect = |c: &Value| {
        let mut c = c.clone();
        let fields = c.as_object_mut().expect("object");
        for made_anew in ["id", "created_at", "updated_at"] {
            fields.remove(made_anew);
        }
        for line in fields["history"].as_array_mut().expect("history") {
            line.as_object_mut().expect("line").remove("at");
        }
        c
    };
    assert_eq!(effect(&recorded[0]), effect(&recorded[1]));
    let complaint = &recorded[0];
    assert_eq!(complaint["theme"], "leads");
    assert_eq!(complaint["status"], "open");
    assert_eq!(complaint["summary"], summary);
    assert_eq!(complaint["company"], company);
    assert_eq!(complaint["detail"], detail);
    assert_eq!(
        complaint["history"],
        json!([{"at": complaint["history"][0]["at"], "actor": "Test User",
                "field": "created", "old_value": "", "new_value": "open"}])
    );
}

/// The fields of the page's form (in `<main>`) as a browser would send them: each named
/// input's value and each select's chosen option.
fn form_fields(doc: &scraper::Html) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = crate::pages::select(doc, "main form input[name]")
        .into_iter()
        .filter(|input| !matches!(input.value().attr("type"), Some("checkbox" | "submit")))
        .map(|input| {
            let value = input.value();
            (
                value.attr("name").unwrap_or_default().to_owned(),
                value.attr("value").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for select in crate::pages::select(doc, "main form select[name]") {
        let chosen = select
            .select(&scraper::Selector::parse("option[selected]").expect("selector"))
            .next()
            .map(|option| {
                option
                    .value()
                    .attr("value")
                    .map_or_else(|| option.text().collect(), str::to_owned)
            })
            .unwrap_or_default();
        let name = select.value().attr("name").unwrap_or_default();
        fields.push((name.to_owned(), chosen));
    }
    fields
}

const PROMOTED_TO_STOP: &str = "roadshow_waitlist_promotions_total{to=\"stop\"}";

#[tokio::test]
async fn more_seats_promote_who_waits_the_same_from_the_api_and_from_the_stop_form() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 1, &[]).await;
    register(&app, &stop_id, "Anne").await;
    let bruno = register(&app, &stop_id, "Bruno").await;
    let chloe = register(&app, &stop_id, "Chloe").await;
    assert_eq!(bruno["status"], "waitlisted");
    assert_eq!(chloe["status"], "waitlisted");
    app.mail.wait_for(3).await;
    let before = metric(&app, PROMOTED_TO_STOP).await;

    let admin = app.token_for("admin").await;
    json_with(
        app.patch_json(
            &format!("/api/v1/stops/{stop_id}"),
            &json!({"capacity": 2}),
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(metric(&app, PROMOTED_TO_STOP).await, before + 1.0);
    app.mail.wait_for(4).await;
    assert_eq!(app.mail.to("bruno@alsace-informatique.fr").len(), 2);

    let client = logged_in_admin(&app, "en").await;
    let (_, doc) = page(&client, &app, &format!("/admin/stops/{stop_id}/edit")).await;
    let mut fields = form_fields(&doc);
    for (name, value) in &mut fields {
        if name == "capacity" {
            *value = "3".into();
        }
    }
    let response = client
        .post(app.url(&format!("/admin/stops/{stop_id}")))
        .form(&fields)
        .send()
        .await
        .expect("sent");
    let status = response.status();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{fields:?} {}",
        response.text().await.unwrap_or_default()
    );
    assert_eq!(metric(&app, PROMOTED_TO_STOP).await, before + 2.0);
    app.mail.wait_for(5).await;
    assert_eq!(app.mail.to("chloe@alsace-informatique.fr").len(), 2);
    for waiting in [bruno, chloe] {
        let token = waiting["manage_url"]
            .as_str()
            .and_then(|url| url.rsplit('/').next())
            .expect("manage url");
        let now = json_with(
            app.get(&format!("/api/v1/manage/{token}"), None).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(now["status"], "confirmed", "{now}");
    }
}
