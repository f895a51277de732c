//! What only the whole suite can tell, checked once every file is loaded:
//! unique ids, references between cases, capture cycles, known clauses and
//! schemas, defined template variables.
//!
//! Runs after [`crate::case::load`] and before the runner, which relies on
//! it: every capture and `unfiltered` list names a case that runs, and every
//! template renders. A failure names the case's `file:line:col`:
//!
//! ```text
//! failed to load the cases: cases/filter.json:3:5: case `filter-existing-server` uses undefined variable `{server}`
//! ```

use std::collections::{BTreeMap, BTreeSet};

use super::cycle::capture_cycle;
use super::load::LoadError;
use super::model::{Case, Source};
use crate::template;

/// Variables every case may use without capturing them: the target's project id, and
/// a fresh random project id, another per run (`other_project_id`, SD-URI-2).
pub const BUILTIN_VARIABLES: &[&str] = &["project_id", "other_project_id"];

/// Cross-file checks after all files are loaded, in this order: duplicate ids,
/// capture/`unfiltered` references to unknown cases, capture cycles, unknown
/// clause ids, unknown schema names, undefined template variables.
///
/// Templates are `{name}` in `request.path`, query values and the `server_id`
/// check parameter; a name is defined when it is built in (`project_id`,
/// `other_project_id`) or a capture of the same case. Variables are found by [`crate::template::variables`], the
/// rule the runner renders them with, so a suite that passes renders.
pub fn check_suite(
    cases: &[Case],
    known_clauses: &BTreeSet<String>,
    known_schemas: &BTreeSet<String>,
) -> Result<(), LoadError> {
    let ids = unique_ids(cases)?;
    cases
        .iter()
        .try_for_each(|case| references_resolve(case, &ids))?;
    if let Some(cycle) = capture_cycle(cases) {
        return Err(LoadError::CaptureCycle { cases: cycle });
    }
    cases
        .iter()
        .try_for_each(|case| clauses_known(case, known_clauses))?;
    cases
        .iter()
        .try_for_each(|case| schema_known(case, known_schemas))?;
    cases.iter().try_for_each(variables_defined)
}

/// Every case by id; an error on the first id defined twice.
fn unique_ids(cases: &[Case]) -> Result<BTreeMap<&str, &Case>, LoadError> {
    let mut ids: BTreeMap<&str, &Case> = BTreeMap::new();
    for case in cases {
        if let Some(first) = ids.insert(&case.id, case) {
            return Err(LoadError::DuplicateId {
                id: case.id.clone(),
                first: at(&first.source),
                second: at(&case.source),
            });
        }
    }
    Ok(ids)
}

/// Every case `case` captures from or compares with is loaded (captures from
/// [`super::model::FIXTURES_SOURCE`] read no case).
fn references_resolve(case: &Case, ids: &BTreeMap<&str, &Case>) -> Result<(), LoadError> {
    let compared = case
        .checks
        .iter()
        .filter_map(|spec| spec.check.other_case());
    // The fixtures document is no case: it exists when the run creates fixtures.
    let captured = case
        .captures
        .iter()
        .map(|c| c.from.as_str())
        .filter(|from| *from != super::model::FIXTURES_SOURCE);
    match captured.chain(compared).find(|id| !ids.contains_key(id)) {
        Some(missing) => {
            let (file, line, column) = position(&case.source);
            Err(LoadError::UnknownCase {
                file,
                line,
                column,
                case: case.id.clone(),
                missing: missing.to_owned(),
            })
        }
        None => Ok(()),
    }
}

/// Every clause `case` cites is in the contract.
fn clauses_known(case: &Case, known: &BTreeSet<String>) -> Result<(), LoadError> {
    let mut cited = case.clauses.iter().chain([&case.expect.clause]);
    match cited.find(|clause| !known.contains(*clause)) {
        Some(clause) => {
            let (file, line, column) = position(&case.source);
            Err(LoadError::UnknownClause {
                file,
                line,
                column,
                clause: clause.clone(),
            })
        }
        None => Ok(()),
    }
}

/// The response schema `case` names, if any, is loaded.
fn schema_known(case: &Case, known: &BTreeSet<String>) -> Result<(), LoadError> {
    match &case.expect.schema {
        Some(schema) if !known.contains(schema) => {
            let (file, line, column) = position(&case.source);
            Err(LoadError::UnknownSchema {
                file,
                line,
                column,
                schema: schema.clone(),
            })
        }
        _ => Ok(()),
    }
}

/// Every `{name}` in `case`'s templates is built in or captured by `case`.
fn variables_defined(case: &Case) -> Result<(), LoadError> {
    let defined: BTreeSet<&str> = BUILTIN_VARIABLES
        .iter()
        .copied()
        .chain(case.captures.iter().map(|c| c.name.as_str()))
        .collect();
    let parameters = case
        .checks
        .iter()
        .filter_map(|spec| spec.check.template())
        .map(|template| template.as_str());
    let mut templates = std::iter::once(case.request.path.as_str())
        .chain(case.request.query.iter().map(|q| q.value.as_str()))
        .chain(parameters);
    let undefined = templates.find_map(|template| {
        template::variables(template)
            .into_iter()
            .find(|v| !defined.contains(v))
    });
    match undefined {
        Some(variable) => {
            let (file, line, column) = position(&case.source);
            Err(LoadError::UndefinedVariable {
                file,
                line,
                column,
                case: case.id.clone(),
                variable: variable.to_owned(),
            })
        }
        None => Ok(()),
    }
}

/// `file:line:col` of a case.
fn at(source: &Source) -> String {
    format!("{}:{}:{}", source.file, source.line, source.column)
}

/// The parts of a case's source, for error fields.
fn position(source: &Source) -> (String, usize, usize) {
    (source.file.clone(), source.line, source.column)
}
