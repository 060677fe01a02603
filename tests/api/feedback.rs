use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{open_stop, registration_body};
use crate::helpers::{TestApp, json_with, problem, spawn_app};
use crate::mail::text;

/// A stop where Claire came (checked in) and Paul did not; returns the stop id.
async fn stop_after_the_day(app: &TestApp) -> String {
    let (stop_id, _) = open_stop(app, 10, &[]).await;
    let register = |name: &str| {
        let path = format!("/api/v1/stops/{stop_id}/registrations");
        let body = registration_body(name, &[]);
        async move { json_with(app.post_json(&path, &body, None).await, StatusCode::CREATED).await }
    };
    let claire = register("Claire").await;
    register("Paul").await;
    let stop = json_with(
        app.get(&format!("/api/v1/stops/{stop_id}"), None).await,
        StatusCode::OK,
    )
    .await;
    let entrance = stop["checkpoints"][0]["id"].as_str().expect("id");
    let staff = app.token_for("staff").await;
    let scan = json!({"token": claire["badge"]["token"], "checkpoint_id": entrance});
    json_with(
        app.post_json("/api/v1/checkins", &scan, Some(&staff)).await,
        StatusCode::OK,
    )
    .await;
    stop_id
}

/// The stop of `stop_after_the_day` once marketing asked for feedback: `(stop id, marketing
/// token, Claire's feedback token)`.
async fn asked_for_feedback(app: &TestApp) -> (String, String, String) {
    let stop_id = stop_after_the_day(app).await;
    let marketing = app.token_for("marketing").await;
    let path = format!("/api/v1/stops/{stop_id}/feedback-requests");
    json_with(
        app.post_json(&path, &json!({}), Some(&marketing)).await,
        StatusCode::ACCEPTED,
    )
    .await;
    let token = feedback_token(app).await;
    (stop_id, marketing, token)
}

