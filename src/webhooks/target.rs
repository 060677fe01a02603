//! Where a webhook may be sent: `http(s)` URLs of public hosts. A receiver on loopback or a
//! private network (the server's own admin port, a cloud metadata address) is refused unless
//! `ROADSHOW_WEBHOOK_ALLOW_PRIVATE=1`: an admin's typo or a stolen admin token must not turn
//! roadshow into a way into its own network. The URL is checked when it is registered (an
//! address written out, `localhost`) and the name's addresses before each attempt.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// The longest URL accepted.
pub const MAX_URL: usize = 2000;

/// Parses a target URL; the error is the catalogue key of what is wrong, for a 422.
pub fn parse(raw: &str, allow_private: bool) -> Result<Url, &'static str> {
    if raw.len() > MAX_URL {
        return Err("v.url_too_long");
    }
    let url = Url::parse(raw.trim()).map_err(|_| "v.url")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("v.url_scheme");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("v.url_credentials");
    }
    let private = match url.host() {
        None => return Err("v.url_host"),
        Some(Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if private && !allow_private {
        return Err("v.url_private");
    }
    Ok(url)
}

/// The target's addresses, checked again just before an attempt (a name may point anywhere).
pub async fn resolve(url: &Url, allow_private: bool) -> Result<(), String> {
    let host = url.host_str().ok_or("no host")?;
    let port = url.port_or_known_default().unwrap_or(80);
    let addresses: Vec<_> = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("{host} does not resolve: {e}"))?
        .collect();
    if !allow_private && addresses.iter().any(|a| !is_public(a.ip())) {
        return Err(format!("{host} resolves to a loopback or private address"));
    }
    Ok(())
}

/// True for an address reachable on the public internet.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT) and benchmarking networks.
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local (fc00::/7) and link-local (fe80::/10) addresses.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // Documentation (2001:db8::/32).
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_targets_are_refused_unless_allowed() {
        for refused in [
            "http://127.0.0.1:9000/hook",
            "http://localhost/hook",
            "http://api.localhost/hook",
            "http://10.1.2.3/",
            "http://192.168.0.10/",
            "http://172.16.5.4/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
        ] {
            assert_eq!(
                parse(refused, false).map(|_| ()),
                Err("v.url_private"),
                "{refused}"
            );
            assert!(parse(refused, true).is_ok(), "{refused} when allowed");
        }
        for accepted in [
            "https://crm.example.com/hooks/roadshow",
            "http://93.184.216.34/",
        ] {
            assert!(parse(accepted, false).is_ok(), "{accepted}");
        }
        for malformed in [
            "ftp://example.com/",
            "not a url",
            "https://user:pw@example.com/",
        ] {
            assert!(parse(malformed, true).is_err(), "{malformed}");
        }
    }
}
