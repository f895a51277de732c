//! The clean reference is conformant with zero findings under every profile (fuzz phase
//! included); each fault makes exactly its clause fail, under exactly the profiles it breaks.
//! The per-fault runs test the example-based suite (`--fuzz-cases 0`): faults only fuzzing
//! can find are shown to escape it here, and to be found in `fuzz.rs`; faults only a run with
//! identity credentials can find (issued tokens, a second project) escape it too, and
//! `keystone.rs` shows the reference really breaks.

use sdconform::check::Severity;
use sdconform::reference::{Detection, Fault};

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
        assert_eq!(report["profile"]["name"], profile);
        assert_eq!(
            report["summary"]["cases"]["pass"], report["summary"]["cases"]["total"],
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
            let context = format!(
                "fault {} under {profile}: {found:?}\n{}",
                fault.name(),
                run.stdout
            );
            if !breaks.profiles.contains(&profile) || breaks.detected_by != Detection::Suite {
                assert_eq!(found, vec![], "{context}");
                assert_eq!(run.code, 0, "{context}");
                continue;
            }
            assert!(!found.is_empty(), "no finding: {context}");
            assert!(
                found.iter().all(|(_, clause, _)| clause == breaks.clause),
                "unrelated clause: {context}"
            );
            let severity = breaks.severity.as_str();
            assert!(
                found.iter().all(|(_, _, s)| s == severity),
                "severity: {context}"
            );
            match breaks.severity {
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
    assert_eq!(run.code, 0, "{}", run.stdout);
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
