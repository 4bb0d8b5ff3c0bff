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

/// An event's presentations (slides and videos of the released programme).
pub fn presentations(slug: &str) -> String {
    format!("/{slug}/presentations/")
}

/// An event's buzz page.
pub fn buzz(slug: &str) -> String {
    format!("/{slug}/buzz/")
}

/// An event's buzz feed (Atom).
pub fn buzz_feed(slug: &str) -> String {
    format!("/{slug}/buzz/feed.atom")
}

/// An event's sponsors.
pub fn sponsors(slug: &str) -> String {
    format!("/{slug}/sponsors/")
}

/// The feedback form of a talk.
pub fn feedback(slug: &str, talk_id: &str) -> String {
    format!("/{slug}/talks/{talk_id}/feedback/")
}

/// A "tell me when it opens" subscription's page (`token` may be a sealed marker).
pub fn notice(slug: &str, token: &str) -> String {
    format!("/{slug}/notify/{token}")
}

/// The material library of every event.
pub fn material() -> String {
    "/material/".to_string()
}

/// The open-space marketplace.
pub fn openspace(slug: &str) -> String {
    format!("/{slug}/openspace/")
}

/// The live open-space board.
pub fn openspace_board(slug: &str) -> String {
    format!("/{slug}/openspace/board/")
}

/// How open space works.
pub fn openspace_about(slug: &str) -> String {
    format!("/{slug}/openspace/about/")
}

/// An open-space topic's notes page.
pub fn topic(slug: &str, topic_id: &str) -> String {
    format!("/{slug}/openspace/topics/{topic_id}/")
}

/// A talk's notes page.
pub fn talk_notes(slug: &str, talk_id: &str) -> String {
    format!("/{slug}/talks/{talk_id}/notes/")
}

/// The public programme grid.
pub fn programme(slug: &str) -> String {
    format!("/{slug}/programme/")
}

