//! The attendee's pages without a browser: form errors, confirmation, manage, badge, calendar.

use reqwest::StatusCode;
use scraper::Html;

use crate::fixtures::open_stop;
use crate::helpers::spawn_app;
use crate::pages::{browser, csrf_of, page, select};

#[tokio::test]
async fn the_registration_form_shows_errors_beside_fields_then_registers_and_shows_the_badge() {
    let app = spawn_app().await;
    let (stop_id, w) = open_stop(
        &app,
        20,
        &[
            ("Le label", 5, 11, 12),
            ("SBS", 5, 11, 12),
            ("Licences", 5, 16, 17),
        ],
    )
    .await;
    let client = browser("fr-FR,fr;q=0.9");

    let (status, doc) = page(&client, &app, &format!("/stops/{stop_id}/register")).await;
    assert_eq!(status, StatusCode::OK);
    // Overlapping workshops share one radio group; the lone 16:00 workshop is a checkbox.
    assert_eq!(
        select(&doc, "input[type=radio][name=slot_0]").len(),
        3,
        "none + two choices"
    );
    assert_eq!(select(&doc, "input[type=checkbox][name=slot_1]").len(), 1);
    let csrf = csrf_of(&doc);

    let path = format!("/stops/{stop_id}/register");
    let response = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("first_name", ""),
            ("last_name", "Dupont"),
            ("email", "claire@"),
            ("company", "Alsace Informatique"),
            ("slot_0", w[0].as_str()),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Html::parse_document(&response.text().await.expect("body"));
    let errors: Vec<String> = select(&doc, ".field-error")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(select(&doc, ".has-error #f-first_name").len() == 1);
    assert!(select(&doc, ".has-error #f-email").len() == 1);
    assert!(select(&doc, ".has-error #f-consent").len() == 1);
    assert_eq!(
        select(&doc, "#f-company")[0].value().attr("value"),
        Some("Alsace Informatique")
    );
    assert!(
        select(&doc, &format!("input[name=slot_0][value=\"{}\"]", w[0]))[0]
            .value()
            .attr("checked")
            .is_some(),
        "the workshop choice is kept"
    );

    let response = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("first_name", "Claire"),
            ("last_name", "Dupont"),
            ("email", "claire@alsace-informatique.fr"),
            ("company", "Alsace Informatique"),
            ("company_size", "6-20"),
            ("locale", "fr"),
            ("slot_0", w[0].as_str()),
            ("slot_1", w[2].as_str()),
            ("consent", "yes"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        location.starts_with("/manage/") && location.ends_with("?welcome=1"),
        "{location}"
    );

    let (status, doc) = page(&client, &app, &location).await;
    assert_eq!(status, StatusCode::OK);
    let status_text: String = select(&doc, "#status")[0].text().collect();
    assert!(status_text.contains("confirmée"), "{status_text}");
    let qr = select(&doc, "#badge-qr")[0]
        .value()
        .attr("src")
        .expect("src")
        .to_owned();
    let svg = client.get(app.url(&qr)).send().await.expect("qr");
    assert_eq!(svg.status(), StatusCode::OK);
    let token = location
        .trim_start_matches("/manage/")
        .trim_end_matches("?welcome=1");
    let ics = client
        .get(app.url(&format!("/manage/{token}/calendar.ics")))
        .send()
        .await
        .expect("ics");
    assert_eq!(
        ics.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert!(ics.text().await.expect("text").contains("BEGIN:VEVENT"));
    let (status, badge) = page(&client, &app, &format!("/manage/{token}/badge")).await;
    assert_eq!(status, StatusCode::OK);
    let name: String = select(&badge, ".name")[0].text().collect();
    assert_eq!(name, "ClaireDupont");
    // A print button, run by a script of our own (no inline script under the CSP).
    assert_eq!(select(&badge, "button[data-print]").len(), 1);
    assert_eq!(select(&badge, "script[src='/static/print.js']").len(), 1);
    let script = client
        .get(app.url("/static/print.js"))
        .send()
        .await
        .expect("sent");
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.text().await.expect("js").contains("window.print()"));

    // Cancel from the page: the badge disappears.
    let (_, doc) = page(&client, &app, &format!("/manage/{token}")).await;
    let response = client
        .post(app.url(&format!("/manage/{token}/cancel")))
        .form(&[("csrf_token", csrf_of(&doc).as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "cancelling needs the tick"
    );
    // The answer says so at the top, linking to the box, and comes back at the cancel section.
    let refused = Html::parse_document(&response.text().await.expect("body"));
    let alert = select(&refused, ".alert a[href='#f-confirm']");
    assert_eq!(alert.len(), 1, "an alert at the top that leads to the box");
    let action = select(&refused, "form[action$='/cancel#cancel']");
    assert_eq!(action.len(), 1, "the form answers at its own section");
    assert_eq!(select(&refused, "h2#cancel").len(), 1);
    let response = client
        .post(app.url(&format!("/manage/{token}/cancel")))
        .form(&[("csrf_token", csrf_of(&doc).as_str()), ("confirm", "yes")])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, doc) = page(&client, &app, &format!("/manage/{token}?cancelled=1")).await;
    assert_eq!(
        select(&doc, "a[href$='/register']").len(),
        1,
        "a way to register again"
    );
    assert!(select(&doc, "#badge-qr").is_empty());
    let status_text: String = select(&doc, "#status")[0].text().collect();
    assert!(status_text.contains("annulée"), "{status_text}");
}

#[tokio::test]
async fn registering_twice_offers_to_send_the_confirmation_again() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 20, &[]).await;
    let client = browser("en");
    let (_, doc) = page(&client, &app, &format!("/stops/{stop_id}/register")).await;
    let csrf = csrf_of(&doc);
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("first_name", "Paul"),
        ("last_name", "Martin"),
        ("email", "paul@example.fr"),
        ("company", "Martin Micro"),
        ("consent", "yes"),
    ];
    let first = client
        .post(app.url(&format!("/stops/{stop_id}/register")))
        .form(&fields)
        .send()
        .await
        .expect("sent");
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let second = client
        .post(app.url(&format!("/stops/{stop_id}/register")))
        .form(&fields)
        .send()
        .await
        .expect("sent");
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let doc = Html::parse_document(&second.text().await.expect("body"));
    // Not an error of the visitor's: a notice, with the way out inside it.
    assert!(select(&doc, ".alert").is_empty(), "no error box");
    let notice: String = select(&doc, "#notice")[0].text().collect();
    assert!(notice.contains("already registered"), "{notice}");
    assert_eq!(
        select(&doc, "#notice input[name=action][value=resend]").len(),
        1
    );
    // The button sends back everything typed, as a browser submits the notice's form.
    let resent_fields: Vec<(String, String)> = select(&doc, "#notice form input")
        .iter()
        .filter_map(|input| {
            let v = input.value();
            Some((
                v.attr("name")?.to_owned(),
                v.attr("value").unwrap_or_default().to_owned(),
            ))
        })
        .collect();
    assert!(
        resent_fields
            .iter()
            .any(|(n, v)| n == "first_name" && !v.is_empty()),
        "{resent_fields:?}"
    );
    let resend = client
        .post(app.url(&format!("/stops/{stop_id}/register")))
        .form(&resent_fields)
        .send()
        .await
        .expect("sent");
    assert_eq!(resend.status(), StatusCode::OK);
    let doc = Html::parse_document(&resend.text().await.expect("body"));
    assert!(select(&doc, ".alert").is_empty(), "success is no error");
    let notice: String = select(&doc, "#notice[role=status]")[0].text().collect();
    assert!(!notice.contains("already registered"), "{notice}");
    assert_eq!(
        select(&doc, "input[name=email]")[0].value().attr("value"),
        Some("paul@example.fr"),
        "the address stays in the form"
    );
    assert!(
        select(&doc, "input[name=first_name]")[0]
            .value()
            .attr("value")
            .is_some_and(|v| !v.is_empty()),
        "and so does the rest"
    );
    app.mail.wait_for(2).await;
}

