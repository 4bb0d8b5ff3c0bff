//! Ghent's own small SMTP connection pool. lettre 0.11.23's transport never sets `TCP_NODELAY`,
//! so each message waited ~40 ms for the server's delayed ACK (a few dozen messages a second per
//! connection). Here every connection is a socket we open ourselves, with `TCP_NODELAY`, handed
//! to lettre's `AsyncSmtpConnection` for the protocol; STARTTLS and AUTH go through lettre too,
//! and implicit TLS (`smtps://`) wraps the socket in rustls first.
//!
//! URL forms, as lettre reads them: `smtp://host[:25]` (plain), `smtp://host[:587]?tls=required`
//! (STARTTLS or fail; `tls=starttls` means the same), `smtp://host?tls=opportunistic` (STARTTLS
//! when offered), `smtps://host[:465]` (implicit TLS); `user:password@` for AUTH (PLAIN, LOGIN),
//! a path for the EHLO name.

use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text (loopback, a trusted relay).
    None,
    /// STARTTLS when the server offers it, plain otherwise.
    Opportunistic,
    /// STARTTLS, or the connection fails.
    Required,
    /// TLS from the first byte (`smtps://`, port 465).
    Implicit,
}

/// Where and how to send.
#[derive(Clone)]
pub struct Target {
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// TLS mode.
    pub security: Security,
    /// AUTH credentials, if any.
    credentials: Option<Credentials>,
    /// The EHLO name.
    pub hello: ClientId,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("auth", &self.credentials.is_some())
            .finish()
    }
}

impl Target {
    /// Reads an SMTP URL (see the module docs).
    pub fn from_url(url: &str) -> Result<Target, String> {
        let u = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = u
            .host_str()
            .ok_or("no host")?
            .trim_matches(['[', ']'])
            .to_string();
        let tls = u
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let (security, port) = match (u.scheme(), tls.as_deref()) {
            ("smtp", None | Some("none")) => (Security::None, 25),
            ("smtp", Some("required" | "starttls")) => (Security::Required, 587),
            ("smtp", Some("opportunistic")) => (Security::Opportunistic, 587),
            ("smtps", _) => (Security::Implicit, 465),
            (scheme, tls) => {
                return Err(format!("unknown scheme {scheme:?} or tls={tls:?}"));
            }
        };
        let decode = |s: &str| -> Result<String, String> {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(Cow::into_owned)
                .map_err(|e| format!("credentials: {e}"))
        };
        let credentials = match u.password() {
            Some(p) => Some(Credentials::new(decode(u.username())?, decode(p)?)),
            None => None,
        };
        let hello = match u.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_string()),
        };
        Ok(Target {
            port: u.port().unwrap_or(port),
            host,
            security,
            credentials,
            hello,
        })
    }
}

/// A TLS stream lettre can drive (implicit TLS).
struct Wrapped {
    tls: TlsStream<TcpStream>,
}

impl std::fmt::Debug for Wrapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsStream")
    }
}

impl AsyncRead for Wrapped {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tls).poll_read(cx, buf)
    }
}

impl AsyncWrite for Wrapped {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tls).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tls).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tls).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Wrapped {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.tls.get_ref().0.peer_addr()
    }
}

/// An idle connection and when it was last used.
struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// A pool of SMTP connections to one server. Cheap to clone.
#[derive(Clone)]
pub struct SmtpClient {
    target: Arc<Target>,
    timeout: Duration,
    max_idle: usize,
    idle: Arc<Mutex<Vec<Idle>>>,
}

impl std::fmt::Debug for SmtpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpClient")
            .field("target", &self.target)
            .finish()
    }
}

/// After this long unused, a pooled connection is checked with NOOP before it is used again.
const CHECK_AFTER: Duration = Duration::from_secs(10);

