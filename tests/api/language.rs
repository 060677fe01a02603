//! Every page in one language only: the demo tour's pages are read in French and in English,
//! and none may show a sentence of the other language's catalogue or a raw code.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::Value;

use crate::fixtures::registration_body;
use crate::helpers::{TestApp, json_with, spawn_app};
use crate::pages::{browser, csrf_of, page};

/// The visible texts of a page, trimmed: the body without scripts, styles and the language
/// switch (which names the other language on purpose).
fn text_nodes(doc: &Html) -> Vec<String> {
    let skip = Selector::parse("script, style, [lang]:not(html)").expect("selector");
    let hidden: BTreeSet<_> = doc
        .select(&skip)
        .flat_map(|e| e.descendants())
        .map(|n| n.id())
        .collect();
    let body = Selector::parse("body").expect("selector");
    doc.select(&body)
        .flat_map(|b| b.descendants())
        .filter(|n| !hidden.contains(&n.id()))
        .filter_map(|n| n.value().as_text().map(|t| t.trim().to_owned()))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The catalogue's sentences that belong to one language only: longer than a word or two and
/// different in the other language (e.g. "Some fields need fixing.").
fn sentences_of(english: bool) -> Vec<&'static str> {
    roadshow::i18n::catalogue()
        .iter()
        .filter(|(_, fr, en)| fr != en)
        .map(|(_, fr, en)| if english { *en } else { *fr })
        .filter(|text| text.len() >= 12 && text.contains(' ') && !text.contains('{'))
        .collect()
}

/// Stored codes that must never be shown as such: those with an underscore in any language,
/// the English words on French pages.
const RAW_CODES: &[&str] = &[
    "already_checked_in",
    "not_enrolled",
    "wrong_stop",
    "specialist_label",
    "in_progress",
    "walk_in",
];
const ENGLISH_CODES: &[&str] = &[
    "confirmed",
    "waitlisted",
    "cancelled",
    "reseller",
    "integrator",
    "distributor",
    "acknowledged",
    "resolved",
    "online",
];

