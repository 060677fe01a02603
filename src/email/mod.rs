//! E-mail through a transactional outbox: a change and its message are committed together;
//! a worker claims due rows with a lease, has each build itself, sends it over SMTP (or writes
//! `.eml` files), and retries with backoff. Nothing is sent from a request handler. Messages
//! are typed and rendered by the areas that own them ([`Mail`], registered in [`MailKinds`] at
//! start-up): this module knows no area.

pub mod mail;
pub mod mailer;
pub mod messages;
pub mod outbox;
pub mod pages;
pub mod service;
pub mod signal;
pub mod worker;

pub use mail::{Mail, MailKinds, queue, queue_all};
pub use outbox::enqueue;
