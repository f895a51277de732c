//! A finding: one observed deviation from one contract clause.
//!
//! Findings are data, not errors: a check that sees a violation returns a
//! [`Finding`]; only harness problems are `Err`. Example, as it appears in
//! `report.json`:
//!
//! ```json
//! { "clause": "SD-RESP-9", "severity": "MUST", "check": "status_enum",
//!   "pointer": "/software_deployments/0/status",
//!   "expected": "one of COMPLETE, IN_PROGRESS, FAILED", "actual": "\"DONE\"",
//!   "message": "status is not in the closed enum", "accepted_by": [] }
//! ```

use serde::{Deserialize, Serialize};

/// How strongly the contract asks for what a check verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// A requirement: a violation makes the target non-conformant.
    #[serde(rename = "MUST")]
    Must,
    /// A recommendation: a violation is reported but does not fail the run.
    #[serde(rename = "SHOULD")]
    Should,
}

impl Severity {
    /// The spelling used in reports and case files.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Must => "MUST",
            Severity::Should => "SHOULD",
        }
    }
}

/// Longest `actual` excerpt kept in a finding, in characters.
pub const ACTUAL_MAX_CHARS: usize = 300;

/// One deviation from one clause, with the evidence that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Contract clause id, e.g. `SD-RESP-4`.
    pub clause: String,
    /// MUST or SHOULD.
    pub severity: Severity,
    /// Name of the check that produced it, e.g. `timestamp`.
    pub check: String,
    /// JSON pointer into the response body ("" for the whole body or non-body evidence).
    pub pointer: String,
    /// What the contract asks for.
    pub expected: String,
    /// What the target sent, truncated to [`ACTUAL_MAX_CHARS`].
    pub actual: String,
    /// One sentence for a human.
    pub message: String,
    /// Other profiles under which this would not be a finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_by: Vec<String>,
    /// The waiver that excuses this finding, set by the report builder (never by a check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waived>,
    /// For a fuzz finding: the minimal input, the seed and how to reproduce it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzz: Option<Box<super::fuzz::FuzzEvidence>>,
}

/// Why a finding does not count against the verdict: an unexpired waiver matched it.
///
/// ```json
/// { "reason": "upstream bug #123, fixed in the next release", "expires": "2026-06-30" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waived {
    /// The waiver's reason, as written in the waivers file.
    pub reason: String,
    /// The last day (`YYYY-MM-DD`, inclusive) the waiver applies.
    pub expires: String,
}

impl Finding {
    /// A MUST finding; adjust with [`Finding::with_severity`].
    pub fn new(
        clause: &str,
        check: &str,
        pointer: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            clause: clause.to_owned(),
            severity: Severity::Must,
            check: check.to_owned(),
            pointer: pointer.into(),
            expected: expected.into(),
            actual: truncate(&actual.into(), ACTUAL_MAX_CHARS),
            message: message.into(),
            accepted_by: Vec::new(),
            waived: None,
            fuzz: None,
        }
    }

    /// The same finding with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Where the finding is and what it says, on one line, naming the pointer
    /// once: `at /software_deployments/0/id: id is not a UUID`; the message alone
    /// when it already starts with the pointer, or when the finding is about the
    /// whole response (an empty pointer, never shown as `at ""`).
    pub fn located(&self) -> String {
        if self.pointer.is_empty() || self.message.starts_with(&self.pointer) {
            self.message.clone()
        } else {
            format!("at {}: {}", self.pointer, self.message)
        }
    }
}

/// Most findings one check keeps for one response; the rest are counted. A
/// list of a million bad items must not become a million findings in memory.
pub const MAX_FINDINGS_PER_CHECK: usize = 100;

/// The findings of one check, kept up to [`MAX_FINDINGS_PER_CHECK`], the rest counted.
#[derive(Debug, Default)]
pub struct Capped {
    kept: Vec<Finding>,
    omitted: usize,
}

impl Capped {
    /// Keeps `finding`, or counts it once the cap is reached.
    pub fn push(&mut self, finding: Finding) {
        if self.kept.len() < MAX_FINDINGS_PER_CHECK {
            self.kept.push(finding);
        } else {
            self.omitted += 1;
        }
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The kept findings, and a note on the omitted ones (if any).
    pub fn into_parts(self) -> (Vec<Finding>, Option<String>) {
        let note = (self.omitted > 0)
            .then(|| format!("{} more finding(s) of this check omitted", self.omitted));
        (self.kept, note)
    }
}

/// Cut `text` to at most `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((byte, _)) => format!("{}… ({} more bytes)", &text[..byte], text.len() - byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10 item 19: the pointer once, and no `at ""`.
    #[test]
    fn located_names_the_pointer_once() {
        let at = |pointer: &str, message: &str| {
            Finding::new("SD-RESP-9", "c", pointer, "", "", message).located()
        };
        assert_eq!(
            at(
                "/software_deployments/0/status",
                "/software_deployments/0/status: \"DONE\" is not one of"
            ),
            "/software_deployments/0/status: \"DONE\" is not one of"
        );
        assert_eq!(
            at("/software_deployments/0", "updated before created"),
            "at /software_deployments/0: updated before created"
        );
        assert_eq!(
            at("", "status 200 where the contract allows 404"),
            "status 200 where the contract allows 404"
        );
    }

    #[test]
    fn truncate_keeps_short_text_and_marks_long_text() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 3), "abc… (3 more bytes)");
        // Never splits a multi-byte character.
        assert_eq!(truncate("ééé", 1), "é… (4 more bytes)");
    }
}
