//! The two lines of `exchanges.ndjson` that are not exchanges: the first says
//! what the run was (everything `recheck` needs besides the exchanges and the
//! inputs it is given), the last how it ended. With them a report can be
//! re-derived from the file alone, `report.json` deleted.
//!
//! ```json
//! {"schema_version":"1.0","run":{"command":"run","tool":"sdconform 0.1.0",
//!  "started_at":"2026-01-31T15:12:36Z","target":{"url":"http://127.0.0.1:8004",
//!  "project_id":"95d0...","embedded":true,"insecure":false,"authenticated":true},
//!  "profile":"documented","clock_skew_ms":60000,"contract_source":"embedded",
//!  "cases_source":"embedded","waivers":null,"gate":{"fail_on":"must","strict_waivers":false},
//!  "formats":["json","junit","md","html"],"selection":{"filter":null,"skip":[],"exact":false},
//!  "fuzz":{"seed":7,"cases":256,"concurrency":8,"time_limit_ms":null,
//!          "regressions_file":"reports/fuzz-regressions.json","regressions":0},
//!  "record":{"budget":67108864,"redact_fields":[]}}}
//! ... one line per exchange ...
//! {"schema_version":"1.0","end":{"finished_at":"2026-01-31T15:12:41Z","duration_ms":5012,
//!  "exchanges":530,"interrupted":null,"tls_certificate_sha256":null}}
//! ```

use serde::{Deserialize, Serialize};

/// The first line: `{"schema_version": "1.0", "run": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunHeader {
    /// [`super::EXCHANGE_SCHEMA_VERSION`].
    pub schema_version: String,
    /// What the run was.
    pub run: RunSettings,
}

/// What a run was: its command, target, settings and inputs, as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// `run` or `fuzz`.
    pub command: String,
    /// `sdconform` and its version.
    pub tool: String,
    /// When the run started (RFC 3339, the report's `started_at`).
    pub started_at: String,
    /// The target.
    pub target: RecordedTarget,
    /// `strict`, `documented` or `lenient`.
    pub profile: String,
    /// `--clock-skew`, in milliseconds.
    pub clock_skew_ms: u64,
    /// `embedded` or the `--schemas` directory, as given.
    pub contract_source: String,
    /// `embedded`, the `--cases` directory as given, or `none (sdconform fuzz)`.
    pub cases_source: String,
    /// The `--waivers` file as given, if any.
    pub waivers: Option<String>,
    /// `--fail-on` and `--strict-waivers`.
    pub gate: RecordedGate,
    /// The report formats written (`json`, `junit`, `md`, `html`).
    pub formats: Vec<String>,
    /// Which trials ran (`FILTER`, `--skip`, `--exact`).
    pub selection: RecordedSelection,
    /// The fuzz phase, when there was one.
    pub fuzz: Option<RecordedFuzz>,
    /// What the recording kept.
    pub record: RecordedBudget,
}

/// The target, as the report names it (never the token, nor the URL's `user:password@`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedTarget {
    /// The base URL.
    pub url: String,
    /// The project id of the path.
    pub project_id: String,
    /// The embedded reference target.
    pub embedded: bool,
    /// `--insecure` over https.
    pub insecure: bool,
    /// Whether requests carried a token (the fuzz properties expect 401 without one).
    pub authenticated: bool,
}

/// `--fail-on` and `--strict-waivers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedGate {
    /// `must` or `should`.
    pub fail_on: String,
    /// Whether a stale waiver fails the run.
    pub strict_waivers: bool,
    /// `--allow-empty`: a campaign that validated no response item is conformant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_empty: bool,
}

/// The trial filters of `run`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedSelection {
    /// `FILTER`.
    pub filter: Option<String>,
    /// `--skip`.
    pub skip: Vec<String>,
    /// `--exact`.
    pub exact: bool,
}

/// The fuzz phase's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedFuzz {
    /// The seed.
    pub seed: u64,
    /// Cases asked for.
    pub cases: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// `--time-limit`, in milliseconds.
    pub time_limit_ms: Option<u64>,
    /// The regressions file, as given.
    pub regressions_file: Option<String>,
    /// Entries of it replayed first.
    pub regressions: usize,
}

/// `--record-bytes` and `--redact-field`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedBudget {
    /// Bytes of bodies recorded at most.
    pub budget: u64,
    /// The `--redact-field` patterns.
    pub redact_fields: Vec<String>,
}

/// The last line: `{"schema_version": "1.0", "end": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunEnd {
    /// [`super::EXCHANGE_SCHEMA_VERSION`].
    pub schema_version: String,
    /// How the run ended.
    pub end: RunEnding,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunEnding {
    /// When it finished (RFC 3339, the report's `finished_at`).
    pub finished_at: String,
    /// Its wall time (the report's `duration_ms`).
    pub duration_ms: u64,
    /// Exchanges recorded.
    pub exchanges: u64,
    /// The signal that interrupted it (`SIGINT`, `SIGTERM`), if one did.
    pub interrupted: Option<String>,
    /// SHA-256 of the target's TLS certificate (DER), when it was https.
    pub tls_certificate_sha256: Option<String>,
}
