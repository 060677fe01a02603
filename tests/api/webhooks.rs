//! Webhooks against a real HTTP receiver on loopback: signed as the Standard Webhooks
//! specification says, retried after a 500 with the same id, only the types subscribed to,
//! private targets refused unless allowed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::fixtures::{entrance_of, manage_token, open_stop, register, registration_body};
use crate::helpers::{TestApp, json_with, problem, spawn_app, spawn_app_with};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A webhook receiver: records every request and answers the statuses it is given, in order
/// (then 204).
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

struct Script {
    answers: Mutex<VecDeque<u16>>,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn receive(req: HttpRequest, body: String, script: web::Data<Script>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    script.received.lock().expect("lock").push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    let status = script
        .answers
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or(204);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status")).finish()
}

impl Receiver {
    fn start(answers: &[u16]) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = web::Data::new(Script {
            answers: Mutex::new(answers.iter().copied().collect()),
            received: Arc::clone(&received),
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(script.clone())
                .route("/hook", web::post().to(receive))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            received,
        }
    }

    /// Waits until `count` requests have arrived (at most 20 s).
    async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received.lock().expect("lock").clone();
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{count} requests expected, got {:?}",
            self.received.lock().expect("lock")
        );
    }
}

/// Checks a request as a receiver following the specification would.
fn verify(secret: &str, request: &Received) {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("prefixed"))
        .expect("base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{}.{}.{}", request.id, request.timestamp, request.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert!(
        request.signature.split(' ').any(|s| s == expected),
        "signature {} for {request:?}",
        request.signature
    );
    let sent_at: i64 = request.timestamp.parse().expect("unix seconds");
    assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
    assert!(request.id.starts_with("msg_"));
}

