//! What a check concluded about one clause in one case: the unit of clause coverage.

use serde::{Deserialize, Serialize};

/// The outcome of one check for one clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The clause was exercised and held.
    Pass,
    /// At least one finding cites the clause.
    Fail,
    /// The clause could not be exercised: there was no data (an empty list, a missing capture).
    NotExercised,
    /// The target chose another reading the contract allows (e.g. 404 instead of an empty list).
    NotApplicable,
}

/// One check's verdict on one clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// Check name, e.g. `filter_exact`.
    pub check: String,
    /// The clause it speaks for.
    pub clause: String,
    /// What it concluded.
    pub outcome: CheckOutcome,
    /// Why it was not exercised or not applicable, or what it saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CheckRecord {
    /// A record without a note.
    pub fn new(check: &str, clause: &str, outcome: CheckOutcome) -> Self {
        CheckRecord {
            check: check.to_owned(),
            clause: clause.to_owned(),
            outcome,
            note: None,
        }
    }

    /// The same record with a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}