impl SmtpClient {
    /// A client for `target`; `timeout` bounds connecting and each message; at most `max_idle`
    /// connections are kept open between messages.
    pub fn new(target: Target, timeout: Duration, max_idle: usize) -> SmtpClient {
        SmtpClient {
            target: Arc::new(target),
            timeout,
            max_idle: max_idle.max(1),
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Sends one message (already formatted) to the envelope's recipients.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), String> {
        let mut conn = match self.pooled().await {
            Some(c) => c,
            None => tokio::time::timeout(self.timeout, self.connect())
                .await
                .map_err(|_| format!("connecting took over {:?}", self.timeout))??,
        };
        match tokio::time::timeout(self.timeout, conn.send(envelope, message)).await {
            Ok(Ok(_)) => {
                self.put_back(conn);
                Ok(())
            }
            // lettre closes the connection on any error (a refused recipient too).
            Ok(Err(e)) => Err(crate::error::error_chain(&e)),
            Err(_) => {
                conn.abort().await;
                Err(format!(
                    "the server took over {:?} for one message",
                    self.timeout
                ))
            }
        }
    }

    /// An idle connection, checked with NOOP if it waited long.
    async fn pooled(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let idle = self.idle.lock().ok()?.pop()?;
            let mut conn = idle.conn;
            if conn.has_broken() {
                continue;
            }
            if idle.since.elapsed() < CHECK_AFTER {
                return Some(conn);
            }
            let ok = tokio::time::timeout(self.timeout, conn.test_connected())
                .await
                .unwrap_or(false);
            if ok {
                return Some(conn);
            }
        }
    }

    fn put_back(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < self.max_idle {
                idle.push(Idle {
                    conn,
                    since: Instant::now(),
                });
            }
        }
    }

    /// Opens a connection: TCP with `TCP_NODELAY`, TLS as asked, EHLO, STARTTLS, AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let t = &*self.target;
        let tcp = TcpStream::connect((t.host.as_str(), t.port))
            .await
            .map_err(|e| format!("connecting to {}:{}: {e}", t.host, t.port))?;
        tcp.set_nodelay(true)
            .map_err(|e| format!("TCP_NODELAY: {e}"))?;
        let stream: Box<dyn AsyncTokioStream> = if t.security == Security::Implicit {
            Box::new(Wrapped {
                tls: implicit_tls(&t.host, tcp).await?,
            })
        } else {
            Box::new(tcp)
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &t.hello)
            .await
            .map_err(|e| crate::error::error_chain(&e))?;
        let starttls = match t.security {
            Security::Required => true,
            Security::Opportunistic => conn.can_starttls(),
            Security::None | Security::Implicit => false,
        };
        if starttls {
            let params =
                TlsParameters::new(t.host.clone()).map_err(|e| crate::error::error_chain(&e))?;
            conn.starttls(params, &t.hello)
                .await
                .map_err(|e| format!("STARTTLS: {}", crate::error::error_chain(&e)))?;
        }
        if let Some(credentials) = &t.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(|e| format!("AUTH: {}", crate::error::error_chain(&e)))?;
        }
        Ok(conn)
    }
}

/// TLS from the first byte, verified against the Mozilla roots (webpki-roots).
async fn implicit_tls(host: &str, tcp: TcpStream) -> Result<TlsStream<TcpStream>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| format!("TLS name {host:?}: {e}"))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {host}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_read_like_lettre() {
        let t = Target::from_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.security),
            ("127.0.0.1", 2525, Security::None)
        );
        assert!(t.credentials.is_none());
        let t = Target::from_url("smtp://me%40x.org:p%20w@mail.example.org?tls=required").unwrap();
        assert_eq!((t.port, t.security), (587, Security::Required));
        assert!(t.credentials.is_some());
        assert_eq!(
            Target::from_url("smtp://h?tls=starttls").unwrap().security,
            Security::Required
        );
        assert_eq!(
            Target::from_url("smtp://h?tls=opportunistic")
                .unwrap()
                .security,
            Security::Opportunistic
        );
        let t = Target::from_url("smtps://h/ghent.example.org").unwrap();
        assert_eq!((t.port, t.security), (465, Security::Implicit));
        assert!(matches!(t.hello, ClientId::Domain(ref d) if d == "ghent.example.org"));
        assert!(Target::from_url("imap://h").is_err());
        assert!(!format!("{t:?}").contains("p w"), "no password in Debug");
    }
}
