//! `ghent create-event`, `ghent export` and `ghent import-event`: an event made, written out as
//! one JSON document, and read back into another database.

use anyhow::Context;
use clap::Args;

use crate::config::Settings;

/// `ghent create-event`.
#[derive(Debug, Args)]
pub struct CreateEventArgs {
    /// Short name in URLs, e.g. imp-2009.
    #[arg(long)]
    pub slug: String,
    /// As shown, e.g. "devopsdays Ghent 2009".
    #[arg(long)]
    pub name: String,
    /// IANA timezone of the venue, e.g. Europe/Brussels.
    #[arg(long)]
    pub timezone: String,
    /// Start, local time in that zone: YYYY-MM-DDTHH:MM.
    #[arg(long)]
    pub starts: String,
    /// End, local time in that zone: YYYY-MM-DDTHH:MM.
    #[arg(long)]
    pub ends: String,
    /// Publish it at once (default: a draft, seen by its team only).
    #[arg(long)]
    pub publish: bool,
}

/// `ghent export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Slug of the event.
    #[arg(long)]
    pub event: String,
    /// Also export personal data: registrations, proposals, open-space participants, feedback…
    #[arg(long)]
    pub with_personal_data: bool,
    /// Write here instead of standard output.
    #[arg(long)]
    pub output: Option<std::path::PathBuf>,
}

/// `ghent import-event`.
#[derive(Debug, Args)]
pub struct ImportEventArgs {
    /// A document written by `ghent export`.
    pub file: std::path::PathBuf,
}

/// Creates an event the way the admin's form does (same checks and messages).
pub fn create_event(settings: Settings, args: CreateEventArgs) -> anyhow::Result<()> {
    let form = crate::events::form::EventForm {
        name: args.name,
        slug: args.slug,
        timezone: args.timezone,
        starts_at: args.starts,
        ends_at: args.ends,
        ..crate::events::form::EventForm::blank()
    };
    let input = crate::events::form::parse(&form).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        anyhow::anyhow!("the event was not created:\n{}", lines.join("\n"))
    })?;
    let (db, now) = (
        super::migrated(&settings)?,
        super::clock_of(&settings).now_naive(),
    );
    let mut conn = db.write()?;
    let actor = crate::accounts::Actor::system("ghent create-event");
    let event = crate::events::lifecycle::create(&mut conn, now, &actor, input, false)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.publish {
        crate::events::visibility::set(&mut conn, now, &actor, &event, "publish")
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let state = if args.publish { "published" } else { "a draft" };
    println!(
        "Created {} ({}), {state}: {} to {} UTC",
        event.name, event.slug, event.starts_at, event.ends_at
    );
    Ok(())
}

/// Writes an event as one JSON document.
pub fn export(settings: Settings, args: ExportArgs) -> anyhow::Result<()> {
    let db = super::migrated(&settings)?;
    let mut conn = db.write()?;
    let doc = crate::transfer::export(&mut conn, &args.event, args.with_personal_data)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = serde_json::to_string_pretty(&doc)?;
    match args.output {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => println!("{text}"),
    }
    Ok(())
}

/// Reads a document written by `ghent export` into this database.
pub fn import(settings: Settings, args: ImportEventArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", args.file.display()))?;
    let db = super::migrated(&settings)?;
    let mut conn = db.write()?;
    let written = crate::transfer::import(&mut conn, &doc).map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows: Vec<String> = written
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    println!(
        "Imported {}: {}",
        doc["event"]["slug"].as_str().unwrap_or_default(),
        rows.join(", ")
    );
    Ok(())
}
