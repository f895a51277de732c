//! The command line, raw (clap). `config` validates it; nothing here does I/O
//! beyond reading the token's fallback environment variables.
//!
//! ```text
//! sdconform run [--target URL --project-id ID] [--token T] [--profile documented] [FILTER]
//! sdconform run --os-cloud NAME [--os-region-name R] [--os-interface I] [--target URL]
//! sdconform fuzz [--target URL --project-id ID] [--cases 2000] [--seed S] [--time-limit SECS]
//! sdconform doctor --os-cloud NAME
//! sdconform serve [--port 8004] [--fault NAME] [--clouds-yaml]
//! sdconform run --fixtures create [--other-cloud NAME] ...
//! sdconform cleanup [--target URL --project-id ID] [--run-id ID]
//! sdconform check --har FILE | --ndjson FILE [--profile documented] [--waivers FILE]
//! ```

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::contract::Profile;
use crate::secret::TokenSource;

/// Contract-conformance harness for GET /v1/{project_id}/software_deployments.
#[derive(Debug, Parser)]
#[command(name = "sdconform", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// How the console looks.
    #[command(flatten)]
    pub console: ConsoleArgs,
}

/// How the console looks, for every command.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Colour the output: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = Color::Auto)]
    pub color: Color,
    /// Print less: one character per case, and of the summary only the verdict.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// When stdout is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
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
    /// Check the way to a real cloud step by step: where the credentials come from, the identity service, the token, the catalog entry, TLS, and whether the endpoint answers (no secret is printed).
    Doctor(DoctorArgs),
    /// Delete what earlier `run --fixtures create` runs left behind (found by their run id mark).
    Cleanup(CleanupArgs),
    /// Check captured traffic (a HAR file, or an exchanges.ndjson) against the contract, sending nothing.
    Check(CheckArgs),
    /// Recompute every outcome, finding and verdict of a run from its exchanges.ndjson, with no network.
    Recheck(RecheckArgs),
    /// Pack a run's reports, exchanges and inputs into one archive with a manifest, signed with --sign-key.
    Bundle(BundleArgs),
    /// Make an Ed25519 key pair for signing bundles: NAME.key (private, mode 0600) and NAME.pub.
    Keygen(KeygenArgs),
    /// Check a bundle: its files against the manifest, the signature, and the verdict re-derived from its exchanges.
    Verify(VerifyArgs),
}

/// A real cloud, named as OpenStack's own clients name it (`--os-cloud`, `--os-region-name`, `--os-interface`).
#[derive(Debug, Args)]
pub struct CloudArgs {
    /// Test the cloud NAME of clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/): authenticate with its identity service and take the orchestration endpoint from its catalog. Without NAME: OS_CLOUD, else the OS_* variables, else the only cloud. Only this flag or --target ever reaches a real cloud.
    #[arg(
        long = "os-cloud",
        value_name = "NAME",
        num_args = 0..=1,
        default_missing_value = ""
    )]
    pub os_cloud: Option<String>,
    /// The region whose catalog entry is used (with --os-cloud) [default: OS_REGION_NAME, else the cloud's].
    #[arg(
        long = "os-region-name",
        visible_alias = "region",
        value_name = "REGION"
    )]
    pub region: Option<String>,
    /// The catalog interface: public, internal or admin (with --os-cloud) [default: OS_INTERFACE, else the cloud's, else public].
    #[arg(
        long = "os-interface",
        visible_alias = "interface",
        value_name = "INTERFACE"
    )]
    pub interface: Option<String>,
}

/// `sdconform doctor`: the same target flags as `run`, so the same command line can be checked
/// (`--profile`, `--clock-skew` and `--report-dir` are accepted and unused).
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The cloud and the flags that reach it.
    #[command(flatten)]
    pub common: TargetArgs,
}

/// What `run` and `fuzz` are pointed at, and where they write: the options they share.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Base URL of the implementation under test, e.g. https://heat.example.com:8004 (default: the embedded reference target; with --os-cloud, the catalog's endpoint).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// A real cloud (`--os-cloud`, `--os-region-name`, `--os-interface`).
    #[command(flatten)]
    pub cloud: CloudArgs,
    /// Project id for /v1/{project_id}/... (required with --target; with --os-cloud it is the token's project).
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
    /// X-Auth-Token to send (default: $SDCONFORM_TOKEN, then $OS_AUTH_TOKEN; an empty one counts as unset); with --os-cloud it comes before the cloud's credentials and is re-scoped by its identity service. Never written anywhere.
    #[arg(long, value_name = "TOKEN")]
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
    /// File of shrunk fuzz failures: replayed first by every fuzz run, new failures added (default: fuzz-regressions.json in --report-dir).
    #[arg(long, value_name = "FILE")]
    pub regressions: Option<PathBuf>,
}

