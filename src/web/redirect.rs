//! Return addresses (`?next=` after login): only a path on this site is ever followed, so that
//! a link to our login page cannot send a signed-in user elsewhere (open redirect).

use url::Url;

/// `next` as a path (with its query and fragment) on the site of `base`, or `None` when it could
/// lead anywhere else or is not a clean path.
///
/// Browsers are lenient with `Location`: they drop tabs and line breaks (`/\t/evil.example`
/// becomes `//evil.example`), read `\` as `/`, and treat `//host` as another site. So the value
/// must start with one `/`, hold no control character, whitespace or backslash (as given nor once
/// percent-decoded), and, joined onto the base URL, keep its scheme, host and port.
pub fn local_path(next: &str, base: &Url) -> Option<String> {
    let unsafe_char = |c: char| c.is_control() || c.is_whitespace() || c == '\\';
    if next.chars().any(unsafe_char) {
        return None;
    }
    // Percent-decoding only (`+` is kept as a plus, not read as a space).
    let encoded = format!("p={}", next.replace('+', "%2B"));
    let decoded = url::form_urlencoded::parse(encoded.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if decoded.chars().any(unsafe_char) {
        return None;
    }
    for candidate in [next, decoded.as_str()] {
        let mut chars = candidate.chars();
        if chars.next() != Some('/') || matches!(chars.next(), Some('/' | '\\')) {
            return None;
        }
    }
    let joined = base.join(next).ok()?;
    if joined.origin() != base.origin() || joined.username() != "" || joined.password().is_some() {
        return None;
    }
    Some(joined[url::Position::BeforePath..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clean_local_paths_are_followed() {
        let base = Url::parse("https://roadshow.example:8443/").expect("url");
        let cases: &[(&str, Option<&str>)] = &[
            ("/admin", Some("/admin")),
            ("/admin/tours/new?lang=en", Some("/admin/tours/new?lang=en")),
            ("/analytics/stops/1#live", Some("/analytics/stops/1#live")),
            ("/a/../scan", Some("/scan")),
            ("/caf%C3%A9", Some("/caf%C3%A9")),
            ("", None),
            ("admin", None),
            ("//evil.example", None),
            ("/\\evil.example", None),
            ("/\t/evil.example", None),
            ("/%09/evil.example", None),
            ("/%2F/evil.example", None),
            ("/%5Cevil.example", None),
            ("/\r\nSet-Cookie: x=1", None),
            ("/%0d%0aSet-Cookie:x", None),
            ("/ /evil.example", None),
            ("/\u{0}x", None),
            ("/\u{2028}x", None),
            ("https://evil.example/", None),
            ("https://roadshow.example:8443/admin", None),
            ("javascript:alert(1)", None),
            ("\\\\evil.example", None),
            ("/@evil.example", Some("/@evil.example")),
            ("/search?q=a+b", Some("/search?q=a+b")),
        ];
        for (next, expected) in cases {
            assert_eq!(local_path(next, &base).as_deref(), *expected, "{next:?}");
        }
    }
}
