use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{create_stop, create_tour, stop_body, workshop_body};
use crate::helpers::{json_with, problem, spawn_app};

#[tokio::test]
async fn an_admin_sets_up_a_tour_with_a_stop_and_a_workshop() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;

    let tour = create_tour(&app, &token, "Rencontres Partenaires 360° 2027").await;
    assert_eq!(tour["slug"], "rencontres-partenaires-360deg-2027");
    assert_eq!(tour["default_locale"], "fr");
    assert_eq!(
        tour["targets"],
        json!([{"outcome": "certification_started", "value": 550}])
    );
    assert_eq!(tour["stops"], json!([]));
    let tour_id = tour["id"].as_str().expect("id");

    let stop = create_stop(&app, &token, tour_id, "Strasbourg").await;
    let stop_id = stop["id"].as_str().expect("id");
    assert_eq!(stop["starts_at"], "2027-10-13T09:00:00+02:00");
    assert_eq!(stop["timezone"], "Europe/Paris");
    assert_eq!(stop["seats_left"], 300);
    assert_eq!(stop["registration_open"], true);
    let checkpoints = stop["checkpoints"].as_array().expect("checkpoints");
    assert_eq!(checkpoints.len(), 1);
    assert_eq!(checkpoints[0]["kind"], "entrance");
    assert_eq!(checkpoints[0]["workshop_id"], Value::Null);

    let workshop = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/workshops"),
            &workshop_body("Le label Spécialiste PME"),
            Some(&token),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(workshop["seats_left"], 60);
    assert_eq!(workshop["starts_at"], "2027-10-13T11:00:00+02:00");

    // Public reads: the stop with its workshop and two checkpoints; the tour by slug.
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stop["workshops"][0]["title"], "Le label Spécialiste PME");
    assert_eq!(stop["workshops"][0]["seats_left"], 60);
    let kinds: Vec<(&str, &Value)> = stop["checkpoints"]
        .as_array()
        .expect("array")
        .iter()
        .map(|c| (c["kind"].as_str().unwrap_or_default(), &c["workshop_id"]))
        .collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&("workshop", &workshop["id"])), "{kinds:?}");
    let by_slug = json_with(
        app.get("/api/v1/tours/rencontres-partenaires-360deg-2027", None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_slug["id"], tour["id"]);
    assert_eq!(by_slug["stops"][0]["city"], "Strasbourg");
    let list = json_with(app.get("/api/v1/tours", None).await, StatusCode::OK).await;
    assert_eq!(list[0]["slug"], "rencontres-partenaires-360deg-2027");
}

