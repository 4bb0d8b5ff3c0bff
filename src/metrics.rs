//! Counters for operators, in the Prometheus text format at `/metrics` (off unless
//! `metrics_token` is set; then only with `Authorization: Bearer <token>`). Counters and
//! histograms are this instance's since it started (Prometheus adds instances up); queue depths
//! are read from the database when scraped, so every instance reports the whole queue.

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::queue::KindDepth;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DepthLabels {
    kind: String,
    state: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms to ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

struct Inner {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_latency: Latency,
    mail_sent: Counter,
    mail_logged: Counter,
    mail_failed: Counter,
    mail_dead: Counter,
    jobs_run: Family<KindLabels, Counter>,
    jobs_failed: Family<KindLabels, Counter>,
    queue_depth: Family<DepthLabels, Gauge>,
    queue_oldest_due: Family<KindLabels, Gauge>,
}

/// The metrics of this instance. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered under `ghent_`.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("ghent");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_latency: Latency = Family::new_with_constructor(latency_histogram);
        let (mail_sent, mail_logged) = (Counter::default(), Counter::default());
        let (mail_failed, mail_dead) = (Counter::default(), Counter::default());
        let jobs_run = Family::<KindLabels, Counter>::default();
        let jobs_failed = Family::<KindLabels, Counter>::default();
        let queue_depth = Family::<DepthLabels, Gauge>::default();
        let queue_oldest_due = Family::<KindLabels, Gauge>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route pattern, method and status",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route pattern",
            http_latency.clone(),
        );
        registry.register(
            "mail_logged",
            "Messages only written to the log (no transport configured)",
            mail_logged.clone(),
        );
        registry.register(
            "mail_sent",
            "Messages accepted by the SMTP server (or written)",
            mail_sent.clone(),
        );
        registry.register(
            "mail_failed",
            "Delivery attempts that failed (retried later)",
            mail_failed.clone(),
        );
        registry.register(
            "mail_dead",
            "Messages given up on after their last attempt",
            mail_dead.clone(),
        );
        registry.register(
            "jobs_run",
            "Background jobs that ran to completion, by kind",
            jobs_run.clone(),
        );
        registry.register(
            "jobs_failed",
            "Background job runs that failed, by kind",
            jobs_failed.clone(),
        );
        registry.register(
            "queue_depth",
            "Queue items by kind and state (waiting, due, running, dead)",
            queue_depth.clone(),
        );
        registry.register(
            "queue_oldest_due_seconds",
            "Age of the oldest waiting item's due time, by kind (0 when none is due)",
            queue_oldest_due.clone(),
        );
        Metrics {
            inner: Arc::new(Inner {
                registry,
                http_requests,
                http_latency,
                mail_sent,
                mail_logged,
                mail_failed,
                mail_dead,
                jobs_run,
                jobs_failed,
                queue_depth,
                queue_oldest_due,
            }),
        }
    }

    /// Counts a finished HTTP request. `route` is the matched pattern (never the path, which
    /// may hold a token), or `unmatched`.
    pub fn http_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let labels = HttpLabels {
            route: route.to_string(),
            method: method.to_string(),
            status,
        };
        self.inner.http_requests.get_or_create(&labels).inc();
        let route = RouteLabels {
            route: route.to_string(),
        };
        self.inner
            .http_latency
            .get_or_create(&route)
            .observe(seconds);
    }

    /// Counts sent, logged, failed and dead messages.
    pub fn mail(&self, sent: u64, logged: u64, failed: u64, dead: u64) {
        self.inner.mail_sent.inc_by(sent);
        self.inner.mail_logged.inc_by(logged);
        self.inner.mail_failed.inc_by(failed);
        self.inner.mail_dead.inc_by(dead);
    }

    /// Counts a job run.
    pub fn job_ran(&self, kind: &str, ok: bool) {
        let labels = KindLabels {
            kind: kind.to_string(),
        };
        if ok {
            self.inner.jobs_run.get_or_create(&labels).inc();
        } else {
            self.inner.jobs_failed.get_or_create(&labels).inc();
        }
    }

    /// The text exposition, with the queue as it stands now (`depths`, oldest due times
    /// measured against `now`).
    pub fn render(&self, depths: &[KindDepth], now: chrono::NaiveDateTime) -> String {
        let i = &self.inner;
        i.queue_depth.clear();
        i.queue_oldest_due.clear();
        for d in depths {
            for (state, n) in [
                ("waiting", d.waiting),
                ("due", d.due),
                ("running", d.running),
                ("dead", d.dead),
            ] {
                let labels = DepthLabels {
                    kind: d.kind.clone(),
                    state,
                };
                i.queue_depth.get_or_create(&labels).set(n);
            }
            let age = d
                .oldest_due
                .filter(|t| *t <= now)
                .map(|t| (now - t).num_seconds())
                .unwrap_or(0);
            let labels = KindLabels {
                kind: d.kind.clone(),
            };
            i.queue_oldest_due.get_or_create(&labels).set(age);
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &i.registry);
        out
    }
}