async fn subscribe(app: &TestApp, admin: &str, url: &str, events: &[&str]) -> Value {
    json_with(
        app.post_json(
            "/api/v1/webhooks",
            &json!({"url": url, "events": events}),
            Some(admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

#[tokio::test]
async fn events_are_signed_delivered_once_subscribed_and_retried_after_a_500() {
    let app = spawn_app().await;
    let admin = app.token_for("admin").await;
    let staff = app.token_for("staff").await;
    // The first attempt fails: the retry carries the same id, for the receiver to dedupe.
    let receiver = Receiver::start(&[500]);
    let hook = subscribe(
        &app,
        &admin,
        &receiver.url,
        &["registration.created", "checkin.created"],
    )
    .await;
    let secret = hook["secret"].as_str().expect("secret");
    assert!(secret.starts_with("whsec_"));
    let hook_id = hook["id"].as_str().expect("id");

    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &stop_id, registration_body("Claire", &[])).await;
    let attempts = receiver.wait_for(2).await;
    for attempt in &attempts {
        verify(secret, attempt);
    }
    assert_eq!(
        attempts[0].id, attempts[1].id,
        "a retry is the same message"
    );
    let event = attempts[1].json();
    assert_eq!(event["type"], "registration.created");
    assert_eq!(event["data"]["id"], claire["id"]);
    assert_eq!(event["data"]["email"], "claire@alsace-informatique.fr");
    assert_eq!(event["data"]["stop_id"], stop_id.as_str());
    assert!(
        event["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    // Not subscribed: a cancellation queues nothing for this endpoint.
    let other = register(&app, &stop_id, registration_body("Zoe", &[])).await;
    let token = manage_token(&other);
    let cancelled = app
        .api
        .delete(app.url(&format!("/api/v1/manage/{token}")))
        .send()
        .await
        .expect("sent");
    json_with(cancelled, StatusCode::OK).await;
    // A badge let in at the entrance: checkin.created, once (the second scan is a duplicate).
    let entrance = entrance_of(&app, &stop_id).await;
    for _ in 0..2 {
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": claire["badge"]["token"], "checkpoint_id": entrance}),
            Some(&staff),
        )
        .await;
    }
    let all = receiver.wait_for(4).await;
    let types: Vec<String> = all
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        types.iter().filter(|t| *t == "checkin.created").count(),
        1,
        "{types:?}"
    );
    assert!(
        !types.iter().any(|t| t == "registration.cancelled"),
        "{types:?}"
    );
    let scanned = all
        .iter()
        .find(|r| r.json()["type"] == "checkin.created")
        .expect("scan");
    verify(secret, scanned);
    assert_eq!(scanned.json()["data"]["registration_id"], claire["id"]);

    let deliveries = json_with(
        app.get(
            &format!("/api/v1/webhooks/{hook_id}/deliveries"),
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let deliveries = deliveries.as_array().expect("list");
    assert_eq!(deliveries.len(), 3, "{deliveries:?}");
    assert!(deliveries.iter().all(|d| d["status"] == "delivered"));
    let first = deliveries.last().expect("oldest last");
    assert_eq!(
        (
            first["attempts"].as_i64(),
            first["last_status_code"].as_i64()
        ),
        (Some(2), Some(204))
    );
    assert_eq!(first["id"], attempts[0].id.as_str());
}

#[tokio::test]
async fn a_test_event_and_a_retry_reach_the_receiver_and_removal_stops_them() {
    let app = spawn_app().await;
    let admin = app.token_for("admin").await;
    let receiver = Receiver::start(&[]);
    let hook = subscribe(&app, &admin, &receiver.url, &["complaint.created"]).await;
    let hook_id = hook["id"].as_str().expect("id");
    let test = json_with(
        app.post_json(
            &format!("/api/v1/webhooks/{hook_id}/test"),
            &json!({}),
            Some(&admin),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].json()["type"], "webhook.test");
    assert_eq!(got[0].id, test["id"].as_str().expect("id"));
    // Sent again on demand, under the same id.
    json_with(
        app.post_json(
            &format!("/api/v1/webhooks/{hook_id}/deliveries/{}/retry", got[0].id),
            &json!({}),
            Some(&admin),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let again = receiver.wait_for(2).await;
    assert_eq!(again[1].id, got[0].id);
    // The list shows the endpoint without its secret; removed, it is gone with its deliveries.
    let list = json_with(
        app.get("/api/v1/webhooks", Some(&admin)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list[0]["id"], hook_id);
    assert!(list[0].get("secret").is_none());
    let removed = app
        .api
        .delete(app.url(&format!("/api/v1/webhooks/{hook_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(
            &format!("/api/v1/webhooks/{hook_id}/deliveries"),
            Some(&admin),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn private_targets_wrong_types_and_other_roles_are_refused() {
    let app = spawn_app_with(|s| s.webhook_allow_private = false).await;
    let admin = app.token_for("admin").await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "ftp://crm.example.com/",
    ] {
        let refused = problem(
            app.post_json(
                "/api/v1/webhooks",
                &json!({"url": url, "events": ["registration.created"]}),
                Some(&admin),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(refused["errors"]["url"].is_string(), "{url}: {refused}");
    }
    for (body, field) in [
        (
            json!({"url": "https://crm.example.com/h", "events": ["registration.deleted"]}),
            "events[0]",
        ),
        (
            json!({"url": "https://crm.example.com/h", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://crm.example.com/h", "events": ["checkin.created"], "secret": "whsec_c2hvcnQ="}),
            "secret",
        ),
        (
            json!({"url": "https://crm.example.com/h", "events": ["checkin.created"], "secret": "   "}),
            "secret",
        ),
    ] {
        let refused = problem(
            app.post_json("/api/v1/webhooks", &body, Some(&admin)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(refused["errors"][field].is_string(), "{body}: {refused}");
    }
    // A public name is accepted; its addresses are checked again before each attempt.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let hook = json_with(
        app.post_json(
            "/api/v1/webhooks",
            &json!({"url": "https://crm.example.com/hooks", "events": ["checkin.created"], "secret": secret}),
            Some(&admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(hook["secret"], secret);
    for role in ["marketing", "staff"] {
        let token = app.token_for(role).await;
        problem(
            app.get("/api/v1/webhooks", Some(&token)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
}

#[tokio::test]
async fn the_admin_page_adds_an_endpoint_shows_its_secret_once_and_sends_a_test_event() {
    use crate::pages::{csrf_of, logged_in_admin, page, select};
    let app = spawn_app().await;
    let receiver = Receiver::start(&[]);
    let client = logged_in_admin(&app, "fr").await;
    let (status, doc) = page(&client, &app, "/admin/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&doc);

    // A typo in the address: the form says why, in the page's language, and keeps the ticks.
    let refused = client
        .post(app.url("/admin/webhooks"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("url", "ftp://crm.example.com/"),
            ("events", "checkin.created"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = scraper::Html::parse_document(&refused.text().await.expect("body"));
    let errors: String = select(&doc, "#errors")
        .iter()
        .flat_map(|e| e.text())
        .collect();
    assert!(errors.contains("http:// ou https://"), "{errors}");
    assert_eq!(
        select(&doc, "input[value='checkin.created'][checked]").len(),
        1
    );

    let added = client
        .post(app.url("/admin/webhooks"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("url", receiver.url.as_str()),
            ("events", "checkin.created"),
            ("events", "complaint.created"),
            ("secret", ""),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(added.status(), StatusCode::CREATED);
    let doc = scraper::Html::parse_document(&added.text().await.expect("body"));
    let secret: String = select(&doc, "#secret")[0].text().collect();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let link = select(&doc, "#endpoints a")[0]
        .value()
        .attr("href")
        .expect("href")
        .to_owned();
    // Shown once: the list does not show it again.
    let (_, again) = page(&client, &app, "/admin/webhooks").await;
    assert!(select(&again, "#secret").is_empty());

    let (_, endpoint) = page(&client, &app, &link).await;
    let test_action = select(&endpoint, "form[action$='/test']")[0]
        .value()
        .attr("action")
        .expect("action")
        .to_owned();
    let sent = client
        .post(app.url(&test_action))
        .form(&[("csrf_token", csrf_of(&endpoint).as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let got = receiver.wait_for(1).await;
    verify(&secret, &got[0]);
    assert_eq!(got[0].json()["type"], "webhook.test");
    // The deliveries table says it arrived, with the receiver's answer.
    let mut shown = String::new();
    for _ in 0..50 {
        let (_, doc) = page(&client, &app, &link).await;
        shown = select(&doc, "#deliveries tbody tr")
            .iter()
            .flat_map(|r| r.text())
            .collect();
        if shown.contains("reçu") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        shown.contains("Événement de test") && shown.contains("reçu") && shown.contains("204"),
        "{shown}"
    );
}
