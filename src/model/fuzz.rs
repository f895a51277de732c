//! What fuzzing adds to `report.json`: a `fuzz` object on each fuzz finding (the minimal
//! input and how to reproduce it) and one on the fuzz case (the run's seed, strategies,
//! properties and regressions).
//!
//! A finding of the `fuzz-server-id` case:
//!
//! ```json
//! { "clause": "SD-CODE-200", "severity": "MUST", "check": "no_server_error",
//!   "expected": "a well-formed request must succeed: 200 (or 400/404 where the contract allows)",
//!   "actual": "500", "message": "server_id=\"'\" is a well-formed request ..., answered 500",
//!   "fuzz": {
//!     "property": "no-server-error", "strategy": "reserved-characters", "seed": 42,
//!     "origin": "generated", "minimal_input": "'", "shape": "single", "utf8": true,
//!     "wire_query": "server_id=%27", "original_input": "a'#%x", "shrink_steps": 9,
//!     "repro": "curl -sS -g -H \"X-Auth-Token: $SDCONFORM_TOKEN\" 'http://127.0.0.1:8004/v1/95d0.../software_deployments?server_id=%27'" } }
//! ```

use serde::{Deserialize, Serialize};

/// How a fuzz finding was found and how to reproduce it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuzzEvidence {
    /// The property broken, e.g. `no-server-error`.
    pub property: String,
    /// The strategy that generated the input (for a replayed regression: the one that first did).
    pub strategy: String,
    /// The seed of the run that generated it.
    pub seed: u64,
    /// `generated` by this run, or replayed from the regressions file (`regression`).
    pub origin: String,
    /// The decoded `server_id` after shrinking (lossy when not UTF-8; the first value when
    /// repeated; empty when there is no value).
    pub minimal_input: String,
    /// `single`, `repeated` or `no_value`.
    pub shape: String,
    /// Whether the value decodes to UTF-8.
    pub utf8: bool,
    /// The query exactly as sent, e.g. `server_id=%27`.
    pub wire_query: String,
    /// The input as first generated, before shrinking (truncated).
    pub original_input: String,
    /// Inputs tried while shrinking.
    pub shrink_steps: u32,
    /// A one-line `curl` command that sends the same request, the token as `$SDCONFORM_TOKEN`.
    pub repro: String,
}

/// What the fuzz phase did, on the `fuzz-server-id` case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuzzRun {
    /// The seed (`--seed` replays the run against a target that behaves the same).
    pub seed: u64,
    /// Cases asked for.
    pub cases_requested: u64,
    /// Cases generated and sent.
    pub cases: u64,
    /// HTTP requests sent by the generated cases (each is sent twice).
    pub requests: u64,
    /// Requests sent while shrinking.
    pub shrink_requests: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Wall time of the generated cases, in milliseconds.
    pub duration_ms: u64,
    /// Validated requests per second over the generated cases.
    pub requests_per_second: f64,
    /// True when `--time-limit` stopped generation before `cases_requested`.
    pub stopped_by_time_limit: bool,
    /// Distinct server ids found in the unfiltered list.
    pub known_server_ids: usize,
    /// Every strategy, with how many cases it generated.
    pub strategies: Vec<StrategyUse>,
    /// Every property, with how many inputs it checked and how many broke it.
    pub properties: Vec<PropertyUse>,
    /// The regressions file: replayed entries and entries added.
    pub regressions: RegressionUse,
}

/// One strategy of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrategyUse {
    /// Its name.
    pub name: String,
    /// What it generates.
    pub description: String,
    /// Cases it generated.
    pub cases: u64,
}

/// One property of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyUse {
    /// Its name.
    pub name: String,
    /// The clause it cites.
    pub clause: String,
    /// `MUST` or `SHOULD`.
    pub severity: String,
    /// What it asserts.
    pub description: String,
    /// Inputs it had something to check in.
    pub checked: u64,
    /// Inputs that broke it (before shrinking and de-duplication).
    pub violations: u64,
}

/// The regressions file's part in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegressionUse {
    /// Where it is (absent: none was used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Entries replayed before generating.
    pub replayed: usize,
    /// Entries that still fail.
    pub still_failing: usize,
    /// New minimal failures this run adds.
    pub added: usize,
}