/// A slot of the public programme grid (a break, or a slot without a talk).
pub fn programme_slot(slug: &str, slot_id: &str) -> String {
    format!("/{slug}/programme/#slot-{slot_id}")
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

    /// What templates put links after: `/admin/events/{slug}` or, with a `section`,
    /// `/admin/events/{slug}/{section}` (no trailing slash).
    pub fn prefix(slug: &str, section: &str) -> String {
        match section {
            "" => format!("/admin/events/{slug}"),
            s => format!("/admin/events/{slug}/{s}"),
        }
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

    /// The open-space admin board.
    pub fn openspace(slug: &str) -> String {
        format!("/admin/events/{slug}/openspace/")
    }

    /// After the event: the successor, feedback, and the pages below.
    pub fn after(slug: &str) -> String {
        format!("/admin/events/{slug}/after/")
    }

    /// Slides and video links of every talk, on one page.
    pub fn presentations(slug: &str) -> String {
        format!("/admin/events/{slug}/after/presentations")
    }

    /// Buzz items and the suggestions waiting.
    pub fn buzz(slug: &str) -> String {
        format!("/admin/events/{slug}/after/buzz")
    }

    /// One buzz item's form.
    pub fn buzz_item(slug: &str, id: &str) -> String {
        format!("/admin/events/{slug}/after/buzz/{id}")
    }

    /// Sponsor levels and sponsors.
    pub fn sponsors(slug: &str) -> String {
        format!("/admin/events/{slug}/after/sponsors")
    }

    /// Feedback on talks.
    pub fn feedback(slug: &str) -> String {
        format!("/admin/events/{slug}/after/feedback")
    }

    /// The check-in desk.
    pub fn desk(slug: &str) -> String {
        format!("/admin/events/{slug}/desk")
    }

    /// The desk page a ticket's QR code opens (`token` may be a sealed marker).
    pub fn desk_ticket(slug: &str, token: &str) -> String {
        format!("/admin/events/{slug}/desk/{token}")
    }

    /// The event's audit log.
    pub fn audit(slug: &str) -> String {
        format!("/admin/events/{slug}/audit")
    }

    /// The mail log.
    pub fn mail_log(slug: &str) -> String {
        format!("/admin/events/{slug}/mail/")
    }

    /// One message of the mail log.
    pub fn mail_message(slug: &str, id: &str) -> String {
        format!("/admin/events/{slug}/mail/messages/{id}")
    }

    /// The editor of one mail kind's template.
    pub fn mail_template(slug: &str, kind: impl std::fmt::Display) -> String {
        format!("/admin/events/{slug}/mail/templates/{kind}")
    }

    /// A bulk mail's progress.
    pub fn bulk_mail(slug: &str, id: &str) -> String {
        format!("/admin/events/{slug}/mail/bulk/{id}")
    }
}

#[cfg(test)]
mod tests {
    use crate::web::routes::ROUTES;

    /// Whether `path` is matched by the route `pattern` (`{name}` is one segment,
    /// `{name:.*}` the rest).
    fn matches(pattern: &str, path: &str) -> bool {
        let (mut p, mut s) = (pattern.split('/'), path.split('/'));
        loop {
            match (p.next(), s.next()) {
                (None, None) => return true,
                (Some(seg), Some(_)) if seg.ends_with(":.*}") => return true,
                (Some(seg), Some(v)) if seg.starts_with('{') && !v.is_empty() => {}
                (Some(seg), Some(v)) if seg == v => {}
                _ => return false,
            }
        }
    }

    fn routed(method: &str, path: &str) -> bool {
        let path = path.split(['#', '?']).next().unwrap_or_default();
        ROUTES.iter().any(|(m, p)| *m == method && matches(p, path))
    }

    #[test]
    fn every_path_is_a_route() {
        use super::admin as a;
        let (s, id, t) = ("ghent-2009", "0d5c", "tok");
        let gets = [
            super::home(),
            super::login(),
            super::password_reset(t),
            super::unsubscribe(t),
            super::event(s),
            super::programme(s),
            super::programme_slot(s, id),
            super::talk(s, id),
            super::cfp(s),
            super::cfp_sign_in(s, t),
            super::cfp_proposals(s),
            super::cfp_proposal(s, id),
            super::cfp_confirm(s, t),
            super::register(s),
            super::registration(s, t),
            super::presentations(s),
            super::buzz(s),
            super::buzz_feed(s),
            super::sponsors(s),
            super::feedback(s, id),
            super::notice(s, t),
            super::material(),
            a::after(s),
            a::presentations(s),
            a::buzz(s),
            a::buzz_item(s, id),
            a::sponsors(s),
            a::feedback(s),
            a::dashboard(),
            a::jobs(),
            a::event(s),
            a::event_edit(s),
            a::team(s),
            a::cfp(s),
            a::cfp_types(s),
            a::cfp_proposal(s, id),
            a::programme(s),
            a::rooms(s),
            a::speakers(s),
            a::speaker(s, id),
            a::talks(s),
            a::registrations(s),
            a::questions(s),
            a::desk(s),
            a::desk_ticket(s, t),
            a::mail_log(s),
            a::audit(s),
            a::mail_message(s, id),
            a::mail_template(s, "cfp_accepted"),
            a::bulk_mail(s, id),
        ];
        for path in gets {
            assert!(routed("get", &path), "no GET route serves {path}");
        }
        for section in ["", "cfp", "programme"] {
            let prefix = a::prefix(s, section);
            assert!(
                ROUTES.iter().any(|(_, p)| {
                    let n = prefix.split('/').count();
                    let head: Vec<_> = p.split('/').take(n).collect();
                    p.split('/').count() > n && matches(&head.join("/"), &prefix)
                }),
                "no route lies under {prefix}"
            );
        }
        assert!(
            !routed("get", "/admin/nowhere"),
            "the check itself must be able to fail"
        );
    }
}