async fn login(app: &TestApp, language: &str) -> reqwest::Client {
    let client = browser(language);
    let (_, doc) = page(&client, app, "/login").await;
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("email", "admin@roadshow.example"),
            ("password", "demo-admin"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    client
}

/// One `(table, id)` of the demo, read straight from the database.
fn first_id(app: &TestApp, sql_table: &str) -> String {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let rows: Vec<Row> =
        diesel::sql_query(format!("SELECT id FROM {sql_table} ORDER BY id LIMIT 1"))
            .load(&mut app.connection())
            .expect("rows");
    rows.into_iter().next().map(|r| r.id).expect("a row")
}

#[tokio::test]
async fn every_page_speaks_one_language_and_shows_no_raw_code() {
    let app = spawn_app().await;
    roadshow::sample_data::demo::load(&mut app.connection()).expect("demo");
    let tour = json_with(
        app.get(
            &format!(
                "/api/v1/tours/{}",
                roadshow::sample_data::demo::DEMO_TOUR_SLUG
            ),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let tour_id = tour["id"].as_str().expect("tour id").to_owned();
    let stop = tour["stops"]
        .as_array()
        .and_then(|stops| stops.iter().find(|s| s["city"] == "Strasbourg"))
        .cloned()
        .expect("Strasbourg");
    let stop_id = stop["id"].as_str().expect("stop id").to_owned();
    let upcoming = json_with(
        app.get(
            &format!(
                "/api/v1/tours/{}",
                roadshow::sample_data::demo::DEMO_SPRING_SLUG
            ),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let open_stop = upcoming["stops"][0]["id"]
        .as_str()
        .expect("open stop")
        .to_owned();
    let attendee: Value = json_with(
        app.post_json(
            &format!("/api/v1/stops/{open_stop}/registrations"),
            &registration_body("Claire", &[]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let manage = attendee["manage_url"]
        .as_str()
        .and_then(|u| u.find("/manage/").map(|i| u[i..].to_owned()))
        .expect("manage url");
    let entrance = first_id(&app, "checkpoints");
    let complaint = first_id(&app, "complaints");
    let registration = first_id(&app, "registrations");
    let workshop = first_id(&app, "workshops");

    let pages = [
        "/".to_owned(),
        format!("/tours/{}", roadshow::sample_data::demo::DEMO_SPRING_SLUG),
        format!("/stops/{open_stop}"),
        format!("/stops/{open_stop}/register"),
        manage.clone(),
        format!("{manage}/badge"),
        "/scan".to_owned(),
        format!("/scan/stops/{stop_id}"),
        format!("/scan/checkpoints/{entrance}"),
        format!("/scan/stops/{stop_id}/walk-in"),
        "/admin".to_owned(),
        format!("/admin/tours/{tour_id}"),
        format!("/admin/stops/{stop_id}"),
        format!("/admin/stops/{stop_id}/edit"),
        "/admin/tours/new".to_owned(),
        format!("/admin/tours/{tour_id}/edit"),
        format!("/admin/tours/{tour_id}/stops/new"),
        format!("/admin/stops/{stop_id}/workshops/new"),
        format!("/admin/workshops/{workshop}/edit"),
        "/admin/outbox".to_owned(),
        "/admin/webhooks".to_owned(),
        "/admin/people".to_owned(),
        "/analytics".to_owned(),
        format!("/analytics/tours/{tour_id}"),
        format!("/analytics/stops/{stop_id}"),
        format!("/analytics/stops/{stop_id}/attendees"),
        format!("/analytics/registrations/{registration}"),
        "/complaints".to_owned(),
        "/complaints/new".to_owned(),
        format!("/complaints/{complaint}"),
    ];
    let mut found = Vec::new();
    for (language, english) in [("fr-FR", false), ("en-GB", true)] {
        let client = login(&app, language).await;
        let foreign = sentences_of(!english);
        let own: BTreeSet<&str> = sentences_of(english).into_iter().collect();
        for path in &pages {
            let (status, doc) = page(&client, &app, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let nodes = text_nodes(&doc);
            for sentence in &foreign {
                // Attendees' own words (a French comment on an English page) are not the
                // interface: a catalogue sentence counts when it is a whole text, or a label.
                let shown = nodes.iter().any(|node| {
                    node == sentence
                        || [":", "\u{a0}:", " :"]
                            .iter()
                            .any(|colon| node.starts_with(&format!("{sentence}{colon}")))
                });
                if shown && !own.contains(sentence) {
                    found.push(format!("{language} {path}: {sentence:?}"));
                }
            }
            let codes = RAW_CODES
                .iter()
                .chain(if english { &[][..] } else { ENGLISH_CODES });
            for node in &nodes {
                for code in codes.clone() {
                    if node
                        .split(|c: char| !c.is_alphanumeric() && c != '_')
                        .any(|w| w == *code)
                    {
                        found.push(format!("{language} {path}: raw code in {node:?}"));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The words of a message: its subject and its text and HTML parts (markup dropped).
fn mail_text(raw: &[u8]) -> String {
    let mut text = crate::mail::subject(raw);
    for (kind, _, body) in crate::mail::parts(raw) {
        let body = String::from_utf8_lossy(&body).into_owned();
        match kind.as_str() {
            "text/plain" => text.push_str(&format!("\n{body}")),
            "text/html" => text.push_str(&format!(
                "\n{}",
                text_nodes(&Html::parse_document(&body)).join("\n")
            )),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn every_e_mail_speaks_its_reader_s_language() {
    let app = spawn_app().await;
    let (stop_id, workshops) =
        crate::fixtures::open_stop(&app, 1, &[("Le label", 10, 11, 12)]).await;
    let register = |name: &'static str, locale: &'static str| {
        let app = &app;
        let path = format!("/api/v1/stops/{stop_id}/registrations");
        let mut body = registration_body(name, &[&workshops[0]]);
        body["locale"] = Value::from(locale);
        async move { json_with(app.post_json(&path, &body, None).await, StatusCode::CREATED).await }
    };
    // Anne (French) gets the seat; Bob (English) and Chloé (French) wait; Anne cancels, Bob
    // moves up; then Bob cancels and Chloé moves up.
    let anne = register("Anne", "fr").await;
    let bob = register("Bob", "en").await;
    register("Chloe", "fr").await;
    for who in [&anne, &bob] {
        let token = crate::fixtures::manage_token(who);
        json_with(
            app.api
                .delete(app.url(&format!("/api/v1/manage/{token}")))
                .send()
                .await
                .expect("sent"),
            StatusCode::OK,
        )
        .await;
    }
    // Bob comes back to another stop, is let in, asked for feedback, answers with a complaint
    // he wants news of, which marketing resolves: the feedback and outcome e-mails too.
    let (later, _) = crate::fixtures::open_stop(&app, 10, &[]).await;
    let path = format!("/api/v1/stops/{later}/registrations");
    let mut body = registration_body("Bob", &[]);
    body["locale"] = Value::from("en");
    let bob_again = json_with(app.post_json(&path, &body, None).await, StatusCode::CREATED).await;
    let entrance = json_with(
        app.get(&format!("/api/v1/stops/{later}"), None).await,
        StatusCode::OK,
    )
    .await["checkpoints"][0]["id"]
        .clone();
    let staff = app.token_for("staff").await;
    let scan = serde_json::json!({"token": bob_again["badge"]["token"], "checkpoint_id": entrance});
    json_with(
        app.post_json("/api/v1/checkins", &scan, Some(&staff)).await,
        StatusCode::OK,
    )
    .await;
    let marketing = app.token_for("marketing").await;
    json_with(
        app.post_json(
            &format!("/api/v1/stops/{later}/feedback-requests"),
            &serde_json::json!({}),
            Some(&marketing),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let link = app
        .mail
        .wait_for(9)
        .await
        .iter()
        .filter(|m| m.to.iter().any(|t| t.starts_with("bob@")))
        .find_map(|m| {
            crate::mail::parts(&m.raw)
                .into_iter()
                .find_map(|(kind, _, body)| {
                    let body = String::from_utf8_lossy(&body).into_owned();
                    (kind == "text/plain")
                        .then(|| {
                            body.lines()
                                .find(|l| l.contains("/feedback/"))
                                .map(str::to_owned)
                        })
                        .flatten()
                })
        })
        .expect("a feedback link");
    let token = link.trim().rsplit('/').next().expect("token").to_owned();
    let answer = json_with(
        app.post_json(
            &format!("/api/v1/feedback/{token}"),
            &serde_json::json!({"overall": 2, "trainers": 2, "content": 3, "nps": 5,
                "themes": ["licensing"], "notify_me": true}),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let complaint = answer["complaints"][0].as_str().expect("a complaint");
    json_with(
        app.patch_json(
            &format!("/api/v1/complaints/{complaint}"),
            &serde_json::json!({"status": "resolved", "resolution": "Licence corrigée"}),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Confirmation ×2, waiting ×2, cancellation ×2, promotion ×2, feedback, outcome.
    let mails = app.mail.wait_for(10).await;
    assert!(
        mails
            .iter()
            .any(|m| mail_text(&m.raw).contains("Licence corrigée")),
        "the outcome e-mail is among them"
    );
    let mut found = Vec::new();
    for mail in &mails {
        let english = mail.to.iter().any(|t| t.starts_with("bob@"));
        let text = mail_text(&mail.raw);
        // The check can see: each message holds sentences of its own language's catalogue.
        assert!(
            sentences_of(english).iter().any(|s| text.contains(s)),
            "{:?}: {text}",
            mail.to
        );
        for sentence in sentences_of(!english) {
            if text.contains(sentence) && !sentences_of(english).contains(&sentence) {
                found.push(format!("{:?}: {sentence:?}", mail.to));
            }
        }
        let codes = RAW_CODES
            .iter()
            .chain(if english { &[][..] } else { ENGLISH_CODES });
        for code in codes {
            if text
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == *code)
            {
                found.push(format!("{:?}: raw code {code}", mail.to));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
