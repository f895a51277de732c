//! `evaluate`: every check of one case on one exchange, pure and in a fixed order.
//!
//! status code → (on a 200 with a schema) JSON body → schema under the profile →
//! the case's named checks. A check that has no data to look at says
//! `not_exercised`; one made moot by an allowed alternative (404 for an unknown
//! server) says `not_applicable`. Neither is a pass.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::collation::CollationMatch;
use super::list::{self, Walk, WalkError};
use super::{
    CheckOutcome, CheckRecord, Finding, Observation, Severity, body, filter, ids, order, scope,
    status, unique,
};
use crate::case::{Case, Check, CheckName, Template};
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
    /// The lists other cases received (for `filter_subset`), by case id
    /// (`None`: not available).
    pub others: &'a BTreeMap<String, Option<Arc<filter::ListIndex>>>,
    /// The contract.
    pub contract: &'a Contract,
    /// The selected profile.
    pub profile: Profile,
    /// How much earlier than `creation_time` an `updated_time` may be before it is a MUST
    /// finding (`--clock-skew`).
    pub clock_skew: Duration,
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
    /// What the profile accepts but a stricter one would not (a collation's match).
    pub observations: Vec<Observation>,
}

impl Evaluation {
    fn add(&mut self, (findings, records): (Vec<Finding>, Vec<CheckRecord>)) {
        self.findings.extend(findings);
        self.records.extend(records);
    }

    /// The body checks of a case whose answer is not a 200: not applicable when the
    /// contract allows that status here, else not exercised.
    fn skip_for_status(&mut self, input: &Input<'_>) {
        let allowed = &input.case.expect.status;
        if status::allowed(input.status, &input.case.expect) {
            self.notes.push(format!(
                "the target answered {} (the contract allows {allowed:?} here); the 200-body checks do not apply",
                input.status
            ));
            self.skip_body_checks(
                input,
                CheckOutcome::NotApplicable,
                "the target chose an allowed non-200 answer",
            );
        } else {
            self.skip_body_checks(input, CheckOutcome::NotExercised, "no 200 body to check");
        }
    }

    /// Every body check but `json` (whose own record says what went wrong) not exercised.
    fn skip_checks_after_json(&mut self, input: &Input<'_>, why: &str) {
        let mut rest = Evaluation::default();
        rest.skip_body_checks(input, CheckOutcome::NotExercised, why);
        self.records
            .extend(rest.records.into_iter().filter(|r| r.check != "json"));
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
            clauses.push((spec.name().as_str(), default_clause(spec.name()).to_owned()));
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
        CheckName::IdsEqual => ids::Relation::Equal.clause(),
        CheckName::IdsInclude | CheckName::IdsExclude => ids::Relation::Exclude.clause(),
        CheckName::ProjectScope => scope::CLAUSE,
    }
}

/// The severity a named check has unless the case overrides it. `timestamp_order`'s
/// findings take theirs from the clock-skew rule instead ([`order::severity`]), whatever
/// the case says.
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

/// [`evaluate`] for a response whose body is not at hand (a recording left it
/// out, `why`): the status is judged, and every check that needs the body is not
/// exercised, with `why` as its note (issue 12).
pub fn evaluate_without_body(input: &Input<'_>, why: &str) -> Evaluation {
    let mut eval = status_checks(input);
    let case = input.case;
    if case.expect.schema.is_none() && case.checks.is_empty() {
        return finish(eval);
    }
    if input.status != 200 {
        eval.skip_for_status(input);
    } else {
        eval.skip_body_checks(input, CheckOutcome::NotExercised, why);
    }
    finish(eval)
}

/// The status code and the endpoint's records, which need no body.
fn status_checks(input: &Input<'_>) -> Evaluation {
    let mut eval = Evaluation::default();
    let case = input.case;
    let (findings, records, observations, note) = if case.expect.tolerate.is_empty() {
        let (findings, records, observations) =
            status::check_expect(input.status, &case.expect, input.profile);
        (findings, records, observations, None)
    } else {
        let (findings, records, note) =
            status::check_expected(input.status, &case.expect, input.profile);
        (findings, records, Vec::new(), note)
    };
    eval.add((findings, records));
    eval.observations.extend(observations);
    eval.notes.extend(note);
    eval.records.extend(status::endpoint_records(
        &case.request.path,
        case.request.auth == crate::case::AuthMode::Default,
        case.expect.status == [200],
        input.status,
    ));
    eval
}

