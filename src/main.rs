//! The `ghent` binary: parse the command line, run it.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ghent::cli::Cli::parse();
    ghent::telemetry::init();
    match ghent::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ghent: {e:#}");
            ExitCode::FAILURE
        }
    }
}
