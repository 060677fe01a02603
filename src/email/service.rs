//! The outbox's one use case for people: an admin asks for a message to be tried again.

use super::outbox;
use crate::audit::{self, Actor, Change};
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::events::{Dispatcher, DomainEvent};

/// The use case "retry this e-mail now" (the outbox page): due again at once, recorded in the
/// audit log with who asked, and the worker woken.
pub async fn retry_message(
    pool: &DbPool,
    events: &Dispatcher,
    id: String,
    actor: Actor,
) -> Result<(), AppError> {
    db::transaction(pool, move |conn| {
        if outbox::retry_now(conn, &id, crate::time::now())? > 0 {
            audit::record(
                conn,
                Some(&actor),
                Change::new("email.retried", "email", &id),
            )?;
        }
        Ok(())
    })
    .await?;
    events.publish([DomainEvent::MailRetried]);
    Ok(())
}