/// What `run` and `fuzz` record in `exchanges.ndjson` (issue 12).
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Do not write exchanges.ndjson (the exchanges, for recheck and bundles).
    #[arg(long)]
    pub no_record: bool,
    /// Bytes of response bodies recorded at most; past it bodies are left out, with a note (identical bodies are stored once).
    #[arg(long, value_name = "BYTES", default_value_t = crate::report::exchanges::DEFAULT_RECORD_BYTES)]
    pub record_bytes: u64,
    /// JSON pointer of body fields to blank in the recording, `*` for every item or member (repeatable), e.g. /software_deployments/*/input_values.
    #[arg(long, value_name = "POINTER")]
    pub redact_field: Vec<crate::report::exchanges::FieldPattern>,
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
    /// Hard limit on the whole campaign in seconds, shrinking included (a quarter of it is kept for shrinking once something failed; a shrink cut short keeps the smallest input found so far).
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
    /// Deadline for the whole command, in seconds; requests unfinished by then end as errors (exit 3). Default: --time-limit plus 10 minutes, or a day.
    #[arg(long, value_name = "SECS")]
    pub run_timeout: Option<f64>,
    /// Seed and regressions file.
    #[command(flatten)]
    pub seed: FuzzSeedArgs,
    /// What is recorded.
    #[command(flatten)]
    pub record: RecordArgs,
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
    /// The data the suite runs on: the project as it is, or deployments the harness creates first (through the orchestration API) and deletes after the run, whatever its result.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = crate::fixture::Mode::Existing)]
    pub fixtures: crate::fixture::Mode,
    /// A cloud of clouds.yaml whose credential is in another project: tenant isolation, each project with fixtures of its own (needs --fixtures create).
    #[arg(long, value_name = "NAME")]
    pub other_cloud: Option<String>,
    /// What is recorded.
    #[command(flatten)]
    pub record: RecordArgs,
    /// Run only cases whose id contains this.
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
}

/// `sdconform cleanup`.
#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// The target (the same flags as run).
    #[command(flatten)]
    pub common: TargetArgs,
    /// Delete only what this run id created (printed by run, in report.json under fixtures.run_id); default: every run's.
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,
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

/// `sdconform recheck`.
#[derive(Debug, Args)]
pub struct RecheckArgs {
    /// The report directory of the run (it holds exchanges.ndjson).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The profile to judge under (default: the run's).
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// Directory of schemas replacing the shipped schemas.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Directory of case files replacing the shipped cases.
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// JSON file of waivers (expiry judged at the run's date).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Where the reports are written (default: DIR/recheck).
    #[arg(long, value_name = "OUT")]
    pub report_dir: Option<PathBuf>,
}

/// `sdconform bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The report directory of the run.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The archive to write (a gzip'd tar).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Private key (PKCS#8 PEM, as keygen or `openssl genpkey -algorithm ed25519` writes it) to sign the manifest with.
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
}

/// `sdconform keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Writes NAME.key and NAME.pub (never over existing files).
    #[arg(long, value_name = "NAME")]
    pub out: PathBuf,
}

/// `sdconform verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// Public key (SPKI PEM) the manifest's signature must verify under.
    #[arg(long, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
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
    /// Also print a clouds.yaml for this target's identity service (two projects, a password, an application credential): `sdconform run --os-cloud sdconform-reference` then reaches it like a real cloud.
    #[arg(long)]
    pub clouds_yaml: bool,
    /// How long the identity service's tokens live (seconds, or a duration such as 90s): short, to watch a run renew its token.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = duration)]
    pub token_lifetime: Duration,
}

