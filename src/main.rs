//! The `roadshow` command: serve, migrate, add users, load the demo.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use diesel::Connection;
use roadshow::config::Settings;
use roadshow::db;
use roadshow::sample_data::bench::LargeTour;
use roadshow::startup::Application;

#[derive(Parser)]
#[command(
    name = "roadshow",
    version,
    about = "Runs a tour of one-day partner events end to end"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations, then serve HTTP until stopped (Ctrl-C or SIGTERM).
    Serve {
        /// Load the demo tour and accounts first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Run migrations only.
    Migrate,
    /// Load the demo tour and accounts into an empty database.
    Demo,
    /// Load a large generated tour into an empty database, for the analytics benchmark.
    BenchData {
        #[arg(long, default_value_t = LargeTour::DEFAULT.stops, value_parser = clap::value_parser!(u32).range(1..))]
        stops: u32,
        #[arg(long, default_value_t = LargeTour::DEFAULT.registrations)]
        registrations: u64,
        /// Entrance and workshop scans together.
        #[arg(long, default_value_t = LargeTour::DEFAULT.scans)]
        scans: u64,
        /// Feedback answers.
        #[arg(long, default_value_t = LargeTour::DEFAULT.feedback)]
        feedback: u64,
        /// Multiplies registrations, scans and feedback; the stops stay, so each one grows.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
        scale: u64,
    },
    /// Copy the SQLite database to PATH while roadshow serves (PostgreSQL: says how).
    Backup {
        /// A new file to write the copy to.
        path: std::path::PathBuf,
    },
    /// Send queued e-mails only (for set-ups where `serve` runs with ROADSHOW_MAIL_WORKER=off).
    MailWorker,
    /// Look after the analytics counters.
    Analytics {
        #[command(subcommand)]
        command: AnalyticsCommand,
    },
    /// Manage staff, marketing and admin accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum AnalyticsCommand {
    /// Recount every dashboard counter from the rows (after writing to the database by hand).
    Rebuild,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; the password is read from standard input (one line).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, marketing or staff
        #[arg(long)]
        role: String,
    },
}

