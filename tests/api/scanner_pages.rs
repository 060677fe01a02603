//! The scanner pages without JavaScript: a handheld scanner types the badge and Enter.

use reqwest::StatusCode;
use scraper::Html;

use crate::fixtures::{open_stop, registration_body};
use crate::helpers::{TestApp, json_with, spawn_app};
use crate::pages::{browser, csrf_of, page, select};

async fn logged_in_staff(app: &TestApp) -> reqwest::Client {
    crate::pages::logged_in(app, "sophie@roadshow.example", "staff", "fr-FR").await
}

#[tokio::test]
async fn staff_pick_a_checkpoint_and_a_handheld_scanner_gets_verdicts_without_javascript() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[("Le label", 5, 11, 12)]).await;
    let claire = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            &registration_body("Claire", &[]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let client = logged_in_staff(&app).await;

    let (status, doc) = page(&client, &app, "/scan").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!select(&doc, &format!("a[href='/scan/stops/{stop_id}']")).is_empty());
    let (_, doc) = page(&client, &app, &format!("/scan/stops/{stop_id}")).await;
    let links: Vec<String> = select(&doc, ".checkpoint-list a")
        .iter()
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(links.len(), 2, "entrance and the workshop room");
    let entrance = links[0].clone();

    let (_, doc) = page(&client, &app, &entrance).await;
    assert!(select(&doc, "#code")[0].value().attr("autofocus").is_some());
    let csrf = csrf_of(&doc);
    let token = claire["badge"]["token"].as_str().expect("token");
    let scan = |code: String| {
        let client = client.clone();
        let url = app.url(&entrance);
        let csrf = csrf.clone();
        async move {
            let response = client
                .post(url)
                .form(&[("csrf_token", csrf.as_str()), ("code", code.as_str())])
                .send()
                .await
                .expect("sent");
            assert_eq!(response.status(), StatusCode::OK);
            Html::parse_document(&response.text().await.expect("body"))
        }
    };
    let doc = scan(token.to_owned()).await;
    let verdict = &select(&doc, "#verdict")[0];
    assert_eq!(verdict.value().attr("data-result"), Some("ok"));
    let text: String = verdict.text().collect();
    assert!(
        text.contains("Bienvenue Claire Dupont") && text.contains("Alsace Informatique"),
        "{text}"
    );
    assert_eq!(select(&doc, "#count-in")[0].text().collect::<String>(), "1");

    let doc = scan(token.to_owned()).await;
    let verdict = &select(&doc, "#verdict")[0];
    assert_eq!(
        verdict.value().attr("data-result"),
        Some("already_checked_in")
    );
    assert!(
        verdict
            .text()
            .collect::<String>()
            .contains("Déjà enregistré·e à")
    );

    let doc = scan("PHOTO-OF-A-CAT".to_owned()).await;
    assert_eq!(
        select(&doc, "#verdict")[0].value().attr("data-result"),
        Some("invalid_token")
    );
    assert_eq!(select(&doc, "#recent li").len(), 3);

    // Find someone who lost their badge, by name.
    let (_, doc) = page(&client, &app, &format!("{entrance}?q=dupont")).await;
    let found: String = select(&doc, "#found")[0].text().collect();
    assert!(found.contains("Claire Dupont"), "{found}");

    // Undo the mistaken check-in from the list.
    let (_, doc) = page(&client, &app, &entrance).await;
    let undo = select(&doc, "#recent form")[0]
        .value()
        .attr("action")
        .expect("action")
        .to_owned();
    let response = client
        .post(app.url(&undo))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            (
                "checkpoint_id",
                entrance.rsplit('/').next().unwrap_or_default(),
            ),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, doc) = page(&client, &app, &entrance).await;
    assert_eq!(select(&doc, "#count-in")[0].text().collect::<String>(), "0");
}

#[tokio::test]
async fn a_walk_in_is_registered_at_the_door_and_let_in() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let client = logged_in_staff(&app).await;
    let (_, doc) = page(&client, &app, &format!("/scan/stops/{stop_id}/walk-in")).await;
    let csrf = csrf_of(&doc);
    let path = format!("/scan/stops/{stop_id}/walk-in");
    let missing = client
        .post(app.url(&path))
        .form(&[("csrf_token", csrf.as_str()), ("first_name", "Paul")])
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("first_name", "Paul"),
            ("last_name", "Martin"),
            ("email", "paul@martin-micro.fr"),
            ("company", "Martin Micro"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let (_, doc) = page(&client, &app, &location).await;
    assert_eq!(
        select(&doc, "#verdict")[0].value().attr("data-result"),
        Some("ok")
    );
    assert_eq!(select(&doc, "#count-in")[0].text().collect::<String>(), "1");
    app.mail.wait_for(1).await;
}

#[tokio::test]
async fn marketing_cannot_open_the_scanner() {
    let app = spawn_app().await;
    app.create_user("m@roadshow.example", "marketing", "correct horse battery");
    let client = browser("en");
    let (_, doc) = page(&client, &app, "/login").await;
    client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("email", "m@roadshow.example"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .expect("sent");
    let (status, _) = page(&client, &app, "/scan").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_admin_revokes_a_lost_device_from_the_stop_page() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let staff = app.token_for("staff").await;
    let device = json_with(
        app.post_json(
            "/api/v1/devices",
            &serde_json::json!({"stop_id": stop_id, "name": "Accueil 2"}),
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let device_token = device["token"].as_str().expect("token").to_owned();
    let status_path = format!("/api/v1/stops/{stop_id}/scanner-data");
    assert_eq!(
        app.get(&status_path, Some(&device_token)).await.status(),
        StatusCode::OK
    );

    let admin = crate::pages::logged_in_admin(&app, "en").await;
    let (_, doc) = page(&admin, &app, &format!("/admin/stops/{stop_id}")).await;
    let listed: String = select(&doc, "#devices")[0].text().collect();
    assert!(listed.contains("Accueil 2"), "{listed}");
    let action = select(&doc, "#devices form")[0]
        .value()
        .attr("action")
        .expect("action")
        .to_owned();
    let response = admin
        .post(app.url(&action))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("stop_id", stop_id.as_str()),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"].to_str().expect("ascii"),
        format!("/admin/stops/{stop_id}")
    );
    assert_eq!(
        app.get(&status_path, Some(&device_token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
