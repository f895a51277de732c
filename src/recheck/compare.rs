//! A report against the one re-derived from its exchanges (`verify`'s second
//! part): every difference that matters, named, e.g.
//!
//! ```text
//! report.json: verdict conformant, the exchanges give non-conformant
//! report.json: case list-all: finding SD-RESP-9 MUST status_enum at /software_deployments/0/status (expected ..., actual "DONE"): in the exchanges, not in report.json
//! report.json: waiver waivers.json:3:5 (SD-RESP-11): applied, the exchanges and waivers give expired
//! ```
//!
//! Compared: the verdict, profile, gate, target and times; each waiver's
//! status and matches; the failing, warning and waived clauses; each case's
//! outcome, request and response (status, type, size, excerpt), findings
//! (every field) and observations. The fuzz case is compared by outcome and by
//! the clauses and severities of its findings: a recheck does not shrink, so its
//! minimal inputs and counts may differ from the run's.

use std::collections::BTreeMap;

use crate::model::{CaseResult, Finding};
use crate::report::model::RunReport;

/// Where the claims come from, in messages.
const CLAIMED: &str = "report.json";

/// Every difference between the `claimed` report and the one `rederived` from
/// the exchanges; empty when they agree.
pub fn differences(claimed: &RunReport, rederived: &RunReport) -> Vec<String> {
    let mut out = Vec::new();
    run_fields(claimed, rederived, &mut out);
    waivers(claimed, rederived, &mut out);
    let clauses = |r: &RunReport| {
        (
            r.summary.failing_clauses.clone(),
            r.summary.warning_clauses.clone(),
            r.summary.waived_clauses.clone(),
        )
    };
    if clauses(claimed) != clauses(rederived) {
        out.push(format!(
            "{CLAIMED}: failing, warning and waived clauses {:?}, the exchanges give {:?}",
            clauses(claimed),
            clauses(rederived)
        ));
    }
    let by_id = |r: &RunReport| -> BTreeMap<String, CaseResult> {
        r.cases.iter().map(|c| (c.id.clone(), c.clone())).collect()
    };
    let (ours, theirs) = (by_id(claimed), by_id(rederived));
    for (id, case) in &ours {
        match theirs.get(id) {
            None => out.push(format!(
                "{CLAIMED}: case {id}: in {CLAIMED}, not re-derived from the exchanges"
            )),
            Some(other) => case_fields(case, other, &mut out),
        }
    }
    for id in theirs.keys().filter(|id| !ours.contains_key(*id)) {
        out.push(format!(
            "{CLAIMED}: case {id}: re-derived from the exchanges, not in {CLAIMED}"
        ));
    }
    out
}

/// A field that differs, said once.
fn differ<T: PartialEq + std::fmt::Debug>(
    what: &str,
    claimed: T,
    rederived: T,
    out: &mut Vec<String>,
) {
    if claimed != rederived {
        out.push(format!(
            "{CLAIMED}: {what} {claimed:?}, the exchanges give {rederived:?}"
        ));
    }
}

