//! Where Ghent may send a webhook. An endpoint's URL must be `https` (or `http` when the site
//! allows private addresses, for development); its host is resolved when each message is sent,
//! and every resolved address must be public: no loopback, private, link-local, CGNAT,
//! unique-local, multicast or unspecified address (IPv4-mapped IPv6 included), so an endpoint
//! cannot reach into the server's own network. The request then goes to the address that was
//! checked, not to a second lookup.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::Url;

/// Why a URL may not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    /// Not a URL Ghent posts to.
    #[error("{0}")]
    Url(String),
    /// It resolves to an address Ghent does not send to.
    #[error("{0} resolves to {1}, which is not a public address")]
    Private(String, IpAddr),
    /// It does not resolve.
    #[error("{0} does not resolve: {1}")]
    Unresolved(String, String),
}

/// Checks a URL's form (when it is saved and again when it is used).
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, Refused> {
    let url = Url::parse(raw.trim())
        .map_err(|_| Refused::Url("That is not a URL (it should start with https://).".into()))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => {
            return Err(Refused::Url(
                "Webhook URLs must start with https://.".into(),
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Refused::Url("The URL has no host.".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused::Url(
            "Put no user name or password in the URL; verify the signature instead.".into(),
        ));
    }
    Ok(url)
}

/// Whether Ghent may send to `ip` when private addresses are not allowed.
pub fn is_public(ip: IpAddr) -> bool {
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
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT, 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link local fe80::/10
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)) // NAT64, maps to IPv4
}

/// Resolves the URL's host and returns the address to connect to, refusing non-public ones
/// unless `allow_private`.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<SocketAddr, Refused> {
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| Refused::Unresolved(host.clone(), e.to_string()))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(Refused::Unresolved(host, "no addresses".into()));
    }
    if !allow_private {
        // Every address, not only the first: a name may resolve to a public and a private one.
        if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            return Err(Refused::Private(host, bad.ip()));
        }
    }
    Ok(addrs[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(bad.parse().unwrap()), "{bad}");
        }
        for good in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"] {
            assert!(is_public(good.parse().unwrap()), "{good}");
        }
    }

    #[test]
    fn urls_must_be_https_without_credentials() {
        assert!(check_url("https://hooks.example.org/in", false).is_ok());
        assert!(check_url("http://hooks.example.org/in", false).is_err());
        assert!(check_url("http://127.0.0.1:9/in", true).is_ok());
        assert!(check_url("https://u:p@hooks.example.org/", false).is_err());
        assert!(check_url("ftp://x/", true).is_err());
        assert!(check_url("not a url", false).is_err());
    }

    #[tokio::test]
    async fn a_loopback_name_is_refused_after_resolving() {
        let url = check_url("https://localhost:8443/hook", false).unwrap();
        assert!(matches!(
            resolve(&url, false).await,
            Err(Refused::Private(..))
        ));
        assert!(resolve(&url, true).await.is_ok());
    }
}
