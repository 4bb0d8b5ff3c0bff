//! The command line: `serve` (the default), `migrate`, `seed --demo`, `create-organizer`,
//! `import-schedule`, mail, and (in [`events`]) `create-event`, `export`, `import-event`.

mod api_token;
mod events;

use std::io::BufRead;

use anyhow::{bail, Context};
use chrono::{TimeZone, Utc};
use clap::{Args, Parser, Subcommand};

use crate::accounts::{self, Role};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::startup::Application;
use crate::values::EmailAddress;

/// Ghent: conference management for community events.
#[derive(Debug, Parser)]
#[command(name = "ghent", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (creates and migrates the database on start).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load data into the database.
    Seed(SeedArgs),
    /// Create an organizer account, optionally with a role on an event.
    CreateOrganizer(CreateOrganizerArgs),
    /// Create an event (a draft unless --publish), with local times in its timezone.
    CreateEvent(events::CreateEventArgs),
    /// Write an event as one JSON document (personal data only with --with-personal-data).
    Export(events::ExportArgs),
    /// Read a document written by `export` into this database.
    ImportEvent(events::ImportEventArgs),
    /// Import a frab schedule.xml into an event (rooms, tracks, speakers, talks, slots).
    ImportSchedule(ImportScheduleArgs),
    /// Deliver queued mail (what `serve` does in the background), then exit with --once.
    SendMail(SendMailArgs),
    /// Run a local SMTP catcher for development: it accepts every message and keeps it.
    MailCatcher(MailCatcherArgs),
    /// Manage API tokens (`create --organizer EMAIL --scope read|write [--event SLUG]`).
    ApiToken(api_token::ApiTokenArgs),
}

/// `ghent import-schedule`.
#[derive(Debug, Args)]
pub struct ImportScheduleArgs {
    /// The frab schedule.xml file.
    pub file: std::path::PathBuf,
    /// Slug of the (existing) event to import into.
    #[arg(long)]
    pub event: String,
    /// Release the imported programme right away (no speaker mail is sent).
    #[arg(long, conflicts_with = "dry_run")]
    pub release: bool,
    /// Print what the import would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `ghent send-mail`.
#[derive(Debug, Args)]
pub struct SendMailArgs {
    /// Deliver what is due now, then exit (default: keep running until stopped).
    #[arg(long)]
    pub once: bool,
}

/// `ghent mail-catcher`.
#[derive(Debug, Args)]
pub struct MailCatcherArgs {
    /// Address to listen on; point Ghent at it with GHENT_SMTP_URL=smtp://ADDRESS.
    #[arg(long, default_value = "127.0.0.1:2525")]
    pub bind: String,
    /// Also write each message as an .eml file into this folder.
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
}

/// `ghent serve`.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Serve the demo: a fresh ./data/demo.sqlite3 with devopsdays Ghent 2009 and USA 2010,
    /// the clock started at 2009-11-15 17:24 UTC, and a demo organizer whose login is printed.
    #[arg(long)]
    pub demo: bool,
    /// Address and port to listen on (overrides GHENT_BIND).
    #[arg(long)]
    pub bind: Option<String>,
}

/// `ghent seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Load the demo events (devopsdays Ghent 2009 and USA 2010), labelled as sample data.
    #[arg(long)]
    pub demo: bool,
    /// Load a large synthetic event for benchmarks (3 days, 6 rooms, 200 talks; slug large-sample).
    #[arg(long)]
    pub large: bool,
}

/// `ghent create-organizer`.
#[derive(Debug, Args)]
pub struct CreateOrganizerArgs {
    /// Login email of the new organizer.
    #[arg(long)]
    pub email: String,
    /// Display name (default: the part of the email before @).
    #[arg(long, default_value = "")]
    pub name: String,
    /// Slug of an event to give the organizer a role on.
    #[arg(long, requires = "role")]
    pub event: Option<String>,
    /// Role on that event: owner, organizer, reviewer or check_in (the check-in desk only).
    #[arg(long, requires = "event")]
    pub role: Option<String>,
    /// Make the organizer a site administrator (may create events and act on all of them).
    #[arg(long)]
    pub site_admin: bool,
    /// Read the password from the first line of standard input instead of asking.
    #[arg(long)]
    pub password_stdin: bool,
}

