//! Every path Ghent writes (redirects, links in mail, pages and exports), built in one place from
//! the patterns of the route table ([`crate::web::routes::ROUTES`]); a test checks that each one
//! matches a route. Paths start with `/`; [`absolute`] puts the public base URL in front for mail
//! and exports. Domain code uses this module, never a `format!` of its own.

/// `base_url` + `path`: a link for mail, feeds and exports.
pub fn absolute(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// The front page.
pub fn home() -> String {
    "/".to_string()
}

/// The organizer sign-in page.
pub fn login() -> String {
    "/login".to_string()
}

/// A password set/reset link (`token` may be a sealed marker).
pub fn password_reset(token: &str) -> String {
    format!("/password/reset/{token}")
}

/// An unsubscribe link.
pub fn unsubscribe(token: &str) -> String {
    format!("/unsubscribe/{token}")
}

/// An event's home.
pub fn event(slug: &str) -> String {
    format!("/{slug}/")
}

/// The public programme grid.
pub fn programme(slug: &str) -> String {
    format!("/{slug}/programme/")
}

/// A talk's public page.
pub fn talk(slug: &str, talk_id: &str) -> String {
    format!("/{slug}/talks/{talk_id}/")
}

/// The call for papers.
pub fn cfp(slug: &str) -> String {
    format!("/{slug}/cfp/")
}

/// A speaker's sign-in link.
pub fn cfp_sign_in(slug: &str, token: &str) -> String {
    format!("/{slug}/cfp/sign-in/{token}")
}

/// A speaker's list of proposals.
pub fn cfp_proposals(slug: &str) -> String {
    format!("/{slug}/cfp/proposals")
}

/// One of a speaker's proposals.
pub fn cfp_proposal(slug: &str, id: &str) -> String {
    format!("/{slug}/cfp/proposals/{id}")
}

/// An accepted speaker's confirm-or-decline page.
pub fn cfp_confirm(slug: &str, token: &str) -> String {
    format!("/{slug}/cfp/confirm/{token}")
}

/// The registration form.
pub fn register(slug: &str) -> String {
    format!("/{slug}/register/")
}

/// An attendee's private page (their ticket).
pub fn registration(slug: &str, token: &str) -> String {
    format!("/{slug}/registration/{token}")
}

/// The organizers' admin.
pub mod admin {
    /// The dashboard.
    pub fn dashboard() -> String {
        "/admin/".to_string()
    }

    /// The background jobs.
    pub fn jobs() -> String {
        "/admin/jobs".to_string()
    }

    /// An event's overview.
    pub fn event(slug: &str) -> String {
        format!("/admin/events/{slug}/")
    }

    /// The event form.
    pub fn event_edit(slug: &str) -> String {
        format!("/admin/events/{slug}/edit")
    }

    /// The team.
    pub fn team(slug: &str) -> String {
        format!("/admin/events/{slug}/team")
    }

    /// The call for papers.
    pub fn cfp(slug: &str) -> String {
        format!("/admin/events/{slug}/cfp/")
    }

    /// The submission types on the CfP page.
    pub fn cfp_types(slug: &str) -> String {
        format!("/admin/events/{slug}/cfp/#types-h")
    }

    /// A proposal with its reviews.
    pub fn cfp_proposal(slug: &str, id: &str) -> String {
        format!("/admin/events/{slug}/cfp/proposals/{id}")
    }

    /// The programme grid and releases.
    pub fn programme(slug: &str) -> String {
        format!("/admin/events/{slug}/programme/")
    }

    /// Rooms and tracks.
    pub fn rooms(slug: &str) -> String {
        format!("/admin/events/{slug}/programme/rooms")
    }

    /// The speakers.
    pub fn speakers(slug: &str) -> String {
        format!("/admin/events/{slug}/programme/speakers")
    }

    /// One speaker.
    pub fn speaker(slug: &str, id: &str) -> String {
        format!("/admin/events/{slug}/programme/speakers/{id}")
    }

    /// The talks.
    pub fn talks(slug: &str) -> String {
        format!("/admin/events/{slug}/programme/talks")
    }

    /// The attendees.
    pub fn registrations(slug: &str) -> String {
        format!("/admin/events/{slug}/registrations")
    }

    /// The registration questions.
    pub fn questions(slug: &str) -> String {
        format!("/admin/events/{slug}/questions")
    }

    /// The check-in desk.
    pub fn desk(slug: &str) -> String {
        format!("/admin/events/{slug}/desk")
    }

    /// The desk page a ticket's QR code opens (`token` may be a sealed marker).
    pub fn desk_ticket(slug: &str, token: &str) -> String {
        format!("/admin/events/{slug}/desk/{token}")
    }

    /// The mail log.
    pub fn mail_log(slug: &str) -> String {
        format!("/admin/events/{slug}/mail/")
    }

    /// One message of the mail log.
    pub fn mail_message(slug: &str, id: &str) -> String {
        format!("/admin/events/{slug}/mail/messages/{id}")
    }

    /// A bulk mail's progress.
    pub fn bulk_mail(slug: &str, id: &str) -> String {
        format!("/admin/events/{slug}/mail/bulk/{id}")
    }
}