/// The feedback link's token from the e-mail Claire received.
async fn feedback_token(app: &TestApp) -> String {
    for _ in 0..100 {
        let found = app
            .mail
            .to("claire@alsace-informatique.fr")
            .iter()
            .map(|m| text(&m.raw))
            .find_map(|body| {
                body.lines()
                    .find(|l| l.contains("/feedback/"))
                    .map(str::to_owned)
            });
        if let Some(line) = found {
            return line.trim().rsplit('/').next().expect("token").to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no feedback e-mail arrived");
}

#[tokio::test]
async fn feedback_goes_to_checked_in_attendees_once_and_its_themes_open_complaints() {
    let app = spawn_app().await;
    let stop_id = stop_after_the_day(&app).await;
    let marketing = app.token_for("marketing").await;
    let staff = app.token_for("staff").await;
    let path = format!("/api/v1/stops/{stop_id}/feedback-requests");
    problem(
        app.post_json(&path, &json!({}), Some(&staff)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let first = json_with(
        app.post_json(&path, &json!({}), Some(&marketing)).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(first["queued"], 1, "only Claire came");
    let second = json_with(
        app.post_json(&path, &json!({}), Some(&marketing)).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(second["queued"], 0, "nobody gets two");

    // The link in the e-mail leads to the form.
    let token = feedback_token(&app).await;
    assert!(
        app.mail
            .to("paul@alsace-informatique.fr")
            .iter()
            .all(|m| !text(&m.raw).contains("/feedback/"))
    );
    let submit = format!("/api/v1/feedback/{token}");
    let bad = [
        (
            json!({"overall": 6, "trainers": 1, "content": 3, "nps": 4}),
            "overall",
        ),
        (
            json!({"overall": 2, "trainers": 0, "content": 3, "nps": 4}),
            "trainers",
        ),
        (
            json!({"overall": 2, "trainers": 1, "content": 3, "nps": 11}),
            "nps",
        ),
        (json!({"overall": 2, "trainers": 1, "content": 3}), "nps"),
        (
            json!({"overall": 2, "trainers": 1, "content": 3, "nps": 4, "themes": ["pricing"]}),
            "themes",
        ),
    ];
    for (body, field) in bad {
        let answer = problem(
            app.post_json(&submit, &body, None).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(answer["errors"][field].is_string(), "{field}: {answer}");
    }
    let body = json!({
        "overall": 2, "trainers": 1, "content": 3, "nps": 3,
        "themes": ["trainers", "licensing"],
        "comment": "On a à peine fini de maîtriser le principe que déjà Microsoft en change"
    });
    let sent = json_with(
        app.post_json(&submit, &body, None).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(sent["complaints"].as_array().map(Vec::len), Some(2));
    problem(
        app.post_json(&submit, &body, None).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.post_json("/api/v1/feedback/forged", &body, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let listed = json_with(
        app.get(
            &format!("/api/v1/complaints?stop_id={stop_id}&theme=licensing"),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["company"], "Alsace Informatique");
    assert_eq!(listed[0]["status"], "open");
    assert!(
        listed[0]["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("Microsoft en change")
    );
}

#[tokio::test]
async fn an_expired_feedback_link_is_refused() {
    let app = spawn_app().await;
    let (_, _, token) = asked_for_feedback(&app).await;
    {
        use diesel::RunQueryDsl;
        diesel::sql_query("UPDATE feedback_requests SET expires_at = '2000-01-01 00:00:00'")
            .execute(&mut app.connection())
            .expect("expire");
    }
    let body = json!({"overall": 4, "trainers": 4, "content": 4, "nps": 8});
    let answer = problem(
        app.post_json(&format!("/api/v1/feedback/{token}"), &body, None)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        answer["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expired")
    );
}

#[tokio::test]
async fn complaints_are_worked_through_their_statuses_with_a_full_history() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    let body = json!({"stop_id": stop_id, "theme": "leads", "summary": "Pas de leads pour les nouveaux certifiés", "company": "Vosges Réseaux"});
    let complaint = json_with(
        app.post_json("/api/v1/complaints", &body, Some(&staff))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(complaint["status"], "open");
    let id = complaint["id"].as_str().expect("id");
    let path = format!("/api/v1/complaints/{id}");

    // Staff record but do not work complaints; bad values are 422 and change nothing.
    problem(
        app.patch_json(&path, &json!({"status": "acknowledged"}), Some(&staff))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let cases = [
        (json!({"status": "resolved"}), "resolution"),
        (json!({"status": "done"}), "status"),
    ];
    for (change, field) in cases {
        let answer = problem(
            app.patch_json(&path, &change, Some(&marketing)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(answer["errors"][field].is_string(), "{field}: {answer}");
    }
    let invalid: Vec<(Value, &str)> = vec![
        (
            json!({"stop_id": stop_id, "theme": "pricing", "summary": "x"}),
            "theme",
        ),
        (
            json!({"stop_id": stop_id, "theme": "leads", "summary": ""}),
            "summary",
        ),
    ];
    for (body, field) in invalid {
        let answer = problem(
            app.post_json("/api/v1/complaints", &body, Some(&staff))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(answer["errors"][field].is_string(), "{field}: {answer}");
    }

    json_with(
        app.patch_json(
            &path,
            &json!({"status": "acknowledged", "owner": "Bertrand Launay"}),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let resolved = json_with(
        app.patch_json(&path, &json!({"status": "resolved", "resolution": "Leads transmis chaque mois aux certifiés"}), Some(&marketing)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(resolved["status"], "resolved");
    let history: Vec<(String, String, String)> = resolved["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| {
            (
                h["field"].as_str().unwrap_or_default().to_owned(),
                h["old_value"].as_str().unwrap_or_default().to_owned(),
                h["new_value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let fields: Vec<&str> = history.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(
        fields,
        ["created", "status", "owner", "status", "resolution"]
    );
    assert_eq!(
        history[1],
        (
            "status".to_owned(),
            "open".to_owned(),
            "acknowledged".to_owned()
        )
    );
    assert_eq!(
        history[3],
        (
            "status".to_owned(),
            "acknowledged".to_owned(),
            "resolved".to_owned()
        )
    );
    let fetched = json_with(app.get(&path, Some(&marketing)).await, StatusCode::OK).await;
    assert_eq!(fetched["owner"], "Bertrand Launay");
    problem(app.get(&path, Some(&staff)).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn the_feedback_form_opens_from_the_link_and_takes_one_answer() {
    let app = spawn_app().await;
    let (stop_id, marketing, token) = asked_for_feedback(&app).await;
    let client = crate::pages::browser("fr-FR");
    let path = format!("/feedback/{token}");
    let (status, doc) = crate::pages::page(&client, &app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(crate::pages::select(&doc, "input[name=nps]").len(), 11);
    assert_eq!(crate::pages::select(&doc, "input[name=themes]").len(), 5);
    let csrf = crate::pages::csrf_of(&doc);

    let missing = client
        .post(app.url(&path))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("overall", "2"),
            ("themes", "licensing"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = scraper::Html::parse_document(&missing.text().await.expect("body"));
    assert_eq!(
        crate::pages::select(&doc, "fieldset.has-error").len(),
        3,
        "trainers, content, nps"
    );
    // The summary at the top links each of them, by its label.
    for field in ["trainers", "content", "nps"] {
        let link = crate::pages::select(&doc, &format!(".error-summary a[href='#f-{field}']"));
        assert_eq!(link.len(), 1, "{field}");
        assert_eq!(
            crate::pages::select(&doc, &format!("fieldset#f-{field}")).len(),
            1
        );
    }
    let summary: String = crate::pages::select(&doc, ".error-summary")[0]
        .text()
        .collect();
    assert!(summary.contains("Les formateurs\u{a0}:"), "{summary}");
    assert_eq!(
        crate::pages::select(&doc, "input[name=themes][value=licensing][checked]").len(),
        1,
        "kept"
    );

    let answer = [
        ("csrf_token", csrf.as_str()),
        ("overall", "2"),
        ("trainers", "1"),
        ("content", "3"),
        ("nps", "4"),
        ("themes", "trainers"),
        ("themes", "licensing"),
        ("comment", "Les formateurs ne connaissaient pas le produit."),
    ];
    let sent = client
        .post(app.url(&path))
        .form(&answer)
        .send()
        .await
        .expect("sent");
    assert_eq!(sent.status(), StatusCode::CREATED);
    assert!(sent.text().await.expect("body").contains("Merci"));
    let again = client
        .post(app.url(&path))
        .form(&answer)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let complaints = json_with(
        app.get(
            &format!("/api/v1/complaints?stop_id={stop_id}"),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(complaints.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn when_a_stop_ends_its_attendees_are_asked_automatically_once() {
    let app = crate::helpers::spawn_app_with(|s| s.housekeeping_seconds = 1).await;
    let admin = app.token_for("admin").await;
    let tour = crate::fixtures::create_tour(&app, &admin, "Ended").await;
    let body = crate::fixtures::stop_body(
        "Metz",
        json!({"starts_at": "2026-10-27T09:00:00+01:00", "ends_at": "2026-10-27T17:00:00+01:00"}),
    );
    let stop = json_with(
        app.post_json(
            &format!("/api/v1/tours/{}/stops", tour["id"].as_str().expect("id")),
            &body,
            Some(&admin),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let staff = app.token_for("staff").await;
    // A walk-in at the (past) stop is checked in at the entrance.
    json_with(
        app.post_json(
            &format!(
                "/api/v1/stops/{}/walk-ins",
                stop["id"].as_str().expect("id")
            ),
            &registration_body("Claire", &[]),
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let token = feedback_token(&app).await;
    assert!(!token.is_empty());
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let asked = app
        .mail
        .to("claire@alsace-informatique.fr")
        .iter()
        .filter(|m| text(&m.raw).contains("/feedback/"))
        .count();
    assert_eq!(asked, 1, "asked once, whatever the number of worker runs");
}

#[tokio::test]
async fn one_reminder_goes_to_those_who_did_not_answer_unless_they_unsubscribed() {
    let app = crate::helpers::spawn_app_with(|s| s.housekeeping_seconds = 1).await;
    let (_, _, token) = asked_for_feedback(&app).await;
    let backdate = || {
        use diesel::RunQueryDsl;
        diesel::sql_query("UPDATE feedback_requests SET requested_at = '2000-01-01 00:00:00'")
            .execute(&mut app.connection())
            .expect("backdate");
    };
    let reminders = || {
        app.mail
            .to("claire@alsace-informatique.fr")
            .iter()
            .filter(|m| text(&m.raw).contains("Petit rappel"))
            .count()
    };
    backdate();
    for _ in 0..50 {
        if reminders() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(reminders(), 1, "one reminder, never two");
    let reminder = app
        .mail
        .to("claire@alsace-informatique.fr")
        .into_iter()
        .map(|m| text(&m.raw))
        .find(|t| t.contains("Petit rappel"))
        .expect("reminder");
    assert!(
        reminder.contains(&format!("/feedback/{token}/unsubscribe")),
        "{reminder}"
    );

    // Unsubscribing through the link is honoured by the page.
    let client = crate::pages::browser("fr");
    let (status, doc) =
        crate::pages::page(&client, &app, &format!("/feedback/{token}/unsubscribe")).await;
    assert_eq!(status, StatusCode::OK);
    let done = client
        .post(app.url(&format!("/feedback/{token}/unsubscribe")))
        .form(&[("csrf_token", crate::pages::csrf_of(&doc).as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        done.text()
            .await
            .expect("body")
            .contains("plus aucun rappel")
    );
}

#[tokio::test]
async fn no_reminder_after_unsubscribing() {
    let app = crate::helpers::spawn_app_with(|s| s.housekeeping_seconds = 1).await;
    let (_, _, token) = asked_for_feedback(&app).await;
    let client = crate::pages::browser("fr");
    let (_, doc) =
        crate::pages::page(&client, &app, &format!("/feedback/{token}/unsubscribe")).await;
    client
        .post(app.url(&format!("/feedback/{token}/unsubscribe")))
        .form(&[("csrf_token", crate::pages::csrf_of(&doc).as_str())])
        .send()
        .await
        .expect("sent");
    {
        use diesel::RunQueryDsl;
        diesel::sql_query("UPDATE feedback_requests SET requested_at = '2000-01-01 00:00:00'")
            .execute(&mut app.connection())
            .expect("backdate");
    }
    tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
    let reminders = app
        .mail
        .to("claire@alsace-informatique.fr")
        .iter()
        .filter(|m| text(&m.raw).contains("Petit rappel"))
        .count();
    assert_eq!(reminders, 0);
}

#[tokio::test]
async fn promises_have_due_dates_overdue_ones_stand_out_and_the_reseller_hears_the_outcome() {
    let app = spawn_app().await;
    let (_, marketing, token) = asked_for_feedback(&app).await;
    let body = json!({"overall": 2, "trainers": 2, "content": 2, "nps": 2, "themes": ["licensing"], "notify_me": true,
        "comment": "La politique de licences change trop vite"});
    let sent = json_with(
        app.post_json(&format!("/api/v1/feedback/{token}"), &body, None)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = sent["complaints"][0].as_str().expect("id").to_owned();
    let path = format!("/api/v1/complaints/{id}");

    // A promise with a date already past: it shows as overdue, and in the overdue filter.
    let promised = json_with(
        app.patch_json(
            &path,
            &json!({"status": "acknowledged", "owner": "Bertrand Launay", "due_on": "2026-11-01",
            "comment": "Promis à Strasbourg : une fiche claire par programme"}),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(promised["overdue"], true);
    assert_eq!(promised["notify_reseller"], true);
    let comment = promised["history"]
        .as_array()
        .expect("history")
        .iter()
        .find(|h| h["field"] == "comment")
        .expect("comment");
    assert_eq!(
        comment["new_value"],
        "Promis à Strasbourg : une fiche claire par programme"
    );
    problem(
        app.patch_json(&path, &json!({"due_on": "next week"}), Some(&marketing))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let overdue = json_with(
        app.get("/api/v1/complaints?overdue=true", Some(&marketing))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(overdue.as_array().map(Vec::len), Some(1));
    let mine = json_with(
        app.get(
            "/api/v1/complaints?owner=Bertrand%20Launay",
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1));

    // Resolved: no longer overdue, and Claire is told (she asked to be).
    let resolved = json_with(
        app.patch_json(&path, &json!({"status": "resolved", "resolution": "Une fiche par programme, publiée le 20 novembre"}), Some(&marketing)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(resolved["overdue"], false);
    let overdue = json_with(
        app.get("/api/v1/complaints?overdue=true", Some(&marketing))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(overdue, json!([]));
    for _ in 0..100 {
        if app
            .mail
            .to("claire@alsace-informatique.fr")
            .iter()
            .any(|m| text(&m.raw).contains("publiée le 20 novembre"))
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the reseller was not told of the resolution");
}

#[tokio::test]
async fn staff_record_a_complaint_on_site_and_marketing_works_it_from_its_pages() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let staff = crate::pages::logged_in(&app, "sophie@roadshow.example", "staff", "fr").await;
    let (status, doc) =
        crate::pages::page(&staff, &app, &format!("/complaints/new?stop_id={stop_id}")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = crate::pages::csrf_of(&doc);
    let empty = staff
        .post(app.url("/complaints"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("stop_id", stop_id.as_str()),
            ("theme", "trainers"),
            ("summary", ""),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let recorded = staff
        .post(app.url("/complaints"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("stop_id", stop_id.as_str()),
            ("theme", "trainers"),
            ("summary", "Le formateur ne connaissait pas SBS"),
            ("company", "Alsace Informatique"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        recorded.headers()["location"],
        "/scan",
        "staff go back to the door"
    );
    let (status, _) = crate::pages::page(&staff, &app, "/complaints").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "staff do not work complaints"
    );

    let marketing =
        crate::pages::logged_in(&app, "michel@roadshow.example", "marketing", "fr").await;
    let (_, doc) = crate::pages::page(&marketing, &app, "/complaints?theme=trainers").await;
    let link = crate::pages::select(&doc, "#complaints tbody a")[0]
        .value()
        .attr("href")
        .expect("href")
        .to_owned();
    let (_, doc) = crate::pages::page(&marketing, &app, &link).await;
    let csrf = crate::pages::csrf_of(&doc);
    let unresolved = marketing
        .post(app.url(&link))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("status", "resolved"),
            ("owner", "Michel"),
            ("due_on", ""),
            ("resolution", ""),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(
        unresolved.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "resolved needs a resolution"
    );
    let promised = marketing
        .post(app.url(&link))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("status", "acknowledged"),
            ("owner", "Michel"),
            ("due_on", "2026-11-01"),
            ("resolution", ""),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(promised.status(), StatusCode::SEE_OTHER);
    let (_, doc) = crate::pages::page(&marketing, &app, "/complaints?overdue=yes").await;
    assert_eq!(
        crate::pages::select(&doc, "#complaints tr.overdue").len(),
        1,
        "the late promise stands out"
    );
    let done = marketing
        .post(app.url(&link))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("status", "resolved"),
            ("owner", "Michel"),
            ("due_on", "2026-11-01"),
            ("resolution", "Formation SBS refaite pour l'équipe"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (_, doc) = crate::pages::page(&marketing, &app, &link).await;
    let history: Vec<String> = crate::pages::select(&doc, "#history li")
        .iter()
        .map(|li| li.text().collect())
        .collect();
    assert_eq!(history.len(), 6, "{history:#?}");
    assert!(
        history[0].contains("Sophie") || history[0].contains("Test User"),
        "{history:#?}"
    );
    // The page is French, and so is its history: field names and statuses.
    assert!(
        history
            .iter()
            .any(|l| l.contains("statut\u{a0}: prise en compte → résolue")),
        "{history:#?}"
    );
    assert!(
        history.iter().all(|l| !l.contains("status")),
        "{history:#?}"
    );
    let (_, doc) = crate::pages::page(&marketing, &app, "/complaints?overdue=yes").await;
    assert!(crate::pages::select(&doc, "#complaints tr.overdue").is_empty());
}

#[tokio::test]
async fn a_stop_feedback_summary_counts_and_quotes_what_resellers_said() {
    let app = spawn_app().await;
    let (stop_id, marketing, token) = asked_for_feedback(&app).await;
    let path = format!("/api/v1/stops/{stop_id}/feedback-summary");
    let empty = json_with(app.get(&path, Some(&marketing)).await, StatusCode::OK).await;
    assert_eq!(
        (
            &empty["checked_in"],
            &empty["responses"],
            &empty["response_rate"],
            &empty["avg_overall"],
            &empty["nps"]
        ),
        (
            &json!(1),
            &json!(0),
            &json!(0.0),
            &Value::Null,
            &Value::Null
        ),
        "no answer yet: rates 0, averages null"
    );
    let body = json!({"overall": 2, "trainers": 1, "content": 3, "nps": 3, "themes": ["trainers", "licensing"],
        "comment": "On a à peine fini de maîtriser le principe que déjà Microsoft en change"});
    let sent = json_with(
        app.post_json(&format!("/api/v1/feedback/{token}"), &body, None)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let quote = json_with(
        app.send_put(
            &format!(
                "/api/v1/feedback-answers/{}/quote",
                sent["id"].as_str().expect("id")
            ),
            &json!({"selected": true}),
            &marketing,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(quote["selected"], true);
    let summary = json_with(app.get(&path, Some(&marketing)).await, StatusCode::OK).await;
    assert_eq!(summary["responses"], 1);
    assert_eq!(summary["response_rate"], 1.0);
    assert_eq!(summary["avg_trainers"], 1.0);
    assert_eq!(summary["nps"], -100.0);
    assert_eq!(
        summary["complaints"],
        json!({"licensing": {"open": 1}, "trainers": {"open": 1}})
    );
    assert!(
        summary["quotes"][0][1]
            .as_str()
            .unwrap_or_default()
            .contains("Microsoft en change")
    );
    let staff = app.token_for("staff").await;
    problem(app.get(&path, Some(&staff)).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_complaint_s_history_is_shown_on_the_stop_s_clock() {
    let app = spawn_app().await;
    let (stop_id, _) = open_stop(&app, 10, &[]).await;
    let staff = app.token_for("staff").await;
    let complaint = json_with(
        app.post_json(
            "/api/v1/complaints",
            &json!({"stop_id": stop_id, "theme": "trainers", "summary": "Formateur absent"}),
            Some(&staff),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let at: chrono::DateTime<chrono::Utc> = complaint["history"][0]["at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("an instant");
    // The stop is in Paris: the page shows its clock, not UTC.
    let expected = at
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let client = crate::pages::logged_in(&app, "analyst@roadshow.example", "marketing", "fr").await;
    let id = complaint["id"].as_str().expect("id");
    let (_, doc) = crate::pages::page(&client, &app, &format!("/complaints/{id}")).await;
    let shown: String = crate::pages::select(&doc, "#history .t")[0]
        .text()
        .collect();
    assert_eq!(shown, expected);
}

#[tokio::test]
async fn a_complaint_raised_without_a_comment_is_summed_up_in_the_attendees_language() {
    let app = spawn_app().await;
    let (stop_id, marketing, token) = asked_for_feedback(&app).await;
    json_with(
        app.post_json(
            &format!("/api/v1/feedback/{token}"),
            &json!({"overall": 2, "trainers": 1, "content": 3, "nps": 3, "themes": ["trainers"]}),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let listed = json_with(
        app.get(
            &format!("/api/v1/complaints?stop_id={stop_id}"),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        listed[0]["summary"], "Signalé dans l'avis\u{a0}: Le professionnalisme des formateurs",
        "{listed}"
    );
    // Its history names the form in the reader's language, with that language's colon.
    let id = listed[0]["id"].as_str().expect("id");
    for (language, actor, colon) in [
        ("fr-FR", "formulaire d'avis", "\u{a0}:"),
        ("en", "feedback form", ":"),
    ] {
        let client = crate::pages::logged_in(
            &app,
            &format!("{language}@roadshow.example"),
            "marketing",
            language,
        )
        .await;
        let (_, doc) = crate::pages::page(&client, &app, &format!("/complaints/{id}")).await;
        let history: Vec<String> = crate::pages::select(&doc, "#history li")
            .iter()
            .map(|li| li.text().collect())
            .collect();
        assert!(
            history
                .iter()
                .any(|h| h.contains(actor) && h.contains(colon)),
            "{language}: {history:?}"
        );
        assert!(
            history
                .iter()
                .all(|h| language == "fr-FR" || !h.contains(" :")),
            "{history:?}"
        );
    }
}
