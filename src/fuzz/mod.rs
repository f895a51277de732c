//! Property-based fuzzing of the `server_id` query parameter (GitHub issue 3).
//!
//! Example-based cases send a handful of chosen values; fuzzing sends thousands of generated
//! ones, checks each answer against the contract's properties, shrinks every failure to a
//! minimal input and says how to reproduce it. It runs as `sdconform fuzz`, and as the
//! `fuzz-server-id` trial of `sdconform run` (a smaller budget, so CI gating catches it).
//!
//! In the flow it stands right of the runner (in `run` it is one more
//! `runner::ExtraTrial`, its result going to the runner's collector) and left of
//! `report`, which gathers its case result like any other:
//!
//! ```text
//! app → engine::run ─┬─ baseline: the unfiltered list (server ids to mutate, the subset to compare)
//!                    ├─ replay: fuzz-regressions.json first
//!                    ├─ generation: strategy → (seeded proptest RNG) → input → probe ×2 → property
//!                    │   (pure), concurrently, --concurrency at a time
//!                    ├─ shrinking: the failures, afterwards, one request at a time
//!                    └─ assembly (pure)
//!        → CaseResult `fuzz-server-id` (findings with a `fuzz` object) → report.json
//! ```
//!
//! - [`input`]: what is sent, decoded and on the wire;
//! - [`strategy`]: the named generators;
//! - [`property`]: the properties, pure;
//! - [`shrink`]: from a failing input to a minimal one;
//! - [`engine`]: the phase end to end, in five steps that hand plain values on:
//!   `baseline`, `replay`, `generation`, `shrinking` and `assembly` (private), sending
//!   through `probe` and reporting through `evidence`;
//! - [`regression`]: the regressions file;
//! - [`recorded`]: the fuzz case re-judged from a recording (`recheck`);
//! - [`repro`]: the `curl` command of a finding;
//! - `model::fuzz`: what fuzzing adds to `report.json`.
//!
//! A fuzz finding in `report.json`:
//!
//! ```json
//! { "clause": "SD-CODE-200", "severity": "MUST", "check": "no_server_error", "actual": "500",
//!   "fuzz": { "property": "no-server-error", "strategy": "reserved-characters", "seed": 42,
//!             "minimal_input": "'", "wire_query": "server_id=%27",
//!             "repro": "curl -sS -g -H \"X-Auth-Token: $SDCONFORM_TOKEN\" 'http://…/software_deployments?server_id=%27'" } }
//! ```

mod assembly;
mod baseline;
pub mod engine;
mod evidence;
mod generation;
pub mod input;
mod observed;
mod probe;
pub mod property;
pub mod recorded;
pub mod regression;
mod replay;
pub mod repro;
pub mod shrink;
mod shrinking;
pub mod strategy;

pub use crate::model::{FuzzEvidence, FuzzRun};
pub use engine::{
    CASE_ID, DEFAULT_CASES, DEFAULT_CONCURRENCY, DEFAULT_RUN_CASES, FuzzOutcome, Progress,
    Settings, ShrinkLimits, Silent, random_seed, run, trial,
};
pub use input::{Input, Value};
pub use property::Property;
pub use regression::{Regression, RegressionError};