/// A value as `report.json` spells it.
fn spelled<T: serde::Serialize>(value: T) -> String {
    match serde_json::to_value(&value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn run_fields(claimed: &RunReport, rederived: &RunReport, out: &mut Vec<String>) {
    differ(
        "verdict",
        spelled(claimed.verdict),
        spelled(rederived.verdict),
        out,
    );
    differ(
        "profile",
        &claimed.profile.name,
        &rederived.profile.name,
        out,
    );
    differ("gate", spelled(claimed.gate), spelled(rederived.gate), out);
    differ(
        "target url",
        &claimed.target.url,
        &rederived.target.url,
        out,
    );
    differ(
        "project id",
        &claimed.target.project_id,
        &rederived.target.project_id,
        out,
    );
    differ(
        "started_at",
        &claimed.started_at,
        &rederived.started_at,
        out,
    );
    differ(
        "finished_at",
        &claimed.finished_at,
        &rederived.finished_at,
        out,
    );
}

/// What became of each waiver.
fn waivers(claimed: &RunReport, rederived: &RunReport, out: &mut Vec<String>) {
    let entries = |r: &RunReport| -> Vec<String> {
        r.waivers
            .iter()
            .flat_map(|w| w.entries.iter())
            .map(|e| {
                format!(
                    "{} ({}{}, {:?}, until {}): {}, {} finding(s) in {:?}",
                    e.source,
                    e.clause,
                    e.case
                        .as_ref()
                        .map(|c| format!(" in {c}"))
                        .unwrap_or_default(),
                    e.reason,
                    e.expires,
                    e.status.as_str(),
                    e.findings,
                    e.cases
                )
            })
            .collect()
    };
    let (ours, theirs) = (entries(claimed), entries(rederived));
    for entry in ours.iter().filter(|e| !theirs.contains(e)) {
        out.push(format!(
            "{CLAIMED}: waiver {entry}: in {CLAIMED}, not what the exchanges and the waivers give"
        ));
    }
    for entry in theirs.iter().filter(|e| !ours.contains(e)) {
        out.push(format!(
            "{CLAIMED}: waiver {entry}: what the exchanges and the waivers give, not in {CLAIMED}"
        ));
    }
}

fn case_fields(claimed: &CaseResult, rederived: &CaseResult, out: &mut Vec<String>) {
    let id = &claimed.id;
    differ(
        &format!("case {id}: outcome"),
        claimed.outcome.as_str(),
        rederived.outcome.as_str(),
        out,
    );
    if id == crate::fuzz::CASE_ID {
        let kinds = |c: &CaseResult| -> Vec<String> {
            let mut kinds: Vec<String> = c
                .findings
                .iter()
                .map(|f| format!("{} {} {}", f.clause, f.severity.as_str(), f.check))
                .collect();
            kinds.sort();
            kinds.dedup();
            kinds
        };
        differ(
            &format!("case {id}: findings (clause, severity, check)"),
            kinds(claimed),
            kinds(rederived),
            out,
        );
        return;
    }
    let request = |c: &CaseResult| {
        c.request
            .as_ref()
            .map(|r| (r.method.clone(), r.url.clone()))
    };
    differ(
        &format!("case {id}: request"),
        request(claimed),
        request(rederived),
        out,
    );
    let response = |c: &CaseResult| {
        c.response.as_ref().map(|r| {
            (
                r.status,
                r.content_type.clone(),
                r.body_bytes,
                r.body_excerpt.clone(),
            )
        })
    };
    differ(
        &format!("case {id}: response (status, type, size, excerpt)"),
        response(claimed),
        response(rederived),
        out,
    );
    findings(id, &claimed.findings, &rederived.findings, out);
    let observations = |c: &CaseResult| -> Vec<String> {
        let mut seen: Vec<String> = c
            .observations
            .iter()
            .map(|o| format!("{} {} at {}", o.clause, o.check, o.pointer))
            .collect();
        seen.sort();
        seen
    };
    differ(
        &format!("case {id}: observations"),
        observations(claimed),
        observations(rederived),
        out,
    );
}

/// Findings as a multiset: each one missing on either side is named.
fn findings(id: &str, claimed: &[Finding], rederived: &[Finding], out: &mut Vec<String>) {
    let mut left: Vec<&Finding> = rederived.iter().collect();
    for finding in claimed {
        match left.iter().position(|f| *f == finding) {
            Some(at) => {
                left.remove(at);
            }
            None => out.push(format!(
                "{CLAIMED}: case {id}: finding {}: in {CLAIMED}, not re-derived from the exchanges",
                described(finding)
            )),
        }
    }
    for finding in left {
        out.push(format!(
            "{CLAIMED}: case {id}: finding {}: in the exchanges, not in {CLAIMED}",
            described(finding)
        ));
    }
}

fn described(f: &Finding) -> String {
    let waived = f
        .waived
        .as_ref()
        .map(|w| format!(", waived ({:?} until {})", w.reason, w.expires))
        .unwrap_or_default();
    format!(
        "{} {} {} at {:?} (expected {:?}, actual {:?}){waived}",
        f.clause,
        f.severity.as_str(),
        f.check,
        f.pointer,
        crate::model::truncate(&f.expected, 80),
        crate::model::truncate(&f.actual, 80)
    )
}
