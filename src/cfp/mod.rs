//! The call for papers: speakers sign in by a mailed link (no password), propose talks and keep
//! a profile; reviewers score proposals; organizers accept or reject, and accepted speakers
//! confirm (or decline) by a link, with reminders until they do. Confirmed proposals become
//! talks of the programme. Emails never appear in public; proposals that are not accepted are
//! never public.
//!
//! Files, one concern each: [`model`], [`queries`], [`types`] (submission types), [`sign_in`],
//! [`proposals`] (the speaker's side), [`review`] (scores and ranking), [`decisions`] (accept,
//! reject, confirm, remind), [`views`] (the speaker's own page).

pub mod decisions;
pub mod model;
pub mod privacy;
pub mod proposals;
pub mod queries;
pub mod review;
pub mod sign_in;
pub mod types;
pub mod views;

pub use model::{Proposal, ProposalState, SubmissionType};
