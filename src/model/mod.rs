//! The shared vocabulary of a run: findings, severities, check records, case
//! results, exchange records and fuzz evidence.
//!
//! The leftmost module of the flow: it imports nothing of the crate, so every
//! other module can name these types without importing the module that
//! produces them (checks produce findings, the runner and the fuzz engine
//! produce case results, `report` gathers them). Plain data and the few pure
//! functions that keep it well-formed (truncation, terminal-safe text).

mod exchange;
mod exchange_line;
mod finding;
mod fuzz;
mod observation;
mod record;
mod recording;
mod result;
pub mod text;

pub use exchange::{RequestRecord, ResponseRecord};
pub use exchange_line::{
    Body, BodyContent, EXCHANGE_SCHEMA_VERSION, ExchangeLine, ResponseLine, Source, hex, sha256_hex,
};
pub use finding::{
    ACTUAL_MAX_CHARS, Capped, Finding, MAX_FINDINGS_PER_CHECK, Severity, Waived, truncate,
};
pub use fuzz::{FuzzEvidence, FuzzRun, PropertyUse, RegressionUse, StrategyUse};
pub use observation::Observation;
pub use record::{CheckOutcome, CheckRecord};
pub use recording::{
    RecordedBudget, RecordedFuzz, RecordedGate, RecordedSelection, RecordedTarget, RunEnd,
    RunEnding, RunHeader, RunSettings,
};
pub use result::{CaseResult, Outcome};
