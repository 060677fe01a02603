//! Analytics and outcomes: a tour built through the API (registrations, a cancellation and the
//! promotion it causes, scans at the entrance and a workshop, feedback, outcomes), then every
//! figure of API.md checked, with an empty stop, a stop of walk-ins only and a stop in another
//! time zone. Also the dashboards, the exports and the attendee page.

use reqwest::StatusCode;
use serde_json::{Value, json};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use crate::fixtures::{
    checkpoint_of, create_tour, feedback_token, now_utc, register, registration_body,
    set_stop_times, stop_body,
};
use crate::helpers::{TestApp, json_with, problem, spawn_app};
use crate::pages::{csrf_of, logged_in, page, select};

/// The tour of the scenario and what the checks need.
struct Tour {
    id: String,
    /// Strasbourg: registrations, a cancellation, scans, feedback.
    busy: String,
    /// Nobody registered.
    empty: String,
    /// Only walk-ins.
    walk_ins: String,
    /// Kathmandu (+05:45): arrival buckets in local time.
    far: String,
    label_workshop: String,
    other_workshop: String,
    claire: Value,
    lea: Value,
    marc: Value,
    marketing: String,
    /// The local day Strasbourg (and Lille, Nantes) began: the day before yesterday.
    day: NaiveDate,
    /// The local day Kathmandu began: yesterday.
    far_day: NaiveDate,
}

/// `hh:mm` on `day` in `tz`, as UTC.
fn local(day: NaiveDate, hm: &str, tz: Tz) -> chrono::NaiveDateTime {
    roadshow::time::parse_local(&format!("{day}T{hm}"), tz).expect("a local time")
}

/// `hh:mm` on `day` in `tz`, as the API writes it.
fn stamp(day: NaiveDate, hm: &str, tz: Tz) -> String {
    roadshow::time::in_zone(local(day, hm, tz), tz).to_rfc3339()
}

