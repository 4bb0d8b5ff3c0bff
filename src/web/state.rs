//! Shared application state and the bridge from async handlers to blocking database work.

use std::sync::Arc;

use actix_web::web;
use chrono::NaiveDateTime;
use handlebars::Handlebars;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{AnyConnection, Db};
use crate::error::{AppError, AppResult};
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::queue::Notifier;

/// Everything a handler needs, shared by all workers.
pub struct AppState {
    /// Database pools.
    pub db: Db,
    /// The settings the app started with (limits, lease lengths, base URL).
    pub settings: Arc<Settings>,
    /// The application clock.
    pub clock: Clock,
    /// Page and mail templates.
    pub templates: Arc<Handlebars<'static>>,
    /// Public base URL without trailing slash.
    pub base_url: String,
    /// Renders and queues mail.
    pub mailer: Mailer,
    /// Wakes the mail worker when mail has been queued.
    pub mail_notifier: Notifier,
    /// Wakes the job runner when jobs have been queued.
    pub jobs_notifier: Notifier,
    /// Wakes the webhook lane when messages have been queued.
    pub webhook_notifier: Notifier,
    /// Rate limit of API requests, per token (or client address).
    pub api_limiter: super::rate_limit::RateLimiter,
    /// Rendered public programme pages per release.
    pub programme_cache: super::programme_cache::ProgrammeCache,
    /// Rate limit of public forms.
    pub form_limiter: super::rate_limit::RateLimiter,
    /// This instance's counters, served at `/metrics`.
    pub metrics: Metrics,
}

impl AppState {
    /// The current instant as stored in the database.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now_naive()
    }

    /// Runs `f` with a reading connection on the blocking thread pool.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || {
            let mut conn = db.read()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
    }

    /// Runs `f` with the writer connection on the blocking thread pool, then wakes the mail
    /// worker and job runner in case `f` queued mail or jobs.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut AnyConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        let result = web::block(move || {
            let mut conn = db.write()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?;
        if result.is_ok() {
            self.mail_notifier.wake();
            self.jobs_notifier.wake();
            self.webhook_notifier.wake();
        }
        result
    }
}
