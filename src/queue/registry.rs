//! Job types and where they are registered. A [`Job`] is a [`Task`] the job runner runs: its
//! `run` gets a connection inside the transaction that also marks the item done, so the work
//! and its completion commit together (a crash repeats neither half). The application lists
//! its job types once ([`Registry::register`], in `crate::background`); the runner looks a
//! claimed item's kind up there, and an unknown kind fails like any other error, so it shows
//! on the jobs page instead of waiting forever.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{Item, Task};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// A task the job runner runs, with the context `C` the application gives every job.
pub trait Job<C>: Task {
    /// Does the work. Errors roll the work back; the item is retried with backoff, then dead.
    fn run(&self, conn: &mut AnyConnection, now: NaiveDateTime, cx: &C) -> AppResult<()>;
}

type Handler<C> = fn(&mut AnyConnection, NaiveDateTime, &C, &Item) -> AppResult<()>;

/// The job types of the application, by kind.
pub struct Registry<C> {
    handlers: HashMap<&'static str, Handler<C>>,
}

impl<C> Default for Registry<C> {
    fn default() -> Self {
        Registry {
            handlers: HashMap::new(),
        }
    }
}

impl<C> Registry<C> {
    /// No job types yet.
    pub fn new() -> Registry<C> {
        Registry::default()
    }

    /// Adds job type `J`.
    pub fn register<J: Job<C>>(mut self) -> Registry<C> {
        let handler: Handler<C> = |conn, now, cx, item| {
            let job: J = item.task().map_err(|e| {
                AppError::Internal(anyhow::anyhow!(
                    "job {} ({}) has a payload that does not read: {e}",
                    item.id,
                    item.kind
                ))
            })?;
            job.run(conn, now, cx)
        };
        self.handlers.insert(J::KIND, handler);
        self
    }

    /// The registered kinds.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    /// Runs a claimed item.
    pub fn run(
        &self,
        conn: &mut AnyConnection,
        now: NaiveDateTime,
        cx: &C,
        item: &Item,
    ) -> AppResult<()> {
        match self.handlers.get(item.kind.as_str()) {
            Some(handler) => handler(conn, now, cx, item),
            None => Err(AppError::Internal(anyhow::anyhow!(
                "unknown job kind {:?}",
                item.kind
            ))),
        }
    }
}
