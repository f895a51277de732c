//! `evaluate`: every check of one case on one exchange, pure and in a fixed order.
//!
//! status code → (on a 200 with a schema) JSON body → schema under the profile →
//! the case's named checks. A check that has no data to look at says
//! `not_exercised`; one made moot by an allowed alternative (404 for an unknown
//! server) says `not_applicable`. Neither is a pass.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{CheckOutcome, CheckRecord, Finding, Severity, body, filter, order, status, unique};
use crate::case::{Case, CheckName};
use crate::contract::{Contract, Profile};
use crate::template;

/// Most findings kept for one case; the rest are counted in a note.
pub const MAX_FINDINGS_PER_CASE: usize = 100;

/// Everything a case's checks may look at.
pub struct Input<'a> {
    /// The case.
    pub case: &'a Case,
    /// The response status.
    pub status: u16,
    /// The response `Content-Type`, if any.
    pub content_type: Option<&'a str>,
    /// The response body.
    pub body: &'a [u8],
    /// Template variables (`project_id` and captures).
    pub vars: &'a BTreeMap<String, String>,
    /// Parsed 200 bodies of other cases, by case id (`None`: not available).
    pub others: &'a BTreeMap<String, Option<Value>>,
    /// The contract.
    pub contract: &'a Contract,
    /// The selected profile.
    pub profile: Profile,
}

/// What the checks concluded.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Deviations, each citing a clause.
    pub findings: Vec<Finding>,
    /// One record per check and clause.
    pub records: Vec<CheckRecord>,
    /// Observations for the report (e.g. which allowed reading the target chose).
    pub notes: Vec<String>,
}

impl Evaluation {
    fn add(&mut self, (findings, records): (Vec<Finding>, Vec<CheckRecord>)) {
        self.findings.extend(findings);
        self.records.extend(records);
    }

    fn skip_body_checks(&mut self, input: &Input<'_>, outcome: CheckOutcome, why: &str) {
        let mut clauses = vec![("json", "SD-RESP-1".to_owned())];
        if input.case.expect.schema.is_some() {
            clauses.push(("schema", "SD-RESP-1".to_owned()));
            clauses.extend(
                input
                    .contract
                    .item_clauses()
                    .into_iter()
                    .map(|c| ("schema", c)),
            );
        }
        for spec in &input.case.checks {
            clauses.push((spec.check.as_str(), default_clause(spec.check).to_owned()));
        }
        for (check, clause) in clauses {
            self.records
                .push(CheckRecord::new(check, &clause, outcome).with_note(why.to_owned()));
        }
    }
}

/// The clause a named check speaks for.
pub fn default_clause(check: CheckName) -> &'static str {
    match check {
        CheckName::TimestampOrder => "SD-RESP-11",
        CheckName::UniqueIds => "SD-RESP-5",
        CheckName::FilterExact | CheckName::FilterSubset => "SD-REQ-1",
    }
}

/// The severity a named check has unless the case overrides it.
pub fn default_severity(check: CheckName) -> Severity {
    match check {
        CheckName::TimestampOrder => Severity::Should,
        _ => Severity::Must,
    }
}

/// Runs every check of `input.case`.
pub fn evaluate(input: &Input<'_>) -> Evaluation {
    evaluate_body(input, None)
}

/// [`evaluate`] for a response whose body was larger than `limit` bytes
/// (`--max-body-bytes`), of which `input.body` holds only the first `limit`:
/// a 200 body that cannot be read in full cannot be read as JSON, so it is an
/// SD-RESP-1 finding, and the checks that need the body are not exercised.
pub fn evaluate_cut(input: &Input<'_>, limit: usize) -> Evaluation {
    evaluate_body(input, Some(limit))
}

