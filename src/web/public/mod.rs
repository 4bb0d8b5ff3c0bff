//! Public pages: anyone may see them.

pub mod cfp;
pub mod events;
pub mod health;
pub mod openspace;
pub mod password;
pub mod programme;
pub mod registration;
pub mod unsubscribe;
