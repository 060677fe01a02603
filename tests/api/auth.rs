use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::create_tour;
use crate::helpers::{json_with, problem, spawn_app};

#[tokio::test]
async fn a_user_trades_email_and_password_for_a_bearer_token() {
    let app = spawn_app().await;
    app.create_user(
        "Claire.Admin@Roadshow.example",
        "admin",
        "correct horse battery",
    );
    let response = app
        .post_json(
            "/api/v1/auth/tokens",
            &json!({"email": "claire.admin@roadshow.example", "password": "correct horse battery"}),
            None,
        )
        .await;
    let body = json_with(response, StatusCode::CREATED).await;
    assert_eq!(body["role"], "admin");
    assert!(body["token"].as_str().is_some_and(|t| t.len() > 40));
    let expires =
        chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().expect("string"))
            .expect("rfc3339");
    assert!(expires > chrono::Utc::now());
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = spawn_app().await;
    app.create_user("staff@roadshow.example", "staff", "correct horse battery");
    let wrong_password = problem(
        app.post_json(
            "/api/v1/auth/tokens",
            &json!({"email": "staff@roadshow.example", "password": "nope nope"}),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = problem(
        app.post_json(
            "/api/v1/auth/tokens",
            &json!({"email": "nobody@roadshow.example", "password": "nope nope"}),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(wrong_password, unknown);
}

#[tokio::test]
async fn roles_decide_who_may_set_up_tours() {
    let app = spawn_app().await;
    let body = json!({"name": "Tour"});
    let cases = [
        (None, StatusCode::UNAUTHORIZED),
        (Some("not-a-token".to_owned()), StatusCode::UNAUTHORIZED),
        (Some(app.token_for("staff").await), StatusCode::FORBIDDEN),
        (
            Some(app.token_for("marketing").await),
            StatusCode::FORBIDDEN,
        ),
        (Some(app.token_for("admin").await), StatusCode::CREATED),
    ];
    for (i, (token, expected)) in cases.into_iter().enumerate() {
        let body = json!({"name": format!("{} {i}", body["name"].as_str().unwrap_or_default())});
        let response = app
            .post_json("/api/v1/tours", &body, token.as_deref())
            .await;
        assert_eq!(response.status(), expected, "case {i}");
    }
}

#[tokio::test]
async fn an_expired_token_is_refused_with_401() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    // Arrange: age every token past its expiry.
    {
        use diesel::RunQueryDsl;
        let mut conn = app.connection();
        diesel::sql_query("UPDATE api_tokens SET expires_at = '2000-01-01 00:00:00'")
            .execute(&mut conn)
            .expect("expire tokens");
    }
    let response = app
        .post_json("/api/v1/tours", &json!({"name": "Late"}), Some(&token))
        .await;
    let body = problem(response, StatusCode::UNAUTHORIZED).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expired"),
        "{body}"
    );
}

#[tokio::test]
async fn token_requests_with_missing_fields_get_422() {
    let app = spawn_app().await;
    let body = problem(
        app.post_json("/api/v1/auth/tokens", &json!({"email": "x@y.fr"}), None)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"]["password"], "is required");
    // Setup reads remain public.
    let token = app.token_for("admin").await;
    let tour = create_tour(&app, &token, "Public").await;
    let id = tour["id"].as_str().expect("id");
    assert_eq!(
        app.get(&format!("/api/v1/tours/{id}"), None).await.status(),
        StatusCode::OK
    );
}
