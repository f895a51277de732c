//! The status-code checks: SD-CODE-SET (the documented set) and the case's expected set.
//!
//! A code outside {200, 400, 401, 404, 500} is reported once, against
//! SD-CODE-SET; a documented code the case does not allow (e.g. 200 without a
//! token) is reported against the case's own clause (e.g. SD-CODE-401).
//!
//! A case may name undocumented codes the `lenient` profile accepts
//! (`expect.lenient_status`, e.g. the 403 Heat answers a token of another project):
//! under `lenient` such a code is an observation, under `strict` and `documented`
//! still an SD-CODE-SET finding, which says that `lenient` accepts it.

use super::{CheckOutcome, CheckRecord, Finding, Observation, Severity};
use crate::case::{Expect, Tolerance};
use crate::contract::Profile;

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

/// Checks `status` against the documented set and what the case expects, under
/// `profile` (which decides what becomes of the case's `lenient_status` codes).
pub fn check_expect(
    status: u16,
    expect: &Expect,
    profile: Profile,
) -> (Vec<Finding>, Vec<CheckRecord>, Vec<Observation>) {
    let (mut findings, records) = check(status, &expect.status, &expect.clause, expect.severity);
    if !expect.lenient_status.contains(&status) || DOCUMENTED.contains(&status) {
        return (findings, records, Vec::new());
    }
    let accepted = format!(
        "status {status} is not a return code the contract documents; common implementations answer it here, and the lenient profile accepts it"
    );
    if profile == Profile::Lenient {
        let observation = Observation::new(
            "SD-CODE-SET",
            "status_code",
            "",
            format!("one of the documented codes {}", list(&DOCUMENTED)),
            status.to_string(),
            accepted,
        )
        .finding_under(&[Profile::Strict.as_str(), Profile::Documented.as_str()]);
        let records = vec![
            CheckRecord::new("status_code", "SD-CODE-SET", CheckOutcome::Pass)
                .with_note(format!("status {status} accepted by the lenient profile")),
            CheckRecord::new("status_code", &expect.clause, CheckOutcome::Pass),
        ];
        return (Vec::new(), records, vec![observation]);
    }
    for finding in findings.iter_mut().filter(|f| f.clause == "SD-CODE-SET") {
        finding.message = accepted.clone();
        finding.accepted_by = vec![Profile::Lenient.as_str().to_owned()];
    }
    (findings, records, Vec::new())
}