#[tokio::test]
async fn a_registration_form_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 20, &[]).await;
    let response = browser("en")
        .post(app.url(&format!("/stops/{stop_id}/register")))
        .form(&[
            ("first_name", "Eve"),
            ("email", "eve@example.fr"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let stop: serde_json::Value = app
        .get(&format!("/api/v1/stops/{stop_id}"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(stop["seats_left"], 20);
}

#[tokio::test]
async fn the_tour_page_lists_stops_with_their_state() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 1, &[]).await;
    let stop: serde_json::Value = app
        .get(&format!("/api/v1/stops/{stop_id}"), None)
        .await
        .json()
        .await
        .expect("json");
    let tour: serde_json::Value = app
        .get(
            &format!("/api/v1/tours/{}", stop["tour_id"].as_str().expect("id")),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let slug = tour["slug"].as_str().expect("slug");
    let client = browser("fr");
    let (_, doc) = page(&client, &app, &format!("/tours/{slug}")).await;
    assert_eq!(select(&doc, ".stop-card.state-open").len(), 1);
    // Fill the only seat: the stop shows as full (waiting list).
    app.post_json(
        &format!("/api/v1/stops/{stop_id}/registrations"),
        &crate::fixtures::registration_body("Claire", &[]),
        None,
    )
    .await;
    let (_, doc) = page(&client, &app, &format!("/tours/{slug}")).await;
    assert_eq!(select(&doc, ".stop-card.state-full").len(), 1);
}

#[tokio::test]
async fn admins_see_undelivered_e_mails_with_their_errors_and_can_retry() {
    let port = crate::mail::MailSink::reserve_port();
    let app = crate::helpers::spawn_app_with_smtp_port(port).await;
    let (stop_id, _) = open_stop(&app, 20, &[]).await;
    app.post_json(
        &format!("/api/v1/stops/{stop_id}/registrations"),
        &crate::fixtures::registration_body("Claire", &[]),
        None,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let client = crate::pages::logged_in_admin(&app, "en").await;
    let (status, doc) = page(&client, &app, "/admin/outbox").await;
    assert_eq!(status, StatusCode::OK);
    let pending: String = select(&doc, "#pending")[0].text().collect();
    assert_eq!(pending, "1");
    let row: String = select(&doc, "#outbox tbody tr")[0].text().collect();
    assert!(row.contains("claire@alsace-informatique.fr"), "{row}");
    assert!(
        row.to_lowercase().contains("connection refused") || row.contains("rror"),
        "the SMTP error is shown: {row}"
    );

    // SMTP comes back; "retry now" sends it at once.
    let sink = crate::mail::MailSink::start_on(port);
    let action = select(&doc, "#outbox form")[0]
        .value()
        .attr("action")
        .expect("action")
        .to_owned();
    let response = client
        .post(app.url(&action))
        .form(&[("csrf_token", csrf_of(&doc).as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    sink.wait_for(1).await;
}

#[tokio::test]
async fn a_full_stop_offers_its_waiting_list_and_says_where_one_stands_in_it() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 1, &[]).await;
    let path = format!("/api/v1/stops/{stop_id}/registrations");
    let mut waiting = Vec::new();
    for name in ["Claire", "Paul", "Lea"] {
        let body = crate::fixtures::registration_body(name, &[]);
        let r =
            crate::helpers::json_with(app.post_json(&path, &body, None).await, StatusCode::CREATED)
                .await;
        waiting.push(r);
    }
    let client = browser("en");
    let (_, doc) = page(&client, &app, &format!("/stops/{stop_id}")).await;
    let button: String = select(&doc, "a.button")[0].text().collect();
    assert_eq!(button, "Join the waiting list");
    let (_, doc) = page(&client, &app, &format!("/stops/{stop_id}/register")).await;
    let submit: String = select(&doc, "button.primary")[0].text().collect();
    assert_eq!(submit, "Join the waiting list");

    // Léa is second in line; what she would give up is her place in it, not a seat.
    let token = crate::fixtures::manage_token(&waiting[2]);
    let (_, doc) = page(&client, &app, &format!("/manage/{token}?welcome=1")).await;
    let line: String = select(&doc, "#line strong")[0].text().collect();
    assert_eq!(line, "2");
    let body = doc.root_element().text().collect::<String>();
    assert!(body.contains("You will leave the waiting list"), "{body}");
    assert!(!body.contains("Your seat will go"), "{body}");
    assert_eq!(
        body.matches("We will write as soon as").count(),
        1,
        "the waiting sentence is said once: {body}"
    );
}
