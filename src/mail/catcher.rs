//! A small SMTP listener that accepts every message and keeps it: `ghent mail-catcher` for
//! development (point `GHENT_SMTP_URL` at it and read what Ghent would have sent), and the real
//! SMTP peer of the test suite. It speaks enough ESMTP for lettre: EHLO/HELO, MAIL, RCPT, DATA
//! (with dot-unstuffing), RSET, NOOP, QUIT. No TLS, no authentication: loopback use only.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct CaughtMail {
    /// The envelope sender.
    pub mail_from: String,
    /// The envelope recipients.
    pub rcpt_to: Vec<String>,
    /// The message, headers and body, with CRLF line ends.
    pub data: Vec<u8>,
}

impl CaughtMail {
    /// The value of the first header called `name` (raw, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.data);
        let mut value: Option<String> = None;
        for line in text.split("\r\n") {
            if line.is_empty() {
                break;
            }
            if let Some(v) = value.as_mut() {
                if line.starts_with(' ') || line.starts_with('\t') {
                    v.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                if n.eq_ignore_ascii_case(name) {
                    value = Some(v.trim().to_string());
                }
            }
        }
        value
    }
}

struct Inner {
    addr: SocketAddr,
    caught: Mutex<Vec<CaughtMail>>,
    arrived: Notify,
    stop: watch::Sender<bool>,
    dir: Option<PathBuf>,
    /// How long the answer to each message waits (a slow server, in tests).
    delay: Mutex<Duration>,
}

/// A running catcher. Cloning shares it; [`MailCatcher::stop`] ends it.
#[derive(Clone)]
pub struct MailCatcher {
    inner: Arc<Inner>,
}

impl MailCatcher {
    /// Binds `addr` (e.g. `127.0.0.1:0`) and starts accepting. With `dir`, each message is also
    /// written there as an `.eml` file.
    pub async fn start(addr: &str, dir: Option<PathBuf>) -> std::io::Result<MailCatcher> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self::start_on(listener, dir))
    }

    /// Starts on an already bound listener.
    pub fn start_on(listener: TcpListener, dir: Option<PathBuf>) -> MailCatcher {
        let addr = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
        let (stop, mut stopped) = watch::channel(false);
        let inner = Arc::new(Inner {
            addr,
            caught: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            stop,
            dir,
            delay: Mutex::new(Duration::ZERO),
        });
        let catcher = MailCatcher { inner };
        let accepting = catcher.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            let c = accepting.clone();
                            let mut session_stop = c.inner.stop.subscribe();
                            tokio::spawn(async move {
                                tokio::select! {
                                    r = c.session(stream) => if let Err(e) = r { tracing::debug!(error = %e, "mail-catcher session ended"); },
                                    _ = session_stop.changed() => {}
                                }
                            });
                        }
                        Err(e) => tracing::warn!(error = %e, "mail-catcher accept failed"),
                    },
                    _ = stopped.changed() => break,
                }
            }
        });
        catcher
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// `smtp://host:port` for `GHENT_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.inner.addr)
    }

    /// Everything caught so far.
    pub fn messages(&self) -> Vec<CaughtMail> {
        self.inner
            .caught
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }

    /// Waits until at least `n` messages arrived or `timeout` passed; returns what arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<CaughtMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.arrived.notified();
            let now = self.messages();
            if now.len() >= n {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.messages();
            }
        }
    }

    /// From now on, each message is answered only after `delay` (kept at once, as a server that
    /// has the data but is slow to say so).
    pub fn set_delay(&self, delay: Duration) {
        if let Ok(mut d) = self.inner.delay.lock() {
            *d = delay;
        }
    }

    /// Stops accepting and closes open sessions.
    pub fn stop(&self) {
        let _ = self.inner.stop.send(true);
    }

    async fn session(&self, stream: TcpStream) -> std::io::Result<()> {
        // Replies are small and each waits for the client: send them at once.
        stream.set_nodelay(true)?;
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        write
            .write_all(b"220 ghent-mail-catcher ESMTP ready\r\n")
            .await?;
        let mut mail_from = String::new();
        let mut rcpt_to: Vec<String> = Vec::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).await? == 0 {
                return Ok(());
            }
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            let upper = text.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-ghent-mail-catcher\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n"
            } else if upper.starts_with("HELO") {
                b"250 ghent-mail-catcher\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                mail_from = address_in(&text[10..]);
                rcpt_to.clear();
                b"250 OK\r\n"
            } else if upper.starts_with("RCPT TO:") {
                rcpt_to.push(address_in(&text[8..]));
                b"250 OK\r\n"
            } else if upper == "DATA" {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                self.keep(CaughtMail {
                    mail_from: mail_from.clone(),
                    rcpt_to: rcpt_to.clone(),
                    data,
                });
                let delay = self.inner.delay.lock().map(|d| *d).unwrap_or_default();
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                b"250 OK: message kept\r\n"
            } else if upper == "RSET" {
                mail_from.clear();
                rcpt_to.clear();
                b"250 OK\r\n"
            } else if upper == "NOOP" {
                b"250 OK\r\n"
            } else if upper == "QUIT" {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            } else {
                b"502 Command not implemented\r\n"
            };
            write.write_all(reply).await?;
        }
    }

    fn keep(&self, mail: CaughtMail) {
        let subject = mail.header("Subject").unwrap_or_default();
        tracing::info!(from = %mail.mail_from, to = %mail.rcpt_to.join(", "), %subject, "mail caught");
        if let Some(dir) = &self.inner.dir {
            let name = format!("{}.eml", uuid::Uuid::new_v4().simple());
            if let Err(e) = std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(dir.join(&name), &mail.data))
            {
                tracing::warn!(error = %e, "mail-catcher could not write {name}");
            }
        }
        if let Ok(mut v) = self.inner.caught.lock() {
            v.push(mail);
        }
        self.inner.arrived.notify_waiters();
    }
}

fn address_in(s: &str) -> String {
    let s = s.trim();
    match (s.find('<'), s.find('>')) {
        (Some(a), Some(b)) if b > a => s[a + 1..b].to_string(),
        _ => s.split_whitespace().next().unwrap_or("").to_string(),
    }
}

async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed in DATA",
            ));
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(data);
        }
        // Dot-unstuffing (RFC 5321 4.5.2).
        let content = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(content);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_headers_are_read() {
        assert_eq!(address_in("<a@b.org> BODY=8BITMIME"), "a@b.org");
        let m = CaughtMail {
            mail_from: String::new(),
            rcpt_to: vec![],
            data: b"Subject: Hello\r\n there\r\nTo: x\r\n\r\nSubject: no".to_vec(),
        };
        assert_eq!(m.header("subject").unwrap(), "Hello there");
        assert_eq!(m.header("Cc"), None);
    }
}
