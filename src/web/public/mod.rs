//! Public pages: anyone may see them.

pub mod availability;
pub mod buzz;
pub mod cfp;
pub mod events;
pub mod feedback;
pub mod health;
pub mod material;
pub mod notices;
pub mod openspace;
pub mod password;
pub mod programme;
pub mod registration;
pub mod speaker_data;
pub mod speaker_material;
pub mod sponsors;
pub mod unsubscribe;
