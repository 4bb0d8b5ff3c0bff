//! Every route of Ghent, declared once. The same table registers the handlers and is exported
//! as [`ROUTES`], which the access-control tests walk, so a new route cannot escape them.

use actix_web::web;

use super::{admin, assets, public};

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

    get "/admin/" => admin::dashboard;
    get "/admin/audit" => admin::audit::site_log;
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

    get "/{slug}" => public::events::home_without_slash;
    get "/{slug}/" => public::events::home;
}
