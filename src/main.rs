//! The `sdconform` binary: parse arguments, run, print one error chain, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = sdconform::cli::Cli::parse();
    match sdconform::app::run(cli) {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("error: {}", sdconform::error::chain(&error));
            error.exit().into()
        }
    }
}
