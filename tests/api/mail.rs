//! A real SMTP server for the tests (mailin-embedded over TCP), keeping what it receives.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::response::{OK, Response};
use mailin_embedded::{Handler, Server};

/// A received message: envelope recipients and raw bytes.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

#[derive(Clone, Default)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.push(Received {
                to: std::mem::take(&mut self.to),
                raw: std::mem::take(&mut self.data),
            });
        }
        OK
    }
}

/// An SMTP server on a port of its own, running until the test process ends.
#[derive(Clone)]
pub struct MailSink {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl MailSink {
    /// Starts a server on a free port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP");
        Self::serve(listener)
    }

    /// A free port with nothing listening yet: SMTP is "down" until [`MailSink::start_on`].
    pub fn reserve_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    }

    /// Starts a server on `port` (the SMTP server "comes back").
    pub fn start_on(port: u16) -> Self {
        let listener =
            TcpListener::bind(("127.0.0.1", port)).expect("bind SMTP on the reserved port");
        Self::serve(listener)
    }

    /// A sink for a port that nothing serves yet (its inbox stays empty).
    pub fn detached(port: u16) -> Self {
        Self {
            port,
            inbox: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn serve(listener: TcpListener) -> Self {
        let port = listener.local_addr().expect("addr").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let handler = Collector {
            inbox: inbox.clone(),
            ..Collector::default()
        };
        let mut server = Server::new(handler);
        server
            .with_name("sink.roadshow.test")
            .with_num_threads(16)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, inbox }
    }

    /// Everything received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Waits until at least `count` messages arrived (at most 20 s), then returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..200 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let got = self.messages();
        panic!("expected {count} e-mails, received {}", got.len());
    }

    /// Messages to one recipient.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }
}

/// The parts of a parsed message, flattened: `(content type, content id, body bytes)`.
pub fn parts(raw: &[u8]) -> Vec<(String, Option<String>, Vec<u8>)> {
    fn walk(part: &mailparse::ParsedMail<'_>, out: &mut Vec<(String, Option<String>, Vec<u8>)>) {
        if part.subparts.is_empty() {
            let content_id = part
                .headers
                .iter()
                .find(|h| h.get_key().eq_ignore_ascii_case("content-id"))
                .map(|h| h.get_value());
            out.push((
                part.ctype.mimetype.clone(),
                content_id,
                part.get_body_raw().unwrap_or_default(),
            ));
        }
        for sub in &part.subparts {
            walk(sub, out);
        }
    }
    let parsed = mailparse::parse_mail(raw).expect("a MIME message");
    let mut out = Vec::new();
    walk(&parsed, &mut out);
    out
}

/// The decoded subject of a message.
pub fn subject(raw: &[u8]) -> String {
    let parsed = mailparse::parse_mail(raw).expect("a MIME message");
    parsed
        .headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case("subject"))
        .map(|h| h.get_value())
        .unwrap_or_default()
}

/// The text/plain part of a message.
pub fn text(raw: &[u8]) -> String {
    parts(raw)
        .into_iter()
        .find(|(ct, _, _)| ct == "text/plain")
        .map(|(_, _, body)| String::from_utf8_lossy(&body).into_owned())
        .unwrap_or_default()
}
