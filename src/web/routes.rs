//! Every route of Ghent, declared once. The same table registers the handlers and is exported
//! as [`ROUTES`], which the access-control tests walk, so a new route cannot escape them.

use actix_web::web;

use super::{admin, api, assets, metrics, public};

/// Routes exempt from the CSRF check, each for a reason: `/unsubscribe/{token}` is authorized by
/// its signed token and must accept RFC 8058 one-click POSTs from mail providers, which have no
/// session. Its own test checks that it does nothing without a genuine token.
pub const CSRF_EXEMPT: &[&str] = &["/unsubscribe/{token}"];

/// The API's prefix. Its routes take no session cookie (only `Authorization: Bearer`), so a
/// forged cross-site request carries no credential: they need no CSRF token.
pub const API_PREFIX: &str = "/api/v1";

macro_rules! route_table {
    (
        site { $($method:ident $path:literal => $handler:path;)* }
        api $api:literal { $($pmethod:ident $ppath:literal => $phandler:path;)* }
        admin $admin:literal { $($amethod:ident $apath:literal => $ahandler:path;)* }
        event $event:literal { $($emethod:ident $epath:literal => $ehandler:path;)* }
    ) => {
        /// (method, path pattern) of every route, in matching order.
        pub const ROUTES: &[(&str, &str)] = &[
            $((stringify!($method), $path),)*
            $((stringify!($pmethod), concat!($api, $ppath)),)*
            $((stringify!($amethod), concat!($admin, $apath)),)*
            $((stringify!($emethod), concat!($event, $epath)),)*
        ];

        /// Registers every route. The admin and the event pages are scopes, so a request is
        /// matched against one prefix instead of every pattern of the other group: actix-web
        /// tries resources in order, one regular expression each.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::$method().to($handler));)*
            cfg.service(
                web::scope($api)
                    .wrap(actix_web::middleware::from_fn(api::auth::rate_limit))
                    $(.route($ppath, web::$pmethod().to($phandler)))*
            );
            cfg.service(web::scope($admin)$(.route($apath, web::$amethod().to($ahandler)))*);
            cfg.service(web::scope($event)$(.route($epath, web::$emethod().to($ehandler)))*);
        }
    };
}

