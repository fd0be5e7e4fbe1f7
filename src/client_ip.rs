//! Who is calling: the TCP peer, or, when that peer is one of
//! `LINKBROKER_TRUSTED_PROXIES`, the address it reports in
//! `X-Forwarded-For`. Anyone can send that header, so it is believed only
//! from a trusted proxy, and read from the right: the rightmost address that
//! is not itself a trusted proxy is the client (entries further left were
//! written by the client and prove nothing).

use std::net::IpAddr;

use ipnet::IpNet;

pub fn client_ip(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let Some(header) = forwarded_for else { return Some(peer) };
    let mut client = peer;
    for entry in header.rsplit(',') {
        match parse_entry(entry) {
            Some(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // Garbage: stop at the last address we could trust.
            None => break,
        }
    }
    Some(client)
}

/// The address as an abuse-limit key: IPv4 whole, IPv6 by its /64. One
/// IPv6 host is given a whole /64 and may pick any address in it, so keying
/// by address would hand it 2^64 fresh budgets.
pub fn limit_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
    }
}

/// `203.0.113.7`, `2001:db8::1`, or `[2001:db8::1]:443` / `203.0.113.7:443`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Ok(addr) = entry.parse::<std::net::SocketAddr>() {
        return Some(addr.ip());
    }
    None
}

/// `LINKBROKER_TRUSTED_PROXIES`: comma list of CIDRs or single addresses.
pub fn parse_trusted(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is not a CIDR (10.0.0.0/8) or an IP address"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let trusted = parse_trusted("10.0.0.0/8").unwrap();
        assert_eq!(client_ip(Some(ip("198.51.100.9")), Some("1.2.3.4"), &trusted), Some(ip("198.51.100.9")));
    }

    #[test]
    fn the_rightmost_untrusted_address_is_the_client() {
        let trusted = parse_trusted("10.0.0.0/8, 192.168.1.1").unwrap();
        let peer = Some(ip("10.0.0.2"));
        assert_eq!(client_ip(peer, Some("203.0.113.7"), &trusted), Some(ip("203.0.113.7")));
        // The client forged the leftmost entry; the proxies appended the rest.
        assert_eq!(client_ip(peer, Some("6.6.6.6, 203.0.113.7, 192.168.1.1"), &trusted), Some(ip("203.0.113.7")));
        assert_eq!(client_ip(peer, Some("[2001:db8::1]:443"), &trusted), Some(ip("2001:db8::1")));
        assert_eq!(client_ip(peer, Some("not-an-ip"), &trusted), Some(ip("10.0.0.2")));
        assert_eq!(client_ip(peer, None, &trusted), Some(ip("10.0.0.2")));
    }

    #[test]
    fn ipv6_callers_are_limited_by_their_slash_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), limit_key(ip("2001:db8:1:2:bbbb::2")));
        assert_eq!(limit_key(ip("2001:db8:1:2::1")), "2001:db8:1:2::/64");
        assert_ne!(limit_key(ip("2001:db8:1:3::1")), limit_key(ip("2001:db8:1:2::1")));
        assert_eq!(limit_key(ip("203.0.113.7")), "203.0.113.7");
        assert_eq!(limit_key(ip("::ffff:203.0.113.7")), "203.0.113.7");
    }

    #[test]
    fn trusted_list_errors_are_clear() {
        assert_eq!(parse_trusted("").unwrap(), vec![]);
        assert!(parse_trusted("10.0.0.0/33").unwrap_err().contains("10.0.0.0/33"));
        assert_eq!(parse_trusted("::1, 127.0.0.1").unwrap().len(), 2);
    }
}
