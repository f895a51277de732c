//! The `sdconform` binary: parse arguments, run, print one error chain, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = sdconform::cli::Cli::parse();
    match sdconform::app::run(cli) {
        Ok(exit) => exit.into(),
        Err(error) => {
            // Case and schema files, and targets, can put control characters in messages.
            let chain = sdconform::error::chain(&error);
            sdconform::console::err(&format!(
                "error: {}",
                sdconform::report::summary::inert(&chain)
            ));
            error.exit().into()
        }
    }
}
