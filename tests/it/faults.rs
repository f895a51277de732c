//! The clean reference is conformant with zero findings under every profile (fuzz phase
//! included); each fault makes exactly its clause fail, under exactly the profiles it breaks.
//! The per-fault runs test the example-based suite (`--fuzz-cases 0`): faults only fuzzing
//! can find are shown to escape it here, and to be found in `fuzz.rs`; faults only a run with
//! identity credentials can find (issued tokens, a second project) escape it too, and
//! `keystone.rs` shows the reference really breaks.

use sdconform::check::Severity;
use sdconform::reference::{Detection, Fault};

use serde_json::Value;

use crate::support::{Reference, assert_valid_report, findings, run_against};

const PROFILES: [&str; 3] = ["strict", "documented", "lenient"];

#[test]
fn clean_reference_is_conformant_with_zero_findings_under_every_profile() {
    let reference = Reference::start(None);
    for profile in PROFILES {
        // The fuzz phase runs too (256 cases), with a fixed seed to keep failures reproducible.
        let run = run_against(&reference.url(), &["--profile", profile, "--seed", "11"]);
        let report = run.report.expect("report written");
        assert_valid_report(&report);
        assert_eq!(run.code, 0, "{profile}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(report["verdict"], "conformant", "{profile}");
        assert_eq!(report["vacuous"], false, "{profile}");
        assert_eq!(findings(&report), vec![], "{profile}");
        assert_eq!(observations(&report), vec![], "{profile}");
        assert_eq!(report["profile"]["name"], profile);
        // Every case passes but those that need fixtures (issue 11), which are skipped.
        let counts = &report["summary"]["cases"];
        assert_eq!(counts["skipped"], 9, "{profile}");
        assert_eq!(
            counts["pass"].as_u64().unwrap_or_default() + 9,
            counts["total"].as_u64().unwrap_or_default(),
            "{profile}"
        );
        // Every clause the shipped cases can reach is exercised and passes.
        for clause in report["clauses"].as_array().into_iter().flatten() {
            let id = clause["id"].as_str().unwrap_or_default();
            let want = if ["SD-CODE-400", "SD-CODE-500"].contains(&id) {
                "not_covered"
            } else {
                "pass"
            };
            assert_eq!(clause["outcome"], want, "{profile} {id}");
        }
    }
}

/// Every observation of a report: (case, clause).
fn observations(report: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for case in report["cases"].as_array().into_iter().flatten() {
        for o in case["observations"].as_array().into_iter().flatten() {
            out.push((
                case["id"].as_str().unwrap_or_default().to_owned(),
                o["clause"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    out
}

#[test]
fn every_fault_fails_exactly_its_clause_and_nothing_else() {
    let mut checked = 0;
    for &fault in Fault::ALL {
        let Some(breaks) = fault.breaks() else {
            continue;
        };
        let reference = Reference::start(Some(fault));
        for profile in PROFILES {
            let run = run_against(
                &reference.url(),
                &[
                    "--profile",
                    profile,
                    "--test-threads",
                    "2",
                    "--fuzz-cases",
                    "0",
                ],
            );
            let report = run
                .report
                .unwrap_or_else(|| panic!("{}: no report\n{}", fault.name(), run.stderr));
            assert_valid_report(&report);
            let found = findings(&report);
            let observed = observations(&report);
            let context = format!(
                "fault {} under {profile}: {found:?} {observed:?}\n{}",
                fault.name(),
                run.stdout
            );
            let suite = breaks.detected_by == Detection::Suite;
            // Observations: only where the profile accepts the fault as one, only its clause.
            if suite && breaks.observed_under(profile) {
                assert!(!observed.is_empty(), "no observation: {context}");
                assert!(
                    observed.iter().all(|(_, clause)| clause == breaks.clause),
                    "unrelated observation: {context}"
                );
                assert_eq!(
                    report["summary"]["observations"],
                    observed.len(),
                    "{context}"
                );
                assert!(run.stdout.contains("observations: "), "{context}");
            } else {
                assert_eq!(observed, vec![], "{context}");
            }
            let Some(severity) = breaks.severity_under(profile).filter(|_| suite) else {
                assert_eq!(found, vec![], "{context}");
                assert_eq!(run.code, 0, "{context}");
                assert_eq!(report["verdict"], "conformant", "{context}");
                continue;
            };
            assert!(!found.is_empty(), "no finding: {context}");
            assert!(
                found.iter().all(|(_, clause, _)| clause == breaks.clause),
                "unrelated clause: {context}"
            );
            assert!(
                found.iter().all(|(_, _, s)| s == severity.as_str()),
                "severity: {context}"
            );
            match severity {
                Severity::Must => {
                    assert_eq!(run.code, 1, "{context}");
                    assert_eq!(report["verdict"], "non-conformant", "{context}");
                    assert_eq!(
                        report["summary"]["failing_clauses"],
                        serde_json::json!([breaks.clause]),
                        "{context}"
                    );
                    assert!(
                        run.stdout.contains(breaks.clause),
                        "summary names the clause: {context}"
                    );
                }
                Severity::Should => {
                    assert_eq!(run.code, 0, "{context}");
                    assert_eq!(report["verdict"], "conformant", "{context}");
                    assert_eq!(
                        report["summary"]["warning_clauses"],
                        serde_json::json!([breaks.clause]),
                        "{context}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} fault runs");
}

/// Issue 10 item 13: the clock-skew rule decides the severity of an update before its
/// creation, under every profile, whatever a case file says; `--clock-skew` moves the line
/// (seconds or a humantime duration); a bad value is a usage error.
#[test]
fn clock_skew_decides_the_severity_of_an_update_before_its_creation() {
    let beyond = Reference::start(Some(Fault::UpdatedBeforeCreated));
    let within = Reference::start(Some(Fault::UpdatedBeforeCreatedWithinSkew));
    // (target, --clock-skew, expected severity): 72 min and 30 s early.
    let table: [(&Reference, Option<&str>, &str); 6] = [
        (&beyond, None, "MUST"),
        (&within, None, "SHOULD"),
        (&within, Some("0"), "MUST"),
        (&within, Some("29s"), "MUST"),
        (&beyond, Some("2h"), "SHOULD"),
        (&beyond, Some("4356"), "SHOULD"),
    ];
    for (reference, skew, want) in table {
        for profile in PROFILES {
            let mut args = vec!["--profile", profile, "--fuzz-cases", "0"];
            if let Some(skew) = skew {
                args.extend(["--clock-skew", skew]);
            }
            let run = run_against(&reference.url(), &args);
            let report = run.report.expect("report");
            assert_valid_report(&report);
            let found = findings(&report);
            let context = format!("{skew:?} {profile}: {found:?}\n{}", run.stdout);
            assert!(!found.is_empty(), "{context}");
            assert!(
                found
                    .iter()
                    .all(|(_, clause, severity)| clause == "SD-RESP-11" && severity == want),
                "{context}"
            );
            assert_eq!(run.code, i32::from(want == "MUST"), "{context}");
        }
    }
    // A case that asks for another severity does not get it.
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).expect("mkdir");
    std::fs::write(
        cases.join("order.json"),
        r#"{ "cases": [ {
            "id": "list-all", "title": "The unfiltered list", "clauses": ["SD-RESP-11"],
            "request": { "path": "/v1/{project_id}/software_deployments" },
            "expect": { "status": [200], "clause": "SD-CODE-200" },
            "checks": [ { "check": "timestamp_order", "severity": "MUST" } ] } ] }"#,
    )
    .expect("write");
    let cases_dir = cases.to_string_lossy().into_owned();
    let run = run_against(&within.url(), &["--cases", &cases_dir, "--fuzz-cases", "0"]);
    let report = run.report.expect("report");
    assert_eq!(
        findings(&report),
        vec![(
            "list-all".to_owned(),
            "SD-RESP-11".to_owned(),
            "SHOULD".to_owned()
        )],
        "{}",
        run.stdout
    );
    for bad in ["-1", "soon", "NaN"] {
        let flag = format!("--clock-skew={bad}");
        let run = run_against(&within.url(), &[flag.as_str()]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("--clock-skew"), "{bad}: {}", run.stderr);
    }
}

/// Issue 10 item 16: a target that matches as MariaDB's utf8_general_ci does (letter case,
/// trailing spaces, accents) gets a SHOULD finding under documented, an observation under
/// lenient, a MUST finding under strict; one that only ignores ASCII case matches nothing
/// for such a filter, and is not blamed for it.
#[test]
fn a_collation_style_filter_is_a_should_an_observation_or_a_must_by_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).expect("mkdir");
    std::fs::write(
        cases.join("collation.json"),
        r#"{ "cases": [
          { "id": "list-all", "title": "The unfiltered list", "clauses": ["SD-RESP-8"],
            "request": { "path": "/v1/{project_id}/software_deployments" },
            "expect": { "status": [200], "clause": "SD-CODE-200" } },
          { "id": "filter-collated", "title": "Case, trailing spaces and an accent", "clauses": ["SD-REQ-1"],
            "request": { "path": "/v1/{project_id}/software_deployments",
                         "query": [ { "name": "server_id", "value": "EC14C864-096É-4E27-BB8A-2C2B4DC6F3F5  " } ] },
            "expect": { "status": [200, 400, 404], "clause": "SD-REQ-1" },
            "checks": [
              { "check": "filter_exact", "params": { "server_id": "EC14C864-096É-4E27-BB8A-2C2B4DC6F3F5  " } },
              { "check": "filter_subset", "params": { "server_id": "EC14C864-096É-4E27-BB8A-2C2B4DC6F3F5  ", "unfiltered": "list-all" } } ] } ] }"#,
    )
    .expect("write");
    let cases_dir = cases.to_string_lossy().into_owned();
    let collation = Reference::start(Some(Fault::FilterCollation));
    let ascii_case = Reference::start(Some(Fault::FilterCaseInsensitive));
    for profile in PROFILES {
        let args = [
            "--cases",
            &cases_dir,
            "--fuzz-cases",
            "0",
            "--profile",
            profile,
        ];
        let run = run_against(&collation.url(), &args);
        let report = run.report.expect("report");
        assert_valid_report(&report);
        let found = findings(&report);
        let observed = observations(&report);
        let context = format!("{profile}: {found:?} {observed:?}\n{}", run.stdout);
        let severities: std::collections::BTreeSet<&str> =
            found.iter().map(|(_, _, s)| s.as_str()).collect();
        match profile {
            "strict" => {
                assert_eq!(severities, ["MUST"].into(), "{context}");
                assert_eq!(run.code, 1, "{context}");
            }
            "documented" => {
                assert_eq!(severities, ["SHOULD"].into(), "{context}");
                assert_eq!(run.code, 0, "{context}");
                let message = report["cases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
                    .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
                    .next()
                    .unwrap_or_default();
                assert!(
                    message.contains("case-, space- and accent-insensitive collation"),
                    "{message}"
                );
            }
            _ => {
                assert_eq!(found, vec![], "{context}");
                assert_eq!(
                    observed,
                    vec![("filter-collated".to_owned(), "SD-REQ-1".to_owned())],
                    "{context}"
                );
                assert_eq!(run.code, 0, "{context}");
                assert!(run.stdout.contains("observations: 1"), "{context}");
            }
        }
        assert!(
            found
                .iter()
                .all(|(case, clause, _)| case == "filter-collated" && clause == "SD-REQ-1"),
            "{context}"
        );
        // An ASCII-case-insensitive target returns nothing for the accent: no finding.
        let run = run_against(&ascii_case.url(), &args);
        let report = run.report.expect("report");
        assert_eq!(findings(&report), vec![], "{profile}: {}", run.stdout);
        assert_eq!(observations(&report), vec![], "{profile}");
    }
}

#[test]
fn a_finding_another_profile_accepts_says_which() {
    let reference = Reference::start(Some(Fault::OutputValuesNull));
    let run = run_against(&reference.url(), &[]);
    let report = run.report.expect("report");
    let finding = &report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == "list-all")
        .expect("list-all")["findings"][0];
    assert_eq!(finding["clause"], "SD-RESP-7");
    assert_eq!(finding["pointer"], "/software_deployments/0/output_values");
    assert_eq!(finding["accepted_by"], serde_json::json!(["lenient"]));
}

#[test]
fn an_empty_list_is_reported_as_not_exercised_not_as_a_pass() {
    let reference = Reference::start(Some(Fault::EmptyList));
    let run = run_against(&reference.url(), &[]);
    let report = run.report.expect("report");
    assert_valid_report(&report);
    // Nothing validated is inconclusive (issue 10 item 11), never a pass.
    assert_eq!(run.code, 5, "{}", run.stdout);
    assert_eq!(report["verdict"], "inconclusive");
    assert_eq!(findings(&report), vec![]);
    assert_eq!(report["vacuous"], true);
    let not_exercised: Vec<&str> = report["summary"]["not_exercised_clauses"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for clause in ["SD-RESP-2", "SD-RESP-4", "SD-RESP-9", "SD-RESP-11"] {
        assert!(
            not_exercised.contains(&clause),
            "{clause} in {not_exercised:?}"
        );
    }
    for case in report["cases"].as_array().expect("cases") {
        if [
            "list-all",
            "filter-existing-server",
            "filter-case-flipped-server",
            "filter-prefix-server",
        ]
        .contains(&case["id"].as_str().unwrap_or_default())
        {
            assert_eq!(case["outcome"], "not_exercised", "{}", case["id"]);
        }
    }
    assert!(run.stdout.contains("rests on no data"), "{}", run.stdout);
}

#[test]
fn a_large_generated_fixture_is_conformant_and_a_fault_in_it_is_found() {
    let clean = Reference::start_sized(None, Some(5_000));
    let run = run_against(&clean.url(), &[]);
    let report = run.report.expect("report");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(findings(&report), vec![]);
    assert_eq!(report["vacuous"], false);
    let list_all = report["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == "list-all"))
        .expect("list-all");
    assert!(
        list_all["response"]["body_bytes"].as_u64().unwrap_or(0) > 1_000_000,
        "{}",
        list_all["response"]
    );

    let broken = Reference::start_sized(Some(Fault::DuplicateIds), Some(5_000));
    let run = run_against(&broken.url(), &[]);
    let report = run.report.expect("report");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        findings(&report)
            .iter()
            .all(|(_, clause, _)| clause == "SD-RESP-5")
    );
}
