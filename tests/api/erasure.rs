//! Erasure (GDPR article 17): the person's future seat goes to the waitlist, then they are
//! pseudonymised everywhere — search, export, drill-down, complaints, feedback, e-mails,
//! webhook deliveries — while every figure of the stops that happened stays the same. Also the
//! attendee's own request (confirmed by the e-mailed link) and the retention job.

use diesel::{
    BoolExpressionMethods, ExpressionMethods, QueryDsl, RunQueryDsl, TextExpressionMethods,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{
    entrance_of, feedback_token, manage_token, now_utc, open_stop, register, registration_body,
    set_stop_times,
};
use crate::helpers::{TestApp, json_with, problem, spawn_app, spawn_app_with};
use crate::pages::{browser, csrf_of, page, select};

const CLAIRE: &str = "claire@alsace-informatique.fr";

/// Every figure the analytics and feedback APIs give for a stop and its tour.
async fn figures(app: &TestApp, token: &str, stop_id: &str, tour_id: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        format!("/api/v1/analytics/stops/{stop_id}"),
        format!("/api/v1/analytics/tours/{tour_id}"),
        format!("/api/v1/stops/{stop_id}/feedback-summary"),
    ] {
        let mut got = json_with(app.get(&path, Some(token)).await, StatusCode::OK).await;
        // Quotes are text, not figures: an erased person's quote goes with their words.
        if let Some(o) = got.as_object_mut() {
            o.remove("quotes");
        }
        all.push(got);
    }
    all
}

/// Rows anywhere in the outbox or the webhook deliveries that still name `needle`.
fn rows_naming(app: &TestApp, needle: &str) -> i64 {
    use roadshow::db::schema::{outbox, webhook_deliveries};
    let mut conn = app.connection();
    let pattern = format!("%{needle}%");
    let mails: i64 = outbox::table
        .filter(
            outbox::recipient
                .like(&pattern)
                .or(outbox::payload.like(&pattern)),
        )
        .count()
        .get_result(&mut conn)
        .expect("outbox counted");
    let deliveries: i64 = webhook_deliveries::table
        .filter(webhook_deliveries::body.like(&pattern))
        .count()
        .get_result(&mut conn)
        .expect("deliveries counted");
    mails + deliveries
}

