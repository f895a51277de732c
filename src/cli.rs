//! The command line, raw (clap). `config` validates it; nothing here does I/O
//! beyond reading the token's fallback environment variable.
//!
//! ```text
//! sdconform run [--target URL --project-id ID] [--token T] [--profile documented] [FILTER]
//! sdconform serve [--port 8004] [--fault NAME]
//! ```

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::contract::Profile;

/// Contract-conformance harness for GET /v1/{project_id}/software_deployments.
#[derive(Debug, Parser)]
#[command(name = "sdconform", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the conformance suite (against the embedded reference target when no --target is given).
    Run(RunArgs),
    /// Serve the embedded reference target (optionally with a fault) until interrupted.
    Serve(ServeArgs),
}

/// `sdconform run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Base URL of the implementation under test, e.g. https://heat.example.com:8004 (default: the embedded reference target).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Project id for /v1/{project_id}/... (required with --target).
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
    /// X-Auth-Token to send [env: SDCONFORM_TOKEN, then OS_AUTH_TOKEN]. Never written anywhere.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SDCONFORM_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// How to read the contract's ambiguities.
    #[arg(long, value_enum, default_value_t = Profile::Documented)]
    pub profile: Profile,
    /// Directory of case files replacing the shipped cases.
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Directory of schemas replacing the shipped schemas.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Where report.json is written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,
    /// Deadline for one request, body included, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Deadline to connect, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Largest response body read, in bytes; a larger one is an error for that case.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// List the cases instead of running them.
    #[arg(long)]
    pub list: bool,
    /// Skip cases whose id contains this (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub skip: Vec<String>,
    /// Match FILTER and --skip against whole case ids.
    #[arg(long)]
    pub exact: bool,
    /// Cases run at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub test_threads: Option<usize>,
    /// Run only cases whose id contains this.
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
}

/// `sdconform serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to bind (0 picks a free one).
    #[arg(long, default_value_t = 8004)]
    pub port: u16,
    /// Token the target accepts (default: sdconform-reference-token).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Project id the target serves.
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
    /// Break one contract clause on purpose (see --list-faults).
    #[arg(long, value_name = "NAME")]
    pub fault: Option<String>,
    /// List the faults and the clause each breaks, then exit.
    #[arg(long)]
    pub list_faults: bool,
}

impl RunArgs {
    /// The token: --token, else SDCONFORM_TOKEN (clap), else OS_AUTH_TOKEN.
    pub fn token_with_fallback(&self) -> Option<String> {
        self.token
            .clone()
            .or_else(|| std::env::var("OS_AUTH_TOKEN").ok())
            .filter(|t| !t.is_empty())
    }
}
