//! `ghent api-token create`: an API token for an organizer, for operators. The secret is
//! printed once; only its hash is stored.

use clap::{Args, Subcommand};
use diesel::prelude::*;

use crate::accounts::model::Organizer;
use crate::api::tokens::{self, NewToken, Scope};
use crate::config::Settings;
use crate::db::schema::organizers;

/// `ghent api-token …`.
#[derive(Debug, Args)]
pub struct ApiTokenArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ApiTokenCommand,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum ApiTokenCommand {
    /// Create a token and print its secret (once).
    Create(CreateArgs),
}

/// `ghent api-token create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The organizer the token acts as (their roles bound it).
    #[arg(long)]
    pub organizer: String,
    /// `read` or `write`.
    #[arg(long, default_value = "read")]
    pub scope: String,
    /// Limit it to these events (slugs; repeat the option); all the organizer's events without.
    #[arg(long)]
    pub event: Vec<String>,
    /// Its name.
    #[arg(long, default_value = "command line")]
    pub name: String,
}

/// Runs `ghent api-token`.
pub fn run(settings: Settings, args: ApiTokenArgs) -> anyhow::Result<()> {
    let ApiTokenCommand::Create(args) = args.command;
    let scope = Scope::parse(&args.scope)
        .ok_or_else(|| anyhow::anyhow!("--scope must be read or write, not {:?}", args.scope))?;
    let db = super::migrated(&settings)?;
    let mut conn = db.write()?;
    let organizer: Organizer = organizers::table
        .filter(organizers::email.eq(args.organizer.trim().to_lowercase()))
        .select(Organizer::as_select())
        .first(&mut conn)
        .optional()?
        .ok_or_else(|| anyhow::anyhow!("no organizer has the address {}", args.organizer))?;
    let mut ids = Vec::new();
    for slug in &args.event {
        let e = crate::events::queries::by_slug(&mut conn, slug)?
            .ok_or_else(|| anyhow::anyhow!("no event has the slug {slug}"))?;
        ids.push(e.id);
    }
    let new = NewToken {
        name: args.name,
        scope,
        events: (!ids.is_empty()).then_some(ids),
    };
    let now = super::clock_of(&settings).now_naive();
    let (_, secret) =
        tokens::create(&mut conn, &organizer, &new, now).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{secret}");
    eprintln!("This is the only time the token is shown; Ghent keeps its hash.");
    Ok(())
}
