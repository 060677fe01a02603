//! Finding an attendee at the door: accents and case ignored, every searched word the start of
//! a word of the name, company or e-mail, exact last names first; the API, the scanner page
//! and the marketing list answer alike (one search, `registrations::search`).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{entrance_of, open_stop, register};
use crate::helpers::{TestApp, json_with, spawn_app};
use crate::pages::{page, select};

fn person(first: &str, last: &str, company: &str, email: &str) -> Value {
    json!({
        "first_name": first,
        "last_name": last,
        "email": email,
        "company": company,
        "job_title": "Gérant·e",
        "company_size": "6-20",
        "partner_id": "P-67-0042",
        "consent": true,
        "workshops": [],
    })
}

/// Names found for `q` through the API, in the order given.
async fn names(app: &TestApp, staff: &str, stop_id: &str, q: &str) -> Vec<String> {
    let found = json_with(
        app.get(
            &format!("/api/v1/stops/{stop_id}/attendees?q={}", urlencoding(q)),
            Some(staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    found
        .as_array()
        .expect("list")
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a["first_name"].as_str().unwrap_or(""),
                a["last_name"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn urlencoding(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

async fn scene(app: &TestApp) -> (String, String) {
    let (stop_id, _) = open_stop(app, 50, &[]).await;
    for body in [
        person(
            "Zoé",
            "Kléber",
            "Brasserie Dupont",
            "zoe@brasserie-dupont.fr",
        ),
        person("Jean", "Dupont", "Alsace Entreprises", "jean@alsace-ent.fr"),
        person("Claire", "Dupontel", "Strasbourg Conseil", "claire@sc.fr"),
        person("Éloïse", "Cœur", "Œnologie d'Alsace", "eloise@oeno.fr"),
        person("Hugo", "Martin", "Informatique 67", "hugo.martin@i67.fr"),
    ] {
        register(app, &stop_id, body).await;
    }
    let staff = app.token_for("staff").await;
    (stop_id, staff)
}

#[tokio::test]
async fn accents_and_case_are_ignored_and_words_are_matched_from_their_start() {
    let app = spawn_app().await;
    let (stop_id, staff) = scene(&app).await;
    let find = |q: &'static str| {
        let (app, staff, stop_id) = (&app, &staff, &stop_id);
        async move { names(app, staff, stop_id, q).await }
    };
    assert_eq!(find("kleber").await, ["Zoé Kléber"]);
    assert_eq!(find("ZOE").await, ["Zoé Kléber"]);
    assert_eq!(find("KLÉB").await, ["Zoé Kléber"]);
    assert_eq!(find("zo kl").await, ["Zoé Kléber"], "each word a prefix");
    assert_eq!(find("coeur").await, ["Éloïse Cœur"], "ligature spelt out");
    assert_eq!(find("eloise oeno").await, ["Éloïse Cœur"]);
    // A name and a company together.
    assert_eq!(find("dupont alsace").await, ["Jean Dupont"]);
    // The exact last name first; then by the word matched ("dupont" of Brasserie Dupont comes
    // before "dupontel") and by name.
    assert_eq!(
        find("dupont").await,
        ["Jean Dupont", "Zoé Kléber", "Claire Dupontel"]
    );
    // E-mail words, and digits.
    assert_eq!(find("hugo.martin@").await, ["Hugo Martin"]);
    assert_eq!(find("67").await, ["Hugo Martin"]);
    // Inside a word is not the start of one; one character is too little to list anyone.
    assert!(find("pont").await.is_empty());
    assert!(find("z").await.is_empty());
    assert!(find("—!?").await.is_empty());
    assert!(find("nobody here").await.is_empty());
}

#[tokio::test]
async fn the_scanner_page_and_the_marketing_list_search_the_same_way() {
    let app = spawn_app().await;
    let (stop_id, staff) = scene(&app).await;
    let entrance = entrance_of(&app, &stop_id).await;
    let client = crate::pages::logged_in(&app, "sophie@roadshow.example", "staff", "fr-FR").await;
    let (status, doc) = page(
        &client,
        &app,
        &format!("/scan/checkpoints/{entrance}?q=kleber"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let found: String = select(&doc, "#found")[0].text().collect();
    assert!(found.contains("Zoé Kléber"), "{found}");
    // The API finds the same people for the same words.
    for name in names(&app, &staff, &stop_id, "kleber").await {
        assert!(found.contains(&name), "{name} in {found}");
    }

    let marketing =
        crate::pages::logged_in(&app, "marc@roadshow.example", "marketing", "fr-FR").await;
    let (status, doc) = page(
        &marketing,
        &app,
        &format!("/analytics/stops/{stop_id}/attendees?q=DUPONT+ALSACE"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let listed: String = select(&doc, "main").iter().flat_map(|e| e.text()).collect();
    assert!(listed.contains("Dupont"), "{listed}");
    assert!(
        !listed.contains("Dupontel") && !listed.contains("Kléber"),
        "{listed}"
    );
}

#[tokio::test]
async fn registrations_written_before_the_index_are_indexed_when_the_program_starts() {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use roadshow::db::schema::search_words;
    let app = spawn_app().await;
    let (stop_id, staff) = scene(&app).await;
    // As a database migrated from before the index: the words are not there.
    let removed = diesel::delete(search_words::table.filter(search_words::stop_id.eq(&stop_id)))
        .execute(&mut app.connection())
        .expect("removed");
    assert!(removed >= 5 * 4, "each person has words: {removed}");
    assert!(names(&app, &staff, &stop_id, "kleber").await.is_empty());
    // What `serve` and every CLI command run after the migrations.
    let indexed =
        roadshow::registrations::search::index_missing(&mut app.connection()).expect("indexed");
    assert_eq!(indexed, 5);
    assert_eq!(
        names(&app, &staff, &stop_id, "kleber").await,
        ["Zoé Kléber"]
    );
    let again =
        roadshow::registrations::search::index_missing(&mut app.connection()).expect("indexed");
    assert_eq!(again, 0, "nothing left to index");
}
