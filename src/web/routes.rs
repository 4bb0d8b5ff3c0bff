//! Every route of Ghent, declared once. The same table registers the handlers and is exported
//! as [`ROUTES`], which the access-control tests walk, so a new route cannot escape them.

use actix_web::web;

use super::{admin, assets, public};

/// Routes exempt from the CSRF check, each for a reason: `/unsubscribe/{token}` is authorized by
/// its signed token and must accept RFC 8058 one-click POSTs from mail providers, which have no
/// session. Its own test checks that it does nothing without a genuine token.
pub const CSRF_EXEMPT: &[&str] = &["/unsubscribe/{token}"];

macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// (method, path pattern) of every route, in matching order.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Registers every route.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::$method().to($handler));)*
        }
    };
}

route_table! {
    get "/" => public::events::index;
    get "/healthz" => public::health::healthz;
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

    get "/admin" => admin::to_dashboard;
    get "/admin/" => admin::dashboard;
    get "/admin/audit" => admin::audit::site_log;
    get "/admin/jobs" => admin::jobs::list;
    post "/admin/jobs/{id}/retry" => admin::jobs::retry;
    get "/admin/events/new" => admin::events::new_form;
    post "/admin/events" => admin::events::create;
    get "/admin/events/{slug}/" => admin::events::overview;
    get "/admin/events/{slug}/edit" => admin::events::edit_form;
    post "/admin/events/{slug}/edit" => admin::events::update;
    get "/admin/events/{slug}/clone" => admin::events::clone_form;
    post "/admin/events/{slug}/clone" => admin::events::clone;
    get "/admin/events/{slug}/team" => admin::team::show;
    post "/admin/events/{slug}/team" => admin::team::add;
    post "/admin/events/{slug}/team/{organizer_id}/role" => admin::team::change_role;
    post "/admin/events/{slug}/team/{organizer_id}/remove" => admin::team::remove;
    get "/admin/events/{slug}/audit" => admin::audit::event_log;
    get "/admin/events/{slug}/programme/" => admin::programme::overview;
    post "/admin/events/{slug}/programme/release" => admin::programme::release;
    get "/admin/events/{slug}/programme/rooms" => admin::programme::rooms;
    post "/admin/events/{slug}/programme/rooms" => admin::programme::create_room;
    post "/admin/events/{slug}/programme/rooms/{id}" => admin::programme::update_room;
    post "/admin/events/{slug}/programme/rooms/{id}/delete" => admin::programme::delete_room;
    post "/admin/events/{slug}/programme/tracks" => admin::programme::create_track;
    post "/admin/events/{slug}/programme/tracks/{id}" => admin::programme::update_track;
    get "/admin/events/{slug}/programme/speakers" => admin::programme::speakers;
    post "/admin/events/{slug}/programme/speakers" => admin::programme::create_speaker;
    get "/admin/events/{slug}/programme/speakers/{id}" => admin::programme::speaker;
    post "/admin/events/{slug}/programme/speakers/{id}" => admin::programme::update_speaker;
    get "/admin/events/{slug}/programme/talks" => admin::programme::talks;
    get "/admin/events/{slug}/programme/talks/new" => admin::programme::new_talk;
    post "/admin/events/{slug}/programme/talks" => admin::programme::create_talk;
    get "/admin/events/{slug}/programme/talks/{id}" => admin::programme::edit_talk;
    post "/admin/events/{slug}/programme/talks/{id}" => admin::programme::update_talk;
    get "/admin/events/{slug}/programme/slots/new" => admin::programme::new_slot;
    post "/admin/events/{slug}/programme/slots" => admin::programme::create_slot;
    get "/admin/events/{slug}/programme/slots/{id}" => admin::programme::edit_slot;
    post "/admin/events/{slug}/programme/slots/{id}" => admin::programme::update_slot;
    post "/admin/events/{slug}/programme/slots/{id}/place" => admin::programme::place;
    post "/admin/events/{slug}/programme/slots/{id}/unschedule" => admin::programme::unschedule;
    post "/admin/events/{slug}/programme/slots/{id}/delete" => admin::programme::delete_slot;
    get "/admin/events/{slug}/registrations" => admin::registrations::list;
    get "/admin/events/{slug}/registrations.csv" => admin::registrations::csv;
    post "/admin/events/{slug}/registrations" => admin::registrations::add;
    post "/admin/events/{slug}/registrations/purge" => admin::registrations::purge;
    post "/admin/events/{slug}/registrations/{id}/cancel" => admin::registrations::cancel;
    post "/admin/events/{slug}/registrations/{id}/resend" => admin::registrations::resend;
    get "/admin/events/{slug}/questions" => admin::registrations::question_list;
    post "/admin/events/{slug}/questions" => admin::registrations::question_create;
    post "/admin/events/{slug}/questions/{id}" => admin::registrations::question_update;
    post "/admin/events/{slug}/questions/{id}/delete" => admin::registrations::question_delete;
    get "/admin/events/{slug}/desk" => admin::registrations::desk;
    post "/admin/events/{slug}/desk" => admin::registrations::check_in;
    get "/admin/events/{slug}/desk/{token}" => admin::registrations::ticket;
    get "/admin/events/{slug}/cfp/" => admin::cfp::list;
    post "/admin/events/{slug}/cfp/decide" => admin::cfp::decide;
    post "/admin/events/{slug}/cfp/types" => admin::cfp::add_type;
    get "/admin/events/{slug}/cfp/proposals/{id}" => admin::cfp::proposal;
    post "/admin/events/{slug}/cfp/proposals/{id}/review" => admin::cfp::save_review;
    post "/admin/events/{slug}/cfp/proposals/{id}/remind" => admin::cfp::remind;
    get "/admin/events/{slug}/mail/" => admin::mail::log;
    post "/admin/events/{slug}/mail/test" => admin::mail::test;
    get "/admin/events/{slug}/mail/messages/{id}" => admin::mail::message;
    get "/admin/events/{slug}/mail/messages/{id}/html" => admin::mail::message_html;
    post "/admin/events/{slug}/mail/messages/{id}/resend" => admin::mail::resend;
    post "/admin/events/{slug}/mail/messages/{id}/retry" => admin::mail::retry;
    get "/admin/events/{slug}/mail/templates" => admin::mail::templates_list;
    get "/admin/events/{slug}/mail/templates/{kind}" => admin::mail::template_form;
    post "/admin/events/{slug}/mail/templates/{kind}" => admin::mail::template_save;
    post "/admin/events/{slug}/mail/templates/{kind}/reset" => admin::mail::template_reset;
    get "/admin/events/{slug}/mail/bulk" => admin::mail::bulk_form;
    post "/admin/events/{slug}/mail/bulk" => admin::mail::bulk_send;
    get "/admin/events/{slug}/mail/bulk/{id}" => admin::mail::bulk_progress;

    get "/{slug}/cfp/" => public::cfp::page;
    post "/{slug}/cfp/sign-in" => public::cfp::request_sign_in;
    get "/{slug}/cfp/sign-in/{token}" => public::cfp::sign_in_page;
    post "/{slug}/cfp/sign-in/{token}" => public::cfp::sign_in;
    post "/{slug}/cfp/sign-out" => public::cfp::sign_out;
    get "/{slug}/cfp/proposals" => public::cfp::proposals;
    get "/{slug}/cfp/proposals/new" => public::cfp::new_proposal;
    post "/{slug}/cfp/proposals" => public::cfp::submit;
    get "/{slug}/cfp/proposals/{id}" => public::cfp::proposal;
    post "/{slug}/cfp/proposals/{id}" => public::cfp::update;
    post "/{slug}/cfp/proposals/{id}/withdraw" => public::cfp::withdraw;
    get "/{slug}/cfp/profile" => public::cfp::profile;
    post "/{slug}/cfp/profile" => public::cfp::save_profile;
    get "/{slug}/cfp/confirm/{token}" => public::cfp::confirm_page;
    post "/{slug}/cfp/confirm/{token}" => public::cfp::confirm;
    get "/{slug}/register/" => public::registration::form;
    post "/{slug}/register/" => public::registration::submit;
    get "/{slug}/registration/{token}" => public::registration::page;
    post "/{slug}/registration/{token}/confirm" => public::registration::confirm;
    post "/{slug}/registration/{token}/cancel" => public::registration::cancel;
    post "/{slug}/registration/{token}/answers" => public::registration::answers;
    get "/{slug}/registration/{token}/data.json" => public::registration::data;
    post "/{slug}/registration/{token}/erase" => public::registration::erase;
    get "/{slug}/programme/" => public::programme::grid;
    get "/{slug}/programme/changes/" => public::programme::changes;
    get "/{slug}/programme/{file}" => public::programme::export;
    get "/{slug}/talks/{id}/" => public::programme::talk;
    get "/{slug}/talks/{id}/talk.ics" => public::programme::talk_ics;
    get "/{slug}/speakers/" => public::programme::speakers;
    get "/{slug}/speakers/{id}/" => public::programme::speaker;
    get "/{slug}" => public::events::home_without_slash;
    get "/{slug}/" => public::events::home;
}
