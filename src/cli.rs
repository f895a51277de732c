//! The command line, raw (clap). `config` validates it; nothing here does I/O
//! beyond reading the token's fallback environment variable.
//!
//! ```text
//! sdconform run [--target URL --project-id ID] [--token T] [--profile documented] [FILTER]
//! sdconform fuzz [--target URL --project-id ID] [--cases 2000] [--seed S] [--time-limit SECS]
//! sdconform serve [--port 8004] [--fault NAME]
//! ```

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Fuzz the server_id parameter: generated inputs, checked against the contract, failures shrunk.
    Fuzz(FuzzArgs),
    /// Serve the embedded reference target (optionally with a fault) until interrupted.
    Serve(ServeArgs),
    /// Compare report.json files: a clause × run matrix, and what changed between two runs of one target.
    Compare(CompareArgs),
}

/// What `run` and `fuzz` are pointed at, and where they write: the options they share.
#[derive(Debug, Args)]
pub struct TargetArgs {
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
    /// How much earlier than its creation_time an updated_time may be and be only a SHOULD finding (the clocks of nodes disagree); beyond it, a MUST finding. Seconds, or a duration such as 90s or 2m.
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = duration)]
    pub clock_skew: Duration,
    /// Where report.json is written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,
    /// Deadline for one request, body included, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Deadline to connect, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Largest response body read, in bytes after decompression; a larger 200 body is an SD-RESP-1 finding, any other a harness error.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// PEM file of CA certificates to trust in addition to the system's roots.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Accept any TLS certificate (marked in the summary and report.json; for tests only).
    #[arg(long)]
    pub insecure: bool,
    /// PEM file of a client certificate for mutual TLS (with --client-key).
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// PEM file of the client certificate's private key (with --client-cert).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Accept a run that validated no response item (an empty project) as conformant (exit 0) instead of inconclusive (exit 5).
    #[arg(long)]
    pub allow_empty: bool,
}

/// The fuzzing options `run` and `fuzz` share.
#[derive(Debug, Args)]
pub struct FuzzSeedArgs {
    /// Seed of the fuzz inputs (default: a random one, printed and reported); the same seed against a target that behaves the same sends the same requests.
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,
    /// File of shrunk fuzz failures: replayed first by every fuzz run, new failures added.
    #[arg(long, value_name = "FILE", default_value = crate::fuzz::regression::DEFAULT_FILE)]
    pub regressions: PathBuf,
}

/// `sdconform fuzz`.
#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// The target and the report directory.
    #[command(flatten)]
    pub common: TargetArgs,
    /// Fuzz cases to generate (each is sent twice).
    #[arg(long, value_name = "N", default_value_t = crate::fuzz::DEFAULT_CASES)]
    pub cases: u64,
    /// Requests in flight at once.
    #[arg(long, value_name = "C", default_value_t = crate::fuzz::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Stop generating after this many seconds (shrinking what failed still happens).
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
    /// Seed and regressions file.
    #[command(flatten)]
    pub seed: FuzzSeedArgs,
}

/// `sdconform run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The target and the report directory.
    #[command(flatten)]
    pub common: TargetArgs,
    /// Directory of case files replacing the shipped cases.
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Directory of schemas replacing the shipped schemas.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Report formats written to --report-dir, comma-separated: json, junit, md, html (report.json is always written).
    #[arg(
        long,
        value_name = "FORMATS",
        value_enum,
        value_delimiter = ',',
        default_value = "json,junit,md,html"
    )]
    pub report: Vec<crate::report::write::Format>,
    /// JSON file of waivers: known failures that do not fail the run until they expire.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Fail the run when a waiver matches no finding.
    #[arg(long)]
    pub strict_waivers: bool,
    /// Lowest severity whose findings fail the run.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = crate::report::model::FailOn::Must)]
    pub fail_on: crate::report::model::FailOn,
    /// Deadline for the whole run, in seconds; cases unfinished by then end as errors (exit 3).
    #[arg(long, value_name = "SECS", default_value_t = 300.0)]
    pub run_timeout: f64,
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
    /// Fuzz cases of the fuzz-server-id trial (0 turns it off).
    #[arg(long, value_name = "N", default_value_t = crate::fuzz::DEFAULT_RUN_CASES)]
    pub fuzz_cases: u64,
    /// Seed and regressions file of the fuzz phase.
    #[command(flatten)]
    pub fuzz: FuzzSeedArgs,
    /// Run only cases whose id contains this.
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
}

/// `sdconform compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// report.json files, in column order (the first two are "before" and "after").
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::report::compare::CompareFormat::Md)]
    pub format: crate::report::compare::CompareFormat,
    /// Write the matrix to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    /// Serve N generated deployments (valid, varied, deterministic) instead of the fixture of 10.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub fixture_size: Option<u64>,
    /// List the faults and the clause each breaks, then exit.
    #[arg(long)]
    pub list_faults: bool,
}

/// A duration argument: a number of seconds (`90`, `0.5`) or a humantime duration
/// (`90s`, `2m`, `1h 30m`).
pub fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds)
            .map_err(|_| format!("{text:?} is not a number of seconds from 0 up"));
    }
    humantime::parse_duration(text).map_err(|e| {
        format!("{text:?} is neither a number of seconds nor a duration such as 90s or 2m ({e})")
    })
}

impl TargetArgs {
    /// The token: --token, else SDCONFORM_TOKEN (clap), else OS_AUTH_TOKEN.
    pub fn token_with_fallback(&self) -> Option<String> {
        self.token
            .clone()
            .or_else(|| std::env::var("OS_AUTH_TOKEN").ok())
            .filter(|t| !t.is_empty())
    }
}

impl RunArgs {
    /// The token: --token, else SDCONFORM_TOKEN (clap), else OS_AUTH_TOKEN.
    pub fn token_with_fallback(&self) -> Option<String> {
        self.common.token_with_fallback()
    }
}