async fn add_stop(app: &TestApp, admin: &str, tour_id: &str, city: &str, extra: Value) -> String {
    let stop = json_with(
        app.post_json(
            &format!("/api/v1/tours/{tour_id}/stops"),
            &stop_body(city, extra),
            Some(admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    stop["id"].as_str().expect("id").to_owned()
}

async fn add_workshop(app: &TestApp, admin: &str, stop_id: &str, body: Value) -> String {
    let workshop = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/workshops"),
            &body,
            Some(admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    workshop["id"].as_str().expect("id").to_owned()
}

async fn scan(app: &TestApp, staff: &str, who: &Value, checkpoint_id: &str, at: &str) -> Value {
    json_with(
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": who["badge"]["token"], "checkpoint_id": checkpoint_id, "scanned_at": at}),
            Some(staff),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn scenario(app: &TestApp) -> Tour {
    let admin = app.token_for("admin").await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    let tour = create_tour(app, &admin, "Rencontres Partenaires 360° 2027").await;
    let tour_id = tour["id"].as_str().expect("id").to_owned();
    let busy = add_stop(app, &admin, &tour_id, "Strasbourg", json!({"capacity": 3})).await;
    let label_workshop = add_workshop(
        app,
        &admin,
        &busy,
        json!({"title": "Devenir Spécialiste PME", "room": "Salle Erasme", "capacity": 2,
               "starts_at": "2027-10-13T11:00:00+02:00", "ends_at": "2027-10-13T12:00:00+02:00"}),
    )
    .await;
    let other_workshop = add_workshop(
        app,
        &admin,
        &busy,
        json!({"title": "Licences", "room": "Salle Gutenberg", "capacity": 5,
               "starts_at": "2027-10-13T14:00:00+02:00", "ends_at": "2027-10-13T15:00:00+02:00"}),
    )
    .await;
    // Admins mark the label workshop after the fact: the PATCH carries the flag.
    let marked = json_with(
        app.patch_json(
            &format!("/api/v1/workshops/{label_workshop}"),
            &json!({"specialist_label": true}),
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(marked["specialist_label"], true);
    let empty = add_stop(
        app,
        &admin,
        &tour_id,
        "Lille",
        json!({"starts_at": "2027-10-14T09:00:00+02:00", "ends_at": "2027-10-14T17:00:00+02:00"}),
    )
    .await;
    let walk_ins = add_stop(
        app,
        &admin,
        &tour_id,
        "Nantes",
        json!({"starts_at": "2027-10-15T09:00:00+02:00", "ends_at": "2027-10-15T17:00:00+02:00"}),
    )
    .await;
    let far = add_stop(
        app,
        &admin,
        &tour_id,
        "Katmandou",
        json!({"timezone": "Asia/Kathmandu", "starts_at": "2027-10-16T09:00:00+05:45",
               "ends_at": "2027-10-16T17:00:00+05:45"}),
    )
    .await;

    // Strasbourg, 3 seats, the label workshop 2: Claire and Paul take the workshop seats, Léa
    // waits for the workshop, Marc for the stop. Paul cancels: Marc gets his seat and Léa his
    // place in the workshop.
    let claire = register(app, &busy, registration_body("Claire", &[&label_workshop])).await;
    let paul = register(
        app,
        &busy,
        registration_body("Paul", &[&label_workshop, &other_workshop]),
    )
    .await;
    let mut lea_body = registration_body("Lea", &[&label_workshop]);
    lea_body["company_size"] = json!("1-5");
    lea_body["partner_type"] = json!("integrator");
    let lea = register(app, &busy, lea_body).await;
    let marc = register(app, &busy, registration_body("Marc", &[])).await;
    assert_eq!(marc["status"], "waitlisted");
    let paul_token = paul["manage_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("manage token");
    json_with(
        app.api
            .delete(app.url(&format!("/api/v1/manage/{paul_token}")))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;

    // The stops took place over the last two days, so that the scanners' times are believed
    // (on the stop's day, at most three days old); they end tomorrow (no automatic feedback).
    let paris = chrono_tz::Europe::Paris;
    let kathmandu = chrono_tz::Asia::Kathmandu;
    let today = chrono::Utc::now().with_timezone(&paris).date_naive();
    let (day, far_day) = (today - Duration::days(2), today - Duration::days(1));
    let until = now_utc() + Duration::days(1);
    set_stop_times(app, &busy, local(day, "09:00", paris), until);
    set_stop_times(app, &empty, local(day, "12:00", paris), until);
    set_stop_times(app, &walk_ins, local(day, "15:00", paris), until);

    // Arrivals at 08:50 and 09:31 Strasbourg time; Marc never comes; Paul, cancelled, is
    // turned away.
    let entrance = checkpoint_of(app, &busy, None).await;
    let room = checkpoint_of(app, &busy, Some(&label_workshop)).await;
    let at = |hm: &str| stamp(day, hm, paris);
    assert_eq!(
        scan(app, &staff, &claire, &entrance, &at("08:50")).await["result"],
        "ok"
    );
    assert_eq!(
        scan(app, &staff, &lea, &entrance, &at("09:31")).await["result"],
        "ok"
    );
    assert_ne!(
        scan(app, &staff, &paul, &entrance, &at("09:40")).await["result"],
        "ok"
    );
    // A second scan of Claire keeps her first arrival.
    scan(app, &staff, &claire, &entrance, &at("09:45")).await;
    assert_eq!(
        scan(app, &staff, &claire, &room, &at("11:01")).await["result"],
        "ok"
    );
    assert_eq!(
        scan(app, &staff, &lea, &room, &at("11:02")).await["result"],
        "ok"
    );

    // Nantes: two walk-ins, checked in as they register.
    for name in ["Walker", "Runner"] {
        json_with(
            app.post_json(
                &format!("/api/v1/stops/{walk_ins}/walk-ins"),
                &registration_body(name, &[]),
                Some(&staff),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }

    // Kathmandu: arrivals at 08:59 and 09:05 local time, either side of a quarter hour that
    // does not fall on a UTC quarter hour boundary of the same name.
    let far_entrance = checkpoint_of(app, &far, None).await;
    let asha = register(app, &far, registration_body("Asha", &[])).await;
    let bikash = register(app, &far, registration_body("Bikash", &[])).await;
    set_stop_times(app, &far, local(far_day, "09:00", kathmandu), until);
    scan(
        app,
        &staff,
        &asha,
        &far_entrance,
        &stamp(far_day, "08:59", kathmandu),
    )
    .await;
    scan(
        app,
        &staff,
        &bikash,
        &far_entrance,
        &stamp(far_day, "09:05", kathmandu),
    )
    .await;

    // Feedback from Strasbourg: Claire ticks two themes, Léa none.
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{busy}/feedback-requests"),
            &json!({}),
            Some(&marketing),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let answers = [
        (
            "claire@alsace-informatique.fr",
            json!({"overall": 4, "trainers": 2, "content": 5, "nps": 10,
                   "themes": ["trainers", "licensing"], "comment": "Formateurs pas au niveau."}),
        ),
        (
            "lea@alsace-informatique.fr",
            json!({"overall": 2, "trainers": 1, "content": 3, "nps": 3, "themes": []}),
        ),
    ];
    for (address, answer) in answers {
        let token = feedback_token(app, address).await;
        json_with(
            app.post_json(&format!("/api/v1/feedback/{token}"), &answer, None)
                .await,
            StatusCode::CREATED,
        )
        .await;
    }
    Tour {
        id: tour_id,
        busy,
        empty,
        walk_ins,
        far,
        label_workshop,
        other_workshop,
        claire,
        lea,
        marc,
        marketing,
        day,
        far_day,
    }
}

async fn stop_figures(app: &TestApp, token: &str, stop_id: &str, query: &str) -> Value {
    json_with(
        app.get(
            &format!("/api/v1/analytics/stops/{stop_id}{query}"),
            Some(token),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn every_figure_of_a_stop_follows_its_definition() {
    let app = spawn_app().await;
    let t = scenario(&app).await;
    let s = stop_figures(&app, &t.marketing, &t.busy, "").await;

    // Registrations: Paul's cancelled one still counts as registered.
    assert_eq!(
        (
            &s["registered"],
            &s["confirmed"],
            &s["waitlisted"],
            &s["cancelled"]
        ),
        (&json!(4), &json!(3), &json!(0), &json!(1))
    );
    assert_eq!(s["walk_ins"], 0);
    // Claire and Léa came, Marc (promoted from the waitlist) did not.
    assert_eq!((&s["checked_in"], &s["no_shows"]), (&json!(2), &json!(1)));
    let rate = s["no_show_rate"].as_f64().expect("a rate");
    assert!((rate - 1.0 / 3.0).abs() < 1e-9, "{rate}");
    assert_eq!(s["attended_workshop"], 2);
    assert_eq!(s["specialist_label_share"], 1.0);

    let workshops = s["workshops"].as_array().expect("workshops");
    assert_eq!(workshops.len(), 2);
    let label = &workshops[0];
    assert_eq!(label["workshop_id"], t.label_workshop.as_str());
    assert_eq!(label["title"], "Devenir Spécialiste PME");
    // Léa moved up into Paul's workshop seat.
    assert_eq!(
        (&label["confirmed"], &label["attended"]),
        (&json!(2), &json!(2))
    );
    assert_eq!(label["share_of_attendees"], 1.0);
    assert_eq!(label["specialist_label"], true);
    let other = &workshops[1];
    assert_eq!(other["workshop_id"], t.other_workshop.as_str());
    assert_eq!(
        (&other["confirmed"], &other["attended"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(other["share_of_attendees"], 0.0);

    // First entrance scans per quarter hour of Strasbourg's clock, empty quarters included.
    assert_eq!(
        s["arrivals"],
        json!([
            {"at": stamp(t.day, "08:45", chrono_tz::Europe::Paris), "count": 1},
            {"at": stamp(t.day, "09:00", chrono_tz::Europe::Paris), "count": 0},
            {"at": stamp(t.day, "09:15", chrono_tz::Europe::Paris), "count": 0},
            {"at": stamp(t.day, "09:30", chrono_tz::Europe::Paris), "count": 1}
        ])
    );
    // One promoter (10), one detractor (3): the score is 0; the average overall 3.
    assert_eq!(s["feedback"]["responses"], 2);
    assert_eq!(s["feedback"]["avg_overall"], 3.0);
    assert_eq!(s["feedback"]["avg_trainers"], 1.5);
    assert_eq!(s["feedback"]["nps"], 0.0);
    assert_eq!(s["feedback"]["response_rate"], 1.0);
    assert_eq!(
        s["complaints"],
        json!({"trainers": 1, "licensing": 1, "leads": 0, "logistics": 0, "other": 0})
    );
    assert_eq!(s["complaints_by_status"]["open"], 2);
    assert_eq!(
        s["starts_at"],
        stamp(t.day, "09:00", chrono_tz::Europe::Paris)
    );
    let days = s["registrations_per_day"].as_array().expect("days");
    assert_eq!(
        days.iter()
            .map(|d| &d["count"])
            .cloned()
            .collect::<Vec<_>>(),
        [json!(4)]
    );
}

#[tokio::test]
async fn empty_stops_walk_ins_and_far_time_zones_have_honest_figures() {
    let app = spawn_app().await;
    let t = scenario(&app).await;

    // Nobody registered: counts are 0 and rates null (no denominator), never an error.
    let empty = stop_figures(&app, &t.marketing, &t.empty, "").await;
    assert_eq!(empty["registered"], 0);
    assert_eq!(empty["no_shows"], 0);
    assert!(empty["no_show_rate"].is_null());
    assert!(empty["specialist_label_share"].is_null());
    assert!(empty["feedback"]["avg_overall"].is_null());
    assert!(empty["feedback"]["nps"].is_null());
    assert!(empty["feedback"]["response_rate"].is_null());
    assert_eq!(empty["arrivals"], json!([]));
    assert_eq!(empty["workshops"], json!([]));

    // Walk-ins only: confirmed, counted as walk-ins, all present.
    let nantes = stop_figures(&app, &t.marketing, &t.walk_ins, "").await;
    assert_eq!(
        (
            &nantes["registered"],
            &nantes["confirmed"],
            &nantes["walk_ins"],
            &nantes["checked_in"]
        ),
        (&json!(2), &json!(2), &json!(2), &json!(2))
    );
    assert_eq!(nantes["no_show_rate"], 0.0);
    let arrived: i64 = nantes["arrivals"]
        .as_array()
        .expect("arrivals")
        .iter()
        .filter_map(|a| a["count"].as_i64())
        .sum();
    assert_eq!(arrived, 2);

    // Kathmandu is UTC+05:45: 03:14Z is 08:59 there, 03:20Z is 09:05.
    let far = stop_figures(&app, &t.marketing, &t.far, "").await;
    assert_eq!(
        far["arrivals"],
        json!([
            {"at": stamp(t.far_day, "08:45", chrono_tz::Asia::Kathmandu), "count": 1},
            {"at": stamp(t.far_day, "09:00", chrono_tz::Asia::Kathmandu), "count": 1}
        ])
    );
    assert_eq!(far["timezone"], "Asia/Kathmandu");
}

#[tokio::test]
async fn outcomes_are_recorded_one_by_one_or_imported_and_feed_the_tour_funnel() {
    let app = spawn_app().await;
    let t = scenario(&app).await;
    let claire_id = t.claire["id"].as_str().expect("id");
    let outcome = json!({"registration_id": claire_id, "kind": "certification_started", "occurred_on": "2026-11-02"});
    let created = json_with(
        app.post_json("/api/v1/outcomes", &outcome, Some(&t.marketing))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["stop_id"], t.busy.as_str());
    assert_eq!(created["occurred_on"], "2026-11-02");
    // Twice is a conflict; nothing is counted twice.
    problem(
        app.post_json("/api/v1/outcomes", &outcome, Some(&t.marketing))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    // Bad values are named field by field.
    let bad = problem(
        app.post_json(
            "/api/v1/outcomes",
            &json!({"registration_id": "nope", "kind": "Certif!", "occurred_on": "2099-01-01"}),
            Some(&t.marketing),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for field in ["registration_id", "kind", "occurred_on"] {
        assert!(bad["errors"][field].is_string(), "{field}: {bad}");
    }
    problem(
        app.post_raw(
            "/api/v1/outcomes",
            "application/json",
            "{",
            Some(&t.marketing),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    // Staff scan badges; they do not record outcomes.
    let staff = app.token_for("staff").await;
    problem(
        app.post_json("/api/v1/outcomes", &outcome, Some(&staff))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The import keeps good lines and reports each bad one by its line (the header is 1).
    let csv = format!(
        "email,stop_id,kind,occurred_on\n\
         LEA@alsace-informatique.fr,{busy},certification_started,2026-11-03\n\
         nobody@example.fr,{busy},certification_started,2026-11-03\n\
         marc@alsace-informatique.fr,{busy},certification_started,03/11/2026\n\
         claire@alsace-informatique.fr,{busy},certification_started,2026-11-04\n\
         marc@alsace-informatique.fr,{busy}\n\
         \n\
         marc@alsace-informatique.fr,{busy},label_obtained,2026-11-20\n",
        busy = t.busy
    );
    let report = json_with(
        app.post_raw(
            "/api/v1/outcomes/import",
            "text/csv",
            csv,
            Some(&t.marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["imported"], 2, "{report}");
    let lines: Vec<i64> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["line"].as_i64().expect("line"))
        .collect();
    assert_eq!(lines, [3, 4, 5, 6], "{report}");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nobody@example.fr")
    );
    // A French spreadsheet's export: `;`, a byte-order mark. The same line again is reported.
    let french = format!(
        "\u{feff}email;stop_id;kind;occurred_on\r\nlea@alsace-informatique.fr;{};certification_started;2026-11-03\r\n",
        t.busy
    );
    let again = json_with(
        app.post_raw(
            "/api/v1/outcomes/import",
            "text/csv; charset=utf-8",
            french,
            Some(&t.marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["imported"], 0);
    assert_eq!(again["errors"][0]["line"], 2, "{again}");
    // A wrong header: the file was not read at all, a 422 that names the header.
    let wrong = problem(
        app.post_raw(
            "/api/v1/outcomes/import",
            "text/csv",
            "mail,kind\nx,y\n",
            Some(&t.marketing),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        wrong["errors"]["header"]
            .as_str()
            .is_some_and(|m| m.contains("email,stop_id,kind,occurred_on")),
        "{wrong}"
    );
    problem(
        app.post_raw(
            "/api/v1/outcomes/import",
            "text/csv",
            vec![0xff, 0xfe, 0x41],
            Some(&t.marketing),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    // The tour: a row per stop in date order, totals, the funnel and the target.
    let tour = json_with(
        app.get(
            &format!("/api/v1/analytics/tours/{}", t.id),
            Some(&t.marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let cities: Vec<&str> = tour["stops"]
        .as_array()
        .expect("stops")
        .iter()
        .filter_map(|s| s["city"].as_str())
        .collect();
    assert_eq!(cities, ["Strasbourg", "Lille", "Nantes", "Katmandou"]);
    assert_eq!(tour["stops"][0]["outcomes"]["certification_started"], 2);
    assert_eq!(tour["stops"][1]["date"], t.day.to_string());
    assert_eq!(
        tour["funnel"],
        json!({"registered": 8, "checked_in": 6, "attended_workshop": 2,
               "outcomes": {"certification_started": 2, "label_obtained": 1}})
    );
    assert_eq!(tour["totals"]["registered"], 8);
    assert_eq!(tour["totals"]["confirmed"], 7);
    let rate = tour["totals"]["no_show_rate"].as_f64().expect("rate");
    assert!((rate - 1.0 / 7.0).abs() < 1e-9);
    let target = &tour["targets"][0];
    assert_eq!(
        (&target["outcome"], &target["value"], &target["reached"]),
        (&json!("certification_started"), &json!(550), &json!(2))
    );
    let progress = target["progress"].as_f64().expect("progress");
    assert!((progress - 2.0 / 550.0).abs() < 1e-12, "{progress}");
    // An attendee's outcomes, and one removed after a mistake.
    let marc_outcomes = json_with(
        app.get(
            &format!(
                "/api/v1/registrations/{}/outcomes",
                t.marc["id"].as_str().expect("id")
            ),
            Some(&t.marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mistaken = marc_outcomes[0]["id"].as_str().expect("id");
    let deleted = app
        .api
        .delete(app.url(&format!("/api/v1/outcomes/{mistaken}")))
        .bearer_auth(&t.marketing)
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn filters_roles_and_unknown_ids() {
    let app = spawn_app().await;
    let t = scenario(&app).await;
    // Only Léa's kind of company: she came, went to the label workshop, ticked no theme.
    let small = stop_figures(&app, &t.marketing, &t.busy, "?company_size=1-5").await;
    assert_eq!(
        (
            &small["registered"],
            &small["checked_in"],
            &small["attended_workshop"]
        ),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(small["feedback"]["responses"], 1);
    assert_eq!(small["complaints"]["trainers"], 0);
    let integrators = stop_figures(&app, &t.marketing, &t.busy, "?partner_type=integrator").await;
    assert_eq!(integrators["registered"], 1);
    let nobody = stop_figures(
        &app,
        &t.marketing,
        &t.busy,
        "?company_size=1-5&partner_type=reseller",
    )
    .await;
    assert_eq!(nobody["registered"], 0);
    assert!(nobody["no_show_rate"].is_null());
    let bad = problem(
        app.get(
            &format!("/api/v1/analytics/stops/{}?company_size=huge", t.busy),
            Some(&t.marketing),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(bad["errors"]["company_size"].is_string());

    let staff = app.token_for("staff").await;
    for path in [
        format!("/api/v1/analytics/stops/{}", t.busy),
        format!("/api/v1/analytics/tours/{}", t.id),
    ] {
        problem(app.get(&path, Some(&staff)).await, StatusCode::FORBIDDEN).await;
        problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;
    }
    let admin = app.token_for("admin").await;
    json_with(
        app.get(&format!("/api/v1/analytics/tours/{}", t.id), Some(&admin))
            .await,
        StatusCode::OK,
    )
    .await;
    problem(
        app.get("/api/v1/analytics/stops/no-such-stop", Some(&t.marketing))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/api/v1/analytics/tours/no-such-tour", Some(&t.marketing))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The tour's feedback theme by theme, and the stops each theme comes from.
    let summary = json_with(
        app.get(
            &format!("/api/v1/tours/{}/feedback-summary", t.id),
            Some(&t.marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(summary["responses"], 2);
    assert_eq!(summary["complaints"]["trainers"]["open"], 1);
    assert_eq!(summary["complaints"]["leads"], json!({}));
    assert_eq!(summary["complaints_by_stop"]["licensing"][&t.busy], 1);
    // The OpenAPI document describes both, and says rates may be null.
    let doc = json_with(app.get("/api/v1/openapi.json", None).await, StatusCode::OK).await;
    assert!(doc["paths"]["/api/v1/analytics/stops/{stop_id}"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/outcomes/import"]["post"].is_object());
    let rate = &doc["components"]["schemas"]["Figures"]["properties"]["no_show_rate"];
    assert!(rate.to_string().contains("null"), "{rate}");
}

#[tokio::test]
async fn dashboards_exports_and_the_attendee_page_work_for_marketing() {
    let app = spawn_app().await;
    let t = scenario(&app).await;
    let client = logged_in(&app, "analyst@roadshow.example", "marketing", "fr").await;

    let (status, doc) = page(&client, &app, &format!("/analytics/tours/{}", t.id)).await;
    assert_eq!(status, StatusCode::OK);
    let charts = select(&doc, "svg[role=img] title");
    assert!(charts.len() >= 3, "{} charts", charts.len());
    let rows = select(&doc, "#stops-table tbody tr");
    assert_eq!(rows.len(), 4);
    // French numbers: 33 % no-shows in Strasbourg (1 of 3), a dash where there is no rate.
    let first: String = rows[0].text().collect();
    assert!(first.contains("33\u{a0}%"), "{first}");
    let lille: String = rows[1].text().collect();
    assert!(lille.contains('—'), "{lille}");
    // Sorting by the no-show rate, highest first, puts Strasbourg first and the empty stop last.
    let (_, sorted) = page(
        &client,
        &app,
        &format!("/analytics/tours/{}?sort=no_show_rate&dir=desc", t.id),
    )
    .await;
    let cities: Vec<String> = select(&sorted, "#stops-table tbody tr td:nth-child(2)")
        .iter()
        .map(|c| c.text().collect::<String>().trim().to_owned())
        .collect();
    assert_eq!(cities.first().map(String::as_str), Some("Strasbourg"));
    assert_eq!(cities.last().map(String::as_str), Some("Lille"));

    let (status, stop) = page(&client, &app, &format!("/analytics/stops/{}", t.busy)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(select(&stop, "svg#chart-arrivals").len(), 1);
    assert_eq!(select(&stop, "#workshops-table tbody tr").len(), 2);
    let (status, fragment) =
        page(&client, &app, &format!("/analytics/stops/{}/live", t.busy)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(select(&fragment, "svg#chart-arrivals").len(), 1);

    // Marketing picks Claire's comment as a quote from the stop's page.
    let pick = select(&stop, "ul.comments form");
    let action = pick
        .first()
        .and_then(|f| f.value().attr("action"))
        .expect("a comment to pick")
        .to_owned();
    let response = client
        .post(app.url(&action))
        .form(&[
            ("csrf_token", csrf_of(&stop).as_str()),
            ("stop_id", t.busy.as_str()),
            ("pick", "yes"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let s = stop_figures(&app, &t.marketing, &t.busy, "").await;
    assert_eq!(s["quotes"][0]["text"], "Formateurs pas au niveau.");

    // Exports: a French spreadsheet's CSV, and a real xlsx.
    let csv = client
        .get(app.url(&format!("/analytics/stops/{}/export/attendees.csv", t.busy)))
        .send()
        .await
        .expect("sent");
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()[reqwest::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or_default()
            .contains("attendees-strasbourg")
    );
    let body = csv.text().await.expect("text");
    assert!(body.starts_with('\u{feff}'), "a byte-order mark");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 5, "header and 4 registrations: {body}");
    assert!(lines[0].contains("Nom;Prénom;E-mail"));
    let claire_line = lines
        .iter()
        .find(|l| l.contains("claire@"))
        .expect("Claire");
    assert!(
        claire_line.contains(&format!(";{} 08:50;", t.day)),
        "{claire_line}"
    );
    // Codes are words of the reader's language, not what the database stores.
    assert!(
        claire_line.contains(";confirmée;") && claire_line.contains(";en ligne;"),
        "{claire_line}"
    );
    assert!(!claire_line.contains(";confirmed;"), "{claire_line}");
    // A filtered export holds the filtered people only, and its name says it is filtered.
    let filtered = |query: &'static str| {
        let client = client.clone();
        let url = app.url(&format!(
            "/analytics/stops/{}/export/attendees.csv?{query}",
            t.busy
        ));
        async move {
            let response = client.get(url).send().await.expect("sent");
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            let name = response.headers()[reqwest::header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap_or_default()
                .to_owned();
            (name, response.text().await.expect("text").lines().count())
        }
    };
    let small_firms = lines.iter().filter(|l| l.contains(";6-20;")).count();
    assert!(small_firms > 0 && small_firms < 4, "{body}");
    let (name, count) = filtered("company_size=6-20").await;
    assert!(name.contains("-filtre-6-20"), "{name}");
    assert_eq!(count, 1 + small_firms, "the header and the 6-20 firms");
    let (name, count) = filtered("company_size=250%2B").await;
    assert!(name.contains("-filtre-250"), "{name}");
    assert_eq!(count, 1, "the header only");
    let xlsx = client
        .get(app.url(&format!("/analytics/tours/{}/export/overview.xlsx", t.id)))
        .send()
        .await
        .expect("sent");
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"), "a zip");
    let english = client
        .get(app.url(&format!(
            "/analytics/tours/{}/export/complaints.csv?lang=en",
            t.id
        )))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(english.starts_with("Stop,Theme,Status"), "{english}");
    assert_eq!(english.lines().count(), 3);
    let unknown = client
        .get(app.url(&format!("/analytics/tours/{}/export/overview.pdf", t.id)))
        .send()
        .await
        .expect("sent");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // The attendee page records an outcome; a second time is refused with a message.
    let lea = t.lea["id"].as_str().expect("id");
    let (status, person) = page(&client, &app, &format!("/analytics/registrations/{lea}")).await;
    assert_eq!(status, StatusCode::OK);
    let form = [
        ("csrf_token", csrf_of(&person)),
        ("kind", "certification_started".to_owned()),
        ("occurred_on", "2026-11-05".to_owned()),
    ];
    let path = app.url(&format!("/analytics/registrations/{lea}/outcomes"));
    let saved = client.post(&path).form(&form).send().await.expect("sent");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let again = client.post(&path).form(&form).send().await.expect("sent");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let s = stop_figures(&app, &t.marketing, &t.busy, "").await;
    assert_eq!(s["outcomes"]["certification_started"], 1);
    // Staff have no dashboards.
    let staff = logged_in(&app, "door@roadshow.example", "staff", "fr").await;
    let (status, _) = page(&staff, &app, &format!("/analytics/tours/{}", t.id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn someone_who_cancels_after_arriving_is_no_longer_counted_present() {
    let app = spawn_app().await;
    let (stop_id, _) = crate::fixtures::open_stop(&app, 10, &[]).await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    let claire = register(&app, &stop_id, registration_body("Claire", &[])).await;
    let entrance = checkpoint_of(&app, &stop_id, None).await;
    scan(&app, &staff, &claire, &entrance, "2026-10-13T06:50:00Z").await;
    assert_eq!(
        stop_figures(&app, &marketing, &stop_id, "").await["checked_in"],
        1
    );
    let token = claire["manage_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("manage token");
    json_with(
        app.api
            .delete(app.url(&format!("/api/v1/manage/{token}")))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    let s = stop_figures(&app, &marketing, &stop_id, "").await;
    assert_eq!(
        (
            &s["cancelled"],
            &s["confirmed"],
            &s["checked_in"],
            &s["arrivals"]
        ),
        (&json!(1), &json!(0), &json!(0), &json!([]))
    );
    assert!(s["no_show_rate"].is_null());
}
