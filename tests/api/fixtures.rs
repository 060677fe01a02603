//! Builders for set-up data, through the real API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with};

/// A tour created through the API; returns its JSON.
pub async fn create_tour(app: &TestApp, token: &str, name: &str) -> Value {
    let response = app
        .post_json(
            "/api/v1/tours",
            &json!({"name": name, "targets": [{"outcome": "certification_started", "value": 550}]}),
            Some(token),
        )
        .await;
    json_with(response, StatusCode::CREATED).await
}

/// A stop body with sensible values; override fields with `extra`.
pub fn stop_body(city: &str, extra: Value) -> Value {
    let mut body = json!({
        "city": city,
        "venue": "Palais de la Musique et des Congrès",
        "address": "Place de Bordeaux, 67000 Strasbourg",
        "timezone": "Europe/Paris",
        "starts_at": "2027-10-13T09:00:00+02:00",
        "ends_at": "2027-10-13T17:30:00+02:00",
        "capacity": 300
    });
    if let (Some(target), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            target.insert(k.clone(), v.clone());
        }
    }
    body
}

/// A stop created through the API; returns its JSON.
pub async fn create_stop(app: &TestApp, token: &str, tour_id: &str, city: &str) -> Value {
    let response = app
        .post_json(
            &format!("/api/v1/tours/{tour_id}/stops"),
            &stop_body(city, json!({})),
            Some(token),
        )
        .await;
    json_with(response, StatusCode::CREATED).await
}

/// A workshop body within the default stop's day.
pub fn workshop_body(title: &str) -> Value {
    json!({
        "title": title,
        "room": "Salle Erasme",
        "trainer": "Marc Schneider",
        "starts_at": "2027-10-13T11:00:00+02:00",
        "ends_at": "2027-10-13T12:30:00+02:00",
        "capacity": 60
    })
}

/// A future stop with `capacity` seats and one workshop per `(title, capacity, start hour, end hour)`;
/// returns `(stop id, workshop ids)`.
pub async fn open_stop(
    app: &TestApp,
    capacity: i64,
    workshops: &[(&str, i64, u32, u32)],
) -> (String, Vec<String>) {
    let token = app.token_for("admin").await;
    let tour = create_tour(
        app,
        &token,
        &format!("Tour {}", uuid::Uuid::new_v4().simple()),
    )
    .await;
    let tour_id = tour["id"].as_str().expect("id");
    let stop = json_with(
        app.post_json(
            &format!("/api/v1/tours/{tour_id}/stops"),
            &stop_body("Strasbourg", json!({"capacity": capacity})),
            Some(&token),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let stop_id = stop["id"].as_str().expect("id").to_owned();
    let mut ids = Vec::new();
    for (title, capacity, start, end) in workshops {
        let body = json!({
            "title": title,
            "room": "Salle Erasme",
            "trainer": "Marc Schneider",
            "starts_at": format!("2027-10-13T{start:02}:00:00+02:00"),
            "ends_at": format!("2027-10-13T{end:02}:00:00+02:00"),
            "capacity": capacity
        });
        let workshop = json_with(
            app.post_json(
                &format!("/api/v1/stops/{stop_id}/workshops"),
                &body,
                Some(&token),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(workshop["id"].as_str().expect("id").to_owned());
    }
    (stop_id, ids)
}

/// A registration body for `name` (e-mail made from it) with `workshops`.
pub fn registration_body(name: &str, workshops: &[&str]) -> Value {
    json!({
        "first_name": name,
        "last_name": "Dupont",
        "email": format!("{}@alsace-informatique.fr", name.to_lowercase()),
        "company": "Alsace Informatique",
        "job_title": "Gérante",
        "company_size": "6-20",
        "partner_id": "P-67-0042",
        "consent": true,
        "workshops": workshops,
    })
}

/// Moves a stop's day (straight in the database: the API only takes times people type), so
/// that a test can scan during it. Do it before the stop's first scan: checkpoints are cached
/// with their stop's start.
pub fn set_stop_times(
    app: &TestApp,
    stop_id: &str,
    starts_at: chrono::NaiveDateTime,
    ends_at: chrono::NaiveDateTime,
) {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use roadshow::db::schema::stops;
    let moved = diesel::update(stops::table.find(stop_id))
        .set((stops::starts_at.eq(starts_at), stops::ends_at.eq(ends_at)))
        .execute(&mut app.connection())
        .expect("stop moved");
    assert_eq!(moved, 1, "stop {stop_id}");
}

/// Now in UTC, to the whole second (as the API writes times).
pub fn now_utc() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond(0).unwrap_or(now)
}

/// The manage token: the last path segment of `manage_url`.
pub fn manage_token(registration: &Value) -> String {
    registration["manage_url"]
        .as_str()
        .expect("manage_url")
        .rsplit('/')
        .next()
        .expect("token")
        .to_owned()
}

/// The id of a stop's entrance checkpoint, as the public stop shows it.
pub async fn entrance_of(app: &TestApp, stop_id: &str) -> String {
    checkpoint_of(app, stop_id, None).await
}

/// The id of the checkpoint of a stop's workshop, or of its entrance for `None`.
pub async fn checkpoint_of(app: &TestApp, stop_id: &str, workshop_id: Option<&str>) -> String {
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    stop["checkpoints"]
        .as_array()
        .expect("checkpoints")
        .iter()
        .find(|c| match workshop_id {
            Some(w) => c["workshop_id"] == w,
            None => c["kind"] == "entrance",
        })
        .and_then(|c| c["id"].as_str())
        .expect("checkpoint")
        .to_owned()
}

/// Registers `body` at a stop through the public API; the created registration.
pub async fn register(app: &TestApp, stop_id: &str, body: Value) -> Value {
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            &body,
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

/// The feedback token in the e-mail sent to `address`.
pub async fn feedback_token(app: &TestApp, address: &str) -> String {
    for _ in 0..100 {
        let found = app.mail.to(address).iter().find_map(|m| {
            crate::mail::text(&m.raw)
                .lines()
                .find(|l| l.contains("/feedback/"))
                .map(|l| l.trim().rsplit('/').next().unwrap_or_default().to_owned())
        });
        if let Some(token) = found {
            return token;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no feedback e-mail for {address}");
}
