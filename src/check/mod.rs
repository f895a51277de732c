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
mod finding;
pub mod list;
mod observation;
pub mod order;
mod record;
pub mod status;
pub mod timestamp;
pub mod unique;
pub mod uuid;

pub use evaluate::{Evaluation, Input, evaluate, evaluate_cut};
pub use finding::{
    ACTUAL_MAX_CHARS, Capped, Finding, MAX_FINDINGS_PER_CHECK, Severity, Waived, truncate,
};
pub use observation::Observation;
pub use record::{CheckOutcome, CheckRecord};
