//! Reminders days before a stop: once per registration and offset whatever the number of
//! workers, only to confirmed attendees registered before the offset; and marketing's reminder
//! to a whole stop now.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{
    manage_token, now_utc, open_stop, register, registration_body, set_stop_times,
};
use crate::helpers::{TestApp, json_with, problem, spawn_app_with};
use crate::mail::subject;

fn reminders_to(app: &TestApp, address: &str) -> usize {
    app.mail
        .to(address)
        .iter()
        .filter(|m| subject(&m.raw).contains("rappel"))
        .count()
}

#[tokio::test]
async fn a_reminder_leaves_once_to_each_confirmed_attendee_registered_before_it() {
    // The periodic job waits an hour: the test runs the passes itself, as two workers at once.
    let app = spawn_app_with(|s| s.housekeeping_seconds = 3600).await;
    let (stop_id, _) = open_stop(&app, 2, &[]).await;
    register(&app, &stop_id, registration_body("Claire", &[])).await;
    let cancelled = register(&app, &stop_id, registration_body("Bruno", &[])).await;
    let promoted = register(&app, &stop_id, registration_body("Paul", &[])).await;
    assert_eq!(promoted["status"], "waitlisted");
    let token = manage_token(&cancelled);
    let gone = app
        .api
        .delete(app.url(&format!("/api/v1/manage/{token}")))
        .send()
        .await
        .expect("sent");
    json_with(gone, StatusCode::OK).await;
    let waiting = register(&app, &stop_id, registration_body("Yann", &[])).await;
    assert_eq!(waiting["status"], "waitlisted");

    // The stop starts in 3 days: everyone registered later than a week before it.
    let now = now_utc();
    set_stop_times(
        &app,
        &stop_id,
        now + Duration::days(3),
        now + Duration::days(3) + Duration::hours(8),
    );
    let before = app.mail.messages().len();

    // Two workers pass at the same moment, each for both offsets (7 and 1 days).
    let passes = |at: chrono::NaiveDateTime| -> Vec<(usize, usize)> {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let mut conn = app.connection();
                if let roadshow::db::DbConnection::Sqlite(c) = &mut conn {
                    // As the app's pool does: a writer waits for the other's lock.
                    use diesel::RunQueryDsl;
                    diesel::sql_query("PRAGMA busy_timeout = 10000")
                        .execute(c)
                        .expect("pragma");
                }
                std::thread::spawn(move || {
                    use roadshow::registrations::reminders::queue_due;
                    let week = queue_due(&mut conn, 7, 1, at).expect("pass");
                    let day = queue_due(&mut conn, 1, 0, at).expect("pass");
                    (week, day)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("joined"))
            .collect()
    };
    // Now: the week-before reminder is due, but nobody registered before it; the day-before one
    // is not due yet.
    assert_eq!(passes(now), vec![(0, 0), (0, 0)]);
    // Two and a half days later: the day-before reminder, to Claire and to Paul (promoted from
    // the waiting list), once in all; not to Bruno (cancelled) nor to Yann (still waiting).
    let results = passes(now + Duration::hours(60));
    assert_eq!(
        results.iter().map(|(w, _)| w).sum::<usize>(),
        0,
        "{results:?}"
    );
    assert_eq!(
        results.iter().map(|(_, d)| d).sum::<usize>(),
        2,
        "{results:?}"
    );

    // The outbox sends them (the e-mail worker runs in the app).
    app.mail.wait_for(before + 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(reminders_to(&app, "claire@alsace-informatique.fr"), 1);
    assert_eq!(reminders_to(&app, "paul@alsace-informatique.fr"), 1);
    for nobody in [
        "bruno@alsace-informatique.fr",
        "lea@alsace-informatique.fr",
        "yann@alsace-informatique.fr",
    ] {
        assert_eq!(reminders_to(&app, nobody), 0, "{nobody}");
    }
    // A later pass finds nothing left to send.
    let again = roadshow::registrations::reminders::queue_due(
        &mut app.connection(),
        1,
        0,
        roadshow::time::now(),
    )
    .expect("pass");
    assert_eq!(again, 0);
}

#[tokio::test]
async fn marketing_reminds_a_whole_stop_now_and_staff_may_not() {
    let app = spawn_app_with(|s| s.housekeeping_seconds = 3600).await;
    let (stop_id, _) = open_stop(&app, 2, &[]).await;
    for name in ["Claire", "Paul", "Yann"] {
        register(&app, &stop_id, registration_body(name, &[])).await;
    }
    let before = app.mail.messages().len();
    let marketing = app.token_for("marketing").await;
    let queued = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/reminders"),
            &json!({}),
            Some(&marketing),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    // The two confirmed attendees; not Yann, who waits for a seat.
    assert_eq!(queued["queued"], 2);
    app.mail.wait_for(before + 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(reminders_to(&app, "claire@alsace-informatique.fr"), 1);
    assert_eq!(reminders_to(&app, "yann@alsace-informatique.fr"), 0);
    let staff = app.token_for("staff").await;
    problem(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/reminders"),
            &json!({}),
            Some(&staff),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post_json("/api/v1/stops/nope/reminders", &json!({}), Some(&marketing))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