fn evaluate_body(input: &Input<'_>, cut: Option<usize>) -> Evaluation {
    let mut eval = status_checks(input);
    let case = input.case;
    let has_body_checks = case.expect.schema.is_some() || !case.checks.is_empty();
    if !has_body_checks {
        return finish(eval);
    }
    if input.status != 200 {
        eval.skip_for_status(input);
    } else if let Some(limit) = cut {
        let (_, findings, records) = body::check_cut(input.content_type, limit);
        eval.add((findings, records));
        eval.skip_checks_after_json(input, "the body exceeds --max-body-bytes");
    } else {
        check_list(input, &mut eval);
    }
    finish(eval)
}

/// The body checks of a 200 body read in full: JSON and media type, then the
/// schema and the named checks, item by item.
fn check_list(input: &Input<'_>, eval: &mut Evaluation) {
    let (acc, walked) = read_list(input);
    let shape = match walked {
        Ok(shape) => shape,
        Err(error) => {
            let (_, findings, records) = body::check_error(input.content_type, input.body, &error);
            let beyond_limits = findings
                .iter()
                .any(|f| f.check == "json" && f.severity == Severity::Should);
            eval.add((findings, records));
            let why = if beyond_limits {
                "the body is JSON beyond what the parser represents"
            } else {
                "the body is not JSON"
            };
            eval.skip_checks_after_json(input, why);
            return;
        }
    };
    let media = body::media_type_finding(input.content_type);
    eval.records.push(CheckRecord::new(
        "json",
        "SD-RESP-1",
        if media.is_some() {
            CheckOutcome::Fail
        } else {
            CheckOutcome::Pass
        },
    ));
    eval.findings.extend(media);
    acc.finish(&shape, eval);
}

/// Feeds the body's list to the accumulators as it streams past, one item in
/// memory at a time; returns them with the body's shape.
fn read_list<'a>(input: &'a Input<'a>) -> (Accumulators<'a>, Result<Walk, serde_json::Error>) {
    let streaming = input
        .case
        .expect
        .schema
        .as_deref()
        .is_none_or(|schema| input.contract.validates_items(schema));
    let mut acc = Accumulators::new(input, streaming);
    let walked = match list::walk(input.body, |index, item| acc.item(index, &item)) {
        Ok(shape) => Ok(shape),
        Err(WalkError::Json(error)) => Err(error),
        // A second `software_deployments` member: the list a parser keeps is
        // the last one, so start again from the whole document.
        Err(WalkError::DuplicateList) => {
            acc = Accumulators::new(input, streaming);
            whole(input.body, &mut acc)
        }
    };
    (acc, walked)
}

/// The whole-document path: parses `body` into one value, feeds the list's
/// items to `acc`, and returns the same shape a walk would.
fn whole(body: &[u8], acc: &mut Accumulators<'_>) -> Result<Walk, serde_json::Error> {
    let mut value: Value = serde_json::from_slice(body)?;
    let list = value
        .as_object_mut()
        .and_then(|object| match object.get(list::LIST_KEY) {
            Some(Value::Array(_)) => object.remove(list::LIST_KEY),
            _ => None,
        });
    match (list, value) {
        (Some(Value::Array(items)), Value::Object(rest)) => {
            let count = items.len();
            for (index, item) in items.into_iter().enumerate() {
                acc.item(index, &item);
            }
            Ok(Walk::Envelope { rest, items: count })
        }
        (_, value) => Ok(Walk::Whole(value)),
    }
}

/// Per-item state of the schema and of each named check of a case.
struct Accumulators<'a> {
    input: &'a Input<'a>,
    /// Validate each item on its own (else the whole body at the end).
    per_item: bool,
    schema_findings: Vec<Finding>,
    /// Schema findings past the cap, counted.
    schema_omitted: usize,
    checks: Vec<Running<'a>>,
    /// The whole list, kept only when items are not validated one by one.
    kept: Vec<Value>,
}

