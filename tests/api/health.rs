use reqwest::StatusCode;

use crate::helpers::{json_with, problem, spawn_app};

#[tokio::test]
async fn health_and_readiness_answer_ok() {
    let app = spawn_app().await;
    let health = json_with(app.get("/healthz", None).await, StatusCode::OK).await;
    assert_eq!(health["status"], "ok");
    let ready = json_with(app.get("/readyz", None).await, StatusCode::OK).await;
    assert_eq!(ready["status"], "ready");
    // Bound to port 0, the base URL used in links follows the real port.
    assert_eq!(app.settings.base_url.as_str(), format!("{}/", app.address));
}

#[tokio::test]
async fn metrics_are_prometheus_text_with_request_counts() {
    let app = spawn_app().await;
    app.get("/healthz", None).await;
    let response = app.get("/metrics", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("body");
    assert!(
        text.contains("# TYPE roadshow_http_requests counter"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"roadshow_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("roadshow_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("roadshow_db_pool_connections"), "{text}");
}

#[tokio::test]
async fn the_openapi_document_describes_the_setup_api() {
    let app = spawn_app().await;
    let doc = json_with(app.get("/api/v1/openapi.json", None).await, StatusCode::OK).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for (path, method) in [
        ("/api/v1/auth/tokens", "post"),
        ("/api/v1/tours", "post"),
        ("/api/v1/tours/{tour_id}", "get"),
        ("/api/v1/tours/{tour_id}/stops", "post"),
        ("/api/v1/stops/{stop_id}", "get"),
        ("/api/v1/stops/{stop_id}/workshops", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn unknown_api_paths_are_problem_404_and_unknown_pages_are_html_404() {
    let app = spawn_app().await;
    problem(
        app.get("/api/v1/nothing-here", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let page = app.get("/nothing-here", None).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let content_type = page.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
}
