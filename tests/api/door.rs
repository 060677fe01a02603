//! What staff meet at the door when a room holds a workshop every hour: checkpoints named by
//! room, time and title, the one running now marked, and a person turned away told where they
//! are expected instead — from the API, the scanner page and the offline data alike.

use reqwest::StatusCode;
use scraper::Html;
use serde_json::{Value, json};

use crate::fixtures::{open_stop, registration_body};
use crate::helpers::{TestApp, json_with, spawn_app};
use crate::pages::{csrf_of, logged_in, logged_in_admin, page, select};

/// A stop whose three workshops share "Salle Erasme": Cloud 9–10, Sécurité 11–12 and PME
/// 11–12. Returns the stop, the workshops' checkpoints in that order, and Paul, enrolled in PME.
async fn shared_room(app: &TestApp) -> (String, Vec<String>, Value) {
    let (stop_id, workshops) = open_stop(
        app,
        10,
        &[
            ("Cloud", 10, 9, 10),
            ("Sécurité", 10, 11, 12),
            ("PME", 10, 11, 12),
        ],
    )
    .await;
    let paul = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            &registration_body("Paul", &[&workshops[2]]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    let checkpoints = workshops
        .iter()
        .map(|workshop| {
            stop["checkpoints"]
                .as_array()
                .expect("checkpoints")
                .iter()
                .find(|c| c["workshop_id"] == workshop.as_str())
                .and_then(|c| c["id"].as_str())
                .expect("its checkpoint")
                .to_owned()
        })
        .collect();
    (stop_id, checkpoints, paul)
}

fn text_of(doc: &Html, css: &str) -> Vec<String> {
    select(doc, css)
        .iter()
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[tokio::test]
async fn a_person_turned_away_at_a_shared_room_is_told_where_they_are_expected() {
    let app = spawn_app().await;
    let (_, rooms, paul) = shared_room(&app).await;
    let staff = app.token_for("staff").await;
    let badge = paul["badge"]["token"].as_str().expect("badge");

    let at_securite = json_with(
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": badge, "checkpoint_id": rooms[1]}),
            Some(&staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(at_securite["result"], "not_enrolled");
    assert_eq!(
        at_securite["workshop"]["title"], "Sécurité",
        "{at_securite}"
    );
    let instead = &at_securite["enrolled_instead"];
    assert_eq!(
        (&instead["title"], &instead["room"], &instead["starts_at"]),
        (
            &json!("PME"),
            &json!("Salle Erasme"),
            &json!("2027-10-13T11:00:00+02:00")
        ),
        "{at_securite}"
    );

    // At 9:00 Paul has no workshop: the room is named, nothing is made up.
    let at_cloud = json_with(
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": badge, "checkpoint_id": rooms[0]}),
            Some(&staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(at_cloud["workshop"]["title"], "Cloud");
    assert!(at_cloud.get("enrolled_instead").is_none(), "{at_cloud}");

    // The scanner page says the same in words, in the page's language.
    let client = logged_in(&app, "door@roadshow.example", "staff", "fr-FR").await;
    let path = format!("/scan/checkpoints/{}", rooms[1]);
    let (_, doc) = page(&client, &app, &path).await;
    let response = client
        .post(app.url(&path))
        .form(&[("csrf_token", csrf_of(&doc).as_str()), ("code", badge)])
        .send()
        .await
        .expect("sent");
    let doc = Html::parse_document(&response.text().await.expect("body"));
    let verdict = text_of(&doc, "#verdict").join(" ");
    assert!(
        // (`text_of` folds the non-breaking spaces inside « » into plain ones)
        verdict.contains("Pas inscrit·e à l'atelier « Sécurité »")
            && verdict.contains("attendu·e à 11:00 « PME » (Salle Erasme)"),
        "{verdict}"
    );
}

#[tokio::test]
async fn a_badge_for_another_stop_says_which() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let (other_stop, _) = open_stop(&app, 10, &[]).await;
    let admin = app.token_for("admin").await;
    json_with(
        app.patch_json(
            &format!("/api/v1/stops/{other_stop}"),
            &json!({"city": "Lyon"}),
            Some(&admin),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let lyon = json_with(
        app.post_json(
            &format!("/api/v1/stops/{other_stop}/registrations"),
            &registration_body("Lucie", &[]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let entrance = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await["checkpoints"][0]["id"]
        .as_str()
        .expect("entrance")
        .to_owned();
    let answer = json_with(
        app.post_json(
            "/api/v1/checkins",
            &json!({"token": lyon["badge"]["token"], "checkpoint_id": entrance}),
            Some(&app.token_for("staff").await),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answer["result"], "wrong_stop");
    assert_eq!(answer["badge_stop"]["city"], "Lyon", "{answer}");
    assert_eq!(answer["badge_stop"]["stop_id"], other_stop.as_str());

    let client = logged_in(&app, "door@roadshow.example", "staff", "en").await;
    let path = format!("/scan/checkpoints/{entrance}");
    let (_, doc) = page(&client, &app, &path).await;
    let response = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf_of(&doc).as_str()),
            ("code", lyon["badge"]["token"].as_str().expect("badge")),
        ])
        .send()
        .await
        .expect("sent");
    let doc = Html::parse_document(&response.text().await.expect("body"));
    let verdict = text_of(&doc, "#verdict").join(" ");
    assert!(
        verdict.contains("Badge for the stop in Lyon ("),
        "{verdict}"
    );
}

/// Moves a workshop (straight in the database) so that it runs now.
fn run_now(app: &TestApp, workshop_checkpoint: &str) {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use roadshow::db::schema::{checkpoints, workshops};
    let mut conn = app.connection();
    let workshop_id: Option<String> = checkpoints::table
        .find(workshop_checkpoint)
        .select(checkpoints::workshop_id)
        .first(&mut conn)
        .expect("checkpoint");
    let now = roadshow::time::now();
    diesel::update(workshops::table.find(workshop_id.expect("a workshop")))
        .set((
            workshops::starts_at.eq(now - chrono::Duration::minutes(5)),
            workshops::ends_at.eq(now + chrono::Duration::minutes(55)),
        ))
        .execute(&mut conn)
        .expect("moved");
}

#[tokio::test]
async fn checkpoints_are_named_by_room_time_and_title_with_the_one_running_now_marked() {
    let app = spawn_app().await;
    let (stop_id, rooms, _) = shared_room(&app).await;
    run_now(&app, &rooms[2]);

    let client = logged_in(&app, "door@roadshow.example", "staff", "fr-FR").await;
    let (_, doc) = page(&client, &app, &format!("/scan/stops/{stop_id}")).await;
    let choices = text_of(&doc, ".checkpoint-list a");
    // The entrance, then by start: PME (moved to now), Cloud at 9:00, Sécurité at 11:00.
    assert_eq!(choices.len(), 4, "{choices:?}");
    assert_eq!(choices[0], "Accueil", "{choices:?}");
    assert!(
        choices[1].starts_with("Salle Erasme — ") && choices[1].ends_with(" PME"),
        "{choices:?}"
    );
    assert_eq!(
        choices[2..],
        [
            "Salle Erasme — 09:00 Cloud",
            "Salle Erasme — 11:00 Sécurité"
        ],
        "{choices:?}"
    );
    let now = text_of(&doc, ".checkpoint-list li.now a");
    assert_eq!(now, [choices[1].clone()], "{choices:?}");
    assert!(text_of(&doc, ".checkpoint-list li.now")[0].contains("en ce moment"));
    let links: Vec<String> = select(&doc, ".checkpoint-list a")
        .iter()
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(links.len(), 4);

    // The admin's stop page: the same names, no raw ids or codes, and the label flag.
    let admin_token = app.token_for("admin").await;
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    let cloud = stop["workshops"]
        .as_array()
        .expect("workshops")
        .iter()
        .find(|w| w["title"] == "Cloud")
        .and_then(|w| w["id"].as_str())
        .expect("Cloud")
        .to_owned();
    json_with(
        app.patch_json(
            &format!("/api/v1/workshops/{cloud}"),
            &json!({"specialist_label": true}),
            Some(&admin_token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let admin = logged_in_admin(&app, "en").await;
    let (_, doc) = page(&admin, &app, &format!("/admin/stops/{stop_id}")).await;
    let listed = text_of(&doc, "ul.checkpoints li");
    assert_eq!(listed[0], "Entrance", "{listed:?}");
    assert!(
        listed.contains(&"Salle Erasme — 11:00 Sécurité".to_owned()),
        "{listed:?}"
    );
    for room in &rooms {
        assert!(
            listed.iter().all(|l| !l.contains(room.as_str())),
            "{listed:?}"
        );
    }
    let rows = text_of(&doc, "table tbody tr");
    let cloud_row = rows
        .iter()
        .find(|r| r.contains("Cloud"))
        .expect("Cloud's row");
    assert!(cloud_row.contains("Specialist label"), "{cloud_row}");
    assert!(
        rows.iter()
            .filter(|r| !r.contains("Cloud"))
            .all(|r| !r.contains("Specialist label")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn the_offline_data_names_each_rooms_workshop_and_its_times() {
    let app = spawn_app().await;
    let (stop_id, rooms, _) = shared_room(&app).await;
    let data = json_with(
        app.get(
            &format!("/api/v1/stops/{stop_id}/scanner-data"),
            Some(&app.token_for("staff").await),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let room = data["checkpoints"]
        .as_array()
        .expect("checkpoints")
        .iter()
        .find(|c| c["id"] == rooms[1].as_str())
        .cloned()
        .expect("the room");
    assert_eq!(room["workshop"]["title"], "Sécurité");
    assert_eq!(room["workshop"]["starts_at"], "2027-10-13T11:00:00+02:00");
    assert_eq!(room["workshop"]["ends_at"], "2027-10-13T12:00:00+02:00");
}

#[tokio::test]
async fn a_room_left_on_an_earlier_workshop_decides_for_the_one_it_holds_now() {
    let app = spawn_app().await;
    let (stop_id, rooms, paul) = shared_room(&app).await;
    run_now(&app, &rooms[2]);
    let staff = app.token_for("staff").await;
    let scan = |token: Value, checkpoint: String| {
        let staff = staff.clone();
        let app = &app;
        async move {
            json_with(
                app.post_json(
                    "/api/v1/checkins",
                    &json!({"token": token, "checkpoint_id": checkpoint}),
                    Some(&staff),
                )
                .await,
                StatusCode::OK,
            )
            .await
        }
    };
    // The phone still shows "Salle Erasme — 09:00 Cloud"; PME runs in that room now.
    let answer = scan(paul["badge"]["token"].clone(), rooms[0].clone()).await;
    assert_eq!(answer["result"], "ok", "{answer}");
    assert_eq!(
        answer["checkpoint_id"],
        rooms[2].as_str(),
        "checked in at PME"
    );
    let again = scan(paul["badge"]["token"].clone(), rooms[1].clone()).await;
    assert_eq!(again["result"], "already_checked_in", "{again}");

    // Someone without PME is turned away for PME, not for Cloud.
    let lucie = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/registrations"),
            &registration_body("Lucie", &[]),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let answer = scan(lucie["badge"]["token"].clone(), rooms[0].clone()).await;
    assert_eq!(answer["result"], "not_enrolled");
    assert_eq!(answer["workshop"]["title"], "PME", "{answer}");

    // Its counters and last scans follow too, so that the scan just made can be undone there.
    let status = json_with(
        app.get(
            &format!("/api/v1/checkpoints/{}/status", rooms[0]),
            Some(&staff),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["checkpoint_id"], rooms[2].as_str(), "{status}");
    assert_eq!(status["checked_in"], 1, "{status}");

    // The page left on Cloud says so, and names itself by time and title.
    let client = logged_in(&app, "door@roadshow.example", "staff", "en").await;
    let (_, doc) = page(&client, &app, &format!("/scan/checkpoints/{}", rooms[0])).await;
    assert_eq!(
        text_of(&doc, "h1")[0],
        "Strasbourg · Salle Erasme — 09:00 Cloud"
    );
    let notice = text_of(&doc, "#room-now");
    assert!(
        notice.len() == 1
            && notice[0].starts_with("This room now holds ")
            && notice[0].contains("“PME”"),
        "{notice:?}"
    );

    // An entrance is not a room: it never moves.
    let entrance = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await["checkpoints"][0]["id"]
        .as_str()
        .expect("entrance")
        .to_owned();
    let answer = scan(lucie["badge"]["token"].clone(), entrance.clone()).await;
    assert_eq!(answer["checkpoint_id"], entrance.as_str());
}
