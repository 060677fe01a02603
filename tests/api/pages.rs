use reqwest::{Client, StatusCode};
use scraper::{Html, Selector};

use crate::helpers::{TestApp, spawn_app};

/// A browser-like client: keeps cookies, does not follow redirects, speaks `language`.
pub fn browser(language: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_str(language).expect("header"),
    );
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

pub fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).expect("selector"))
        .collect()
}

/// The CSRF token of the first form on the page.
pub fn csrf_of(doc: &Html) -> String {
    select(doc, "input[name=csrf_token]")
        .first()
        .and_then(|e| e.value().attr("value"))
        .expect("a csrf_token field")
        .to_owned()
}

pub async fn page(client: &Client, app: &TestApp, path: &str) -> (StatusCode, Html) {
    let response = client.get(app.url(path)).send().await.expect("sent");
    let status = response.status();
    (
        status,
        Html::parse_document(&response.text().await.expect("body")),
    )
}

/// Creates an account of `role` and logs it in through the login form.
pub async fn logged_in(app: &TestApp, email: &str, role: &str, language: &str) -> Client {
    app.create_user(email, role, "correct horse battery");
    let client = browser(language);
    let (_, doc) = page(&client, app, "/login").await;
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("email", email),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    client
}

/// Logs in as a new admin through the login form.
pub async fn logged_in_admin(app: &TestApp, language: &str) -> Client {
    app.create_user("admin@roadshow.example", "admin", "correct horse battery");
    let client = browser(language);
    let (_, doc) = page(&client, app, "/login").await;
    let csrf = csrf_of(&doc);
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", "admin@roadshow.example"),
            ("password", "correct horse battery"),
            ("next", "/admin"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/admin");
    client
}

#[tokio::test]
async fn admin_pages_send_anonymous_visitors_to_the_login_page() {
    let app = spawn_app().await;
    let response = browser("en")
        .get(app.url("/admin/tours/new"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/login?next=%2Fadmin%2Ftours%2Fnew"
    );
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_a_message() {
    let app = spawn_app().await;
    app.create_user("admin@roadshow.example", "admin", "correct horse battery");
    let client = browser("fr-FR,fr;q=0.9");
    let (_, doc) = page(&client, &app, "/login").await;
    assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some("fr"));
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("email", "admin@roadshow.example"),
            ("password", "wrong"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let doc = Html::parse_document(&response.text().await.expect("body"));
    let alert: String = select(&doc, ".alert")[0].text().collect();
    assert!(alert.contains("mot de passe incorrect"), "{alert}");
    assert_eq!(
        select(&doc, "input[name=email]")[0].value().attr("value"),
        Some("admin@roadshow.example")
    );
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    let client = logged_in_admin(&app, "en").await;
    let response = client
        .post(app.url("/admin/tours"))
        .form(&[("name", "Forged"), ("csrf_token", "forged-token")])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let tours: serde_json::Value = app
        .get("/api/v1/tours", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(tours, serde_json::json!([]), "nothing was created");
}

#[tokio::test]
async fn an_admin_creates_a_tour_and_a_stop_through_the_forms() {
    let app = spawn_app().await;
    let client = logged_in_admin(&app, "en-GB,en;q=0.8").await;

    let (status, doc) = page(&client, &app, "/admin/tours/new").await;
    assert_eq!(status, StatusCode::OK);
    let response = client
        .post(app.url("/admin/tours"))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("name", "Tour de France 2027"),
            ("slug", ""),
            ("description", ""),
            ("default_locale", "fr"),
            ("target_certifications", "550"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    // The tour's page, told to confirm the save.
    let (tour_path, query) = location.split_once('?').expect("a query");
    assert_eq!(query, "updated=1");
    let (_, doc) = page(&client, &app, &location).await;
    let saved: String = select(&doc, "#updated[role=status]")[0].text().collect();
    assert_eq!(saved, "Saved.");
    let tour_path = tour_path.to_owned();

    // The stop form with errors: each error beside its field, typed values kept.
    let (_, doc) = page(&client, &app, &format!("{tour_path}/stops/new")).await;
    // The zone is chosen among the IANA names, not typed.
    let zone: String = select(&doc, "select#f-timezone option[selected]")[0]
        .text()
        .collect();
    assert_eq!(zone, "Europe/Paris");
    assert!(select(&doc, "select#f-timezone option").len() > 300);
    let csrf = csrf_of(&doc);
    let stops_path = format!("{tour_path}/stops");
    let response = client
        .post(app.url(&stops_path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("city", ""),
            ("venue", "Palais des Congrès"),
            ("timezone", "Europe/Paris"),
            ("starts_at", "2027-10-13T09:00"),
            ("ends_at", "2027-10-13T17:30"),
            ("capacity", "-5"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Html::parse_document(&response.text().await.expect("body"));
    let errors: Vec<String> = select(&doc, ".field.has-error input")
        .iter()
        .filter_map(|e| e.value().attr("name").map(str::to_owned))
        .collect();
    assert_eq!(errors, vec!["city".to_owned(), "capacity".to_owned()]);
    assert_eq!(
        select(&doc, "input[name=venue]")[0].value().attr("value"),
        Some("Palais des Congrès")
    );
    let capacity_error: String = select(&doc, "#e-capacity")[0].text().collect();
    assert_eq!(capacity_error, "must be a positive whole number");

    // Fixed: created, and listed on the tour page with its local date.
    let response = client
        .post(app.url(&stops_path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("city", "Colmar"),
            ("venue", "Parc des Expositions"),
            ("timezone", "Europe/Paris"),
            ("starts_at", "2027-10-13T09:00"),
            ("ends_at", "2027-10-13T17:30"),
            ("capacity", "250"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, doc) = page(&client, &app, &tour_path).await;
    let rows: Vec<String> = select(&doc, "#stops tbody tr")
        .iter()
        .map(|r| r.text().collect())
        .collect();
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("Colmar") && rows[0].contains("Wed 13 Oct 2027"),
        "{rows:?}"
    );

    // The API sees the same stop at 09:00 Paris time (an admin's: a tour made on the form is a
    // draft until published).
    let tour_id = tour_path.rsplit('/').next().expect("id");
    let admin_token = app.token_for("admin").await;
    let tour: serde_json::Value = app
        .get(&format!("/api/v1/tours/{tour_id}"), Some(&admin_token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(tour["stops"][0]["starts_at"], "2027-10-13T09:00:00+02:00");
    assert_eq!(tour["targets"][0]["value"], 550);
    assert_eq!(tour["published"], false);
}

#[tokio::test]
async fn staff_cannot_open_admin_pages() {
    let app = spawn_app().await;
    app.create_user("staff@roadshow.example", "staff", "correct horse battery");
    let client = browser("en");
    let (_, doc) = page(&client, &app, "/login").await;
    client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("email", "staff@roadshow.example"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .expect("sent");
    let (status, _) = page(&client, &app, "/admin").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_language_switch_sticks_to_the_next_pages() {
    let app = spawn_app().await;
    let client = browser("fr-FR,fr;q=0.9");
    let (_, doc) = page(&client, &app, "/login").await;
    assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some("fr"));
    // The switch in the header, then pages without `?lang=`: still English.
    let switch = select(&doc, "a[hreflang=en]")[0]
        .value()
        .attr("href")
        .expect("the language switch")
        .to_owned();
    let (_, doc) = page(&client, &app, &switch).await;
    assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some("en"));
    for path in ["/login", "/"] {
        let (_, doc) = page(&client, &app, path).await;
        assert_eq!(
            select(&doc, "html")[0].value().attr("lang"),
            Some("en"),
            "{path}"
        );
    }
    // And back.
    let (_, doc) = page(&client, &app, "/login?lang=fr").await;
    assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some("fr"));
    let (_, doc) = page(&client, &app, "/").await;
    assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some("fr"));
}
