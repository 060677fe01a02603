//! Whether a pooled PostgreSQL connection is still alive, known without asking the server each
//! time. Testing every connection as it leaves the pool (`SELECT 1`) was one round trip in
//! three of the door's search. A connection that answered a moment ago is taken as alive; one
//! idle for longer is still tested; one whose statement failed because the connection is gone
//! is dropped by the pool when it comes back, so a server restart costs each open connection
//! at most the one request that found it closed.

use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::result::{DatabaseErrorKind, Error};

/// How long after its last answer a connection is taken as alive without a test.
pub const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// Watches a connection's statements (diesel instrumentation, installed once per connection):
/// when the last one ended, and whether one found the connection gone.
#[derive(Debug)]
pub struct Liveness {
    last_answer: Instant,
    lost: bool,
}

impl Liveness {
    /// A connection that has just been opened, and so answered.
    pub fn new() -> Self {
        Self {
            last_answer: Instant::now(),
            lost: false,
        }
    }

    /// True when the connection answered within [`TRUSTED_FOR`] and never lost its server.
    pub fn recently_alive(&self) -> bool {
        !self.lost && self.last_answer.elapsed() < TRUSTED_FOR
    }

    /// True once a statement failed because the connection is closed or cannot send.
    pub fn lost(&self) -> bool {
        self.lost
    }
}

impl Default for Liveness {
    fn default() -> Self {
        Self::new()
    }
}

impl Instrumentation for Liveness {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error, .. } = event {
            match error {
                Some(Error::DatabaseError(
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                    _,
                )) => self.lost = true,
                // A statement the server refused (a constraint, a syntax error) was still an
                // answer from a live server.
                _ => self.last_answer = Instant::now(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_answer_is_not_trusted() {
        let mut liveness = Liveness::new();
        assert!(liveness.recently_alive());
        liveness.last_answer = Instant::now() - TRUSTED_FOR;
        assert!(!liveness.recently_alive());
        assert!(!liveness.lost());
    }
}