/// When the demo's clock starts: two weeks after the first devopsdays.
pub fn demo_clock_start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2009, 11, 15, 17, 24, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(settings, args),
        Command::Migrate => {
            let db = Db::connect(&settings.database_url, 1)?;
            let applied = db.migrate()?;
            println!(
                "{applied} migration(s) applied to {}",
                crate::config::redact_url(&settings.database_url)
            );
            Ok(())
        }
        Command::Seed(args) => {
            if !args.demo && !args.large {
                bail!("nothing to seed: pass --demo or --large");
            }
            let (db, clock) = (migrated(&settings)?, clock_of(&settings));
            let mut conn = db.write()?;
            if args.demo {
                println!("{}", crate::seed::demo(&mut conn, clock.now_naive())?);
            }
            if args.large {
                println!("{}", crate::seed::large(&mut conn, clock.now_naive())?);
            }
            Ok(())
        }
        Command::CreateOrganizer(args) => create_organizer(settings, args),
        Command::ImportSchedule(args) => import_schedule(settings, args),
        Command::CreateEvent(args) => events::create_event(settings, args),
        Command::ApiToken(args) => api_token::run(settings, args),
        Command::Export(args) => events::export(settings, args),
        Command::ImportEvent(args) => events::import(settings, args),
        Command::SendMail(args) => send_mail(settings, args),
        Command::MailCatcher(args) => mail_catcher(args),
    }
}

/// The clock commands run on: `clock_start` if set (demo and tests), else the system's.
fn clock_of(settings: &Settings) -> Clock {
    settings
        .clock_start
        .map(Clock::starting_at)
        .unwrap_or_else(Clock::system)
}

/// One connection to the configured database, migrated.
fn migrated(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database_url, 1)?;
    db.migrate()?;
    Ok(db)
}

fn import_schedule(settings: Settings, args: ImportScheduleArgs) -> anyhow::Result<()> {
    let xml = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let (db, now) = (migrated(&settings)?, clock_of(&settings).now_naive());
    let mut conn = db.write()?;
    let event = crate::events::queries::by_slug(&mut conn, &args.event)?
        .ok_or_else(|| anyhow::anyhow!("no event with slug {:?}", args.event))?;
    let actor = crate::accounts::Actor::system("ghent import-schedule");
    let mode = if args.dry_run {
        crate::programme::import::Mode::DryRun
    } else {
        crate::programme::import::Mode::Apply
    };
    let summary =
        crate::programme::import::import_frab_xml(&mut conn, now, &actor, &event, &xml, mode)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    for change in &summary.changes {
        println!("  {change}");
    }
    let verb = if args.dry_run {
        "Dry run, nothing changed; importing into"
    } else {
        "Imported into"
    };
    println!("{verb} {}: {}", event.slug, summary.headline());
    if !summary.changed() {
        println!("The event already matches the file.");
    }
    if args.release {
        let r = crate::programme::release::release(
            &mut conn,
            now,
            None,
            &actor,
            &event,
            "Imported schedule",
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("Released version {}", r.version);
    }
    Ok(())
}

fn send_mail(mut settings: Settings, args: SendMailArgs) -> anyhow::Result<()> {
    use crate::mail::worker::MailWorker;
    use crate::queue::Notifier;
    settings.ensure_secret_key()?;
    let db = Db::connect(&settings.database_url, 2)?;
    db.migrate()?;
    let clock = clock_of(&settings);
    actix_web::rt::System::new().block_on(async move {
        let worker = crate::background::register_worker(&db, &settings, "send-mail")?;
        let metrics = crate::metrics::Metrics::new();
        let lane = MailWorker::from_settings(db, clock, &settings, worker.clone(), metrics)?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let beat = tokio::spawn(worker.clone().run_heartbeat(stopped.clone()));
        if args.once {
            let outcome = lane.drain().await;
            let _ = stop.send(true);
            let _ = beat.await;
            tokio::task::spawn_blocking(move || worker.deregister()).await??;
            let outcome = outcome?;
            println!(
                "{} delivered, {} failed (retried later or dead)",
                outcome.delivered, outcome.failed
            );
            return Ok(());
        }
        let running = tokio::spawn(lane.run(Notifier::new(), stopped));
        wait_for_stop_signal().await;
        let _ = stop.send(true);
        let _ = running.await;
        let _ = beat.await;
        tokio::task::spawn_blocking(move || worker.deregister()).await??;
        Ok(())
    })
}

fn mail_catcher(args: MailCatcherArgs) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let catcher = crate::mail::catcher::MailCatcher::start(&args.bind, args.dir.clone())
            .await
            .with_context(|| format!("listening on {}", args.bind))?;
        println!("Mail catcher listening: GHENT_SMTP_URL={}", catcher.url());
        if let Some(dir) = &args.dir {
            println!("Each message is also written to {}", dir.display());
        }
        wait_for_stop_signal().await;
        catcher.stop();
        Ok(())
    })
}

