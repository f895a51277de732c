//! The status-code checks: SD-CODE-SET (the documented set) and the case's expected set.
//!
//! A code outside {200, 400, 401, 404, 500} is reported once, against
//! SD-CODE-SET; a documented code the case does not allow (e.g. 200 without a
//! token) is reported against the case's own clause (e.g. SD-CODE-401).

use super::{CheckOutcome, CheckRecord, Finding, Severity};

/// The return codes the document lists (SD-CODE-SET).
pub const DOCUMENTED: [u16; 5] = [200, 400, 401, 404, 500];

/// Clauses a documented answer at the endpoint's own path speaks for: the
/// endpoint exists (SD-URI-1) and takes the project id in its path (SD-URI-2).
pub const ENDPOINT_CLAUSES: [&str; 2] = ["SD-URI-1", "SD-URI-2"];

/// The endpoint's path template.
pub const ENDPOINT_PATH: &str = "/v1/{project_id}/software_deployments";

/// Records for [`ENDPOINT_CLAUSES`] from a case at the endpoint's path with a valid
/// token: pass when it got its expected 200, else not exercised (the status
/// finding already says what went wrong).
pub fn endpoint_records(
    path: &str,
    authenticated: bool,
    expected_200: bool,
    status: u16,
) -> Vec<CheckRecord> {
    if path != ENDPOINT_PATH || !authenticated || !expected_200 {
        return Vec::new();
    }
    ENDPOINT_CLAUSES
        .iter()
        .map(|clause| {
            if status == 200 {
                CheckRecord::new("status_code", clause, CheckOutcome::Pass)
            } else {
                CheckRecord::new("status_code", clause, CheckOutcome::NotExercised)
                    .with_note(format!("the endpoint answered {status}"))
            }
        })
        .collect()
}

/// Checks `status` against the documented set and the case's `allowed` set.
pub fn check(
    status: u16,
    allowed: &[u16],
    clause: &str,
    severity: Severity,
) -> (Vec<Finding>, Vec<CheckRecord>) {
    let list = |codes: &[u16]| {
        codes
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !DOCUMENTED.contains(&status) {
        let finding = Finding::new(
            "SD-CODE-SET",
            "status_code",
            "",
            format!("one of the documented codes {}", list(&DOCUMENTED)),
            status.to_string(),
            format!("status {status} is not a return code the contract documents"),
        );
        return (
            vec![finding],
            vec![
                CheckRecord::new("status_code", "SD-CODE-SET", CheckOutcome::Fail),
                CheckRecord::new("status_code", clause, CheckOutcome::NotExercised)
                    .with_note(format!("status {status} is undocumented")),
            ],
        );
    }
    let set = CheckRecord::new("status_code", "SD-CODE-SET", CheckOutcome::Pass);
    if allowed.contains(&status) {
        return (
            vec![],
            vec![
                set,
                CheckRecord::new("status_code", clause, CheckOutcome::Pass),
            ],
        );
    }
    let finding = Finding::new(
        clause,
        "status_code",
        "",
        list(allowed),
        status.to_string(),
        format!(
            "status {status} where the contract allows {}",
            list(allowed)
        ),
    )
    .with_severity(severity);
    (
        vec![finding],
        vec![
            set,
            CheckRecord::new("status_code", clause, CheckOutcome::Fail),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        // (status, allowed, clause, expected finding clause or None)
        let table: &[(u16, &[u16], &str, Option<&str>)] = &[
            (200, &[200], "SD-CODE-200", None),
            (404, &[200, 404], "SD-REQ-1", None),
            (401, &[401], "SD-CODE-401", None),
            (200, &[401], "SD-CODE-401", Some("SD-CODE-401")),
            (500, &[200], "SD-CODE-200", Some("SD-CODE-200")),
            (403, &[401], "SD-CODE-401", Some("SD-CODE-SET")),
            (422, &[200, 404], "SD-REQ-1", Some("SD-CODE-SET")),
            (503, &[200], "SD-CODE-200", Some("SD-CODE-SET")),
            (302, &[200], "SD-CODE-200", Some("SD-CODE-SET")),
        ];
        for (status, allowed, clause, want) in table {
            let (findings, records) = check(*status, allowed, clause, Severity::Must);
            assert_eq!(findings.len(), usize::from(want.is_some()), "{status}");
            if let Some(want) = want {
                assert_eq!(findings[0].clause, *want, "{status}");
                assert_eq!(findings[0].actual, status.to_string());
            }
            assert!(records.iter().any(|r| r.clause == "SD-CODE-SET"));
        }
    }

    #[test]
    fn severity_of_an_unexpected_status_follows_the_case() {
        let (findings, _) = check(400, &[404], "SD-CODE-404", Severity::Should);
        assert_eq!(findings[0].severity, Severity::Should);
    }
}