/// `sdconform check`: somebody else's traffic, checked without sending a request.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("capture").required(true).args(["har", "ndjson"])))]
pub struct CheckArgs {
    /// A HAR capture (browsers' developer tools, mitmproxy, Charles, API gateways) to check.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// An exchanges.ndjson (sdconform's own recording) to check as captured traffic.
    #[arg(long, value_name = "FILE")]
    pub ndjson: Option<PathBuf>,
    /// How to read the contract's ambiguities.
    #[arg(long, value_enum, default_value_t = Profile::Documented)]
    pub profile: Profile,
    /// How much earlier than its creation_time an updated_time may be and be only a SHOULD finding; beyond it, a MUST finding. Seconds, or a duration such as 90s or 2m.
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = duration)]
    pub clock_skew: Duration,
    /// Directory of schemas replacing the shipped schemas.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
    /// Where the reports are written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,
    /// Report formats written to --report-dir, comma-separated: json, junit, md, html (report.json is always written).
    #[arg(
        long,
        value_name = "FORMATS",
        value_enum,
        value_delimiter = ',',
        default_value = "json,junit,md,html"
    )]
    pub report: Vec<crate::report::write::Format>,
    /// JSON file of waivers (a waiver's case is an exchange's result id, e.g. exchange-0007).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Fail when a waiver matches no finding.
    #[arg(long)]
    pub strict_waivers: bool,
    /// Lowest severity whose findings fail the check.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = crate::report::model::FailOn::Must)]
    pub fail_on: crate::report::model::FailOn,
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

/// The environment variables the token is read from when `--token` is not given, in order.
pub const TOKEN_VARIABLES: [&str; 2] = ["SDCONFORM_TOKEN", "OS_AUTH_TOKEN"];

impl TargetArgs {
    /// The token and where it came from: `--token`, else `SDCONFORM_TOKEN`, else
    /// `OS_AUTH_TOKEN`.
    pub fn token_with_fallback(&self) -> Option<(String, TokenSource)> {
        resolve_token(self.token.as_deref(), |name| std::env::var(name).ok())
    }
}

impl RunArgs {
    /// The token and where it came from: `--token`, else `SDCONFORM_TOKEN`, else
    /// `OS_AUTH_TOKEN`.
    pub fn token_with_fallback(&self) -> Option<(String, TokenSource)> {
        self.common.token_with_fallback()
    }
}

/// The token from `flag`, else the first of [`TOKEN_VARIABLES`] that `env` has.
/// An empty value counts as unset (a CI system's masked variable is often empty
/// where it is not available, and must not hide the next one).
pub fn resolve_token(
    flag: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Option<(String, TokenSource)> {
    if let Some(token) = flag.filter(|t| !t.is_empty()) {
        return Some((token.to_owned(), TokenSource::Flag));
    }
    TOKEN_VARIABLES.iter().find_map(|&name| {
        env(name)
            .filter(|value| !value.is_empty())
            .map(|value| (value, TokenSource::Env(name.to_owned())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--token`, the environment, and the token and source expected.
    type Row = (
        Option<&'static str>,
        &'static [(&'static str, &'static str)],
        Option<(&'static str, TokenSource)>,
    );

    /// Issue 10 item 8: an empty variable is unset, so it hides nothing; the source is kept.
    #[test]
    fn an_empty_token_variable_is_unset_and_the_source_is_named() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let from = |name: &str| TokenSource::Env(name.to_owned());
        let table: [Row; 7] = [
            (None, &[], None),
            (
                None,
                &[("SDCONFORM_TOKEN", ""), ("OS_AUTH_TOKEN", "")],
                None,
            ),
            (
                None,
                &[("SDCONFORM_TOKEN", ""), ("OS_AUTH_TOKEN", "os1")],
                Some(("os1", from("OS_AUTH_TOKEN"))),
            ),
            (
                None,
                &[("OS_AUTH_TOKEN", "os1")],
                Some(("os1", from("OS_AUTH_TOKEN"))),
            ),
            (
                None,
                &[("SDCONFORM_TOKEN", "sd1"), ("OS_AUTH_TOKEN", "os1")],
                Some(("sd1", from("SDCONFORM_TOKEN"))),
            ),
            (
                Some("flag"),
                &[("SDCONFORM_TOKEN", "sd1")],
                Some(("flag", TokenSource::Flag)),
            ),
            (
                Some(""),
                &[("SDCONFORM_TOKEN", ""), ("OS_AUTH_TOKEN", "os1")],
                Some(("os1", from("OS_AUTH_TOKEN"))),
            ),
        ];
        for (flag, vars, want) in table {
            let got = resolve_token(flag, env(vars));
            let want = want.map(|(value, source)| (value.to_owned(), source));
            assert_eq!(got, want, "{flag:?} {vars:?}");
        }
    }
}
