//! A tour is set up as a draft, hidden from the public, then published; tours, stops and
//! workshops nobody registered for can be deleted, and the others cannot.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{registration_body, stop_body};
use crate::helpers::{TestApp, json_with, problem, spawn_app};
use crate::pages::{browser, csrf_of, logged_in_admin, page};

/// A draft tour with one stop, made through the API: `(tour, stop id)`.
async fn draft_with_a_stop(app: &TestApp, admin: &str, name: &str) -> (Value, String) {
    let tour = json_with(
        app.post_json(
            "/api/v1/tours",
            &json!({"name": name, "draft": true}),
            Some(admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(tour["published"], false);
    let stop = json_with(
        app.post_json(
            &format!("/api/v1/tours/{}/stops", tour["id"].as_str().expect("id")),
            &stop_body("Rennes", json!({})),
            Some(admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (tour, stop["id"].as_str().expect("stop").to_owned())
}

#[tokio::test]
async fn a_draft_tour_is_hidden_from_the_public_until_it_is_published() {
    let app = spawn_app().await;
    let admin = app.token_for("admin").await;
    let (tour, stop_id) = draft_with_a_stop(&app, &admin, "Printemps des partenaires").await;
    let tour_id = tour["id"].as_str().expect("id");
    let slug = tour["slug"].as_str().expect("slug");
    let path = format!("/api/v1/stops/{stop_id}/registrations");
    let body = registration_body("Claire", &[]);
    let register = || app.post_json(&path, &body, None);

    // The public: no tour, no stop, no registration, nothing listed.
    problem(
        app.get(&format!("/api/v1/tours/{slug}"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(register().await, StatusCode::NOT_FOUND).await;
    let listed = json_with(app.get("/api/v1/tours", None).await, StatusCode::OK).await;
    assert!(!listed.to_string().contains(tour_id), "{listed}");
    let visitor = browser("fr-FR");
    for path in [
        format!("/tours/{slug}"),
        format!("/stops/{stop_id}"),
        format!("/stops/{stop_id}/register"),
    ] {
        let (status, _) = page(&visitor, &app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, home) = page(&visitor, &app, "/").await;
    assert!(!home.html().contains("Printemps des partenaires"));

    // The admins see it, marked.
    let seen = json_with(
        app.get(&format!("/api/v1/tours/{tour_id}"), Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["published"], false);
    let client = logged_in_admin(&app, "en").await;
    let (_, doc) = page(&client, &app, &format!("/admin/tours/{tour_id}")).await;
    assert!(doc.html().contains("draft"), "the draft is marked");

    // Published: open to all.
    let published = json_with(
        app.patch_json(
            &format!("/api/v1/tours/{tour_id}"),
            &json!({"published": true}),
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(published["published"], true);
    json_with(
        app.get(&format!("/api/v1/tours/{slug}"), None).await,
        StatusCode::OK,
    )
    .await;
    json_with(register().await, StatusCode::CREATED).await;
    let (status, _) = page(&visitor, &app, &format!("/stops/{stop_id}/register")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_tour_made_on_the_admin_form_is_a_draft_unless_published_is_ticked() {
    let app = spawn_app().await;
    let client = logged_in_admin(&app, "en").await;
    for (name, tick) in [("Tournée brouillon", false), ("Tournée publiée", true)] {
        let (_, doc) = page(&client, &app, "/admin/tours/new").await;
        let csrf = csrf_of(&doc);
        let mut form = vec![
            ("csrf_token", csrf.as_str()),
            ("name", name),
            ("default_locale", "fr"),
        ];
        if tick {
            form.push(("published", "yes"));
        }
        let response = client
            .post(app.url("/admin/tours"))
            .form(&form)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
    }
    let listed = json_with(app.get("/api/v1/tours", None).await, StatusCode::OK).await;
    let names: Vec<&str> = listed
        .as_array()
        .expect("tours")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(names.contains(&"Tournée publiée"), "{names:?}");
    assert!(!names.contains(&"Tournée brouillon"), "{names:?}");
}

#[tokio::test]
async fn what_nobody_used_can_be_deleted_and_what_people_used_is_kept() {
    let app = spawn_app().await;
    let admin = app.token_for("admin").await;
    let (tour, stop_id) = draft_with_a_stop(&app, &admin, "Printemps des partenaires").await;
    let tour_id = tour["id"].as_str().expect("id").to_owned();
    let workshop = |title: &'static str| {
        let admin = admin.clone();
        let path = format!("/api/v1/stops/{stop_id}/workshops");
        let app = &app;
        async move {
            let body = json!({"title": title, "room": "Salle 1", "trainer": "Marc Schneider",
                "starts_at": "2027-10-13T11:00:00+02:00", "ends_at": "2027-10-13T12:00:00+02:00",
                "capacity": 10});
            json_with(
                app.post_json(&path, &body, Some(&admin)).await,
                StatusCode::CREATED,
            )
            .await["id"]
                .as_str()
                .expect("id")
                .to_owned()
        }
    };
    let chosen = workshop("Cloud").await;
    let unused = workshop("Doublon").await;
    json_with(
        app.patch_json(
            &format!("/api/v1/tours/{tour_id}"),
            &json!({"published": true}),
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            &registration_body("Claire", &[&chosen]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let delete = |path: String, token: Option<String>| {
        let app = &app;
        async move {
            app.api
                .delete(app.url(&path))
                .bearer_auth(token.unwrap_or_default())
                .send()
                .await
                .expect("sent")
        }
    };

    // Only admins; what people used is kept, saying why.
    let staff = app.token_for("staff").await;
    problem(
        delete(format!("/api/v1/workshops/{unused}"), Some(staff)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    for path in [
        format!("/api/v1/workshops/{chosen}"),
        format!("/api/v1/stops/{stop_id}"),
        format!("/api/v1/tours/{tour_id}"),
    ] {
        let refused = problem(
            delete(path.clone(), Some(admin.clone())).await,
            StatusCode::CONFLICT,
        )
        .await;
        assert!(
            refused["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("kept"),
            "{path}: {refused}"
        );
    }
    // The unused workshop goes, with its checkpoint.
    let gone = delete(format!("/api/v1/workshops/{unused}"), Some(admin.clone())).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stop["workshops"].as_array().map(Vec::len), Some(1));
    assert_eq!(stop["checkpoints"].as_array().map(Vec::len), Some(2));
    problem(
        delete(format!("/api/v1/workshops/{unused}"), Some(admin.clone())).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A tour nobody registered for is deleted from its page, once the box is ticked.
    let (empty, _) = draft_with_a_stop(&app, &admin, "Tournée en trop").await;
    let empty_id = empty["id"].as_str().expect("id");
    let client = logged_in_admin(&app, "en").await;
    let (_, doc) = page(&client, &app, &format!("/admin/tours/{empty_id}")).await;
    let csrf = csrf_of(&doc);
    let action = format!("/admin/tours/{empty_id}/delete");
    let unticked = client
        .post(app.url(&action))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(unticked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ticked = client
        .post(app.url(&action))
        .form(&[("csrf_token", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .expect("sent");
    assert_eq!(ticked.status(), StatusCode::SEE_OTHER);
    problem(
        app.get(&format!("/api/v1/tours/{empty_id}"), Some(&admin))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
