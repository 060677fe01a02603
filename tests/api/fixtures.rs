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
