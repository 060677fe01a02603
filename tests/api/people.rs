//! Personal data: an admin gets everything held about one address, across tours; nothing held
//! is a 404; other roles may not look.

use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{entrance_of, open_stop, register, registration_body};
use crate::helpers::{json_with, problem, spawn_app};

#[tokio::test]
async fn an_admin_gets_everything_held_about_an_address_across_tours() {
    let app = spawn_app().await;
    let admin = app.token_for("admin").await;
    let staff = app.token_for("staff").await;
    let (lille, _) = open_stop(&app, 10, &[]).await;
    let (nancy, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &lille, registration_body("Claire", &[])).await;
    register(&app, &nancy, registration_body("Claire", &[])).await;
    register(&app, &lille, registration_body("Paul", &[])).await;
    let entrance = entrance_of(&app, &lille).await;
    json_with(
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": claire["badge"]["token"], "checkpoint_id": entrance}),
            Some(&staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // Any case, as people type it.
    let held = json_with(
        app.get("/api/v1/people/Claire@Alsace-Informatique.fr", Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(held["email"], "claire@alsace-informatique.fr");
    let stops: Vec<&str> = held["registrations"]
        .as_array()
        .expect("registrations")
        .iter()
        .filter_map(|r| r["stop_id"].as_str())
        .collect();
    assert_eq!(stops, vec![lille.as_str(), nancy.as_str()]);
    assert!(held["registrations"][0]["consent_at"].is_string());
    assert_eq!(held["scans"].as_array().map(Vec::len), Some(1));
    assert_eq!(held["scans"][0]["result"], "ok");
    assert_eq!(held["check_ins"].as_array().map(Vec::len), Some(1));
    // Her confirmations, queued to her address: two, whatever became of them.
    assert_eq!(held["emails"].as_array().map(Vec::len), Some(2), "{held}");
    // Nobody else's rows.
    assert!(!held.to_string().contains("paul@"));

    problem(
        app.get("/api/v1/people/nobody@example.fr", Some(&admin))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for role in ["marketing", "staff"] {
        let token = app.token_for(role).await;
        problem(
            app.get("/api/v1/people/claire@alsace-informatique.fr", Some(&token))
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
}

#[tokio::test]
async fn the_admin_page_looks_a_person_up_and_downloads_the_same_data() {
    use crate::pages::{logged_in_admin, page, select};
    let app = spawn_app().await;
    let (stop, _) = open_stop(&app, 10, &[]).await;
    register(&app, &stop, registration_body("Claire", &[])).await;
    let client = logged_in_admin(&app, "fr").await;
    let (status, doc) = page(
        &client,
        &app,
        "/admin/people?email=claire%40alsace-informatique.fr",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let found: String = select(&doc, "#found")[0].text().collect();
    assert_eq!(found, "claire@alsace-informatique.fr");
    let facts: String = select(&doc, "dl.facts")
        .iter()
        .flat_map(|e| e.text())
        .collect();
    assert!(facts.contains("Inscriptions"), "{facts}");
    let href = select(&doc, "#download")[0]
        .value()
        .attr("href")
        .expect("href")
        .to_owned();
    let download = client.get(app.url(&href)).send().await.expect("sent");
    assert_eq!(download.status(), StatusCode::OK);
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|v| v.starts_with("attachment"))
    );
    let mut held: serde_json::Value = download.json().await.expect("json");
    let admin = app.token_for("admin").await;
    let same = json_with(
        app.get("/api/v1/people/claire@alsace-informatique.fr", Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    let mut same = same;
    // The confirmation may leave between the two reads: its status is not compared.
    for data in [&mut held, &mut same] {
        data.as_object_mut().expect("object").remove("emails");
    }
    assert_eq!(held, same, "the page and the API give the same data");
    let (_, none) = page(&client, &app, "/admin/people?email=nobody%40example.fr").await;
    assert_eq!(select(&none, "#nothing").len(), 1);
}