/// The codes, comma-separated.
fn list(codes: &[u16]) -> String {
    codes
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks `status` against the documented set and the case's `allowed` set.
pub fn check(
    status: u16,
    allowed: &[u16],
    clause: &str,
    severity: Severity,
) -> (Vec<Finding>, Vec<CheckRecord>) {
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

/// Whether `status` is an answer `expect` allows (a documented one it lists, or an
/// undocumented one it tolerates under some profile): then the 200-body checks do
/// not apply, rather than go without data.
pub fn allowed(status: u16, expect: &Expect) -> bool {
    expect.status.contains(&status) || tolerated(status, expect).is_some()
}

/// How `expect` reads `status`, if it is an undocumented status the case tolerates.
fn tolerated(status: u16, expect: &Expect) -> Option<&crate::case::Tolerated> {
    expect
        .tolerate
        .iter()
        .find(|t| t.status == status && !DOCUMENTED.contains(&status))
}

/// [`check`] for a case's `expect` under `profile`: an undocumented status the case
/// tolerates is what the profile reads it as (an SD-CODE-SET finding of its severity
/// that names the profiles accepting it, or accepted with a note), and the case's own
/// clause holds (a refusal lists nothing). Returns the findings, the records and the note.
pub fn check_expected(
    status: u16,
    expect: &Expect,
    profile: Profile,
) -> (Vec<Finding>, Vec<CheckRecord>, Option<String>) {
    let Some(tolerated) = tolerated(status, expect) else {
        let (findings, records) = check(status, &expect.status, &expect.clause, expect.severity);
        return (findings, records, None);
    };
    let reason = &tolerated.reason;
    let own = CheckRecord::new("status_code", &expect.clause, CheckOutcome::Pass)
        .with_note(format!("status {status}: {reason}"));
    let severity = match tolerated.under(profile) {
        Tolerance::Accept => {
            let note = format!(
                "the target answered {status}, not a documented code; the {profile} profile accepts it for this case: {reason}"
            );
            let set = CheckRecord::new("status_code", "SD-CODE-SET", CheckOutcome::NotApplicable)
                .with_note(note.clone());
            return (Vec::new(), vec![set, own], Some(note));
        }
        Tolerance::Should => Severity::Should,
        Tolerance::Must => Severity::Must,
    };
    let mut finding = Finding::new(
        "SD-CODE-SET",
        "status_code",
        "",
        format!("one of the documented codes {}", join(&DOCUMENTED)),
        status.to_string(),
        format!("status {status} is not a return code the contract documents ({reason})"),
    )
    .with_severity(severity);
    finding.accepted_by = Profile::ALL
        .into_iter()
        .filter(|p| tolerated.under(*p) == Tolerance::Accept)
        .map(|p| p.as_str().to_owned())
        .collect();
    (
        vec![finding],
        vec![
            CheckRecord::new("status_code", "SD-CODE-SET", CheckOutcome::Fail),
            own,
        ],
        None,
    )
}

/// `200, 400, 401`.
fn join(codes: &[u16]) -> String {
    codes
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10 item 12: another project's path answered 403 is an SD-CODE-SET MUST
    /// finding under strict, SHOULD under documented (naming lenient, which accepts
    /// it), accepted with a note under lenient; 422 is tolerated nowhere.
    #[test]
    fn a_tolerated_status_is_what_the_profile_reads_it_as() {
        let expect: Expect = serde_json::from_value(serde_json::json!({
            "status": [200, 401, 404], "clause": "SD-URI-2",
            "tolerate": [ { "status": 403, "documented": "SHOULD", "lenient": "accept", "reason": "Heat does" } ]
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let severities = |status: u16, profile: Profile| {
            let (findings, records, note) = check_expected(status, &expect, profile);
            assert!(records.iter().any(|r| r.clause == "SD-CODE-SET"));
            let found: Vec<(String, Severity, Vec<String>)> = findings
                .into_iter()
                .map(|f| (f.clause, f.severity, f.accepted_by))
                .collect();
            (found, note.is_some())
        };
        let lenient = vec!["lenient".to_owned()];
        assert_eq!(
            severities(403, Profile::Strict),
            (
                vec![("SD-CODE-SET".to_owned(), Severity::Must, lenient.clone())],
                false
            )
        );
        assert_eq!(
            severities(403, Profile::Documented),
            (
                vec![("SD-CODE-SET".to_owned(), Severity::Should, lenient)],
                false
            )
        );
        assert_eq!(severities(403, Profile::Lenient), (vec![], true));
        for profile in Profile::ALL {
            let (found, _) = severities(422, profile);
            assert_eq!(found.len(), 1);
            assert_eq!(
                (found[0].0.as_str(), found[0].1),
                ("SD-CODE-SET", Severity::Must)
            );
            assert_eq!(severities(404, profile), (vec![], false));
            assert_eq!(severities(500, profile).0[0].0, "SD-URI-2");
        }
        assert!(allowed(403, &expect) && allowed(404, &expect) && !allowed(422, &expect));
    }

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

    /// Issue 11 section 3: an undocumented code the case names in `lenient_status` is an
    /// observation under lenient, and still SD-CODE-SET (saying lenient accepts it) under
    /// strict and documented; a code the case does not name is SD-CODE-SET everywhere.
    #[test]
    fn lenient_status_is_accepted_only_under_lenient() {
        let expect: Expect = serde_json::from_value(serde_json::json!({
            "status": [401, 404], "clause": "SD-URI-2", "lenient_status": [403]
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        for profile in Profile::ALL {
            let (findings, records, observations) = check_expect(403, &expect, profile);
            let lenient = profile == Profile::Lenient;
            assert_eq!(findings.is_empty(), lenient, "{profile}");
            assert_eq!(observations.len(), usize::from(lenient), "{profile}");
            if lenient {
                assert_eq!(observations[0].clause, "SD-CODE-SET");
                assert_eq!(observations[0].finding_under, ["strict", "documented"]);
                assert!(records.iter().all(|r| r.outcome == CheckOutcome::Pass));
            } else {
                assert_eq!(findings[0].clause, "SD-CODE-SET", "{profile}");
                assert_eq!(findings[0].severity, Severity::Must, "{profile}");
                assert_eq!(findings[0].accepted_by, ["lenient"], "{profile}");
                assert!(findings[0].message.contains("lenient profile accepts"));
            }
            let (findings, _, observations) = check_expect(418, &expect, profile);
            assert_eq!(findings[0].clause, "SD-CODE-SET", "{profile}");
            assert!(findings[0].accepted_by.is_empty() && observations.is_empty());
            let (findings, _, _) = check_expect(404, &expect, profile);
            assert!(findings.is_empty(), "{profile}");
        }
    }

    #[test]
    fn severity_of_an_unexpected_status_follows_the_case() {
        let (findings, _) = check(400, &[404], "SD-CODE-404", Severity::Should);
        assert_eq!(findings[0].severity, Severity::Should);
    }
}
