//! `bundle DIR -o results.tar.gz [--sign-key FILE]`, `keygen --out NAME` and
//! `verify results.tar.gz [--public-key FILE]` (issue 12 item 4): the run's
//! report directory and inputs packed with a manifest (signed when given a
//! key), and a bundle checked (its files, its signature, then its verdict
//! re-derived from its exchanges). A bundle that does not verify exits 7.

use std::path::Path;

use super::Printing;
use crate::bundle::{self, BundleSpec, Limits, RunInfo, Signature, VerifyError};
use crate::capture::ExchangeReader;
use crate::cli::{BundleArgs, KeygenArgs, VerifyArgs};
use crate::console;
use crate::error::Error;
use crate::exit::Exit;
use crate::http::Secret;
use crate::model::RunEnding;
use crate::model::text::inert;
use crate::report::exchanges::FILE_NAME as EXCHANGES;
use crate::report::json::FILE_NAME as REPORT;
use crate::report::model::RunReport;
use crate::secret::Secrets;

/// `sdconform bundle`.
pub(super) fn bundle(args: &BundleArgs, printing: Printing) -> Result<Exit, Error> {
    let report = read_report(&args.dir.join(REPORT))?;
    let ending = recording_of(&args.dir, &report)?;
    let inputs = bundle::run_inputs(&report).map_err(Error::Pack)?;
    let mut members = bundle::run_members(&args.dir);
    members.extend(inputs.members);
    let run = RunInfo {
        target_url: report.target.url.clone(),
        tls_certificate_sha256: ending.and_then(|e| e.tls_certificate_sha256),
        started_at: report.started_at.clone(),
        finished_at: report.finished_at.clone(),
        profile: inputs.profile,
        contract: inputs.contract,
        cases: inputs.cases,
        waivers: inputs.waivers,
    };
    let key = args
        .sign_key
        .as_deref()
        .map(bundle::read_signing_key)
        .transpose()
        .map_err(Error::Key)?;
    let packed = bundle::pack(
        &BundleSpec { members, run },
        &args.output,
        key.as_ref(),
        &ambient_secrets(),
    )
    .map_err(Error::Pack)?;
    printing.say(&format!(
        "bundle: {} ({} file(s) and manifest.json; {})",
        packed.path.display(),
        packed.manifest.members.len(),
        packed.keyid.map_or_else(
            || "unsigned".to_owned(),
            |id| format!("signed, key id {id}")
        )
    ));
    Ok(Exit::Conformant)
}

/// `report.json` of a run, validated.
fn read_report(path: &Path) -> Result<RunReport, Error> {
    let contract = crate::contract::Contract::embedded()?;
    let validator = crate::contract::compile("report.schema.json", contract.report_schema())?;
    crate::report::read::read(path, &validator).map_err(Error::ReadReport)
}

/// The end line of `dir`'s recording, after checking that the recording is
/// `report`'s run's and reads whole; `None` (and a warning) without one.
fn recording_of(dir: &Path, report: &RunReport) -> Result<Option<RunEnding>, Error> {
    let path = dir.join(EXCHANGES);
    if !path.is_file() {
        console::err(&format!(
            "warning: {} has no {EXCHANGES} (--no-record?): verify will not be able to re-derive the verdict",
            dir.display()
        ));
        return Ok(None);
    }
    let unusable = |why: String| Error::Usage(format!("{}: {why}", path.display()));
    let mut reader = ExchangeReader::open(&path).map_err(|e| unusable(e.to_string()))?;
    let Some(header) = reader.header().map(|h| h.run.clone()) else {
        return Err(unusable(
            "no run header: not a recording of sdconform run or fuzz".to_owned(),
        ));
    };
    let another = |what: String| {
        unusable(format!(
            "recorded by another run than {REPORT}'s ({what}); move it away or run again"
        ))
    };
    let (recorded, reported) = (
        (&header.started_at, &header.target.url, &header.profile),
        (&report.started_at, &report.target.url, &report.profile.name),
    );
    if recorded != reported {
        return Err(another(format!(
            "started at, target and profile {recorded:?}, not {reported:?}"
        )));
    }
    for line in reader.by_ref() {
        line.map_err(|e| unusable(e.to_string()))?;
    }
    let Some(end) = reader.end().map(|e| e.end.clone()) else {
        return Err(unusable("no end line: the recording was cut".to_owned()));
    };
    if (&end.finished_at, end.duration_ms) != (&report.finished_at, report.duration_ms) {
        return Err(another(format!(
            "finished at {} after {} ms, not {} after {} ms",
            end.finished_at, end.duration_ms, report.finished_at, report.duration_ms
        )));
    }
    Ok(Some(end))
}