/// Waits for SIGTERM or Ctrl-C.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn serve(mut settings: Settings, args: ServeArgs) -> anyhow::Result<()> {
    if let Some(bind) = args.bind {
        settings.bind = bind;
    }
    let mut demo_login = None;
    let clock = if args.demo {
        settings.demo = true;
        let path = settings.data_dir.join("demo.sqlite3");
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", path.display());
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("removing the old demo database {file}"))
                }
            }
        }
        settings.database_url = format!("sqlite://{}", path.display());
        let clock = Clock::starting_at(settings.clock_start.unwrap_or_else(demo_clock_start));
        let db = migrated(&settings)?;
        let mut conn = db.write()?;
        crate::seed::demo(&mut conn, clock.now_naive())?;
        demo_login = Some(crate::seed::demo_organizer(&mut conn, clock.now_naive())?);
        clock
    } else {
        clock_of(&settings)
    };
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings, clock)?;
        println!("Ghent is serving at {}/", app.base_url());
        if let Some((email, password)) = demo_login {
            println!(
                "Demo organizer: {email} / {password}  (sign in at {}/login)",
                app.base_url()
            );
        }
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ")
        .context("reading the password (use --password-stdin when there is no terminal)")?;
    let second = rpassword::prompt_password("Password again: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}

fn create_organizer(settings: Settings, args: CreateOrganizerArgs) -> anyhow::Result<()> {
    let email = EmailAddress::parse(&args.email).map_err(|m| anyhow::anyhow!("--email: {m}"))?;
    let role = match &args.role {
        Some(r) => Some(Role::parse(r).ok_or_else(|| {
            anyhow::anyhow!("--role must be owner, organizer, reviewer or check_in")
        })?),
        None => None,
    };
    let password = read_password(args.password_stdin)?;
    accounts::password::check_new(&password).map_err(|m| anyhow::anyhow!("password: {m}"))?;
    let (db, now) = (migrated(&settings)?, clock_of(&settings).now_naive());
    let mut conn = db.write()?;
    let organizer = accounts::service::create_organizer(
        &mut conn,
        now,
        &email,
        &args.name,
        Some(&password),
        args.site_admin,
    )
    .map_err(|e| match e {
        crate::error::AppError::Invalid(fields) => {
            anyhow::anyhow!(fields.into_values().collect::<Vec<_>>().join(" "))
        }
        other => anyhow::Error::new(other),
    })?;
    if let (Some(slug), Some(role)) = (&args.event, role) {
        let event = crate::events::queries::by_slug(&mut conn, slug)?
            .ok_or_else(|| anyhow::anyhow!("no event with slug {slug:?}"))?;
        accounts::service::grant_role(&mut conn, now, &event.id, &organizer.id, role)?;
        println!(
            "Created organizer {} as {} of {}",
            organizer.email,
            role.as_str(),
            event.slug
        );
    } else {
        println!(
            "Created organizer {}{}",
            organizer.email,
            if args.site_admin {
                " (site administrator)"
            } else {
                ""
            }
        );
    }
    Ok(())
}