fn evaluate_body(input: &Input<'_>, cut: Option<usize>) -> Evaluation {
    let mut eval = Evaluation::default();
    let case = input.case;
    eval.add(status::check(
        input.status,
        &case.expect.status,
        &case.expect.clause,
        case.expect.severity,
    ));
    eval.records.extend(status::endpoint_records(
        &case.request.path,
        case.request.auth == crate::case::AuthMode::Default,
        case.expect.status == [200],
        input.status,
    ));
    let has_body_checks = case.expect.schema.is_some() || !case.checks.is_empty();
    if has_body_checks && input.status != 200 {
        if case.expect.status.contains(&input.status) {
            eval.notes.push(format!(
                "the target answered {} (the contract allows {:?} here); the 200-body checks do not apply",
                input.status, case.expect.status
            ));
            eval.skip_body_checks(
                input,
                CheckOutcome::NotApplicable,
                "the target chose an allowed non-200 answer",
            );
        } else {
            eval.skip_body_checks(input, CheckOutcome::NotExercised, "no 200 body to check");
        }
        return finish(eval);
    }
    if !has_body_checks {
        return finish(eval);
    }
    let (value, findings, records) = match cut {
        None => body::check(input.content_type, input.body),
        Some(limit) => body::check_cut(input.content_type, limit),
    };
    eval.add((findings, records));
    let Some(value) = value else {
        let beyond_limits = eval
            .findings
            .iter()
            .any(|f| f.check == "json" && f.severity == Severity::Should);
        let why = match cut {
            Some(_) => "the body exceeds --max-body-bytes",
            None if beyond_limits => "the body is JSON beyond what the parser represents",
            None => "the body is not JSON",
        };
        let mut rest = Evaluation::default();
        rest.skip_body_checks(input, CheckOutcome::NotExercised, why);
        eval.records
            .extend(rest.records.into_iter().filter(|r| r.check != "json"));
        return finish(eval);
    };
    let items: Option<&Vec<Value>> = value
        .pointer("/software_deployments")
        .and_then(Value::as_array);
    if let Some(schema) = &case.expect.schema {
        let findings = input.contract.validate(schema, input.profile, &value);
        let failed = |clause: &str| findings.iter().any(|f| f.clause == clause);
        eval.records.push(CheckRecord::new(
            "schema",
            "SD-RESP-1",
            if failed("SD-RESP-1") {
                CheckOutcome::Fail
            } else {
                CheckOutcome::Pass
            },
        ));
        for clause in input.contract.item_clauses() {
            let record = if failed(&clause) {
                CheckRecord::new("schema", &clause, CheckOutcome::Fail)
            } else {
                match items {
                    Some(list) if !list.is_empty() => {
                        CheckRecord::new("schema", &clause, CheckOutcome::Pass)
                    }
                    Some(_) => CheckRecord::new("schema", &clause, CheckOutcome::NotExercised)
                        .with_note("the list is empty: no item to check"),
                    None => CheckRecord::new("schema", &clause, CheckOutcome::NotExercised)
                        .with_note("no software_deployments list in the body"),
                }
            };
            eval.records.push(record);
        }
        eval.findings.extend(findings);
    }
    for spec in &case.checks {
        let severity = spec
            .severity
            .unwrap_or_else(|| default_severity(spec.check));
        let clause = default_clause(spec.check);
        let Some(items) = items else {
            eval.records.push(
                CheckRecord::new(spec.check.as_str(), clause, CheckOutcome::NotExercised)
                    .with_note("no software_deployments list in the body"),
            );
            continue;
        };
        let param = |name: &str| -> Result<String, String> {
            let raw = spec
                .params
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default();
            template::render(raw, input.vars)
                .map_err(|var| format!("variable {{{var}}} is not defined"))
        };
        let result = match spec.check {
            CheckName::TimestampOrder => Ok(order::check(items, severity)),
            CheckName::UniqueIds => Ok(unique::check(items, severity)),
            CheckName::FilterExact => {
                param("server_id").map(|s| filter::exact(items, &s, severity))
            }
            CheckName::FilterSubset => param("server_id").and_then(|s| {
                let source = spec
                    .params
                    .get("unfiltered")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match input.others.get(source) {
                    Some(Some(all)) => match all
                        .pointer("/software_deployments")
                        .and_then(Value::as_array)
                    {
                        Some(all) => Ok(filter::subset(items, all, &s, severity)),
                        None => Err(format!(
                            "the unfiltered list from {source:?} has no software_deployments list"
                        )),
                    },
                    _ => Err(format!(
                        "the unfiltered list from {source:?} is not available"
                    )),
                }
            }),
        };
        match result {
            Ok(found) => eval.add(found),
            Err(why) => eval.records.push(
                CheckRecord::new(spec.check.as_str(), clause, CheckOutcome::NotExercised)
                    .with_note(why),
            ),
        }
    }
    finish(eval)
}

fn finish(mut eval: Evaluation) -> Evaluation {
    if eval.findings.len() > MAX_FINDINGS_PER_CASE {
        let omitted = eval.findings.len() - MAX_FINDINGS_PER_CASE;
        eval.findings.truncate(MAX_FINDINGS_PER_CASE);
        eval.notes
            .push(format!("{omitted} more finding(s) omitted"));
    }
    eval
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn loaded() -> &'static (Contract, Vec<Case>) {
        static LOADED: std::sync::OnceLock<(Contract, Vec<Case>)> = std::sync::OnceLock::new();
        LOADED.get_or_init(|| {
            let contract = Contract::embedded().unwrap_or_else(|e| panic!("contract: {e}"));
            let loader = crate::case::load::Loader::new(contract.case_schema())
                .unwrap_or_else(|e| panic!("{e}"));
            let cases = loader.load_embedded().unwrap_or_else(|e| panic!("{e}"));
            (contract, cases)
        })
    }

    /// Arbitrary JSON, biased towards the shapes the checks look into.
    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
            Just(Value::from("2015-01-31T15:12:36Z")),
            Just(Value::from("ef422fa5-719a-419e-a10c-72e3a367b0b8")),
        ];
        let keys = prop_oneof![
            Just("software_deployments".to_owned()),
            Just("id".to_owned()),
            Just("server_id".to_owned()),
            Just("creation_time".to_owned()),
            Just("updated_time".to_owned()),
            Just("status".to_owned()),
            "[a-z_]{0,8}",
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(keys.clone(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The checks take untrusted bodies: whatever the target sends, no panic.
        #[test]
        fn evaluate_never_panics(
            body in prop_oneof![
                json().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
                prop::collection::vec(any::<u8>(), 0..64),
            ],
            status in prop_oneof![Just(200u16), 100u16..600],
            content_type in prop_oneof![Just(Some("application/json".to_owned())), Just(None), "\\PC{0,20}".prop_map(Some)],
        ) {
            let (contract, cases) = loaded();
            let unfiltered: Option<Value> = serde_json::from_slice(&body).ok();
            let others = BTreeMap::from([("list-all".to_owned(), unfiltered)]);
            let vars = BTreeMap::from([
                ("project_id".to_owned(), "p".to_owned()),
                ("server_id".to_owned(), "s".to_owned()),
                ("flipped".to_owned(), "S".to_owned()),
                ("prefix".to_owned(), "".to_owned()),
            ]);
            for case in cases {
                for profile in Profile::ALL {
                    let eval = evaluate(&Input {
                        case,
                        status,
                        content_type: content_type.as_deref(),
                        body: &body,
                        vars: &vars,
                        others: &others,
                        contract,
                        profile,
                    });
                    prop_assert!(eval.findings.len() <= MAX_FINDINGS_PER_CASE);
                    prop_assert!(eval.records.iter().any(|r| r.clause == "SD-CODE-SET"));
                }
            }
        }
    }
}
