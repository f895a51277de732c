//! `verify`, part 2: the verdict re-derived from the bundled `exchanges.ndjson`
//! by the recheck engine, with the bundled profile, schemas, cases and waivers,
//! and compared with the bundled `report.json`. A hand-edited report (even with
//! its manifest hash recomputed and the manifest signed again), a removed
//! finding, a swapped exchange or a changed waiver all show as differences:
//!
//! ```text
//! the bundle does not verify:
//!   report.json: case list-all: finding SD-RESP-9 MUST status_enum at "/software_deployments/0/status" (...): in the exchanges, not in report.json
//!   report.json: verdict Conformant, the exchanges give NonConformant
//! ```

use super::inputs::{CASES_PREFIX, SCHEMAS_PREFIX, WAIVERS_MEMBER};
use super::manifest::{Manifest, digest_files};
use super::verify::{Difference, Verified, VerifyError};
use crate::model::sha256_hex;
use crate::recheck::{self, Inputs, WaiversInput};
use crate::report::exchanges::FILE_NAME as EXCHANGES;
use crate::report::json::FILE_NAME as REPORT;
use crate::report::model::{RunReport, Verdict};

/// What part 2 found when the verdict agrees.
#[derive(Debug, Clone)]
pub struct Rederived {
    /// Exchanges re-judged.
    pub exchanges: u64,
    /// The verdict, as report.json says and the exchanges give.
    pub verdict: Verdict,
    /// What the user should know (e.g. the contract digest differs from this build's).
    pub notes: Vec<String>,
}

/// Re-derives `verified`'s verdict and compares it with its `report.json`.
pub fn rederive(verified: &Verified) -> Result<Rederived, VerifyError> {
    let differs = |what: String| VerifyError::Differs(vec![Difference::Rederived { what }]);
    let has = |path: &str| verified.manifest.members.iter().any(|m| m.path == path);
    if !has(REPORT) {
        return Err(differs(format!(
            "{REPORT}: not in the bundle: there is no verdict to compare"
        )));
    }
    if !has(EXCHANGES) {
        return Err(differs(format!(
            "{EXCHANGES}: not in the bundle, so the verdict cannot be re-derived (was the run recorded with --no-record?)"
        )));
    }
    let claimed = read_report(verified).map_err(differs)?;
    let mut found = inputs_differences(verified, &claimed);
    let inputs = Inputs {
        recording: verified.member(EXCHANGES),
        profile: None,
        schemas: has_dir(&verified.manifest, SCHEMAS_PREFIX)
            .then(|| verified.member(SCHEMAS_PREFIX)),
        cases: has_dir(&verified.manifest, CASES_PREFIX).then(|| verified.member(CASES_PREFIX)),
        waivers: claimed
            .waivers
            .as_ref()
            .filter(|_| has(WAIVERS_MEMBER))
            .map(|w| WaiversInput {
                path: verified.member(WAIVERS_MEMBER),
                name: w.source.clone(),
            }),
    };
    let rechecked = recheck::recheck(&inputs).map_err(|e| {
        differs(format!(
            "{EXCHANGES}: cannot be rechecked: {}",
            crate::http::error_chain(&e)
        ))
    })?;
    found.extend(recheck::compare::differences(&claimed, &rechecked.report));
    if !found.is_empty() {
        return Err(VerifyError::Differs(
            found
                .into_iter()
                .map(|what| Difference::Rederived { what })
                .collect(),
        ));
    }
    let mut notes = Vec::new();
    if verified.manifest.run.contract.name == "embedded"
        && verified.manifest.run.contract.sha256 != super::inputs::embedded_contract()
    {
        notes.push(format!(
            "the run's embedded contract is not this build's (sdconform {}): the verdict was re-derived with this build's",
            verified.manifest.tool.version
        ));
    }
    Ok(Rederived {
        exchanges: rechecked.exchanges,
        verdict: rechecked.report.verdict,
        notes,
    })
}

/// The bundled `report.json`, validated against the report schema.
fn read_report(verified: &Verified) -> Result<RunReport, String> {
    let contract = crate::contract::Contract::embedded().map_err(|e| e.to_string())?;
    let validator = crate::contract::compile("report.schema.json", contract.report_schema())
        .map_err(|e| e.to_string())?;
    crate::report::read::read(&verified.member(REPORT), &validator)
        .map_err(|e| format!("{REPORT}: not a report sdconform reads: {e}"))
}

/// Whether the manifest has members under `prefix/`.
fn has_dir(manifest: &Manifest, prefix: &str) -> bool {
    manifest
        .members
        .iter()
        .any(|m| m.path.starts_with(&format!("{prefix}/")))
}

/// The report's inputs against the manifest and the bundled files: custom
/// inputs the report names must be in the bundle, and their digests must be
/// the manifest's.
fn inputs_differences(verified: &Verified, claimed: &RunReport) -> Vec<String> {
    let run = &verified.manifest.run;
    let mut found = Vec::new();
    let mut differ = |what: &str, manifest: &str, report: &str| {
        if manifest != report {
            found.push(format!(
                "manifest.json: {what} {manifest:?}, {REPORT} says {report:?}"
            ));
        }
    };
    differ("target_url", &run.target_url, &claimed.target.url);
    differ("started_at", &run.started_at, &claimed.started_at);
    differ("finished_at", &run.finished_at, &claimed.finished_at);
    differ("profile", &run.profile.name, &claimed.profile.name);
    let waivers = run
        .waivers
        .as_ref()
        .map(|w| w.name.clone())
        .unwrap_or_default();
    let source = claimed
        .waivers
        .as_ref()
        .map(|w| w.source.clone())
        .unwrap_or_default();
    differ("waivers", &waivers, &source);
    for (prefix, named) in [(SCHEMAS_PREFIX, &run.contract), (CASES_PREFIX, &run.cases)] {
        if named.name == "embedded" || named.name.starts_with("none") {
            continue;
        }
        let digest = digest_of(verified, prefix);
        if digest.as_deref() != Some(named.sha256.as_str()) {
            found.push(format!(
                "{prefix}: the bundled files digest to {}, manifest.json says {} for {}",
                digest.unwrap_or_else(|| "nothing (none bundled)".to_owned()),
                named.sha256,
                named.name
            ));
        }
    }
    if let Some(named) = &run.waivers {
        let digest = std::fs::read(verified.member(WAIVERS_MEMBER))
            .ok()
            .map(|b| sha256_hex(&b));
        if digest.as_deref() != Some(named.sha256.as_str()) {
            found.push(format!(
                "{WAIVERS_MEMBER}: its sha256 is {}, manifest.json says {} for {}",
                digest.unwrap_or_else(|| "nothing (not bundled)".to_owned()),
                named.sha256,
                named.name
            ));
        }
    }
    found
}

/// [`digest_files`] of the bundled files under `prefix/`, named relative to it.
fn digest_of(verified: &Verified, prefix: &str) -> Option<String> {
    let start = format!("{prefix}/");
    let files: Vec<(String, Vec<u8>)> = verified
        .manifest
        .members
        .iter()
        .filter_map(|m| {
            m.path
                .strip_prefix(&start)
                .map(|rest| (rest.to_owned(), m.path.clone()))
        })
        .filter_map(|(rest, path)| {
            std::fs::read(verified.member(&path))
                .ok()
                .map(|bytes| (rest, bytes))
        })
        .collect();
    (!files.is_empty()).then(|| digest_files(files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))))
}
