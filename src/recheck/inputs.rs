//! What a recheck judges with: the contract, cases and waivers it is given (the
//! shipped ones, or none, when not), the profile asked for or the run's, and the
//! rest as the recording's header says the run had it. Where an input differs
//! from the run's, a note says so.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum as _;

use super::Inputs;
use crate::case::Case;
use crate::case::load::{LoadError, Loader, check_suite};
use crate::contract::{Contract, ContractError, Profile};
use crate::jsonfile::FileError;
use crate::model::RunSettings;
use crate::report::model::{FailOn, Gate, TargetInfo};
use crate::report::write::Format;
use crate::runner::Target;
use crate::secret::{Secret, Secrets};
use crate::waiver::{WaiverError, Waivers};

/// A waivers file, and the name the report gives it (a bundle's
/// `inputs/waivers.json` keeps the name the run gave it).
#[derive(Debug, Clone)]
pub struct WaiversInput {
    /// Where it is read from.
    pub path: PathBuf,
    /// How the report names it (`waivers.json`, in `waivers.json:3:5`).
    pub name: String,
}

/// Why a recording cannot be rechecked. Messages read after "failed to recheck: ".
#[derive(Debug, thiserror::Error)]
pub enum RecheckError {
    /// The recording cannot be read, or a line is malformed (`file:line:col`).
    #[error("read the recording")]
    Read(#[from] FileError),
    /// It is not a whole recording of a run.
    #[error("{0}")]
    NotARecording(String),
    /// Its header holds a value this build does not know.
    #[error("read the recording's run header: {0}")]
    Header(String),
    /// The schemas could not be loaded.
    #[error("load the contract schemas")]
    Contract(#[from] ContractError),
    /// The cases could not be loaded.
    #[error("load the cases")]
    Cases(#[from] LoadError),
    /// The waivers could not be loaded.
    #[error("load the waivers")]
    Waivers(#[from] WaiverError),
    /// The (I/O-free) runtime that drives the runner could not start.
    #[error("start the runtime")]
    Runtime(#[source] std::io::Error),
}

/// The inputs, loaded.
#[derive(Debug)]
pub struct Loaded {
    /// The contract.
    pub contract: Arc<Contract>,
    /// The cases (none for a recording of `sdconform fuzz`).
    pub cases: Vec<Case>,
    /// Where they came from, as the report says it.
    pub cases_source: String,
    /// The waivers.
    pub waivers: Option<Waivers>,
    /// The profile.
    pub profile: Profile,
    /// The run's `--clock-skew`.
    pub clock_skew: Duration,
    /// The run's gate.
    pub gate: Gate,
    /// The target, as the cases render their requests against it.
    pub target: Target,
    /// The target, as the report names it.
    pub target_info: TargetInfo,
    /// Inputs that differ from the run's.
    pub notes: Vec<String>,
}

/// A token that only marks that the run sent one: it decides which recorded
/// request a case's is, and is never sent.
const RECORDED_TOKEN: &str = "sdconform-recheck-sends-nothing";

/// Loads what `inputs` names, and what the header `run` says.
pub fn load(inputs: &Inputs, run: &RunSettings) -> Result<Loaded, RecheckError> {
    let header = |m: String| RecheckError::Header(m);
    let recorded_profile = Profile::from_str(&run.profile, false)
        .map_err(|_| header(format!("unknown profile {:?}", run.profile)))?;
    let fail_on = FailOn::from_str(&run.gate.fail_on, false)
        .map_err(|_| header(format!("unknown fail_on {:?}", run.gate.fail_on)))?;
    let contract = Arc::new(match &inputs.schemas {
        Some(dir) => Contract::from_dir(dir)?,
        None => Contract::embedded()?,
    });
    let (cases, cases_source) = cases(inputs, run, &contract)?;
    let waivers = match &inputs.waivers {
        Some(given) => Some(waivers(given, &contract, &cases)?),
        None => None,
    };
    let base = reqwest::Url::parse(&run.target.url)
        .map_err(|e| header(format!("target url {:?}: {e}", run.target.url)))?;
    Ok(Loaded {
        notes: differences(inputs, run),
        profile: inputs.profile.unwrap_or(recorded_profile),
        clock_skew: Duration::from_millis(run.clock_skew_ms),
        gate: Gate {
            fail_on,
            strict_waivers: run.gate.strict_waivers,
            allow_empty: run.gate.allow_empty,
        },
        target: Target {
            base,
            project_id: run.target.project_id.clone(),
            token: run
                .target
                .authenticated
                .then(|| Secret::new(RECORDED_TOKEN)),
            embedded: run.target.embedded,
            secrets: Secrets::new(),
            tokens: None,
            setup: None,
        },
        target_info: TargetInfo {
            url: run.target.url.clone(),
            project_id: run.target.project_id.clone(),
            embedded: run.target.embedded,
            insecure: run.target.insecure,
            identity: None,
        },
        contract,
        cases,
        cases_source,
        waivers,
    })
}

/// The cases and their source: none for `sdconform fuzz`'s recording.
fn cases(
    inputs: &Inputs,
    run: &RunSettings,
    contract: &Contract,
) -> Result<(Vec<Case>, String), RecheckError> {
    if run.command == "fuzz" {
        return Ok((Vec::new(), run.cases_source.clone()));
    }
    let loader = Loader::new(contract.case_schema())?;
    let (cases, source) = match &inputs.cases {
        Some(dir) => (loader.load_dir(dir)?, dir.display().to_string()),
        None => (loader.load_embedded()?, "embedded".to_owned()),
    };
    check_suite(&cases, &contract.clause_ids(), &contract.schema_names())?;
    Ok((cases, source))
}

/// The waivers file, its clauses and cases checked against `contract` and `cases`.
fn waivers(
    given: &WaiversInput,
    contract: &Contract,
    cases: &[Case],
) -> Result<Waivers, RecheckError> {
    let case_ids: BTreeSet<String> = cases
        .iter()
        .map(|c| c.id.clone())
        .chain([crate::fuzz::CASE_ID.to_owned()])
        .collect();
    let text = crate::jsonfile::read(&given.path).map_err(WaiverError::File)?;
    Ok(crate::waiver::parse(
        &given.name,
        &text,
        &contract.clause_ids(),
        &case_ids,
    )?)
}

/// A note for each input that differs from what the run used.
fn differences(inputs: &Inputs, run: &RunSettings) -> Vec<String> {
    let mut notes = Vec::new();
    let shown = |path: &Option<PathBuf>| {
        path.as_ref()
            .map_or_else(|| "embedded".to_owned(), |p| p.display().to_string())
    };
    let schemas = shown(&inputs.schemas);
    if schemas != run.contract_source {
        notes.push(format!(
            "the run used the schemas {}, this recheck {schemas}",
            run.contract_source
        ));
    }
    let cases = shown(&inputs.cases);
    if run.command == "run" && cases != run.cases_source {
        notes.push(format!(
            "the run used the cases {}, this recheck {cases}",
            run.cases_source
        ));
    }
    let waivers = inputs.waivers.as_ref().map(|w| w.name.clone());
    if waivers != run.waivers {
        let name = |w: &Option<String>| w.clone().unwrap_or_else(|| "none".to_owned());
        notes.push(format!(
            "the run used the waivers {}, this recheck {}",
            name(&run.waivers),
            name(&waivers)
        ));
    }
    if let Some(profile) = inputs.profile
        && profile.as_str() != run.profile
    {
        notes.push(format!(
            "the run used the profile {}, this recheck {profile}",
            run.profile
        ));
    }
    notes
}

/// The report formats the run wrote (`report.json` always).
pub fn formats(run: &RunSettings) -> Vec<Format> {
    let mut formats: Vec<Format> = run
        .formats
        .iter()
        .filter_map(|name| Format::from_str(name, false).ok())
        .collect();
    if !formats.contains(&Format::Json) {
        formats.insert(0, Format::Json);
    }
    formats
}
