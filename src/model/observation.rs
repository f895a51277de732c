//! An observation: what the target does where the profile accepts it but a stricter
//! profile would not. Recorded in `report.json` (`cases[].observations`), never counted
//! against the verdict. Example, as a `lenient` run records a collation-style filter:
//!
//! ```json
//! { "clause": "SD-REQ-1", "check": "filter_exact",
//!   "pointer": "/software_deployments/0/server_id",
//!   "expected": "\"EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5\" (the filter, exactly)",
//!   "actual": "\"ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5\"",
//!   "message": "3 item(s) ...: the filter matches as a case-, space- and accent-insensitive collation does ...",
//!   "finding_under": ["strict", "documented"] }
//! ```

use serde::{Deserialize, Serialize};

use super::finding::Finding;

/// One accepted deviation from the literal reading of one clause, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// Contract clause id, e.g. `SD-REQ-1`.
    pub clause: String,
    /// Name of the check that saw it, e.g. `filter_exact`.
    pub check: String,
    /// JSON pointer into the response body ("" for the whole response).
    pub pointer: String,
    /// What the literal reading asks for.
    pub expected: String,
    /// What the target sent, truncated to [`super::ACTUAL_MAX_CHARS`].
    pub actual: String,
    /// One sentence for a human.
    pub message: String,
    /// The profiles under which this would be a finding.
    #[serde(default)]
    pub finding_under: Vec<String>,
}

impl Observation {
    /// An observation of `clause` by `check`: what a finding would say, kept as an observation.
    pub fn new(
        clause: &str,
        check: &str,
        pointer: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding::new(clause, check, pointer, expected, actual, message).into()
    }

    /// The same observation, naming the profiles under which it would be a finding.
    pub fn finding_under(mut self, profiles: &[&str]) -> Self {
        self.finding_under = profiles.iter().map(|p| (*p).to_owned()).collect();
        self
    }
}

impl From<Finding> for Observation {
    /// The finding's evidence, as an observation (its severity and waiver do not apply).
    fn from(finding: Finding) -> Self {
        Observation {
            clause: finding.clause,
            check: finding.check,
            pointer: finding.pointer,
            expected: finding.expected,
            actual: finding.actual,
            message: finding.message,
            finding_under: Vec::new(),
        }
    }
}
