use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{open_stop, registration_body};
use crate::helpers::{
    TestApp, json_with, problem, spawn_app, spawn_app_with, spawn_app_with_smtp_port,
};
use crate::mail::{MailSink, parts, subject, text};

async fn register(app: &TestApp, stop_id: &str, body: &Value) -> Value {
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            body,
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

use crate::fixtures::manage_token;

fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("decodable").1
}

#[tokio::test]
async fn registering_confirms_and_sends_one_email_with_text_html_badge_and_calendar() {
    let app = spawn_app().await;
    let (stop_id, workshops) =
        open_stop(&app, 50, &[("Le label Spécialiste PME", 10, 11, 12)]).await;

    let registration = register(
        &app,
        &stop_id,
        &registration_body("Claire", &[&workshops[0]]),
    )
    .await;
    assert_eq!(registration["status"], "confirmed");
    assert_eq!(
        registration["workshops"],
        json!([{
            "workshop_id": workshops[0], "title": "Le label Spécialiste PME",
            "starts_at": "2027-10-13T11:00:00+02:00", "ends_at": "2027-10-13T12:00:00+02:00", "status": "confirmed"
        }])
    );
    assert_eq!(registration["email"], "claire@alsace-informatique.fr");
    let token = registration["badge"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(
        registration["manage_url"]
            .as_str()
            .expect("url")
            .starts_with(&format!("{}/manage/", app.address))
    );

    // The QR images decode to exactly the token.
    let png = app
        .api
        .get(registration["badge"]["qr_png_url"].as_str().expect("url"))
        .send()
        .await
        .expect("png");
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(decode_qr(&png.bytes().await.expect("bytes")), token);
    let svg = app
        .api
        .get(registration["badge"]["qr_svg_url"].as_str().expect("url"))
        .send()
        .await
        .expect("svg");
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    // A badge changed by one character is not ours.
    let mut forged = token.clone().into_bytes();
    forged[40] = if forged[40] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ascii");
    problem(
        app.get(&format!("/api/v1/badges/{forged}/qr.png"), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // One message, with every part.
    let messages = app.mail.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.mail.messages().len(), 1, "sent once");
    assert_eq!(
        messages[0].to,
        vec!["claire@alsace-informatique.fr".to_owned()]
    );
    let raw = &messages[0].raw;
    assert!(subject(raw).contains("Strasbourg"), "{}", subject(raw));
    let body = text(raw);
    assert!(body.contains("Bonjour Claire"), "{body}");
    assert!(body.contains("Votre inscription est confirmée"), "{body}");
    assert!(
        body.contains(registration["manage_url"].as_str().expect("url")),
        "{body}"
    );
    let all = parts(raw);
    let types: Vec<&str> = all.iter().map(|(t, _, _)| t.as_str()).collect();
    for expected in ["text/plain", "text/html", "image/png", "text/calendar"] {
        assert!(types.contains(&expected), "{expected} in {types:?}");
    }
    let (_, cid, png) = all.iter().find(|(t, _, _)| t == "image/png").expect("png");
    assert_eq!(cid.as_deref(), Some("<badge>"));
    assert_eq!(
        decode_qr(png),
        token,
        "the inline badge decodes to the token"
    );
    let html = all
        .iter()
        .find(|(t, _, _)| t == "text/html")
        .map(|(_, _, b)| String::from_utf8_lossy(b).into_owned())
        .expect("html");
    assert!(html.contains("cid:badge"));
    let ics = all
        .iter()
        .find(|(t, _, _)| t == "text/calendar")
        .map(|(_, _, b)| String::from_utf8_lossy(b).into_owned())
        .expect("ics");
    assert!(
        ics.contains("DTSTART:20271013T070000Z"),
        "09:00 in Strasbourg is 07:00 UTC: {ics}"
    );
    assert!(ics.contains("BEGIN:VEVENT"));
}

#[tokio::test]
async fn english_registrations_get_english_mail() {
    let app = spawn_app().await;
    let (stop_id, w) = open_stop(&app, 50, &[("Le label", 10, 11, 12)]).await;
    let mut body = registration_body("Paul", &[&w[0]]);
    body["locale"] = json!("en");
    register(&app, &stop_id, &body).await;
    let messages = app.mail.wait_for(1).await;
    let body = text(&messages[0].raw);
    assert!(
        body.contains("Hello Paul") && body.contains("Your registration is confirmed"),
        "{body}"
    );
    // English punctuation: no space before a colon.
    assert!(body.contains("Your workshops:"), "{body}");
    assert!(!body.contains(" :"), "{body}");
}

#[tokio::test]
async fn a_full_stop_waitlists_and_a_cancellation_promotes_the_first_in_line_and_tells_them() {
    let app = spawn_app().await;
    let (stop_id, workshops) = open_stop(&app, 2, &[("Licences", 1, 16, 17)]).await;
    let w = workshops[0].as_str();
    let claire = register(&app, &stop_id, &registration_body("Claire", &[w])).await;
    let paul = register(&app, &stop_id, &registration_body("Paul", &[w])).await;
    let lea = register(&app, &stop_id, &registration_body("Lea", &[w])).await;
    let marc = register(&app, &stop_id, &registration_body("Marc", &[])).await;
    assert_eq!(claire["status"], "confirmed");
    assert_eq!(claire["workshops"][0]["status"], "confirmed");
    assert_eq!(paul["status"], "confirmed");
    assert_eq!(
        paul["workshops"][0]["status"], "waitlisted",
        "the workshop holds one"
    );
    assert_eq!(lea["status"], "waitlisted");
    assert_eq!(lea["workshops"][0]["status"], "waitlisted");
    assert_eq!(marc["status"], "waitlisted");
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stop["seats_left"], 0);
    assert_eq!(stop["workshops"][0]["seats_left"], 0);

    // Claire cancels: Paul (waiting longer for the workshop) gets it; Léa gets the stop seat.
    let cancelled = json_with(
        app.api
            .delete(app.url(&format!("/api/v1/manage/{}", manage_token(&claire))))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let paul = json_with(
        app.get(&format!("/api/v1/manage/{}", manage_token(&paul)), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(paul["workshops"][0]["status"], "confirmed");
    let lea = json_with(
        app.get(&format!("/api/v1/manage/{}", manage_token(&lea)), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(lea["status"], "confirmed");
    assert_eq!(lea["workshops"][0]["status"], "waitlisted");
    let marc_now = json_with(
        app.get(&format!("/api/v1/manage/{}", manage_token(&marc)), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(marc_now["status"], "waitlisted", "only one seat was freed");

    // Cancelling twice changes nothing.
    json_with(
        app.api
            .delete(app.url(&format!("/api/v1/manage/{}", manage_token(&claire))))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stop["seats_left"], 0);

    // Léa is told; so is Paul about his workshop.
    app.mail.wait_for(4 + 3).await;
    let to_lea: Vec<String> = app
        .mail
        .to("lea@alsace-informatique.fr")
        .iter()
        .map(|m| text(&m.raw))
        .collect();
    assert!(
        to_lea
            .iter()
            .any(|t| t.contains("une place s'est libérée, votre inscription est confirmée")),
        "{to_lea:#?}"
    );
    let to_paul: Vec<String> = app
        .mail
        .to("paul@alsace-informatique.fr")
        .iter()
        .map(|m| text(&m.raw))
        .collect();
    assert!(
        to_paul
            .iter()
            .any(|t| t.contains("un atelier que vous attendiez")),
        "{to_paul:#?}"
    );
}

#[tokio::test]
async fn changing_workshops_frees_the_seat_for_the_next_in_line() {
    let app = spawn_app().await;
    let (stop_id, w) = open_stop(
        &app,
        10,
        &[("Label", 1, 11, 12), ("SBS", 5, 14, 15), ("XP", 5, 14, 16)],
    )
    .await;
    let claire = register(&app, &stop_id, &registration_body("Claire", &[&w[0]])).await;
    let paul = register(&app, &stop_id, &registration_body("Paul", &[&w[0]])).await;
    assert_eq!(paul["workshops"][0]["status"], "waitlisted");

    let changed = json_with(
        app.patch_json(
            &format!("/api/v1/manage/{}", manage_token(&claire)),
            &json!({"workshops": [w[1]]}),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["workshops"].as_array().map(Vec::len), Some(1));
    assert_eq!(changed["workshops"][0]["title"], "SBS");
    let paul = json_with(
        app.get(&format!("/api/v1/manage/{}", manage_token(&paul)), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(paul["workshops"][0]["status"], "confirmed");

    // Overlapping workshops and foreign ids are refused, and nothing changes.
    let token = manage_token(&claire);
    for bad in [
        json!({"workshops": [w[1], w[2]]}),
        json!({"workshops": ["nope"]}),
    ] {
        let body = problem(
            app.patch_json(&format!("/api/v1/manage/{token}"), &bad, None)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(body["errors"]["workshops"].is_string(), "{body}");
    }
    let claire = json_with(
        app.get(&format!("/api/v1/manage/{token}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(claire["workshops"][0]["title"], "SBS");
}

#[tokio::test]
async fn the_same_email_twice_is_a_conflict_whatever_its_case_until_cancelled() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let first = register(&app, &stop_id, &registration_body("Claire", &[])).await;
    let mut again = registration_body("Claire", &[]);
    again["email"] = json!("  CLAIRE@Alsace-Informatique.FR ");
    let body = problem(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            &again,
            None,
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("already registered"),
        "{body}"
    );

    // The way to get the e-mail again: 202, and the confirmation goes out a second time.
    let resent = app
        .post_json(
            &format!("/api/v1/stops/{stop_id}/registrations/resend"),
            &json!({"email": "claire@alsace-informatique.fr"}),
            None,
        )
        .await;
    assert_eq!(resent.status(), StatusCode::ACCEPTED);
    // Unknown addresses get the same answer and no e-mail.
    let unknown = app
        .post_json(
            &format!("/api/v1/stops/{stop_id}/registrations/resend"),
            &json!({"email": "nobody@example.fr"}),
            None,
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let messages = app.mail.wait_for(2).await;
    assert!(
        messages
            .iter()
            .all(|m| m.to == vec!["claire@alsace-informatique.fr".to_owned()])
    );

    app.api
        .delete(app.url(&format!("/api/v1/manage/{}", manage_token(&first))))
        .send()
        .await
        .expect("sent");
    let again = register(&app, &stop_id, &again).await;
    assert_eq!(again["status"], "confirmed");
}

#[tokio::test]
async fn closed_or_finished_stops_refuse_registrations_with_409() {
    let app = spawn_app().await;
    let token = app.token_for("admin").await;
    let tour = crate::fixtures::create_tour(&app, &token, "Closed").await;
    let tour_id = tour["id"].as_str().expect("id");
    let cases = [
        (
            json!({"registration_closes_at": "2020-01-01T00:00:00+01:00"}),
            "registration is closed",
        ),
        (
            json!({"starts_at": "2020-10-13T09:00:00+02:00", "ends_at": "2020-10-13T17:00:00+02:00"}),
            "this stop is over",
        ),
    ];
    for (change, expected) in cases {
        let stop = json_with(
            app.post_json(
                &format!("/api/v1/tours/{tour_id}/stops"),
                &crate::fixtures::stop_body("Metz", change),
                Some(&token),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(stop["registration_open"], false);
        let stop_id = stop["id"].as_str().expect("id");
        let body = problem(
            app.post_json(
                &format!("/api/v1/stops/{stop_id}/registrations"),
                &registration_body("Late", &[]),
                None,
            )
            .await,
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(body["detail"], expected);
    }
}

#[tokio::test]
async fn invalid_registrations_get_422_by_field_and_store_nothing() {
    let app = spawn_app().await;
    let (stop_id, w) = open_stop(&app, 10, &[("A", 5, 11, 12), ("B", 5, 11, 13)]).await;
    let path = format!("/api/v1/stops/{stop_id}/registrations");
    let cases: Vec<(&str, Value, &str)> = vec![
        ("no consent", json!({"consent": false}), "consent"),
        ("consent missing", json!({"consent": null}), "consent"),
        ("bad e-mail", json!({"email": "claire@"}), "email"),
        ("empty company", json!({"company": ""}), "company"),
        (
            "overlapping workshops",
            json!({"workshops": [w[0], w[1]]}),
            "workshops",
        ),
        (
            "unknown workshop",
            json!({"workshops": ["not-a-workshop"]}),
            "workshops",
        ),
        (
            "1 MB name",
            json!({"first_name": "x".repeat(1024 * 1024)}),
            "first_name",
        ),
        (
            "unknown size",
            json!({"company_size": "huge"}),
            "company_size",
        ),
        (
            "workshops not a list",
            json!({"workshops": "A"}),
            "workshops",
        ),
    ];
    for (case, change, field) in cases {
        let mut body = registration_body("Claire", &[]);
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let problem = problem(
            app.post_json(&path, &body, None).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"][field].is_string(), "{case}: {problem}");
    }
    problem(
        app.post_raw(&path, "application/json", "{\"first_name\": ", None)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    problem(
        app.post_json(
            "/api/v1/stops/no-such-stop/registrations",
            &registration_body("Claire", &[]),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/api/v1/manage/forged-token", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stop["seats_left"], 10, "nothing was stored");
}

/// 200 people press "register" at once for 50 seats and a 10-seat workshop.
pub async fn stampede(addresses: &[String], stop_id: &str, workshop: &str) -> Vec<Value> {
    let client = reqwest::Client::new();
    let requests = (0..200).map(|i| {
        let client = client.clone();
        let url = format!(
            "{}/api/v1/stops/{stop_id}/registrations",
            addresses[i % addresses.len()]
        );
        let body = registration_body(&format!("Person{i}"), &[workshop]);
        async move {
            let response = client.post(url).json(&body).send().await.expect("sent");
            assert_eq!(response.status(), StatusCode::CREATED);
            response.json::<Value>().await.expect("json")
        }
    });
    futures::future::join_all(requests).await
}

pub fn count(results: &[Value], pick: impl Fn(&Value) -> &Value, status: &str) -> usize {
    results.iter().filter(|r| pick(r) == status).count()
}

#[tokio::test]
async fn two_hundred_simultaneous_registrations_never_overbook() {
    let app = spawn_app().await;
    let (stop_id, w) = open_stop(&app, 50, &[("Label", 10, 11, 12)]).await;
    let results = stampede(std::slice::from_ref(&app.address), &stop_id, &w[0]).await;
    assert_eq!(count(&results, |r| &r["status"], "confirmed"), 50);
    assert_eq!(count(&results, |r| &r["status"], "waitlisted"), 150);
    assert_eq!(
        count(&results, |r| &r["workshops"][0]["status"], "confirmed"),
        10
    );
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stop["seats_left"], 0);
    assert_eq!(stop["workshops"][0]["seats_left"], 0);
}

/// Whether an e-mail is already registered at a stop is read through the partial unique index
/// `registrations_live_email`, even in PostgreSQL's generic plans (those a prepared statement
/// gets after five runs), so that registering costs the same at a stop of 30 or of 30,000.
/// SQLite plans each statement with its bound values and has no generic plans.
#[tokio::test]
async fn the_live_e_mail_check_reads_the_partial_index_in_generic_plans() {
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct Scans {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let mut conn = app.connection();
    if !matches!(conn, roadshow::db::DbConnection::Pg(_)) {
        return;
    }
    let scans = |conn: &mut roadshow::db::DbConnection| {
        diesel::sql_query("SELECT pg_stat_force_next_flush()")
            .execute(conn)
            .expect("flush");
        diesel::sql_query("SELECT pg_stat_clear_snapshot()")
            .execute(conn)
            .expect("snapshot");
        diesel::sql_query(
            "SELECT idx_scan AS n FROM pg_stat_user_indexes \
             WHERE indexrelname = 'registrations_live_email'",
        )
        .get_result::<Scans>(conn)
        .expect("index statistics")
        .n
    };
    diesel::sql_query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut conn)
        .expect("generic plans");
    let before = scans(&mut conn);
    for i in 0..10 {
        let found = roadshow::registrations::store::find_live_by_email(
            &mut conn,
            &stop_id,
            &format!("nobody{i}@example.com"),
        )
        .expect("read");
        assert!(found.is_none());
    }
    assert_eq!(scans(&mut conn) - before, 10);
}

/// Registrations arriving together are decided in one transaction: the ones refused (one
/// e-mail sent eight times at once, a workshop of another stop) are refused alone, and every
/// other one stands, with its seat, its e-mail and its counters.
#[tokio::test]
async fn registrations_refused_in_a_group_leave_the_others_standing() {
    let app = spawn_app().await;
    let (stop_id, w) = open_stop(&app, 20, &[("Label", 10, 11, 12)]).await;
    let client = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/stops/{stop_id}/registrations"));
    let requests = (0..48).map(|i| {
        let (client, url) = (client.clone(), url.clone());
        let body = match i % 6 {
            // Eight copies of one person.
            0 => registration_body("Twin", &[]),
            // Eight who pick a workshop that is not this stop's.
            1 => registration_body(&format!("Lost{i}"), &["not-a-workshop"]),
            _ => registration_body(&format!("Person{i}"), &[&w[0]]),
        };
        async move {
            let response = client.post(url).json(&body).send().await.expect("sent");
            let status = response.status();
            let body: Value = response.json().await.expect("json");
            (i % 6, status, body)
        }
    });
    let answered = futures::future::join_all(requests).await;
    // Each answer is made by the writer from what it wrote: it is the registration as any
    // later read shows it, seats and workshops included.
    for (_, status, body) in answered
        .iter()
        .filter(|(_, s, _)| *s == StatusCode::CREATED)
    {
        let token = manage_token(body);
        let read = json_with(
            app.get(&format!("/api/v1/manage/{token}"), None).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(*body, read, "{status}");
    }
    let answers: Vec<(usize, StatusCode)> = answered.iter().map(|(k, s, _)| (*k, *s)).collect();
    let created = |kind: usize| {
        answers
            .iter()
            .filter(|(k, status)| *k == kind && *status == StatusCode::CREATED)
            .count()
    };
    assert_eq!(created(0), 1, "one of the eight copies: {answers:?}");
    assert_eq!(created(1), 0, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|(k, _)| *k == 0)
            .all(|(_, s)| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT)
    );
    assert!(
        answers
            .iter()
            .filter(|(k, _)| *k == 1)
            .all(|(_, s)| *s == StatusCode::UNPROCESSABLE_ENTITY),
        "{answers:?}"
    );
    assert_eq!((2..6).map(created).sum::<usize>(), 32);
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    // 33 registered for 20 seats; 10 workshop seats among the 32 who asked.
    assert_eq!(stop["seats_left"], 0);
    assert_eq!(stop["workshops"][0]["seats_left"], 0);
    use diesel::prelude::*;
    use roadshow::db::schema::{outbox, registrations};
    let mut conn = app.connection();
    let rows: i64 = registrations::table
        .filter(registrations::stop_id.eq(&stop_id))
        .count()
        .get_result(&mut conn)
        .expect("count");
    let mails: i64 = outbox::table.count().get_result(&mut conn).expect("count");
    assert_eq!((rows, mails), (33, 33));
}

/// The writer decides a group with statements shared by the group (one look-up of the
/// e-mails, one update of the seats when the group fits). Decided here with a group chosen
/// whole, rather than left to the timing of requests: it must answer as if each registration
/// had come after the ones before it. A group that does not fit fills the stop in arrival
/// order; an e-mail registered before, or twice in the group, is refused and takes no seat.
#[tokio::test]
async fn a_group_is_decided_as_if_one_registration_came_after_another() {
    use diesel::prelude::*;
    use roadshow::db::group_commit::Decide;
    use roadshow::db::schema::{outbox, registrations};
    use roadshow::registrations::domain::{NewRegistration, RawRegistration};
    use roadshow::registrations::service::{Registrar, RegistrationItem, Source};

    let app = spawn_app().await;
    let (full, _) = open_stop(&app, 4, &[]).await;
    let (roomy, _) = open_stop(&app, 100, &[]).await;
    register(&app, &full, &registration_body("Early", &[])).await;
    let item = |stop: &str, name: &str| RegistrationItem {
        stop_id: stop.to_owned(),
        new: NewRegistration::parse(RawRegistration {
            first_name: name.into(),
            last_name: "Dupont".into(),
            email: format!("{name}@alsace-informatique.fr"),
            company: "Alsace Informatique".into(),
            consent: Some(true),
            ..RawRegistration::default()
        })
        .expect("valid"),
        source: Source::Online,
    };
    let refused = "refused: this e-mail is already registered for this stop; the confirmation e-mail can be sent again";
    // Three seats left at `full`: the group holds five new people for it.
    let group = [
        (item(&full, "Anne"), "confirmed"),
        (item(&roomy, "Anne"), "confirmed"),
        (item(&full, "Early"), refused),
        (item(&full, "Bruno"), "confirmed"),
        (item(&full, "ANNE"), refused),
        (item(&roomy, "Bruno"), "confirmed"),
        (item(&full, "Chloe"), "confirmed"),
        (item(&full, "Denis"), "waitlisted"),
        (item(&full, "Emma"), "waitlisted"),
    ];
    let refs: Vec<&RegistrationItem> = group.iter().map(|(item, _)| item).collect();
    let mut conn = app.connection();
    // As the writer does: on SQLite a transaction that takes the write lock first, so that
    // the server's own writes meanwhile (its e-mail worker) are waited for.
    let answers = roadshow::db::write_transaction(&mut conn, |conn| Registrar.decide(conn, &refs))
        .expect("decided");
    let outcome: Vec<String> = answers
        .iter()
        .map(|answer| match answer {
            Ok(view) => view.registration.status.to_string(),
            Err(e) => format!("refused: {e}"),
        })
        .collect();
    let expected: Vec<&str> = group.iter().map(|(_, outcome)| *outcome).collect();
    assert_eq!(outcome, expected);
    let stop = |id: &str| {
        let app = &app;
        let id = id.to_owned();
        async move {
            json_with(
                app.get(&format!("/api/v1/stops/{id}"), None).await,
                StatusCode::OK,
            )
            .await
        }
    };
    assert_eq!(stop(&full).await["seats_left"], 0);
    assert_eq!(stop(&roomy).await["seats_left"], 98);
    // Each answer is the registration as stored, and each stored one has its one e-mail.
    for view in answers.iter().flatten() {
        let stored =
            roadshow::registrations::store::find_registration(&mut conn, &view.registration.id)
                .expect("read")
                .expect("stored");
        assert_eq!(
            (stored.status, stored.email.as_str(), stored.created_at),
            (
                view.registration.status,
                view.registration.email.as_str(),
                view.registration.created_at
            )
        );
    }
    let rows: i64 = registrations::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    let mails: i64 = outbox::table.count().get_result(&mut conn).expect("count");
    assert_eq!((rows, mails), (8, 8));
}

#[tokio::test]
async fn e_mails_queued_while_smtp_is_down_are_delivered_once_when_it_returns_even_across_a_restart()
 {
    let port = MailSink::reserve_port();
    let app = spawn_app_with_smtp_port(port).await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    for name in ["Claire", "Paul", "Lea"] {
        register(&app, &stop_id, &registration_body(name, &[])).await;
    }
    // The worker tried and failed; the errors are kept on the rows.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    {
        use diesel::prelude::*;
        use roadshow::db::schema::outbox;
        let mut conn = app.connection();
        let pending: i64 = outbox::table
            .filter(outbox::status.eq("pending"))
            .count()
            .get_result(&mut conn)
            .expect("count");
        assert_eq!(pending, 3);
        let errors: Vec<Option<String>> = outbox::table
            .select(outbox::last_error)
            .load(&mut conn)
            .expect("errors");
        assert!(errors.iter().all(|e| e.is_some()), "{errors:?}");
    }
    let metrics = app
        .get("/metrics", None)
        .await
        .text()
        .await
        .expect("metrics");
    assert!(metrics.contains("roadshow_outbox_pending 3"), "{metrics}");

    // The server restarts while SMTP is still down, then SMTP comes back.
    let sink = MailSink::start_on(port);
    let app = app.restart(sink.clone()).await;
    let messages = sink.wait_for(3).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        sink.messages().len(),
        3,
        "each delivered exactly once: {messages:?}"
    );
    let mut recipients: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "claire@alsace-informatique.fr",
            "lea@alsace-informatique.fr",
            "paul@alsace-informatique.fr"
        ]
    );
    let metrics = app
        .get("/metrics", None)
        .await
        .text()
        .await
        .expect("metrics");
    assert!(metrics.contains("roadshow_outbox_pending 0"), "{metrics}");
}

#[tokio::test]
async fn anonymous_writes_are_rate_limited_per_client() {
    // Four anonymous writes a minute: the fixture's login is the first.
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 4).await;
    let (stop_id, _) = open_stop(&app, 100, &[]).await;
    let path = format!("/api/v1/stops/{stop_id}/registrations");
    for i in 0..3 {
        let response = app
            .post_json(&path, &registration_body(&format!("P{i}"), &[]), None)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let limited = app
        .post_json(&path, &registration_body("P4", &[]), None)
        .await;
    assert_eq!(
        limited
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap_or_default()),
        Some("60")
    );
    problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    // Reads and authenticated staff are not limited.
    assert_eq!(
        app.get(&format!("/api/v1/stops/{stop_id}"), None)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn each_e_mail_s_subject_says_what_happened_in_the_attendee_s_language() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 1, &[]).await;
    let claire = register(&app, &stop_id, &registration_body("Claire", &[])).await;
    let mut paul = registration_body("Paul", &[]);
    paul["locale"] = json!("en");
    register(&app, &stop_id, &paul).await;
    app.mail.wait_for(2).await;
    // Claire gives her seat up: Paul is promoted.
    json_with(
        app.api
            .delete(app.url(&format!(
                "/api/v1/manage/{}",
                crate::fixtures::manage_token(&claire)
            )))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    app.mail.wait_for(4).await;
    let subjects =
        |to: &str| -> Vec<String> { app.mail.to(to).iter().map(|m| subject(&m.raw)).collect() };
    let claire = subjects("claire@alsace-informatique.fr");
    let paul = subjects("paul@alsace-informatique.fr");
    let ends = |s: &[String], i: usize, end: &str| s[i].ends_with(end);
    assert!(ends(&claire, 0, " : inscription confirmée"), "{claire:?}");
    assert!(ends(&claire, 1, " : inscription annulée"), "{claire:?}");
    // English, with an English colon.
    assert!(
        ends(&paul, 0, ": waiting list") && !paul[0].contains(" :"),
        "{paul:?}"
    );
    assert!(ends(&paul, 1, ": a seat for you"), "{paul:?}");
}

#[tokio::test]
async fn a_cancellation_takes_the_day_out_of_the_attendee_s_calendar() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let claire = register(&app, &stop_id, &registration_body("Claire", &[])).await;
    app.mail.wait_for(1).await;
    json_with(
        app.api
            .delete(app.url(&format!(
                "/api/v1/manage/{}",
                crate::fixtures::manage_token(&claire)
            )))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    let messages = app.mail.wait_for(2).await;
    let calendar = |raw: &[u8]| {
        parts(raw)
            .into_iter()
            .find(|(t, _, _)| t == "text/calendar")
            .map(|(_, _, b)| String::from_utf8_lossy(&b).into_owned())
            .expect("a calendar part")
    };
    let (added, removed) = (calendar(&messages[0].raw), calendar(&messages[1].raw));
    let uid = |ics: &str| {
        ics.lines()
            .find(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .expect("a UID")
    };
    assert!(added.contains("METHOD:PUBLISH"), "{added}");
    assert!(removed.contains("METHOD:CANCEL"), "{removed}");
    assert!(removed.contains("STATUS:CANCELLED"), "{removed}");
    assert_eq!(uid(&added), uid(&removed), "the same event, cancelled");
}
