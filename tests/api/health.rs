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

/// The pool takes a PostgreSQL connection that answered a moment ago as alive and tests one
/// idle for longer (`db::liveness`). When the server drops every connection (a restart), a
/// request after a pause is served at once; right after, each open connection fails at most
/// its next request, as a 503 the client may retry, and is then replaced.
#[tokio::test]
async fn dropped_database_connections_are_replaced() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let mut conn = app.connection();
    if !matches!(conn, roadshow::db::DbConnection::Pg(_)) {
        return; // a SQLite file is not dropped by a server
    }
    let token = app.token_for("admin").await;
    let mut drop_connections = || {
        diesel::sql_query(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .execute(&mut conn)
        .expect("terminate the server's connections")
    };
    let list_tours = || app.get("/api/v1/tours", Some(&token));
    json_with(list_tours().await, StatusCode::OK).await;

    // After a pause, the pool tests what it hands out.
    assert!(drop_connections() > 0);
    tokio::time::sleep(roadshow::db::liveness::TRUSTED_FOR * 3 / 2).await;
    for _ in 0..5 {
        json_with(list_tours().await, StatusCode::OK).await;
    }

    // At once: the connections that just answered are trusted, and a lost one is dropped.
    let open = drop_connections();
    let mut failed = 0;
    for _ in 0..open + 5 {
        let response = list_tours().await;
        if response.status() != StatusCode::OK {
            let body = problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
            assert_eq!(
                body["type"], "https://roadshow.example/problems/unavailable",
                "{body}"
            );
            failed += 1;
        }
    }
    assert!(failed <= open, "{failed} failures for {open} connections");
    for _ in 0..5 {
        json_with(list_tours().await, StatusCode::OK).await;
    }
}

/// On SQLite the WAL is checkpointed by a thread of its own after writes, not by the writer
/// that every scan waits on; `/metrics` counts those checkpoints (none on PostgreSQL).
#[tokio::test]
async fn writes_are_checkpointed_off_the_writers_path_on_sqlite() {
    let app = spawn_app().await;
    crate::fixtures::open_stop(&app, 10, &[]).await;
    let sqlite = matches!(
        app.settings.database_url,
        roadshow::config::DatabaseUrl::Sqlite(_)
    );
    let checkpoints = || async {
        let text = app.get("/metrics", None).await.text().await.expect("body");
        text.lines()
            .find_map(|line| line.strip_prefix("roadshow_db_wal_checkpoints "))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .expect("the gauge is exported")
    };
    let mut seen = checkpoints().await;
    for _ in 0..100 {
        if seen > 0.0 || !sqlite {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        seen = checkpoints().await;
    }
    assert_eq!(seen > 0.0, sqlite, "{seen} checkpoints");
}
