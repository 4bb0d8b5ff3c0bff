//! The delivery worker's wake-up handle.

use std::sync::Arc;

use tokio::sync::Notify;

/// Wakes the mail worker right after a request queued mail, instead of waiting for its next
/// poll. Cheap to clone; waking with no worker running does nothing.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    notify: Arc<Notify>,
}

impl Notifier {
    /// A new handle.
    pub fn new() -> Notifier {
        Notifier::default()
    }

    /// Wakes the worker (or makes its next wait return at once).
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Waits until woken.
    pub async fn woken(&self) {
        self.notify.notified().await;
    }
}
