//! The analytics counters stay equal to a recount of the rows whatever writes them: a random
//! mix of registrations, walk-ins, cancellations (with the promotions they cause), workshop
//! changes, scans (late offline ones included), undos, answers, complaints, outcomes and a
//! change of what makes the specialist label, all through the HTTP API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{
    checkpoint_of, feedback_token, manage_token, now_utc, open_stop, set_stop_times,
};
use crate::helpers::{TestApp, json_with, spawn_app};

/// A small reproducible random source (xorshift64*): the same seed, the same mix.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        usize::try_from(x >> 33).expect("31 bits fit") % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

const SIZES: [&str; 3] = ["1-5", "6-20", "51-250"];
const PARTNERS: [&str; 2] = ["reseller", "integrator"];

/// What each kind of operation did (successes), so that the mix is known to have done each.
#[derive(Default, Debug)]
struct Done(std::collections::BTreeMap<&'static str, usize>);

impl Done {
    /// Counts a success of `what`; 409 and 422 are fair refusals of a random operation (a
    /// cancelled registration cancelled again), anything else fails the test.
    fn note(&mut self, what: &'static str, status: StatusCode) {
        assert!(
            status.is_success()
                || status == StatusCode::CONFLICT
                || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{what}: {status}"
        );
        if status.is_success() {
            *self.0.entry(what).or_default() += 1;
        }
    }
}

/// Which counters differ from a recount of the rows.
fn drift(app: &TestApp) -> Vec<roadshow::analytics::counts::Drift> {
    roadshow::analytics::counts::drift(&mut app.connection()).expect("recounted")
}

fn person(n: usize, dice: &mut Dice, workshops: &[String]) -> Value {
    let chosen: Vec<&String> = workshops.iter().filter(|_| dice.below(2) == 0).collect();
    json!({
        "first_name": format!("Personne{n}"),
        "last_name": "Kléber",
        "email": format!("personne{n}@alsace-informatique.fr"),
        "company": "Alsace Informatique",
        "company_size": dice.pick(&SIZES),
        "partner_type": dice.pick(&PARTNERS),
        "consent": true,
        "workshops": chosen,
    })
}

#[tokio::test]
async fn counters_equal_a_recount_after_a_random_mix_of_everything_that_writes() {
    let app = spawn_app().await;
    let staff = app.token_for("staff").await;
    let marketing = app.token_for("marketing").await;
    let admin = app.token_for("admin").await;
    // Few seats, so that people wait and cancellations promote them.
    let (stop_id, workshops) =
        open_stop(&app, 8, &[("Sécurité", 3, 10, 11), ("Label", 2, 11, 12)]).await;
    let now = now_utc();
    set_stop_times(
        &app,
        &stop_id,
        now - chrono::Duration::hours(3),
        now + chrono::Duration::hours(6),
    );
    let mut rooms = vec![checkpoint_of(&app, &stop_id, None).await];
    for w in &workshops {
        rooms.push(checkpoint_of(&app, &stop_id, Some(w)).await);
    }
    let mut dice = Dice(0x5EED_2026_1013);
    // `(registration, manage token)` of everyone registered so far.
    let mut people: Vec<(Value, String)> = Vec::new();
    let mut scans: Vec<String> = Vec::new();
    let mut complaints: Vec<String> = Vec::new();
    let mut done = Done::default();

    for step in 0..220 {
        let who = dice.pick(&people).cloned();
        match (dice.below(10), who) {
            (0..=2, _) | (_, None) => {
                let body = person(step, &mut dice, &workshops);
                let walk_in = dice.below(4) == 0;
                let (path, token) = if walk_in {
                    (
                        format!("/api/v1/stops/{stop_id}/walk-ins"),
                        Some(staff.as_str()),
                    )
                } else {
                    (format!("/api/v1/stops/{stop_id}/registrations"), None)
                };
                let response = app.post_json(&path, &body, token).await;
                let status = response.status();
                done.note(if walk_in { "walk-in" } else { "register" }, status);
                if status == StatusCode::CREATED {
                    let made: Value = response.json().await.expect("json");
                    let token = manage_token(&made);
                    people.push((made, token));
                }
            }
            (3, Some((_, token))) => {
                let response = app
                    .api
                    .delete(app.url(&format!("/api/v1/manage/{token}")))
                    .send()
                    .await
                    .expect("sent");
                done.note("cancel", response.status());
            }
            (4, Some((_, token))) => {
                let chosen: Vec<&String> =
                    workshops.iter().filter(|_| dice.below(2) == 0).collect();
                let response = app
                    .patch_json(
                        &format!("/api/v1/manage/{token}"),
                        &json!({"workshops": chosen}),
                        None,
                    )
                    .await;
                done.note("change workshops", response.status());
            }
            (5..=6, Some((made, _))) => {
                let room = dice.pick(&rooms).expect("rooms");
                // Up to 90 minutes ago: some scans are late arrivals of an offline scanner,
                // earlier than the check-in already there.
                let at =
                    now - chrono::Duration::minutes(i64::try_from(dice.below(90)).expect("small"));
                let scan = json!({"token": made["badge"]["token"], "checkpoint_id": room,
                                  "scanned_at": format!("{}Z", at.format("%Y-%m-%dT%H:%M:%S"))});
                let decided = json_with(
                    app.post_json(
                        "/api/v1/checkins/batch",
                        &json!({"scans": [scan]}),
                        Some(&staff),
                    )
                    .await,
                    StatusCode::OK,
                )
                .await;
                let result = &decided["results"][0];
                if result["result"] == "ok" {
                    scans.push(result["scan_id"].as_str().expect("scan id").to_owned());
                }
                done.note("scan", StatusCode::OK);
            }
            (7, Some(_)) => {
                let Some(scan_id) = dice.pick(&scans).cloned() else {
                    continue;
                };
                let response = app
                    .post_json(
                        &format!("/api/v1/scans/{scan_id}/undo"),
                        &json!({}),
                        Some(&staff),
                    )
                    .await;
                done.note("undo", response.status());
            }
            (8, Some((made, _))) => {
                let registration_id = (dice.below(3) > 0).then(|| made["id"].clone());
                let theme = dice.pick(&["trainers", "licensing", "logistics"]).copied();
                let response = app
                    .post_json(
                        "/api/v1/complaints",
                        &json!({"stop_id": stop_id, "theme": theme, "summary": "Formateur absent",
                                "registration_id": registration_id}),
                        Some(&staff),
                    )
                    .await;
                let status = response.status();
                done.note("complaint", status);
                if status == StatusCode::CREATED {
                    let made: Value = response.json().await.expect("json");
                    complaints.push(made["id"].as_str().expect("id").to_owned());
                }
                if let Some(id) = dice.pick(&complaints).cloned() {
                    let status = dice.pick(&["acknowledged", "wont_fix", "open"]).copied();
                    let response = app
                        .patch_json(
                            &format!("/api/v1/complaints/{id}"),
                            &json!({"status": status}),
                            Some(&marketing),
                        )
                        .await;
                    done.note("complaint status", response.status());
                }
            }
            (_, Some((made, _))) => {
                let kind = dice
                    .pick(&["certification_started", "deal_registered"])
                    .copied();
                let response = app
                    .post_json(
                        "/api/v1/outcomes",
                        &json!({"registration_id": made["id"], "kind": kind, "occurred_on": "2026-11-05"}),
                        Some(&marketing),
                    )
                    .await;
                done.note("outcome", response.status());
            }
        }
    }

    // Answers from some of those checked in, then the label moves to the other workshop.
    let queued = json_with(
        app.post_json(
            &format!("/api/v1/stops/{stop_id}/feedback-requests"),
            &json!({}),
            Some(&marketing),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await["queued"]
        .as_u64()
        .expect("queued");
    let asked = feedback_recipients(&app, usize::try_from(queued).expect("small")).await;
    for (i, address) in asked.iter().enumerate() {
        let token = feedback_token(&app, address).await;
        let response = app
            .post_json(
                &format!("/api/v1/feedback/{token}"),
                &json!({"overall": 1 + i % 5, "trainers": 2, "content": 1 + i % 4, "nps": i % 11,
                        "themes": if i % 4 == 0 { json!(["licensing"]) } else { json!([]) }}),
                None,
            )
            .await;
        done.note("feedback", response.status());
    }
    // (The workshops move into the stop's day, which the test moved to today.)
    let hour = |h: i64| {
        format!(
            "{}Z",
            (now + chrono::Duration::hours(h)).format("%Y-%m-%dT%H:%M:%S")
        )
    };
    for (w, label) in workshops.iter().zip([true, false]) {
        let change = json!({"specialist_label": label, "starts_at": hour(1), "ends_at": hour(2)});
        let response = app
            .patch_json(&format!("/api/v1/workshops/{w}"), &change, Some(&admin))
            .await;
        done.note("label", response.status());
    }

    for what in [
        "register",
        "walk-in",
        "cancel",
        "change workshops",
        "scan",
        "undo",
        "complaint",
        "complaint status",
        "outcome",
        "feedback",
        "label",
    ] {
        assert!(
            done.0.get(what).copied().unwrap_or(0) > 0,
            "the mix never did {what}: {done:?}"
        );
    }
    assert_eq!(
        drift(&app),
        [],
        "counters that differ from the rows after {done:?}"
    );
    // The dashboards read the totals kept for every attendee, one company size or one kind of
    // partner, and the counters themselves when filtered on both: each total is the sum of the
    // finer figures below it. A complaint without an attendee has '' as both.
    let sizes: Vec<&str> = SIZES.iter().copied().chain([""]).collect();
    let kinds: Vec<&str> = PARTNERS.iter().copied().chain([""]).collect();
    let fine: Vec<(&str, &str, Figures)> = sizes
        .iter()
        .flat_map(|size| kinds.iter().map(move |kind| (*size, *kind)))
        .map(|(size, kind)| {
            (
                size,
                kind,
                figures_of(&app, &stop_id, Some(size), Some(kind)),
            )
        })
        .collect();
    let sum_of = |keep: &dyn Fn(&str, &str) -> bool| {
        let mut sum = Figures::new();
        for (_, _, figures) in fine.iter().filter(|(size, kind, _)| keep(size, kind)) {
            for (key, n) in figures {
                *sum.entry(key.clone()).or_default() += n;
            }
        }
        sum.retain(|_, n| *n != 0);
        sum
    };
    let everyone = figures_of(&app, &stop_id, None, None);
    assert!(!everyone.is_empty());
    assert_eq!(sum_of(&|_, _| true), everyone, "every attendee");
    for &size in &sizes {
        let of_size = figures_of(&app, &stop_id, Some(size), None);
        assert_eq!(sum_of(&|s, _| s == size), of_size, "company size {size}");
    }
    for &kind in &kinds {
        let of_kind = figures_of(&app, &stop_id, None, Some(kind));
        assert_eq!(sum_of(&|_, k| k == kind), of_kind, "kind of partner {kind}");
    }

    // The recount has something to compare: the figures are not all zeros.
    let figures = json_with(
        app.get(
            &format!("/api/v1/analytics/stops/{stop_id}"),
            Some(&marketing),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        figures["checked_in"].as_i64().expect("checked_in") > 0,
        "{figures}"
    );
    assert!(
        figures["cancelled"].as_i64().expect("cancelled") > 0,
        "{figures}"
    );
}

/// A stop's summed counters, by metric and subject (zeros left out).
type Figures = std::collections::BTreeMap<(String, String), i64>;

/// The counters of every metric that has totals, for one stop and filter, as the dashboards
/// read them.
fn figures_of(app: &TestApp, stop_id: &str, size: Option<&str>, kind: Option<&str>) -> Figures {
    use roadshow::analytics::{figures::AttendeeFilter, store};
    let metrics: Vec<store::Metric> = store::Metric::ALL
        .into_iter()
        .filter(|m| m.has_totals())
        .collect();
    let filter = AttendeeFilter {
        company_size: size.map(str::to_owned),
        partner_type: kind.map(str::to_owned),
    };
    store::sum_counters(
        &mut app.connection(),
        &[stop_id.to_owned()],
        &metrics,
        &filter,
    )
    .expect("summed")
    .into_iter()
    .map(|c| ((c.metric, c.subject), c.n))
    .collect()
}

/// The addresses of the first `count` feedback e-mails, once they have arrived.
async fn feedback_recipients(app: &TestApp, count: usize) -> Vec<String> {
    for _ in 0..200 {
        let asked: Vec<String> = app
            .mail
            .messages()
            .into_iter()
            .filter(|m| crate::mail::text(&m.raw).contains("/feedback/"))
            .flat_map(|m| m.to)
            .collect();
        if asked.len() >= count {
            return asked;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("fewer than {count} feedback e-mails");
}
