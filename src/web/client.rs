//! Who is asking, as far as the network can tell. Behind a load balancer every connection comes
//! from the balancer, which says who its client was in `Forwarded` (RFC 7239) or
//! `X-Forwarded-For`, and the scheme in `X-Forwarded-Proto`. Those headers are believed only
//! when the connection comes from an address of `ROADSHOW_TRUSTED_PROXIES`: anyone else could
//! write them to dodge the rate limit or pass for someone else.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

use crate::config::Settings;

/// The addresses whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses `10.0.0.0/8, 192.168.1.5, ::1` (addresses or CIDR blocks, commas or spaces).
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{item}` is neither an address nor a CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `ip` is one of them (an IPv4 address mapped in IPv6 counts as itself).
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One hop of `Forwarded` or `X-Forwarded-For`: `192.0.2.60`, `"[2001:db8::17]:4711"`,
/// `192.0.2.60:443`; `None` for `unknown`, an obfuscated name or garbage.
fn hop_address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    raw.parse()
        .ok()
        .or_else(|| raw.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok()))
}

/// The `name=` values of every element of the `Forwarded` headers, in order.
fn forwarded_values<'a>(req: &'a HttpRequest, name: &'a str) -> Vec<&'a str> {
    req.headers()
        .get_all("forwarded")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(move |element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case(name)
                    .then_some(value.trim())
            })
        })
        .collect()
}

/// The forwarding chain a request claims, client first: `Forwarded`'s `for=`, or else
/// `X-Forwarded-For`. `None` stands for a hop that names no address.
fn claimed_chain(req: &HttpRequest) -> Vec<Option<IpAddr>> {
    let forwarded = forwarded_values(req, "for");
    if !forwarded.is_empty() {
        return forwarded.into_iter().map(hop_address).collect();
    }
    req.headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(hop_address)
        .collect()
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the chain is read
/// from the right (each proxy appends who it heard from) past every trusted proxy, and the
/// first address not trusted is the client. A hop without an address stops the walk at the
/// proxy that wrote it.
pub fn client_ip(req: &HttpRequest, proxies: &TrustedProxies) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip().to_canonical();
    if !proxies.trusts(peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in claimed_chain(req).into_iter().rev() {
        match hop {
            Some(ip) => {
                client = ip.to_canonical();
                if !proxies.trusts(client) {
                    break;
                }
            }
            None => break,
        }
    }
    Some(client)
}

/// Whether the client reached roadshow over https: the base URL says so, or a trusted proxy
/// says it received https (`X-Forwarded-Proto`, or `proto=` of `Forwarded`).
pub fn is_https(req: &HttpRequest, settings: &Settings) -> bool {
    if settings.base_url.scheme() == "https" {
        return true;
    }
    let from_proxy = req
        .peer_addr()
        .is_some_and(|peer| settings.trusted_proxies.trusts(peer.ip()));
    if !from_proxy {
        return false;
    }
    // The nearest proxy's word: the last value.
    let proto = forwarded_values(req, "proto")
        .last()
        .map(|p| p.trim_matches('"').to_owned())
        .or_else(|| {
            req.headers()
                .get_all("x-forwarded-proto")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .last()
                .map(|p| p.trim().to_owned())
        });
    proto.is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn from(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut req = TestRequest::default().peer_addr(peer.parse().expect("socket address"));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        req.to_http_request()
    }

    fn proxies(raw: &str) -> TrustedProxies {
        TrustedProxies::parse(raw).expect("valid")
    }

    fn ip(raw: &str) -> Option<IpAddr> {
        raw.parse().ok()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_writes() {
        let req = from("198.51.100.7:5000", &[("x-forwarded-for", "203.0.113.1")]);
        assert_eq!(
            client_ip(&req, &TrustedProxies::default()),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(&req, &proxies("10.0.0.0/8")), ip("198.51.100.7"));
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = proxies("10.0.0.0/8, 127.0.0.1");
        // The client wrote a fake first hop; the balancer appended what it saw.
        let req = from(
            "10.0.0.2:80",
            &[("x-forwarded-for", "1.2.3.4, 203.0.113.1, 10.0.0.9")],
        );
        assert_eq!(client_ip(&req, &trusted), ip("203.0.113.1"));
        let req = from(
            "127.0.0.1:80",
            &[(
                "forwarded",
                "for=192.0.2.60;proto=https, for=\"[2001:db8:cafe::17]:4711\"",
            )],
        );
        assert_eq!(client_ip(&req, &trusted), ip("2001:db8:cafe::17"));
        // Nothing forwarded: the proxy itself.
        assert_eq!(
            client_ip(&from("10.1.1.1:80", &[]), &trusted),
            ip("10.1.1.1")
        );
        // A hop with no address stops at the proxy that wrote it.
        let req = from(
            "10.0.0.2:80",
            &[("x-forwarded-for", "203.0.113.1, unknown")],
        );
        assert_eq!(client_ip(&req, &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn proxies_parse_addresses_and_blocks_and_refuse_garbage() {
        let p = proxies("10.0.0.0/8 192.168.1.5,::1");
        assert!(p.trusts("10.200.3.4".parse().expect("ip")));
        assert!(p.trusts("::ffff:192.168.1.5".parse().expect("ip")));
        assert!(p.trusts("::1".parse().expect("ip")));
        assert!(!p.trusts("192.168.1.6".parse().expect("ip")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
        assert!(proxies("").is_empty());
    }

    #[test]
    fn the_scheme_is_believed_from_a_trusted_proxy_only() {
        let mut settings = Settings::from_lookup(|name| {
            (name == "ROADSHOW_TRUSTED_PROXIES").then(|| "10.0.0.0/8".to_owned())
        })
        .expect("settings");
        let said = [("x-forwarded-proto", "https")];
        assert!(is_https(&from("10.0.0.2:80", &said), &settings));
        assert!(!is_https(&from("203.0.113.1:80", &said), &settings));
        assert!(is_https(
            &from("10.0.0.2:80", &[("forwarded", "for=1.2.3.4;proto=https")]),
            &settings
        ));
        assert!(!is_https(&from("10.0.0.2:80", &[]), &settings));
        settings.trusted_proxies = TrustedProxies::default();
        assert!(!is_https(&from("10.0.0.2:80", &said), &settings));
    }
}
