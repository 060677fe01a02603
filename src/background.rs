//! The work done outside requests: the outbox worker, which knows every area's messages from
//! the list here, and every area's periodic jobs. `serve` starts it (unless
//! `ROADSHOW_MAIL_WORKER=off`), `roadshow mail-worker` runs it alone; both stop it on shutdown.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::complaints::messages::ResolvedMail;
use crate::email::mailer::Mailer;
use crate::email::{MailKinds, worker};
use crate::feedback::messages::FeedbackMail;
use crate::jobs::{self, Job};
use crate::registrations::messages::RegistrationMail;
use crate::state::AppState;

/// Every message the outbox may hold, by kind.
pub fn mail_kinds() -> MailKinds {
    MailKinds::default()
        .with::<RegistrationMail>()
        .with::<FeedbackMail>()
        .with::<ResolvedMail>()
        .with::<crate::people::messages::ErasureMail>()
}

/// Every area's periodic jobs.
pub fn periodic_jobs(state: &Arc<AppState>) -> Vec<Job> {
    let mut jobs = crate::feedback::jobs::jobs(state);
    jobs.extend(crate::registrations::jobs::jobs(state));
    jobs.extend(crate::people::retention::jobs(state));
    jobs
}

/// The running worker and jobs.
#[derive(Debug)]
pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Starts the outbox worker, the webhook worker and the periodic jobs.
    pub fn start(state: Arc<AppState>, mailer: Mailer) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = jobs::spawn(periodic_jobs(&state), &stopped);
        tasks.push(tokio::spawn(crate::webhooks::delivery::run(
            Arc::clone(&state),
            stopped.clone(),
        )));
        tasks.push(tokio::spawn(worker::run(
            state,
            mailer,
            mail_kinds(),
            stopped,
        )));
        Self { stop, tasks }
    }

    /// Stops everything, letting the message and the job runs in hand finish first.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a background task ended abnormally");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_kind_is_registered_once() {
        let kinds = format!("{:?}", mail_kinds());
        for kind in ["registration", "feedback", "complaint_resolved"] {
            assert!(kinds.contains(&format!("\"{kind}\"")), "{kind} in {kinds}");
        }
    }
}
