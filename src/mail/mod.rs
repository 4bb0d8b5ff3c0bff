//! Mail: the transactional outbox, templates, transports and the delivery worker.

pub mod worker;