/// The token of `$SDCONFORM_TOKEN` or `$OS_AUTH_TOKEN`, when set: no member
/// that holds it is packed.
fn ambient_secrets() -> Secrets {
    let mut secrets = Secrets::new();
    if let Some((token, source)) = crate::cli::resolve_token(None, |name| std::env::var(name).ok())
    {
        // A token too short to search for reliably is not searched for.
        let _ = secrets.add(&format!("the token ({source:?})"), &Secret::new(token));
    }
    secrets
}

/// `sdconform keygen`.
pub(super) fn keygen(args: &KeygenArgs) -> Result<Exit, Error> {
    let paths = bundle::keygen(&args.out).map_err(Error::Key)?;
    let public = bundle::read_public_key(&paths.public).map_err(Error::Key)?;
    console::out(&format!(
        "keygen: {} (private, mode 0600: keep it secret) and {} (public, key id {})",
        paths.private.display(),
        paths.public.display(),
        bundle::key::keyid(&public)
    ));
    Ok(Exit::Conformant)
}

/// `sdconform verify`.
pub(super) fn verify(args: &VerifyArgs, printing: Printing) -> Result<Exit, Error> {
    if !args.bundle.is_file() {
        return Err(Error::Usage(format!(
            "{} is not a file",
            args.bundle.display()
        )));
    }
    let key = args
        .public_key
        .as_deref()
        .map(bundle::read_public_key)
        .transpose()
        .map_err(Error::Key)?;
    let verified =
        bundle::verify(&args.bundle, key.as_ref(), Limits::default()).map_err(not_authentic)?;
    let rederived = bundle::rederive(&verified).map_err(not_authentic)?;
    printing.say(&format!(
        "verify: {} file(s) match manifest.json",
        verified.manifest.members.len()
    ));
    match &verified.signature {
        Signature::Verified(id) => printing.say(&format!("verify: signed by key id {id}")),
        Signature::NotChecked => console::err(
            "warning: the bundle is signed, but no --public-key was given: the signature was not checked",
        ),
        Signature::Unsigned => console::err(
            "warning: the bundle is not signed: anyone could have made it; only the verdict re-derived from its exchanges vouches for its report",
        ),
    }
    for note in &rederived.notes {
        console::err(&format!("note: {note}"));
    }
    printing.say(&format!(
        "verify: the verdict re-derived from {} exchange(s) is {}, as {REPORT} says",
        rederived.exchanges,
        verdict_name(rederived.verdict)
    ));
    Ok(Exit::Conformant)
}

/// A bundle that does not verify: every difference on stderr, one a line (made
/// inert: they quote what the target sent), and an error that counts them (exit 7).
fn not_authentic(error: VerifyError) -> Error {
    let VerifyError::Differs(differences) = error else {
        return Error::Verify(error);
    };
    console::err("verify: the bundle does not verify:");
    for difference in &differences {
        console::err(&format!("  {}", inert(&difference.to_string())));
    }
    Error::NotAuthentic(differences.len())
}

/// The verdict as `report.json` spells it.
fn verdict_name(verdict: crate::report::model::Verdict) -> String {
    serde_json::to_value(verdict)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
