//! E-mail through a transactional outbox: a change and its message are committed together;
//! a worker claims due rows with a lease, sends them over SMTP (or writes `.eml` files), and
//! retries with backoff. Nothing is sent from a request handler.

pub mod mailer;
pub mod messages;
pub mod outbox;
pub mod pages;
pub mod worker;

pub use outbox::enqueue;
