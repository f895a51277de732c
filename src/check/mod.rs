//! Checks: pure functions from an exchange to findings, each citing a clause.
//!
//! Sits between `http` (which produced the exchange) and the runner's
//! collector. Nothing here does I/O. `evaluate` runs a case's checks in order;
//! each other file is one named check (or, for `timestamp` and `uuid`, the
//! format it asserts through the schema).

pub mod body;
pub mod collation;
pub mod evaluate;
pub mod filter;
pub mod ids;
pub mod list;
pub mod order;
pub mod scope;
pub mod status;
pub mod unique;

pub use crate::contract::{timestamp, uuid};
pub use crate::model::{
    ACTUAL_MAX_CHARS, Capped, CheckOutcome, CheckRecord, Finding, MAX_FINDINGS_PER_CHECK,
    Observation, Severity, Waived, truncate,
};
pub use evaluate::{Evaluation, Input, evaluate, evaluate_cut, evaluate_without_body};
