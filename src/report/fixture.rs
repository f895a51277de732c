//! A hostile `RunReport` for the writers' unit tests: every string a target or
//! a user controls holds [`HOSTILE`].

use super::model::{
    CaseResult, Gate, Outcome, ProfileInfo, RequestRecord, ResponseRecord, RunReport, TargetInfo,
    WaiverEntry, WaiverReport, WaiverStatus, clause_table,
};
use crate::check::{CheckOutcome, CheckRecord, Finding, Severity, Waived};
use crate::contract::Contract;
use crate::fuzz::FuzzEvidence;
use crate::report::build::{Context, build};

/// Markup that must never reach a page or a table unescaped, and control
/// characters (ESC, C1 CSI, BEL, DEL, CR) that must never reach a file raw.
pub const HOSTILE: &str =
    "<script>alert(1)</script></textarea>| x |`y`[z](w)\nnext\u{1b}[31m\u{9b}31m\u{7}\u{7f}\r";

/// A target record built through serde, so fields other engineers add (with
/// serde defaults) need no change here.
pub fn target(url: &str, project_id: &str) -> TargetInfo {
    serde_json::from_value(serde_json::json!({
        "url": url, "project_id": project_id, "embedded": false
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A report with a failing, a waived and an errored case, all full of [`HOSTILE`].
pub fn hostile_report() -> RunReport {
    let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
    let mut failing = CaseResult::new("list-all", HOSTILE, format!("{HOSTILE}:1:1"), Outcome::Fail);
    failing.request = Some(RequestRecord {
        method: "GET".to_owned(),
        url: format!("http://t/{HOSTILE}"),
        headers: vec![
            ("x-auth-token".to_owned(), HOSTILE.to_owned()),
            (format!("x-{HOSTILE}"), HOSTILE.to_owned()),
        ],
    });
    failing.response = Some(ResponseRecord {
        status: 200,
        content_type: Some(HOSTILE.to_owned()),
        body_bytes: 10,
        body_excerpt: HOSTILE.to_owned(),
        elapsed_ms: 1,
    });
    failing.findings.push(Finding::new(
        "SD-RESP-9",
        "status_enum",
        format!("/software_deployments/0/{HOSTILE}"),
        HOSTILE,
        HOSTILE,
        HOSTILE,
    ));
    failing
        .checks
        .push(CheckRecord::new("status_enum", "SD-RESP-9", CheckOutcome::Fail).with_note(HOSTILE));
    failing.notes.push(HOSTILE.to_owned());
    failing.observations.push(
        crate::check::Observation::new(
            "SD-REQ-1",
            "filter_exact",
            format!("/software_deployments/0/{HOSTILE}"),
            HOSTILE,
            HOSTILE,
            HOSTILE,
        )
        .finding_under(&["strict", "documented"]),
    );
    let mut waived = CaseResult::new(
        "filter-existing-server",
        HOSTILE,
        String::new(),
        Outcome::Waived,
    );
    let mut finding = Finding::new("SD-RESP-4", "timestamp", "", HOSTILE, HOSTILE, HOSTILE)
        .with_severity(Severity::Must);
    finding.waived = Some(Waived {
        reason: HOSTILE.to_owned(),
        expires: "2999-01-01".to_owned(),
    });
    waived.findings.push(finding);
    waived
        .checks
        .push(CheckRecord::new("schema", "SD-RESP-4", CheckOutcome::Fail));
    let errored = CaseResult::new(
        "unknown-path",
        HOSTILE,
        String::new(),
        Outcome::Error(HOSTILE.to_owned()),
    );
    let cases = vec![waived, failing, errored, fuzz_case()];
    let mut report = build(
        Context {
            contract: &contract,
            profile: crate::contract::Profile::Documented,
            target: target(&format!("http://t/{HOSTILE}"), HOSTILE),
            cases_source: HOSTILE.to_owned(),
            started_at: "2026-01-01T00:00:00Z".to_owned(),
            finished_at: "2026-01-01T00:00:01Z".to_owned(),
            duration_ms: 1000,
            gate: Gate::default(),
            waivers: None,
        },
        cases,
    );
    report.clauses = clause_table(contract.clauses(), &report.cases);
    report.profile = ProfileInfo {
        name: "documented".to_owned(),
        description: HOSTILE.to_owned(),
    };
    report.waivers = Some(WaiverReport {
        source: HOSTILE.to_owned(),
        entries: vec![WaiverEntry {
            clause: "SD-RESP-4".to_owned(),
            case: Some(HOSTILE.to_owned()),
            reason: HOSTILE.to_owned(),
            expires: "2999-01-01".to_owned(),
            source: HOSTILE.to_owned(),
            status: WaiverStatus::Applied,
            findings: 1,
            cases: vec![HOSTILE.to_owned()],
        }],
    });
    report
}

/// The fuzz case with one shrunk failure whose minimal input is [`HOSTILE`].
fn fuzz_case() -> CaseResult {
    let mut case = CaseResult::new(crate::fuzz::CASE_ID, HOSTILE, String::new(), Outcome::Fail);
    let mut finding = Finding::new(
        "SD-CODE-200",
        "no_server_error",
        "",
        "a well-formed request must succeed",
        "500",
        format!("server_id={HOSTILE:?} answered 500"),
    );
    let input = format!("'{HOSTILE}");
    finding.fuzz = Some(Box::new(FuzzEvidence {
        property: "no-server-error".to_owned(),
        strategy: "injection".to_owned(),
        seed: 4242,
        origin: "generated".to_owned(),
        minimal_input: input.clone(),
        shape: "single".to_owned(),
        utf8: true,
        wire_query: "server_id=%27%3Cscript%3E".to_owned(),
        original_input: input,
        shrink_steps: 7,
        repro: format!(
            "curl -sS -g -H \"X-Auth-Token: $SDCONFORM_TOKEN\" 'http://t/{HOSTILE}/software_deployments?server_id=%27%3Cscript%3E'"
        ),
    }));
    case.findings.push(finding);
    case.checks.push(CheckRecord::new(
        "no_server_error",
        "SD-CODE-200",
        CheckOutcome::Fail,
    ));
    case
}