/// Exit code for a configuration error (bad environment variable).
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("roadshow: configuration error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    roadshow::telemetry::init(settings.log_json);
    let result = match cli.command {
        Command::Serve { demo } => serve(settings, demo),
        Command::Migrate => {
            with_connection(&settings, |_| Ok(())).map(|()| println!("database is up to date"))
        }
        Command::Demo => with_connection(&settings, |conn| load_demo(conn, &settings, true)),
        Command::BenchData {
            stops,
            registrations,
            scans,
            feedback,
            scale,
        } => {
            let size = LargeTour {
                stops,
                registrations,
                scans,
                feedback,
            };
            with_connection(&settings, |conn| load_bench_data(conn, size.scaled(scale)))
        }
        Command::MailWorker => mail_worker(settings),
        Command::Backup { path } => with_connection(&settings, |conn| {
            let bytes = db::backup::backup(conn, &path)?;
            println!("backup written to {} ({bytes} bytes)", path.display());
            Ok(())
        }),
        Command::Analytics {
            command: AnalyticsCommand::Rebuild,
        } => with_connection(&settings, rebuild_analytics),
        Command::User {
            command: UserCommand::Add { email, name, role },
        } => add_user(&settings, &email, &name, &role),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roadshow: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens one migrated connection for a CLI command.
fn with_connection(
    settings: &Settings,
    work: impl FnOnce(&mut db::DbConnection) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let pool = db::build_pool(&settings.database_url, 1)?;
    let mut conn = pool.get()?;
    let applied = db::run_migrations(&mut conn)?;
    if !applied.is_empty() {
        eprintln!("applied {} migration(s)", applied.len());
    }
    work(&mut conn)
}

fn rebuild_analytics(conn: &mut db::DbConnection) -> anyhow::Result<()> {
    let (off, now) = roadshow::analytics::counts::rebuild(conn)?;
    println!("analytics counters rebuilt from the rows: {now} counters, {off} of them were off");
    Ok(())
}

fn load_demo(conn: &mut db::DbConnection, settings: &Settings, strict: bool) -> anyhow::Result<()> {
    match conn.transaction(roadshow::sample_data::demo::load) {
        Ok(summary) => {
            println!(
                "Demo loaded: tour `{}` with {} stops, {} workshops and {} registrations, \
                 and an upcoming tour open for registration.",
                summary.tour_slug, summary.stops, summary.workshops, summary.registrations
            );
        }
        Err(roadshow::error::AppError::Conflict(message)) if !strict => {
            println!("Demo not loaded: {message}.");
        }
        Err(e) => return Err(anyhow::anyhow!("loading the demo: {e}")),
    }
    print_logins(settings);
    Ok(())
}

fn load_bench_data(conn: &mut db::DbConnection, size: LargeTour) -> anyhow::Result<()> {
    let s = match roadshow::sample_data::bench::load_large_tour(conn, size) {
        Ok(summary) => summary,
        Err(roadshow::error::AppError::Conflict(message)) => anyhow::bail!("{message}"),
        Err(e) => return Err(anyhow::Error::from(e).context("loading the large tour")),
    };
    println!(
        "Large tour loaded in {:.1} s: rows {:.1} s, then {:.1} s of {}.",
        (s.rows_took + s.maintenance_took).as_secs_f64(),
        s.rows_took.as_secs_f64(),
        s.maintenance_took.as_secs_f64(),
        match conn {
            db::DbConnection::Pg(_) => "VACUUM FULL of the counters, then VACUUM ANALYZE",
            db::DbConnection::Sqlite(_) => "WAL checkpoint",
        }
    );
    println!(
        "  {} stops, {} workshops, {} registrations ({} confirmed), {} enrolments",
        s.stops, s.workshops, s.registrations, s.confirmed, s.enrolments
    );
    println!(
        "  {} scans ({} entrance, {} workshop), {} feedback requests, {} feedback, \
         {} complaints, {} outcomes",
        s.entrance_scans + s.workshop_scans,
        s.entrance_scans,
        s.workshop_scans,
        s.feedback_requests,
        s.feedback,
        s.complaints,
        s.outcomes
    );
    // Machine-readable lines for bench/analytics.sh.
    println!("tour_id={}", s.tour_id);
    println!(
        "busiest_stop_id={}  # {}, {} registrations",
        s.busiest_stop_id, s.busiest_stop_city, s.busiest_stop_registrations
    );
    Ok(())
}

fn print_logins(settings: &Settings) {
    println!("Demo logins (e-mail / password):");
    for (email, _, role, password) in roadshow::sample_data::demo::DEMO_USERS {
        println!("  {role:<10} {email} / {password}");
    }
    println!(
        "Open {} and log in at {}",
        settings.url("/"),
        settings.url("/login")
    );
}

#[actix_web::main]
async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    if demo {
        let s = settings.clone();
        actix_web::web::block(move || with_connection(&s, |conn| load_demo(conn, &s, false)))
            .await??;
    }
    let backend = settings.database_url.backend();
    let app = Application::build(settings.clone()).await?;
    tracing::info!(port = app.port(), backend, "roadshow listening");
    println!("roadshow is listening on {} ({backend})", settings.url("/"));
    app.run_until_stopped().await?;
    tracing::info!("roadshow stopped");
    Ok(())
}

#[actix_web::main]
async fn mail_worker(settings: Settings) -> anyhow::Result<()> {
    use roadshow::email::mailer::Mailer;
    let mailer = Mailer::from_settings(&settings)?;
    let state = std::sync::Arc::new(roadshow::state::AppState::connect(settings).await?);
    let background = roadshow::background::Background::start(state, mailer);
    let mut terminate =
        actix_web::rt::signal::unix::signal(actix_web::rt::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = actix_web::rt::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    // Finish the message and the job runs in hand, then stop.
    background.stop().await;
    Ok(())
}

fn add_user(settings: &Settings, email: &str, name: &str, role: &str) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let user =
        roadshow::auth::service::NewUser::parse(email, name, role, password).map_err(describe)?;
    with_connection(settings, |conn| {
        let id = roadshow::auth::service::create_user(conn, &user).map_err(describe)?;
        println!("user {id} added ({role})");
        Ok(())
    })
}

/// A readable message for the CLI, field by field.
fn describe(err: roadshow::error::AppError) -> anyhow::Error {
    match err {
        roadshow::error::AppError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .localized(roadshow::i18n::Locale::En)
                .into_iter()
                .map(|(field, message)| format!("{field}: {message}"))
                .collect();
            anyhow::anyhow!("{}", lines.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}
