//! The call for papers: speakers sign in by a mailed link (no password), propose talks and keep
//! a profile; reviewers score proposals; organizers accept or reject, and accepted speakers
//! confirm (or decline) by a link, with reminders until they do. Confirmed proposals become
//! talks of the programme. Emails never appear in public; proposals that are not accepted are
//! never public.

pub mod model;
pub mod review;
pub mod service;

pub use model::{Proposal, ProposalState, SubmissionType};