#[tokio::test]
async fn erasure_keeps_every_figure_frees_the_future_seat_and_leaves_no_trace() {
    let app = spawn_app().await;
    let admin = app.token_for("admin").await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    // A CRM listening: its deliveries hold the registration as it was.
    json_with(
        app.post_json(
            "/api/v1/webhooks",
            &json!({"url": "http://127.0.0.1:9/crm", "events": ["registration.created", "registration.cancelled"]}),
            Some(&admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // Lille happened: Claire and Paul came, Claire gave feedback and complained.
    let (lille, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &lille, registration_body("Claire", &[])).await;
    let paul_lille = register(&app, &lille, registration_body("Paul", &[])).await;
    let entrance = entrance_of(&app, &lille).await;
    for badge in [&claire, &paul_lille] {
        json_with(
            app.post_json(
                "/api/v1/checkins",
                &json!({"token": badge["badge"]["token"], "checkpoint_id": entrance}),
                Some(&staff),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let day = chrono::Duration::days(1);
    set_stop_times(&app, &lille, now_utc() - day * 2, now_utc() - day);
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{lille}/feedback-requests"),
            &json!({}),
            Some(&marketing),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let token = feedback_token(&app, CLAIRE).await;
    json_with(
        app.post_json(
            &format!("/api/v1/feedback/{token}"),
            &json!({"overall": 2, "trainers": 3, "content": 4, "nps": 6,
                    "comment": "Claire Dupont ici : les licences sont trop chères."}),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let complaint = json_with(
        app.post_json(
            "/api/v1/complaints",
            &json!({"stop_id": lille, "theme": "licensing", "registration_id": claire["id"],
                    "summary": "Claire Dupont (Alsace Informatique) : licence", "detail": "Rappeler Claire."}),
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let tour_id = json_with(
        app.get(&format!("/api/v1/stops/{lille}"), None).await,
        StatusCode::OK,
    )
    .await["tour_id"]
        .as_str()
        .expect("tour id")
        .to_owned();

    // Nancy is to come, full: Claire holds the one seat, Paul waits.
    let (nancy, _) = open_stop(&app, 1, &[]).await;
    register(&app, &nancy, registration_body("Claire", &[])).await;
    let paul = register(&app, &nancy, registration_body("Paul", &[])).await;
    assert_eq!(paul["status"], "waitlisted");
    let before = figures(&app, &marketing, &lille, &tour_id).await;
    assert!(
        rows_naming(&app, "claire") > 0,
        "the outbox holds her address"
    );

    let erased = json_with(
        app.api
            .delete(app.url("/api/v1/people/Claire@Alsace-Informatique.fr"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(erased["erased"]["registrations"], 2, "{erased}");
    assert_eq!(erased["erased"]["cancelled"], 1, "{erased}");
    assert_eq!(erased["erased"]["feedback"], 1, "{erased}");
    assert_eq!(erased["erased"]["complaints"], 1, "{erased}");
    let pseudonym = erased["pseudonym"].as_str().expect("pseudonym").to_owned();

    // The figures of what happened are the same.
    assert_eq!(figures(&app, &marketing, &lille, &tour_id).await, before);
    // Her seat at Nancy went to Paul.
    let paul_now = json_with(
        app.get(&format!("/api/v1/manage/{}", manage_token(&paul)), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(paul_now["status"], "confirmed");

    // She is found nowhere.
    problem(
        app.get(&format!("/api/v1/people/{CLAIRE}"), Some(&admin))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        rows_naming(&app, "claire"),
        0,
        "outbox and deliveries scrubbed"
    );
    assert_eq!(rows_naming(&app, "Dupont ici"), 0);
    for q in ["claire", "alsace"] {
        let found = json_with(
            app.get(
                &format!("/api/v1/stops/{lille}/attendees?q={q}"),
                Some(&staff),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let names = found.to_string().to_lowercase();
        assert!(!names.contains("claire"), "search {q}: {names}");
    }
    // Paul's company is the same as hers: only her rows changed.
    let paul_found = json_with(
        app.get(
            &format!("/api/v1/stops/{lille}/attendees?q=paul"),
            Some(&staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(paul_found.to_string().contains("Alsace Informatique"));
    let export = app
        .api
        .get(app.url(&format!("/analytics/stops/{lille}/export/attendees.csv")))
        .bearer_auth(&marketing)
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("csv");
    assert!(!export.to_lowercase().contains("claire"), "{export}");
    assert!(export.contains(&pseudonym), "her row stays, pseudonymised");
    let complaint_now = json_with(
        app.get(
            &format!(
                "/api/v1/complaints/{}",
                complaint["id"].as_str().expect("id")
            ),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        !complaint_now.to_string().contains("Claire"),
        "{complaint_now}"
    );
    assert_eq!(complaint_now["theme"], "licensing");
    assert_eq!(complaint_now["status"], "open");

    // The log says an admin erased someone, without saying who.
    let log = json_with(
        app.get("/api/v1/audit?action=person.erased", Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(log.as_array().map(Vec::len), Some(1), "{log}");
    assert_eq!(log[0]["actor"]["role"], "admin");
    assert!(!log.to_string().to_lowercase().contains("claire"));

    // Erasing again finds nothing; other roles may not erase.
    let again = app
        .api
        .delete(app.url(&format!("/api/v1/people/{CLAIRE}")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let refused = app
        .api
        .delete(app.url("/api/v1/people/paul@alsace-informatique.fr"))
        .bearer_auth(&marketing)
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn after_the_stop_an_attendee_erases_themself_through_the_e_mailed_link() {
    let app = spawn_app().await;
    let (stop, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &stop, registration_body("Claire", &[])).await;
    let token = manage_token(&claire);
    let client = browser("fr");

    // Before the stop: no such offer (cancelling is the way).
    let (_, doc) = page(&client, &app, &format!("/manage/{token}")).await;
    assert!(select(&doc, "#ask-erasure").is_empty());

    let day = chrono::Duration::days(1);
    set_stop_times(&app, &stop, now_utc() - day * 2, now_utc() - day);
    let (_, doc) = page(&client, &app, &format!("/manage/{token}")).await;
    assert_eq!(select(&doc, "#ask-erasure").len(), 1);
    let asked = client
        .post(app.url(&format!("/manage/{token}/erase")))
        .form(&[("csrf_token", csrf_of(&doc))])
        .send()
        .await
        .expect("sent");
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    // Nothing is erased until the link is followed.
    let admin = app.token_for("admin").await;
    json_with(
        app.get(&format!("/api/v1/people/{CLAIRE}"), Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;

    let mut link = None;
    for _ in 0..100 {
        link = app.mail.to(CLAIRE).iter().find_map(|m| {
            crate::mail::text(&m.raw)
                .lines()
                .find(|l| l.contains("/erase/"))
                .map(|l| l.trim().to_owned())
        });
        if link.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let link = link.expect("the confirmation e-mail");
    let path = link
        .split_once("/erase/")
        .map(|(_, t)| format!("/erase/{t}"))
        .expect("path");
    let (status, doc) = page(&client, &app, &path).await;
    assert_eq!(status, StatusCode::OK);
    let shown: String = select(&doc, "#erase-email")[0].text().collect();
    assert_eq!(shown, CLAIRE);
    let done = client
        .post(app.url(&path))
        .form(&[("csrf_token", csrf_of(&doc))])
        .send()
        .await
        .expect("sent");
    assert_eq!(done.status(), StatusCode::OK);
    let done = scraper::Html::parse_document(&done.text().await.expect("body"));
    assert_eq!(select(&done, "#erased").len(), 1);

    problem(
        app.get(&format!("/api/v1/people/{CLAIRE}"), Some(&admin))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The link again: already done. A forged link: not found.
    let (_, again) = page(&client, &app, &path).await;
    assert_eq!(select(&again, "#already").len(), 1);
    let (forged, _) = page(&client, &app, "/erase/forged").await;
    assert_eq!(forged, StatusCode::NOT_FOUND);
    // Roadshow did it at the person's request: no account is the actor.
    let log = json_with(
        app.get("/api/v1/audit?action=person.erased", Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(log[0]["actor"], Value::Null, "{log}");
    assert_eq!(log[0]["details"]["reason"], "request");
}

#[tokio::test]
async fn the_retention_job_pseudonymises_old_stops_and_leaves_newer_ones() {
    let app = spawn_app_with(|s| {
        s.retention_months = 12;
        s.housekeeping_seconds = 1;
    })
    .await;
    let (old, _) = open_stop(&app, 10, &[]).await;
    let (recent, _) = open_stop(&app, 10, &[]).await;
    register(&app, &old, registration_body("Claire", &[])).await;
    register(&app, &recent, registration_body("Claire", &[])).await;
    let day = chrono::Duration::days(1);
    set_stop_times(&app, &old, now_utc() - day * 400, now_utc() - day * 399);
    set_stop_times(&app, &recent, now_utc() - day * 30, now_utc() - day * 29);

    use roadshow::db::schema::registrations;
    let email_at = |stop_id: &str| -> String {
        registrations::table
            .filter(registrations::stop_id.eq(stop_id))
            .select(registrations::email)
            .first(&mut app.connection())
            .expect("read")
    };
    let mut pseudonymised = false;
    for _ in 0..100 {
        if email_at(&old).ends_with("@erased.invalid") {
            pseudonymised = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        pseudonymised,
        "the job pseudonymised the stop ended 399 days ago"
    );
    // The stop of a month ago is kept as it is, and so is the person's registration there.
    assert_eq!(email_at(&recent), CLAIRE);
    // The old stop, once done, is marked so that later runs do not read it again.
    use roadshow::db::schema::stops;
    let mut marked = false;
    for _ in 0..50 {
        let done: Option<chrono::NaiveDateTime> = stops::table
            .find(&old)
            .select(stops::attendees_pseudonymised_at)
            .first(&mut app.connection())
            .expect("read");
        if done.is_some() {
            marked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(marked, "the old stop is marked done");
    let recent_done: Option<chrono::NaiveDateTime> = stops::table
        .find(&recent)
        .select(stops::attendees_pseudonymised_at)
        .first(&mut app.connection())
        .expect("read");
    assert_eq!(recent_done, None);
    let admin = app.token_for("admin").await;
    let held = json_with(
        app.get(&format!("/api/v1/people/{CLAIRE}"), Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(held["registrations"].as_array().map(Vec::len), Some(1));
    let log = json_with(
        app.get(
            "/api/v1/audit?action=person.erased&actor=system",
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(log[0]["details"]["reason"], "retention", "{log}");
}
