//! The typed outbox: every area's messages implement [`Mail`] (their `kind`, their stored
//! payload, how they build themselves); the worker finds a stored row's builder in [`MailKinds`],
//! filled at start-up, so that this module knows no area.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::db::DbConnection;
use crate::state::AppState;

/// A message an area queues in the outbox and renders when it is sent.
///
/// The payload is stored as JSON in `outbox.payload`, the kind in `outbox.kind`; a message is
/// built at sending time from the data as it is then (the payload holds ids, not copies).
pub trait Mail: Serialize + DeserializeOwned + Send + 'static {
    /// The `outbox.kind` of this message; stored, so never renamed.
    const KIND: &'static str;

    /// Builds the e-mail to send.
    fn build(
        self,
        state: Arc<AppState>,
    ) -> impl Future<Output = anyhow::Result<lettre::Message>> + Send;
}

/// Queues `message` for `recipient`; call inside the transaction of the change that causes it,
/// so that both are kept or neither.
pub fn queue<M: Mail>(
    conn: &mut DbConnection,
    recipient: &str,
    message: &M,
) -> diesel::QueryResult<String> {
    super::outbox::enqueue(conn, M::KIND, recipient, message)
}

/// Queues messages of one type, each `(recipient, message)`, in one statement: what [`queue`]
/// does for a group of changes committed together.
pub fn queue_all<M: Mail>(
    conn: &mut DbConnection,
    messages: &[(&str, M)],
) -> diesel::QueryResult<Vec<String>> {
    super::outbox::enqueue_all(conn, M::KIND, messages)
}

/// A message being built.
type Building = Pin<Box<dyn Future<Output = anyhow::Result<lettre::Message>> + Send>>;
type Builder = fn(&str, Arc<AppState>) -> Building;

/// The messages the worker can send, by kind: each area's [`Mail`] types, registered at start-up.
#[derive(Clone, Default)]
pub struct MailKinds {
    builders: HashMap<&'static str, Builder>,
}

impl std::fmt::Debug for MailKinds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.builders.keys().collect();
        kinds.sort();
        f.debug_tuple("MailKinds").field(&kinds).finish()
    }
}

impl MailKinds {
    /// Adds the message type `M`.
    ///
    /// # Panics
    /// When another type already uses `M::KIND` (a programming error, found at start-up).
    #[must_use]
    pub fn with<M: Mail>(mut self) -> Self {
        let previous = self.builders.insert(M::KIND, build::<M>);
        assert!(
            previous.is_none(),
            "two message types use the kind `{}`",
            M::KIND
        );
        self
    }

    /// Builds the message stored as (`kind`, `payload`).
    pub async fn build(
        &self,
        kind: &str,
        payload: &str,
        state: Arc<AppState>,
    ) -> anyhow::Result<lettre::Message> {
        let builder = self
            .builders
            .get(kind)
            .ok_or_else(|| anyhow::anyhow!("unknown message kind `{kind}`"))?;
        builder(payload, state).await
    }
}

fn build<M: Mail>(payload: &str, state: Arc<AppState>) -> Building {
    let message = serde_json::from_str::<M>(payload);
    Box::pin(async move { message?.build(state).await })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Probe;

    impl Mail for Probe {
        const KIND: &'static str = "probe";

        async fn build(self, _: Arc<AppState>) -> anyhow::Result<lettre::Message> {
            anyhow::bail!("never built here")
        }
    }

    #[test]
    #[should_panic(expected = "two message types use the kind `probe`")]
    fn a_kind_cannot_be_registered_twice() {
        let _ = MailKinds::default().with::<Probe>().with::<Probe>();
    }
}
