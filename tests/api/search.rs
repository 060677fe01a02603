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
    names_at(app, &app.address, staff, stop_id, q).await
}

/// Names found for `q` through the API of the server at `address`.
async fn names_at(
    app: &TestApp,
    address: &str,
    staff: &str,
    stop_id: &str,
    q: &str,
) -> Vec<String> {
    found_at(app, address, staff, stop_id, q)
        .await
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

/// The attendees found for `q` through the API of the server at `address`, in the order given.
async fn found_at(app: &TestApp, address: &str, staff: &str, stop_id: &str, q: &str) -> Vec<Value> {
    let response = app
        .api
        .get(format!(
            "{address}/api/v1/stops/{stop_id}/attendees?q={}",
            urlencoding(q)
        ))
        .bearer_auth(staff)
        .send()
        .await
        .expect("search sent");
    match json_with(response, StatusCode::OK).await {
        Value::Array(found) => found,
        other => panic!("a list, not {other}"),
    }
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

/// Each process holds the words of the stops it searches; a second process on the same
/// database still finds every registration the first wrote, and forgets removed ones and old
/// names, without restarting: both read the numbered log of changes the triggers write.
#[tokio::test]
async fn another_process_on_the_database_sees_every_change_without_restarting() {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use roadshow::db::schema::{registrations, search_changes};
    let app = spawn_app().await;
    let (stop_id, staff) = scene(&app).await;
    let (_other, address) = crate::processes::serve(
        &crate::processes::database_url(&app.settings.database_url),
        &app.settings.data_dir,
        app.mail.port,
    )
    .await;
    let there = |q: &'static str| {
        let (app, staff, stop_id, address) = (&app, &staff, &stop_id, &address);
        async move { names_at(app, address, staff, stop_id, q).await }
    };
    // The other process loads the stop at its first search.
    assert_eq!(there("kleber").await, ["Zoé Kléber"]);

    // A registration through this process.
    register(
        &app,
        &stop_id,
        person("Léa", "Klébert", "Vins Klébert", "lea@klebert.fr"),
    )
    .await;
    assert_eq!(there("kleber").await, ["Zoé Kléber", "Léa Klébert"]);

    // A change of name and a removal, straight in the database.
    let mut conn = app.connection();
    diesel::update(registrations::table.filter(registrations::last_name.eq("Kléber")))
        .set(registrations::last_name.eq("Meyer"))
        .execute(&mut conn)
        .expect("renamed");
    diesel::delete(registrations::table.filter(registrations::last_name.eq("Klébert")))
        .execute(&mut conn)
        .expect("removed");
    assert!(there("kleber").await.is_empty());
    assert_eq!(there("meyer").await, ["Zoé Meyer"]);
    assert_eq!(there("brasserie").await, ["Zoé Meyer"]);

    // A cut in the log: the other process loads the stop again rather than miss a change.
    register(
        &app,
        &stop_id,
        person("Marc", "Wolff", "Wolff SA", "marc@wolff.fr"),
    )
    .await;
    register(
        &app,
        &stop_id,
        person("Inès", "Wolff", "Wolff SA", "ines@wolff.fr"),
    )
    .await;
    let last: i64 = search_changes::table
        .filter(search_changes::stop_id.eq(&stop_id))
        .select(diesel::dsl::max(search_changes::generation))
        .first::<Option<i64>>(&mut conn)
        .expect("generation")
        .expect("changes logged");
    diesel::delete(
        search_changes::table
            .filter(search_changes::stop_id.eq(&stop_id))
            .filter(search_changes::generation.eq(last - 1)),
    )
    .execute(&mut conn)
    .expect("cut");
    assert_eq!(there("wolff").await, ["Inès Wolff", "Marc Wolff"]);
    // This process, which searched nothing before, answers alike.
    assert_eq!(
        names(&app, &staff, &stop_id, "wolff").await,
        ["Inès Wolff", "Marc Wolff"]
    );

    // The housekeeping cut keeps the last changes of each stop; a process behind by more
    // than the cut finds a gap and loads the stop again.
    let removed = roadshow::registrations::search::cut_log(&mut conn, 1).expect("cut");
    assert!(removed >= 5, "the older changes go: {removed}");
    let left: i64 = search_changes::table
        .filter(search_changes::stop_id.eq(&stop_id))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(left, 1);
    register(
        &app,
        &stop_id,
        person("Paul", "Wolff", "Wolff SA", "paul@wolff.fr"),
    )
    .await;
    assert_eq!(
        there("wolff").await,
        ["Inès Wolff", "Marc Wolff", "Paul Wolff"]
    );
}

/// Last names and statuses as the API shows them for `q`.
async fn statuses_at(
    app: &TestApp,
    address: &str,
    staff: &str,
    stop_id: &str,
    q: &str,
) -> Vec<(String, String)> {
    found_at(app, address, staff, stop_id, q)
        .await
        .iter()
        .map(|a| {
            (
                a["last_name"].as_str().unwrap_or("").to_owned(),
                a["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_change_of_status_shows_in_every_process_answers() {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use roadshow::db::schema::registrations;
    let app = spawn_app().await;
    let (stop_id, staff) = scene(&app).await;
    let made = register(
        &app,
        &stop_id,
        person("Anne", "Dupont", "Conseil 67", "anne@conseil67.fr"),
    )
    .await;
    let (_other, address) = crate::processes::serve(
        &crate::processes::database_url(&app.settings.database_url),
        &app.settings.data_dir,
        app.mail.port,
    )
    .await;
    let confirmed = |name: &str| (name.to_owned(), "confirmed".to_owned());
    // Both processes hold the stop in memory, statuses included.
    for at in [&app.address, &address] {
        assert_eq!(
            statuses_at(&app, at, &staff, &stop_id, "dupont").await,
            [
                confirmed("Dupont"),
                confirmed("Dupont"),
                confirmed("Kléber"),
                confirmed("Dupontel")
            ]
        );
    }
    // Anne cancels through her link; Jean is moved to the waiting list straight in the
    // database, which only the triggers' log tells the processes about.
    let token = crate::fixtures::manage_token(&made);
    let cancelled = app
        .api
        .delete(app.url(&format!("/api/v1/manage/{token}")))
        .send()
        .await
        .expect("cancel sent");
    assert_eq!(cancelled.status(), StatusCode::OK);
    let mut conn = app.connection();
    diesel::update(registrations::table.filter(registrations::email.eq("jean@alsace-ent.fr")))
        .set(registrations::status.eq("waitlisted"))
        .execute(&mut conn)
        .expect("moved");
    for at in [&app.address, &address] {
        assert_eq!(
            statuses_at(&app, at, &staff, &stop_id, "dupont").await,
            [
                ("Dupont".to_owned(), "cancelled".to_owned()),
                ("Dupont".to_owned(), "waitlisted".to_owned()),
                confirmed("Kléber"),
                confirmed("Dupontel"),
            ],
            "answers at {at}"
        );
    }
}

#[tokio::test]
async fn a_database_put_back_to_an_earlier_state_is_searched_as_it_now_is() {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use roadshow::db::schema::{registrations, search_changes, search_generations};
    let app = spawn_app().await;
    let (stop_id, staff) = scene(&app).await;
    // The process holds the stop's words, up to its latest change.
    assert_eq!(names(&app, &staff, &stop_id, "hugo").await, ["Hugo Martin"]);

    // As after restoring an older backup: the log starts again from its first number, and
    // Hugo is renamed (change number 2, below the one the process holds).
    let mut conn = app.connection();
    diesel::delete(search_changes::table)
        .execute(&mut conn)
        .expect("log emptied");
    diesel::update(search_generations::table.filter(search_generations::stop_id.eq(&stop_id)))
        .set(search_generations::generation.eq(1))
        .execute(&mut conn)
        .expect("numbers put back");
    diesel::update(registrations::table.filter(registrations::email.eq("hugo.martin@i67.fr")))
        .set(registrations::first_name.eq("Hugues"))
        .execute(&mut conn)
        .expect("renamed");

    assert_eq!(
        names(&app, &staff, &stop_id, "hugues").await,
        ["Hugues Martin"]
    );
    assert_eq!(
        names(&app, &staff, &stop_id, "martin").await,
        ["Hugues Martin"]
    );
}
