//! The API contract as outside clients meet it: the served OpenAPI document lists exactly the
//! routes the server mounts, declares every error it answers, and the server keeps to it
//! (405 with `Allow`, unknown fields refused, a company size given as a headcount).
//! schemathesis checks the rest in CI (`.ci/run`).

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{open_stop, register, registration_body};
use crate::helpers::{json_with, problem, spawn_app};

/// Every `(METHOD, path)` mounted under `/api/v1`, read from the route attributes
/// (`#[post("/api/v1/…")]`) and `web::resource("/api/v1/…")…route(web::post()…)` in `src/`.
fn mounted_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    let mut files = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("src is readable") {
                files.push(entry.expect("entry").path());
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("source is UTF-8");
        for method in ["get", "post", "put", "patch", "delete"] {
            for (at, _) in source.match_indices(&format!("#[{method}(\"/api/")) {
                let rest = &source[at + method.len() + 4..];
                let route = rest.split('"').next().expect("a quoted path");
                routes.insert((method.to_uppercase(), route.to_owned()));
            }
        }
        for (at, _) in source.match_indices("web::resource(\"/api/") {
            let rest = &source[at + "web::resource(\"".len()..];
            let route = rest.split('"').next().expect("a quoted path");
            let definition = rest.split(';').next().unwrap_or_default();
            for method in ["get", "post", "put", "patch", "delete"] {
                if definition.contains(&format!(".route(web::{method}()")) {
                    routes.insert((method.to_uppercase(), route.to_owned()));
                }
            }
        }
    }
    routes
}

fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            routes.insert((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

#[tokio::test]
async fn the_served_document_lists_exactly_the_routes_mounted_under_api_v1() {
    let app = spawn_app().await;
    let doc = json_with(app.get("/api/v1/openapi.json", None).await, StatusCode::OK).await;
    let mut mounted = mounted_routes();
    // The document does not list itself.
    assert!(mounted.remove(&("GET".to_owned(), "/api/v1/openapi.json".to_owned())));
    assert!(mounted.len() > 40, "the scan finds the routes: {mounted:?}");
    let documented = documented_routes(&doc);
    let undocumented: Vec<_> = mounted.difference(&documented).collect();
    let unmounted: Vec<_> = documented.difference(&mounted).collect();
    assert!(
        undocumented.is_empty(),
        "mounted, not documented: {undocumented:?}"
    );
    assert!(
        unmounted.is_empty(),
        "documented, not mounted: {unmounted:?}"
    );
}

#[tokio::test]
async fn every_operation_declares_the_errors_the_server_gives_it() {
    let app = spawn_app().await;
    let doc = json_with(app.get("/api/v1/openapi.json", None).await, StatusCode::OK).await;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let declared = |status: &str| operation["responses"][status].is_object();
            let name = format!("{method} {path}");
            if operation["security"].is_array() {
                assert!(declared("401") && declared("403"), "{name}: 401 and 403");
            }
            if path.contains('{') {
                assert!(declared("404"), "{name}: 404");
            }
            if operation["requestBody"].is_object() {
                for status in ["400", "413", "415", "422"] {
                    assert!(declared(status), "{name}: {status}");
                }
            }
            if method != "get" {
                assert!(declared("429"), "{name}: 429");
            }
            for (status, response) in operation["responses"].as_object().expect("responses") {
                if !status.starts_with('2') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{name}: {status} is a problem"
                    );
                }
            }
        }
    }
    // Request bodies are closed: what the server refuses, the document does not allow.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for (name, schema) in schemas {
        if name.ends_with("Request") {
            assert_eq!(schema["additionalProperties"], false, "{name}");
        }
    }
    let stop_body = crate::fixtures::stop_body("Lille", json!({"colour": "blue"}));
    let admin = app.token_for("admin").await;
    let tour = crate::fixtures::create_tour(&app, &admin, "Contrat").await;
    let tour_id = tour["id"].as_str().expect("id");
    let refused = problem(
        app.post_json(
            &format!("/api/v1/tours/{tour_id}/stops"),
            &stop_body,
            Some(&admin),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        refused["detail"].is_string() && refused["errors"].is_object(),
        "{refused}"
    );
}

#[tokio::test]
async fn a_known_path_asked_with_another_method_is_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (reqwest::Method::PUT, "/api/v1/tours", "GET, POST"),
        (reqwest::Method::DELETE, "/api/v1/checkins", "POST"),
        (reqwest::Method::GET, "/api/v1/outcomes/import", "POST"),
        (reqwest::Method::GET, "/api/v1/outcomes/some-id", "DELETE"),
        (reqwest::Method::POST, "/api/v1/openapi.json", "GET"),
    ] {
        let response = app
            .api
            .request(method.clone(), app.url(path))
            .send()
            .await
            .expect("sent");
        let allowed = response.headers()["allow"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_eq!(allowed, allow, "{method} {path}");
        let body = problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
        assert_eq!(body["status"], 405);
    }
    // An unknown path stays a 404.
    let response = app
        .api
        .request(reqwest::Method::PUT, app.url("/api/v1/nothing-here"))
        .send()
        .await
        .expect("sent");
    problem(response, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_company_size_is_a_headcount_or_a_band() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 50, &[]).await;
    for (i, (sent, stored)) in [
        (json!(12), "6-20"),
        (json!(12.0), "6-20"),
        (json!(1), "1-5"),
        (json!(250), "51-250"),
        (json!(251), "250+"),
        (json!("21-50"), "21-50"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = registration_body(&format!("Size{i}"), &[]);
        body["company_size"] = sent.clone();
        let registration = register(&app, &stop_id, body).await;
        assert_eq!(registration["company_size"], stored, "{sent}");
    }
    for (i, sent) in [json!(0), json!(-3), json!(2.5), json!("12"), json!(true)]
        .into_iter()
        .enumerate()
    {
        let mut body = registration_body(&format!("Bad{i}"), &[]);
        body["company_size"] = sent.clone();
        let refused = problem(
            app.post_json(
                &format!("/api/v1/stops/{stop_id}/registrations"),
                &body,
                None,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            refused["errors"]["company_size"].is_string(),
            "{sent}: {refused}"
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let response = app
        .post_raw(
            "/api/v1/auth/tokens",
            "text/plain",
            "email=a&password=b",
            None,
        )
        .await;
    problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}