route_table! {
    site {
        get "/" => public::events::index;
        get "/healthz" => public::health::healthz;
        get "/metrics" => metrics::metrics;
        get "/static/{path:.*}" => assets::serve;
        get "/login" => admin::auth::login_form;
        post "/login" => admin::auth::login;
        post "/logout" => admin::auth::logout;
        get "/password/forgot" => public::password::forgot_form;
        post "/password/forgot" => public::password::forgot;
        get "/password/reset/{token}" => public::password::reset_form;
        post "/password/reset/{token}" => public::password::reset;
        get "/unsubscribe/{token}" => public::unsubscribe::confirm;
        post "/unsubscribe/{token}" => public::unsubscribe::unsubscribe;
        get "/material/" => public::material::search;
        get "/images/{file}" => public::sponsors::image;
    }
    api "/api/v1" {
        get "/openapi.json" => api::docs::openapi;
        get "/docs" => api::docs::page;
        get "/events" => api::events::list;
        get "/events/{slug}" => api::events::show;
        patch "/events/{slug}" => api::parts::update_event;
        get "/events/{slug}/rooms" => api::programme::rooms;
        post "/events/{slug}/rooms" => api::parts::create_room;
        get "/events/{slug}/rooms/{id}" => api::parts::room;
        patch "/events/{slug}/rooms/{id}" => api::parts::update_room;
        get "/events/{slug}/tracks" => api::programme::tracks;
        post "/events/{slug}/tracks" => api::parts::create_track;
        get "/events/{slug}/tracks/{id}" => api::parts::track;
        patch "/events/{slug}/tracks/{id}" => api::parts::update_track;
        get "/events/{slug}/speakers" => api::programme::speakers;
        get "/events/{slug}/speakers/{id}" => api::parts::speaker;
        patch "/events/{slug}/speakers/{id}" => api::parts::update_speaker;
        get "/events/{slug}/talks" => api::programme::talks;
        get "/events/{slug}/talks/{id}" => api::programme::talk;
        patch "/events/{slug}/talks/{id}" => api::programme::update_talk;
        get "/events/{slug}/slots" => api::programme::slots;
        post "/events/{slug}/slots" => api::parts::create_slot;
        get "/events/{slug}/slots/{id}" => api::parts::slot;
        patch "/events/{slug}/slots/{id}" => api::parts::update_slot;
        get "/events/{slug}/releases" => api::programme::releases;
        post "/events/{slug}/releases" => api::programme::release;
        get "/events/{slug}/proposals" => api::cfp::proposals;
        get "/events/{slug}/proposals/{id}" => api::cfp::proposal;
        post "/events/{slug}/proposals/{id}/decision" => api::cfp::decide;
        get "/events/{slug}/registrations" => api::registrations::list;
        post "/events/{slug}/registrations" => api::registrations::add;
        get "/events/{slug}/registrations/{id}" => api::registrations::show;
        post "/events/{slug}/registrations/{id}/cancel" => api::registrations::cancel;
        post "/events/{slug}/registrations/{id}/check-in" => api::registrations::check_in;
        get "/events/{slug}/openspace/topics" => api::board::topics;
        get "/events/{slug}/questions" => api::extras::questions;
        get "/events/{slug}/buzz" => api::extras::buzz;
        get "/events/{slug}/sponsors" => api::extras::sponsors;
    }
    admin "/admin" {
        get "" => admin::to_dashboard;
        get "/" => admin::dashboard;
        get "/audit" => admin::audit::site_log;
        get "/jobs" => admin::jobs::list;
        post "/jobs/{id}/retry" => admin::jobs::retry;
        get "/tokens" => admin::tokens::list;
        post "/tokens" => admin::tokens::create;
        post "/tokens/{id}/revoke" => admin::tokens::revoke;
        get "/events/new" => admin::events::new_form;
        post "/events" => admin::events::create;
        get "/events/{slug}/" => admin::events::overview;
        get "/events/{slug}/edit" => admin::events::edit_form;
        post "/events/{slug}/edit" => admin::events::update;
        get "/events/{slug}/clone" => admin::events::clone_form;
        post "/events/{slug}/clone" => admin::events::clone;
        post "/events/{slug}/status" => admin::events::status;
        post "/events/{slug}/delete" => admin::events::delete;
        get "/events/{slug}/team" => admin::team::show;
        post "/events/{slug}/team" => admin::team::add;
        post "/events/{slug}/team/{organizer_id}/role" => admin::team::change_role;
        post "/events/{slug}/team/{organizer_id}/remove" => admin::team::remove;
        get "/events/{slug}/audit" => admin::audit::event_log;
        get "/events/{slug}/webhooks" => admin::webhooks::show;
        post "/events/{slug}/webhooks" => admin::webhooks::add;
        post "/events/{slug}/webhooks/{id}/enabled" => admin::webhooks::enable;
        post "/events/{slug}/webhooks/{id}/delete" => admin::webhooks::delete;
        post "/events/{slug}/webhooks/{id}/ping" => admin::webhooks::ping;
        post "/events/{slug}/webhooks/attempts/{id}/redeliver" => admin::webhooks::redeliver;
        get "/events/{slug}/programme/" => admin::programme::overview;
        post "/events/{slug}/programme/release" => admin::programme::release;
        get "/events/{slug}/programme/import" => admin::programme::import::form;
        post "/events/{slug}/programme/import" => admin::programme::import::upload;
        post "/events/{slug}/programme/import/{id}/apply" => admin::programme::import::apply;
        get "/events/{slug}/programme/rooms" => admin::programme::rooms::list;
        post "/events/{slug}/programme/rooms" => admin::programme::rooms::create_room;
        post "/events/{slug}/programme/rooms/{id}" => admin::programme::rooms::update_room;
        post "/events/{slug}/programme/rooms/{id}/delete" => admin::programme::rooms::delete_room;
        post "/events/{slug}/programme/tracks" => admin::programme::rooms::create_track;
        post "/events/{slug}/programme/tracks/{id}" => admin::programme::rooms::update_track;
        post "/events/{slug}/programme/tracks/{id}/delete" => admin::programme::rooms::delete_track;
        get "/events/{slug}/programme/speakers" => admin::programme::people::list;
        post "/events/{slug}/programme/speakers" => admin::programme::people::create;
        get "/events/{slug}/programme/speakers/{id}" => admin::programme::people::show;
        post "/events/{slug}/programme/speakers/{id}" => admin::programme::people::update;
        get "/events/{slug}/programme/speakers/{id}/availability" => admin::programme::availability::show;
        post "/events/{slug}/programme/speakers/{id}/availability" => admin::programme::availability::save;
        get "/events/{slug}/programme/talks" => admin::programme::talks::list;
        get "/events/{slug}/programme/talks/new" => admin::programme::talks::new;
        post "/events/{slug}/programme/talks" => admin::programme::talks::create;
        get "/events/{slug}/programme/talks/{id}" => admin::programme::talks::edit;
        post "/events/{slug}/programme/talks/{id}" => admin::programme::talks::update;
        get "/events/{slug}/programme/slots/new" => admin::programme::slots::new;
        post "/events/{slug}/programme/slots" => admin::programme::slots::create;
        get "/events/{slug}/programme/slots/{id}" => admin::programme::slots::edit;
        post "/events/{slug}/programme/slots/{id}" => admin::programme::slots::update;
        post "/events/{slug}/programme/slots/{id}/place" => admin::programme::slots::place;
        post "/events/{slug}/programme/slots/{id}/move" => admin::programme::slots::move_slot;
        post "/events/{slug}/programme/slots/{id}/unschedule" => admin::programme::slots::unschedule;
        post "/events/{slug}/programme/slots/{id}/delete" => admin::programme::slots::delete;
        get "/events/{slug}/registrations" => admin::registrations::list;
        get "/events/{slug}/registrations.csv" => admin::registrations::csv;
        post "/events/{slug}/registrations" => admin::registrations::add;
        post "/events/{slug}/registrations/purge" => admin::registrations::purge;
        post "/events/{slug}/registrations/speakers" => admin::registrations::register_speakers;
        post "/events/{slug}/registrations/{id}/cancel" => admin::registrations::cancel;
        post "/events/{slug}/registrations/{id}/resend" => admin::registrations::resend;
        get "/events/{slug}/questions" => admin::registrations::question_list;
        post "/events/{slug}/questions" => admin::registrations::question_create;
        post "/events/{slug}/questions/{id}" => admin::registrations::question_update;
        post "/events/{slug}/questions/{id}/delete" => admin::registrations::question_delete;
        get "/events/{slug}/desk" => admin::registrations::desk;
        post "/events/{slug}/desk" => admin::registrations::check_in;
        get "/events/{slug}/desk/{token}" => admin::registrations::ticket;
        get "/events/{slug}/cfp/" => admin::cfp::list;
        post "/events/{slug}/cfp/decide" => admin::cfp::decide;
        post "/events/{slug}/cfp/types" => admin::cfp::add_type;
        post "/events/{slug}/cfp/types/{id}" => admin::cfp::update_type;
        post "/events/{slug}/cfp/types/{id}/delete" => admin::cfp::delete_type;
        get "/events/{slug}/cfp/proposals/{id}" => admin::cfp::proposal;
        post "/events/{slug}/cfp/proposals/{id}/review" => admin::cfp::save_review;
        post "/events/{slug}/cfp/proposals/{id}/remind" => admin::cfp::remind;
        get "/events/{slug}/mail/" => admin::mail::log;
        post "/events/{slug}/mail/test" => admin::mail::test;
        get "/events/{slug}/mail/messages/{id}" => admin::mail::message;
        get "/events/{slug}/mail/messages/{id}/html" => admin::mail::message_html;
        post "/events/{slug}/mail/messages/{id}/resend" => admin::mail::resend;
        post "/events/{slug}/mail/messages/{id}/retry" => admin::mail::retry;
        get "/events/{slug}/mail/templates" => admin::mail::templates_list;
        get "/events/{slug}/mail/templates/{kind}" => admin::mail::template_form;
        post "/events/{slug}/mail/templates/{kind}" => admin::mail::template_save;
        post "/events/{slug}/mail/templates/{kind}/reset" => admin::mail::template_reset;
        get "/events/{slug}/mail/bulk" => admin::mail::bulk_form;
        post "/events/{slug}/mail/bulk" => admin::mail::bulk_send;
        get "/events/{slug}/mail/bulk/{id}" => admin::mail::bulk_progress;
        get "/events/{slug}/openspace/" => admin::openspace::show;
        post "/events/{slug}/openspace/settings" => admin::openspace::save_settings;
        post "/events/{slug}/openspace/market" => admin::openspace::set_market;
        post "/events/{slug}/openspace/place" => admin::openspace::place;
        post "/events/{slug}/openspace/suggest" => admin::openspace::suggest;
        post "/events/{slug}/openspace/draft/accept" => admin::openspace::accept;
        post "/events/{slug}/openspace/draft/discard" => admin::openspace::discard;
        post "/events/{slug}/openspace/merge" => admin::openspace::merge;
        post "/events/{slug}/openspace/topics/{id}/moderate" => admin::openspace::moderate;
        post "/events/{slug}/openspace/slots/{id}/takes" => admin::openspace::takes;
        get "/events/{slug}/after/" => admin::after::overview;
        post "/events/{slug}/after/" => admin::after::save;
        post "/events/{slug}/after/notices/erase" => admin::after::erase_notices;
        get "/events/{slug}/after/presentations" => admin::after::presentations;
        post "/events/{slug}/after/presentations" => admin::after::save_presentations;
        get "/events/{slug}/after/feedback" => admin::after::feedback;
        get "/events/{slug}/after/buzz" => admin::buzz::list;
        post "/events/{slug}/after/buzz" => admin::buzz::add;
        get "/events/{slug}/after/buzz/{id}" => admin::buzz::item;
        post "/events/{slug}/after/buzz/{id}" => admin::buzz::update;
        post "/events/{slug}/after/buzz/{id}/moderate" => admin::buzz::moderate;
        get "/events/{slug}/after/sponsors" => admin::sponsors::show;
        post "/events/{slug}/after/sponsors" => admin::sponsors::add;
        post "/events/{slug}/after/sponsors/levels" => admin::sponsors::add_level;
        post "/events/{slug}/after/sponsors/levels/{id}/delete" => admin::sponsors::delete_level;
        post "/events/{slug}/after/sponsors/{id}/delete" => admin::sponsors::delete;
    }
    event "/{slug}" {
        get "/programme/" => public::programme::grid;
        get "/programme/changes/" => public::programme::changes;
        get "/programme/agenda.ics" => public::programme::agenda;
        get "/programme/{file}" => public::programme::export;
        get "/talks/{id}/" => public::programme::talk;
        get "/talks/{id}/talk.ics" => public::programme::talk_ics;
        get "/talks/{id}/feedback/" => public::feedback::form;
        post "/talks/{id}/feedback/" => public::feedback::send;
        get "/talks/{id}/notes/" => public::openspace::talk_notes;
        post "/talks/{id}/notes/" => public::openspace::save_talk_notes;
        get "/openspace/" => public::openspace::market;
        post "/openspace/join" => public::openspace::join;
        get "/openspace/join/{token}" => public::openspace::join_registered;
        post "/openspace/topics" => public::openspace::propose;
        get "/openspace/topics/{id}/" => public::openspace::topic_notes;
        post "/openspace/topics/{id}/" => public::openspace::save_topic_notes;
        post "/openspace/topics/{id}/vote" => public::openspace::vote;
        post "/openspace/topics/{id}/unvote" => public::openspace::unvote;
        get "/openspace/counts.json" => public::openspace::counts;
        get "/openspace/board/" => public::openspace::board;
        get "/openspace/about/" => public::openspace::about;
        get "/presentations/" => public::programme::presentations;
        get "/buzz/" => public::buzz::list;
        post "/buzz/" => public::buzz::suggest;
        get "/buzz/feed.atom" => public::buzz::atom;
        get "/sponsors/" => public::sponsors::list;
        post "/notify" => public::notices::subscribe;
        get "/notify/{token}" => public::notices::page;
        post "/notify/{token}/confirm" => public::notices::confirm;
        post "/notify/{token}/leave" => public::notices::leave;
        get "/speakers/" => public::programme::speakers;
        get "/speakers/{id}/" => public::programme::speaker;
        get "/cfp/" => public::cfp::page;
        post "/cfp/sign-in" => public::cfp::request_sign_in;
        get "/cfp/sign-in/{token}" => public::cfp::sign_in_page;
        post "/cfp/sign-in/{token}" => public::cfp::sign_in;
        post "/cfp/sign-out" => public::cfp::sign_out;
        get "/cfp/proposals" => public::cfp::proposals;
        get "/cfp/proposals/new" => public::cfp::new_proposal;
        post "/cfp/proposals" => public::cfp::submit_proposal;
        get "/cfp/proposals/{id}" => public::cfp::proposal;
        post "/cfp/proposals/{id}" => public::cfp::update;
        post "/cfp/proposals/{id}/withdraw" => public::cfp::withdraw;
        get "/cfp/proposals/{id}/material" => public::speaker_material::show;
        post "/cfp/proposals/{id}/material" => public::speaker_material::save;
        get "/cfp/my-data.json" => public::speaker_data::download;
        get "/cfp/erase" => public::speaker_data::erase_form;
        post "/cfp/erase" => public::speaker_data::erase;
        get "/cfp/availability" => public::availability::show;
        post "/cfp/availability" => public::availability::save;
        get "/cfp/profile" => public::cfp::profile;
        post "/cfp/profile" => public::cfp::save_profile;
        get "/cfp/confirm/{token}" => public::cfp::confirm_page;
        post "/cfp/confirm/{token}" => public::cfp::confirm;
        get "/register/" => public::registration::form;
        post "/register/" => public::registration::submit;
        get "/registration/{token}" => public::registration::page;
        post "/registration/{token}/confirm" => public::registration::confirm;
        post "/registration/{token}/cancel" => public::registration::cancel;
        post "/registration/{token}/answers" => public::registration::answers;
        get "/registration/{token}/data.json" => public::registration::data;
        post "/registration/{token}/erase" => public::registration::erase;
        get "" => public::events::home_without_slash;
        get "/" => public::events::home;
    }
}