enum Running<'a> {
    Order(order::Order),
    Unique(unique::Unique),
    Exact(filter::Exact),
    Subset(filter::Subset<'a>),
    Ids(ids::Ids),
    Scope(scope::Scope<'a>),
    /// The check cannot run; why.
    Unavailable(String),
}

impl<'a> Accumulators<'a> {
    fn new(input: &'a Input<'a>, per_item: bool) -> Self {
        let checks = input
            .case
            .checks
            .iter()
            .map(|spec| {
                let severity = spec
                    .severity
                    .unwrap_or_else(|| default_severity(spec.name()));
                let render = |template: &Template| -> Result<String, String> {
                    template::render(template.as_str(), input.vars)
                        .map_err(|var| format!("variable {{{var}}} is not defined"))
                };
                let running = match &spec.check {
                    Check::TimestampOrder => {
                        Ok(Running::Order(order::Order::new(input.clock_skew)))
                    }
                    Check::UniqueIds => Ok(Running::Unique(unique::Unique::new(severity))),
                    Check::FilterExact(params) => render(&params.server_id).map(|s| {
                        Running::Exact(filter::Exact::new(
                            &s,
                            severity,
                            CollationMatch::under(input.profile),
                        ))
                    }),
                    Check::IdsEqual(params) => render(&params.ids)
                        .map(|s| Running::Ids(ids::Ids::new(ids::Relation::Equal, &s, severity))),
                    Check::IdsInclude(params) => render(&params.ids)
                        .map(|s| Running::Ids(ids::Ids::new(ids::Relation::Include, &s, severity))),
                    Check::IdsExclude(params) => render(&params.ids)
                        .map(|s| Running::Ids(ids::Ids::new(ids::Relation::Exclude, &s, severity))),
                    Check::FilterSubset(params) => render(&params.server_id).and_then(|s| {
                        let source = params.unfiltered.as_str();
                        match input.others.get(source) {
                            Some(Some(index)) => {
                                Ok(Running::Subset(filter::Subset::new(index, &s, severity)))
                            }
                            _ => Err(format!(
                                "the unfiltered list from {source:?} is not available"
                            )),
                        }
                    }),
                    Check::ProjectScope(params) => match input.others.get(&params.unfiltered) {
                        Some(Some(index)) => Ok(Running::Scope(scope::Scope::new(index, severity))),
                        _ => Err(format!(
                            "the unfiltered list from {:?} is not available",
                            params.unfiltered
                        )),
                    },
                };
                running.unwrap_or_else(Running::Unavailable)
            })
            .collect();
        Accumulators {
            input,
            per_item,
            schema_findings: Vec::new(),
            schema_omitted: 0,
            checks,
            kept: Vec::new(),
        }
    }

    fn item(&mut self, index: usize, item: &Value) {
        if let Some(schema) = &self.input.case.expect.schema {
            if self.per_item {
                // Every item is validated, so that each clause's outcome is right;
                // past the cap only a clause's first finding is kept.
                let found =
                    self.input
                        .contract
                        .validate_item(schema, self.input.profile, index, item);
                for finding in found {
                    keep_capped(&mut self.schema_findings, &mut self.schema_omitted, finding);
                }
            } else {
                self.kept.push(item.clone());
            }
        }
        for check in &mut self.checks {
            match check {
                Running::Order(c) => c.item(index, item),
                Running::Unique(c) => c.item(index, item),
                Running::Exact(c) => c.item(index, item),
                Running::Subset(c) => c.item(index, item),
                Running::Ids(c) => c.item(index, item),
                Running::Scope(c) => c.item(index, item),
                Running::Unavailable(_) => {}
            }
        }
    }

    fn finish(self, shape: &Walk, eval: &mut Evaluation) {
        let case = self.input.case;
        let items = match shape {
            Walk::Envelope { items, .. } => Some(*items),
            Walk::Whole(_) => None,
        };
        if self.schema_omitted > 0 {
            eval.notes.push(format!(
                "{} more schema finding(s) omitted",
                self.schema_omitted
            ));
        }
        if let Some(schema) = &case.expect.schema {
            let mut findings = self.schema_findings;
            // The envelope: the body with an empty list (or the whole body when
            // it has no list, or when items were not validated one by one).
            let envelope = match shape {
                Walk::Envelope { rest, .. } => {
                    let mut object = rest.clone();
                    object.insert(list::LIST_KEY.to_owned(), Value::Array(self.kept));
                    Value::Object(object)
                }
                Walk::Whole(value) => value.clone(),
            };
            findings.extend(
                self.input
                    .contract
                    .validate(schema, self.input.profile, &envelope),
            );
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
            for clause in self.input.contract.item_clauses() {
                let record = if failed(&clause) {
                    CheckRecord::new("schema", &clause, CheckOutcome::Fail)
                } else {
                    match items {
                        Some(n) if n > 0 => CheckRecord::new("schema", &clause, CheckOutcome::Pass),
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
        for (spec, check) in case.checks.iter().zip(self.checks) {
            let clause = default_clause(spec.name());
            if items.is_none() {
                eval.records.push(
                    CheckRecord::new(spec.name().as_str(), clause, CheckOutcome::NotExercised)
                        .with_note("no software_deployments list in the body"),
                );
                continue;
            }
            match check {
                Running::Order(c) => eval.add(c.finish()),
                Running::Unique(c) => eval.add(c.finish()),
                Running::Exact(c) => {
                    let (findings, records, observations) = c.finish();
                    eval.add((findings, records));
                    eval.observations.extend(observations);
                }
                Running::Subset(c) => eval.add(c.finish()),
                Running::Ids(c) => eval.add(c.finish()),
                Running::Scope(c) => eval.add(c.finish()),
                Running::Unavailable(why) => eval.records.push(
                    CheckRecord::new(spec.name().as_str(), clause, CheckOutcome::NotExercised)
                        .with_note(why),
                ),
            }
        }
    }
}

fn finish(mut eval: Evaluation) -> Evaluation {
    if eval.findings.len() > MAX_FINDINGS_PER_CASE {
        let mut kept = Vec::with_capacity(MAX_FINDINGS_PER_CASE);
        let mut omitted = 0;
        for finding in std::mem::take(&mut eval.findings) {
            keep_capped(&mut kept, &mut omitted, finding);
        }
        eval.findings = kept;
        eval.notes
            .push(format!("{omitted} more finding(s) omitted"));
    }
    eval
}

/// Keeps `finding` while `kept` is under [`MAX_FINDINGS_PER_CASE`], and past
/// that only when it is the first of its clause (so that every failing clause
/// keeps its evidence); counts the rest in `omitted`.
fn keep_capped(kept: &mut Vec<Finding>, omitted: &mut usize, finding: Finding) {
    if kept.len() < MAX_FINDINGS_PER_CASE || !kept.iter().any(|f| f.clause == finding.clause) {
        kept.push(finding);
    } else {
        *omitted += 1;
    }
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

    /// The `list-all` checks on a 200 JSON `body` under `profile`.
    fn evaluate_list_all(body: &[u8], profile: Profile) -> Evaluation {
        let (contract, cases) = loaded();
        let Some(list_all) = cases.iter().find(|c| c.id == "list-all") else {
            panic!("list-all is shipped");
        };
        evaluate(&Input {
            case: list_all,
            status: 200,
            content_type: Some("application/json"),
            body,
            vars: &BTreeMap::new(),
            others: &BTreeMap::new(),
            contract,
            profile,
            clock_skew: order::DEFAULT_CLOCK_SKEW,
        })
    }

    #[test]
    fn streamed_items_get_the_same_findings_as_the_whole_body() {
        let (contract, _) = loaded();
        let mut items = crate::reference::generated(5);
        items[1]["status"] = Value::from("DONE");
        items[2]["output_values"] = Value::Null;
        items[3].as_object_mut().map(|o| o.remove("config_id"));
        items[4]["creation_time"] = Value::from("2015-02-29T00:00:00Z");
        let body = serde_json::json!({ "links": [], "software_deployments": items });
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        for profile in Profile::ALL {
            let eval = evaluate_list_all(&bytes, profile);
            let mut streamed: Vec<_> = eval
                .findings
                .iter()
                .map(|f| (f.pointer.clone(), f.clause.clone(), f.accepted_by.clone()))
                .collect();
            let mut whole: Vec<_> = contract
                .validate("software-deployments", profile, &body)
                .iter()
                .map(|f| (f.pointer.clone(), f.clause.clone(), f.accepted_by.clone()))
                .collect();
            streamed.sort();
            whole.sort();
            assert_eq!(streamed, whole, "{profile}");
            assert!(streamed.len() >= 3, "{profile}: {streamed:?}");
        }
    }

    #[test]
    fn a_repeated_list_member_is_checked_as_a_parser_reads_it_the_last_one() {
        let good = serde_json::to_string(&crate::reference::generated(2)).unwrap_or_default();
        let bad = r#"[{"id": "not-a-uuid"}]"#;
        for (first, last, clean) in [(bad, good.as_str(), true), (good.as_str(), bad, false)] {
            let body =
                format!(r#"{{"software_deployments": {first}, "software_deployments": {last}}}"#);
            let eval = evaluate_list_all(body.as_bytes(), Profile::Documented);
            assert_eq!(
                eval.findings.is_empty(),
                clean,
                "{body}: {:?}",
                eval.findings
            );
            let whole: Value = serde_json::from_str(&body).unwrap_or_default();
            let (contract, _) = loaded();
            let expected = contract.validate("software-deployments", Profile::Documented, &whole);
            assert_eq!(eval.findings.len(), expected.len(), "{body}");
        }
    }

    #[test]
    fn past_the_cap_every_failing_clause_keeps_its_evidence() {
        let mut items = crate::reference::generated(300);
        for item in items.iter_mut().take(299) {
            item["status"] = Value::from("DONE");
        }
        items[299]["creation_time"] = Value::from("2015-02-30T00:00:00Z");
        let bytes = serde_json::to_vec(&serde_json::json!({ "software_deployments": items }))
            .unwrap_or_default();
        let eval = evaluate_list_all(&bytes, Profile::Documented);
        assert!(
            eval.findings.len() <= MAX_FINDINGS_PER_CASE + 1,
            "{}",
            eval.findings.len()
        );
        assert!(
            eval.findings.iter().any(|f| f.clause == "SD-RESP-4"
                && f.pointer == "/software_deployments/299/creation_time")
        );
        assert!(eval.findings.iter().any(|f| f.clause == "SD-RESP-9"));
        assert!(
            eval.notes.iter().any(|n| n.contains("omitted")),
            "{:?}",
            eval.notes
        );
        let record = |clause: &str| {
            eval.records
                .iter()
                .find(|r| r.check == "schema" && r.clause == clause)
                .map(|r| r.outcome)
        };
        assert_eq!(record("SD-RESP-4"), Some(CheckOutcome::Fail));
        assert_eq!(record("SD-RESP-9"), Some(CheckOutcome::Fail));
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
            let unfiltered = list::index(&body).map(Arc::new);
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
                        clock_skew: order::DEFAULT_CLOCK_SKEW,
                    });
                    prop_assert!(eval.findings.len() <= MAX_FINDINGS_PER_CASE + contract.clauses().len());
                    // Streaming the list finds exactly what validating the whole body finds.
                    if let (200, Some(schema), Ok(whole)) = (status, &case.expect.schema, serde_json::from_slice::<Value>(&body)) {
                        let key = |f: &Finding| (f.pointer.clone(), f.clause.clone(), f.check.clone(), f.accepted_by.clone());
                        let schema_checks = ["schema", "timestamp", "uuid", "status_enum"];
                        let mut streamed: Vec<_> = eval.findings.iter().filter(|f| schema_checks.contains(&f.check.as_str())).map(key).collect();
                        let mut expected: Vec<_> = contract.validate(schema, profile, &whole).iter().map(key).collect();
                        streamed.sort();
                        expected.sort();
                        prop_assert_eq!(streamed, expected);
                    }

                    prop_assert!(eval.records.iter().any(|r| r.clause == "SD-CODE-SET"));
                }
            }
        }
    }
}
