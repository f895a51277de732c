//! The inputs a run used, as a bundle holds them: the custom schemas, cases and
//! waivers file (packed under `inputs/`) and the digests the manifest gives them
//! (`embedded` ones digest the files compiled into this build).
//!
//! | input | packed as | digest |
//! |---|---|---|
//! | `--schemas DIR` | `inputs/schemas/...` | [`digest_dir`] of DIR (embedded: of the compiled-in files) |
//! | the profile | (in the schemas) | SHA-256 of `profiles/NAME.json` |
//! | `--cases DIR` | `inputs/cases/...` | [`digest_dir`] of DIR (embedded: of the shipped `cases/*.json`) |
//! | `--waivers FILE` | `inputs/waivers.json` | SHA-256 of FILE |

use std::path::{Path, PathBuf};

use super::manifest::{Named, digest_dir, digest_files};
use super::pack::{PackError, dir_members};
use crate::model::sha256_hex;
use crate::report::model::RunReport;

/// Where a bundle packs the run's `--schemas` directory.
pub const SCHEMAS_PREFIX: &str = "inputs/schemas";
/// Where it packs the `--cases` directory.
pub const CASES_PREFIX: &str = "inputs/cases";
/// Where it packs the `--waivers` file.
pub const WAIVERS_MEMBER: &str = "inputs/waivers.json";

/// The inputs of a run, as members and digests.
#[derive(Debug, Clone)]
pub struct RunInputs {
    /// Members under `inputs/`, with the files they are read from.
    pub members: Vec<(String, PathBuf)>,
    /// The contract's schemas.
    pub contract: Named,
    /// The profile.
    pub profile: Named,
    /// The cases.
    pub cases: Named,
    /// The waivers file, if one was used.
    pub waivers: Option<Named>,
}

/// Whether a report's source names the compiled-in files (or none at all).
fn embedded(source: &str) -> bool {
    source == "embedded" || source.starts_with("none")
}

/// The inputs `report` names, read from where the run read them (paths as
/// given, relative to the directory the run was started in).
pub fn run_inputs(report: &RunReport) -> Result<RunInputs, PackError> {
    let read = |path: &Path| {
        let path = path.to_owned();
        move |source| PackError::Io {
            action: "read",
            path,
            source,
        }
    };
    let mut members = Vec::new();
    let contract_dir =
        (!embedded(&report.contract_source)).then(|| PathBuf::from(&report.contract_source));
    let contract = match &contract_dir {
        None => embedded_contract(),
        Some(dir) => {
            members.extend(dir_members(SCHEMAS_PREFIX, dir).map_err(read(dir))?);
            digest_dir(dir).map_err(read(dir))?
        }
    };
    let profile_file = format!("profiles/{}.json", report.profile.name);
    let profile = match &contract_dir {
        None => embedded_profile(&report.profile.name),
        Some(dir) => {
            let path = dir.join(&profile_file);
            sha256_hex(&std::fs::read(&path).map_err(read(&path))?)
        }
    };
    let cases = if embedded(&report.cases_source) {
        embedded_cases()
    } else {
        let dir = PathBuf::from(&report.cases_source);
        members.extend(dir_members(CASES_PREFIX, &dir).map_err(read(&dir))?);
        digest_dir(&dir).map_err(read(&dir))?
    };
    let waivers = match &report.waivers {
        None => None,
        Some(waivers) => {
            let path = PathBuf::from(&waivers.source);
            let bytes = std::fs::read(&path).map_err(read(&path))?;
            members.push((WAIVERS_MEMBER.to_owned(), path));
            Some(Named {
                name: waivers.source.clone(),
                sha256: sha256_hex(&bytes),
            })
        }
    };
    let named = |name: &str, sha256| Named {
        name: name.to_owned(),
        sha256,
    };
    Ok(RunInputs {
        members,
        contract: named(&report.contract_source, contract),
        profile: named(&report.profile.name, profile),
        cases: named(&report.cases_source, cases),
        waivers,
    })
}

/// [`digest_files`] of the compiled-in contract.
pub fn embedded_contract() -> String {
    digest_files(
        crate::contract::EMBEDDED
            .iter()
            .map(|(path, text)| (*path, text.as_bytes())),
    )
}

/// SHA-256 of a compiled-in profile (empty for an unknown one).
pub fn embedded_profile(name: &str) -> String {
    let file = format!("profiles/{name}.json");
    crate::contract::EMBEDDED
        .iter()
        .find(|(path, _)| *path == file)
        .map(|(_, text)| sha256_hex(text.as_bytes()))
        .unwrap_or_default()
}

/// [`digest_files`] of the shipped cases, named as in their directory (so
/// that `digest_dir("cases")` of a checkout gives the same).
pub fn embedded_cases() -> String {
    digest_files(
        crate::case::load::EMBEDDED
            .iter()
            .map(|(path, text)| (path.strip_prefix("cases/").unwrap_or(path), text.as_bytes())),
    )
}
