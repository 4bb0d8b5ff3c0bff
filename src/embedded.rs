//! Files compiled into the binary, so that one executable runs from any directory.

use rust_embed::RustEmbed;

/// The `templates/` folder: pages and mail.
#[derive(RustEmbed)]
#[folder = "templates/"]
pub struct TemplateFiles;

/// The `static/` folder: CSS, JS, images.
#[derive(RustEmbed)]
#[folder = "static/"]
pub struct StaticFiles;
