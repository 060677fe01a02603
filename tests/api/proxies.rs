//! Behind a reverse proxy: the forwarding headers are believed from `ROADSHOW_TRUSTED_PROXIES`
//! only. From a trusted proxy, each forwarded client has its own rate limit and
//! `X-Forwarded-Proto: https` makes cookies `Secure`; from anyone else, the same headers change
//! nothing.

use reqwest::StatusCode;
use roadshow::web::client::TrustedProxies;

use crate::fixtures::{open_stop, registration_body};
use crate::helpers::{TestApp, spawn_app_with};

/// An anonymous registration sent as if through a proxy that says it came from `client`.
async fn register_from(app: &TestApp, stop_id: &str, client: &str, name: &str) -> StatusCode {
    app.api
        .post(app.url(&format!("/api/v1/stops/{stop_id}/registrations")))
        .header("x-forwarded-for", client)
        .json(&registration_body(name, &[]))
        .send()
        .await
        .expect("sent")
        .status()
}

/// The login page asked for with `X-Forwarded-Proto: https` (and a language chosen, so that
/// every cookie roadshow sets comes back: the form's and the language's).
async fn login_page_said_https(app: &TestApp) -> reqwest::Response {
    app.api
        .get(app.url("/login?lang=en"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("sent")
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn each_client_named_by_a_trusted_proxy_has_its_own_limit() {
    let app = spawn_app_with(|s| {
        s.rate_limit_per_minute = 2;
        s.trusted_proxies = TrustedProxies::parse("127.0.0.1, ::1").expect("proxies");
    })
    .await;
    let (stop_id, _) = open_stop(&app, 100, &[]).await;
    assert_eq!(
        register_from(&app, &stop_id, "203.0.113.1", "A1").await,
        StatusCode::CREATED
    );
    assert_eq!(
        register_from(&app, &stop_id, "203.0.113.1", "A2").await,
        StatusCode::CREATED
    );
    assert_eq!(
        register_from(&app, &stop_id, "203.0.113.1", "A3").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another reseller behind the same balancer is not throttled by the first.
    assert_eq!(
        register_from(&app, &stop_id, "203.0.113.2", "B1").await,
        StatusCode::CREATED
    );
    // A client cannot escape its limit by writing a hop of its own before the proxy's.
    assert_eq!(
        register_from(&app, &stop_id, "198.51.100.77, 203.0.113.1", "A4").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 2).await;
    let (stop_id, _) = open_stop(&app, 100, &[]).await;
    // The fixture's login was the first write of this address; then one more is allowed.
    assert_eq!(
        register_from(&app, &stop_id, "203.0.113.1", "A1").await,
        StatusCode::CREATED
    );
    // A new made-up address each time: still the same peer, so still limited.
    assert_eq!(
        register_from(&app, &stop_id, "203.0.113.9", "A2").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Nor is the scheme believed: no Secure cookie over plain http.
    let login = login_page_said_https(&app).await;
    let cookies = set_cookies(&login);
    assert!(!cookies.is_empty());
    assert!(cookies.iter().all(|c| !c.contains("Secure")), "{cookies:?}");
    assert!(login.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn https_said_by_a_trusted_proxy_makes_cookies_secure() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = TrustedProxies::parse("127.0.0.1/32 ::1/128").expect("proxies");
    })
    .await;
    let login = login_page_said_https(&app).await;
    assert_eq!(login.status(), StatusCode::OK);
    let cookies = set_cookies(&login);
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
    assert!(login.headers().get("strict-transport-security").is_some());
}