#[tokio::test]
async fn times_are_stored_in_utc_and_shown_in_the_stop_zone() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    let tour = create_tour(&app, &token, "Zones").await;
    let tour_id = tour["id"].as_str().expect("id");
    // Typed in UTC, shown in Montreal's offset.
    let body = stop_body(
        "Montréal",
        json!({"timezone": "America/Montreal", "starts_at": "2027-03-02T14:00:00Z", "ends_at": "2027-03-02T22:00:00Z"}),
    );
    let stop = json_with(
        app.post_json(
            &format!("/api/v1/tours/{tour_id}/stops"),
            &body,
            Some(&token),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(stop["starts_at"], "2027-03-02T09:00:00-05:00");
    assert_eq!(stop["ends_at"], "2027-03-02T17:00:00-05:00");
}

#[tokio::test]
async fn stops_and_workshops_can_be_changed() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    let tour = create_tour(&app, &token, "Changes").await;
    let stop = create_stop(&app, &token, tour["id"].as_str().expect("id"), "Lyon").await;
    let stop_id = stop["id"].as_str().expect("id");
    let changed = json_with(
        app.patch_json(
            &format!("/api/v1/stops/{stop_id}"),
            &json!({"capacity": 450, "venue": "Cité Internationale"}),
            Some(&token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["capacity"], 450);
    assert_eq!(changed["venue"], "Cité Internationale");
    assert_eq!(changed["city"], "Lyon");

    let workshop = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/workshops"),
            &workshop_body("Licences"),
            Some(&token),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let workshop_id = workshop["id"].as_str().expect("id");
    let renamed = json_with(
        app.patch_json(
            &format!("/api/v1/workshops/{workshop_id}"),
            &json!({"room": "Salle Gutenberg"}),
            Some(&token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["room"], "Salle Gutenberg");
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = stop["checkpoints"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Salle Gutenberg"),
        "checkpoint follows the room: {names:?}"
    );

    // Moving the stop so that the workshop falls outside it is a conflict, and nothing changes.
    let conflict = app
        .patch_json(
            &format!("/api/v1/stops/{stop_id}"),
            &json!({"starts_at": "2027-10-13T13:00:00+02:00"}),
            Some(&token),
        )
        .await;
    problem(conflict, StatusCode::CONFLICT).await;
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stop["starts_at"], "2027-10-13T09:00:00+02:00");
}

#[tokio::test]
async fn invalid_stops_get_422_with_a_message_per_field() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    let tour = create_tour(&app, &token, "Validation").await;
    let path = format!("/api/v1/tours/{}/stops", tour["id"].as_str().expect("id"));
    let huge = "x".repeat(1024 * 1024);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("negative capacity", json!({"capacity": -5}), "capacity"),
        ("zero capacity", json!({"capacity": 0}), "capacity"),
        ("capacity as text", json!({"capacity": "many"}), "capacity"),
        (
            "unknown time zone",
            json!({"timezone": "Europe/Atlantis"}),
            "timezone",
        ),
        (
            "end before start",
            json!({"ends_at": "2027-10-13T08:00:00+02:00"}),
            "ends_at",
        ),
        (
            "start without offset",
            json!({"starts_at": "2027-10-13T09:00:00"}),
            "starts_at",
        ),
        ("empty city", json!({"city": "   "}), "city"),
        ("1 MB venue", json!({"venue": huge}), "venue"),
        (
            "closing after the end",
            json!({"registration_closes_at": "2027-10-14T09:00:00+02:00"}),
            "registration_closes_at",
        ),
        ("missing city", json!({"city": null}), "city"),
    ];
    for (case, change, field) in cases {
        let mut body = stop_body("Metz", change);
        if body["city"].is_null() {
            body.as_object_mut().expect("object").remove("city");
        }
        let response = app.post_json(&path, &body, Some(&token)).await;
        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(body["errors"][field].is_string(), "{case}: {body}");
    }
    // Nothing was stored.
    let tour = json_with(
        app.get(
            &format!("/api/v1/tours/{}", tour["id"].as_str().expect("id")),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(tour["stops"], json!([]));
}

#[tokio::test]
async fn invalid_tours_and_workshops_get_422() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    let cases = [
        (json!({"name": ""}), "name"),
        (json!({"name": "x", "slug": "Not A Slug"}), "slug"),
        (
            json!({"name": "x", "default_locale": "de"}),
            "default_locale",
        ),
        (
            json!({"name": "x", "targets": [{"outcome": "certification_started", "value": -1}]}),
            "targets[0].value",
        ),
        (json!({"name": "x".repeat(1024 * 1024)}), "name"),
    ];
    for (body, field) in cases {
        let response = app.post_json("/api/v1/tours", &body, Some(&token)).await;
        let problem = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(problem["errors"][field].is_string(), "{field}: {problem}");
    }

    let tour = create_tour(&app, &token, "Workshops").await;
    let stop = create_stop(&app, &token, tour["id"].as_str().expect("id"), "Nancy").await;
    let path = format!(
        "/api/v1/stops/{}/workshops",
        stop["id"].as_str().expect("id")
    );
    let cases = [
        (
            json!({"starts_at": "2027-10-14T11:00:00+02:00", "ends_at": "2027-10-14T12:00:00+02:00"}),
            "starts_at",
        ),
        (json!({"ends_at": "2027-10-13T10:00:00+02:00"}), "ends_at"),
        (json!({"capacity": -3}), "capacity"),
        (json!({"title": ""}), "title"),
    ];
    for (change, field) in cases {
        let mut body = workshop_body("Atelier");
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let problem = problem(
            app.post_json(&path, &body, Some(&token)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"][field].is_string(), "{field}: {problem}");
    }
}

#[tokio::test]
async fn malformed_json_gets_400_and_another_media_type_415() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    let cases = [
        ("application/json", "{\"name\": "),
        ("application/json", "not json at all"),
        ("application/json", "[1, 2, 3]"),
        ("application/json", "{\"name\": \"a\"} trailing"),
        ("application/json", ""),
    ];
    for (content_type, body) in cases {
        let response = app
            .post_raw("/api/v1/tours", content_type, body.to_owned(), Some(&token))
            .await;
        problem(response, StatusCode::BAD_REQUEST).await;
    }
    let response = app
        .post_raw(
            "/api/v1/tours",
            "text/plain",
            "{\"name\": \"a\"}",
            Some(&token),
        )
        .await;
    problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    // Binary garbage is a 400 too, never a 500.
    let response = app
        .post_raw(
            "/api/v1/tours",
            "application/json",
            vec![0xff, 0xfe, 0x00, 0x81],
            Some(&token),
        )
        .await;
    problem(response, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    let body = json!({"name": "x".repeat(3 * 1024 * 1024)});
    let response = app.post_json("/api/v1/tours", &body, Some(&token)).await;
    problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
}

#[tokio::test]
async fn unknown_ids_get_404_and_a_taken_slug_409() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    problem(
        app.get("/api/v1/tours/no-such-tour", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/api/v1/stops/no-such-stop", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.post_json(
            "/api/v1/tours/no-such-tour/stops",
            &stop_body("Metz", json!({})),
            Some(&token),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.post_json(
            "/api/v1/stops/no-such-stop/workshops",
            &workshop_body("x"),
            Some(&token),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.patch_json(
            "/api/v1/workshops/no-such-workshop",
            &json!({"title": "x"}),
            Some(&token),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    create_tour(&app, &token, "Same Name").await;
    let duplicate = app
        .post_json("/api/v1/tours", &json!({"name": "Same Name"}), Some(&token))
        .await;
    problem(duplicate, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn a_stop_is_read_with_its_zone_and_an_unknown_stored_zone_is_an_error_not_utc() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    let tour = create_tour(&app, &token, "Zones").await;
    let stop = create_stop(&app, &token, tour["id"].as_str().expect("id"), "Metz").await;
    let stop_id = stop["id"].as_str().expect("id");
    let mut conn = app.connection();
    let read = roadshow::tours::store::find_stop(&mut conn, stop_id)
        .expect("read")
        .expect("stop");
    assert_eq!(read.timezone.tz(), chrono_tz::Europe::Paris);

    // Only a hand-edited row can hold an unknown name: reading it fails instead of guessing UTC.
    diesel::sql_query("UPDATE stops SET timezone = 'Mars/Olympus'")
        .execute(&mut conn)
        .expect("corrupt the zone");
    assert!(roadshow::tours::store::find_stop(&mut conn, stop_id).is_err());
}
