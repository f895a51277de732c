//! `ids_equal`, `ids_include` and `ids_exclude`: a list's deployment ids against a set
//! the harness knows, because it created them (`--fixtures create`):
//!
//! | check | asks | clause |
//! |---|---|---|
//! | `ids_equal` | the ids are exactly the set (a filter by a server the harness created returns every deployment created on it and nothing else) | SD-REQ-1 |
//! | `ids_include` | every id of the set is listed (a project's listing holds what was created in it) | SD-URI-2 |
//! | `ids_exclude` | no id of the set is listed (another project's deployments never appear) | SD-URI-2 |
//!
//! The set comes as a rendered template, comma-separated (the fixtures document keeps
//! id sets as such strings, so that a capture can take one). Ids are compared exactly:
//! they are UUIDs the target itself returned when the harness created them. Items whose
//! `id` is not a string are left to the schema check.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Capped, CheckOutcome, CheckRecord, Finding, Severity};

/// How a list's ids must relate to the known set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Exactly the set.
    Equal,
    /// Every id of the set, and possibly others.
    Include,
    /// None of the set.
    Exclude,
}

impl Relation {
    /// The check's name in case files and reports.
    pub fn check_name(self) -> &'static str {
        match self {
            Relation::Equal => "ids_equal",
            Relation::Include => "ids_include",
            Relation::Exclude => "ids_exclude",
        }
    }

    /// The clause the check speaks for.
    pub fn clause(self) -> &'static str {
        match self {
            Relation::Equal => "SD-REQ-1",
            Relation::Include | Relation::Exclude => "SD-URI-2",
        }
    }
}

/// The ids of a comma-separated list (spaces around an id and empty entries ignored).
pub fn parse_set(text: &str) -> BTreeSet<String> {
    text.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks `items` against `known`.
pub fn check(
    items: &[Value],
    relation: Relation,
    known: &str,
    severity: Severity,
) -> (Vec<Finding>, Vec<CheckRecord>) {
    let mut ids = Ids::new(relation, known, severity);
    for (index, item) in items.iter().enumerate() {
        ids.item(index, item);
    }
    ids.finish()
}

/// The check fed one item at a time: it keeps the known set and which of it was seen.
#[derive(Debug)]
pub struct Ids {
    relation: Relation,
    severity: Severity,
    known: BTreeSet<String>,
    seen: BTreeSet<String>,
    findings: Capped,
}

impl Ids {
    /// A check of `relation` to the comma-separated ids `known`, reporting at `severity`.
    pub fn new(relation: Relation, known: &str, severity: Severity) -> Self {
        Ids {
            relation,
            severity,
            known: parse_set(known),
            seen: BTreeSet::new(),
            findings: Capped::default(),
        }
    }

    fn finding(&self, pointer: String, expected: &str, actual: &str, message: String) -> Finding {
        Finding::new(
            self.relation.clause(),
            self.relation.check_name(),
            pointer,
            expected,
            actual,
            message,
        )
        .with_severity(self.severity)
    }

    /// Looks at the item at `index` of the list.
    pub fn item(&mut self, index: usize, item: &Value) {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            return;
        };
        let known = self.known.contains(id);
        let pointer = format!("/software_deployments/{index}/id");
        match (self.relation, known) {
            (Relation::Equal, false) => {
                let finding = self.finding(
                    pointer,
                    "only the deployments the harness created for this filter",
                    id,
                    format!(
                        "item {index} is not one of the {} deployment(s) the harness created for this filter",
                        self.known.len()
                    ),
                );
                self.findings.push(finding);
            }
            (Relation::Exclude, true) => {
                let finding = self.finding(
                    pointer,
                    "no deployment of the other project",
                    id,
                    format!(
                        "item {index} is a deployment the harness created in the other project"
                    ),
                );
                self.findings.push(finding);
            }
            (Relation::Equal | Relation::Include, true) => {
                self.seen.insert(id.to_owned());
            }
            (Relation::Include | Relation::Exclude, false) => {}
        }
    }

    /// The findings and the record.
    pub fn finish(mut self) -> (Vec<Finding>, Vec<CheckRecord>) {
        if matches!(self.relation, Relation::Equal | Relation::Include) {
            let missing: Vec<String> = self.known.difference(&self.seen).cloned().collect();
            for id in missing {
                let finding = self.finding(
                    String::new(),
                    &format!("deployment {id} in the list"),
                    "absent",
                    format!("the harness created deployment {id} here, and the list lacks it"),
                );
                self.findings.push(finding);
            }
        }
        let name = self.relation.check_name();
        let clause = self.relation.clause();
        // Equality with the empty set is a real question (the list must be empty);
        // including or excluding nothing is not.
        if self.known.is_empty() && self.relation != Relation::Equal {
            let record = CheckRecord::new(name, clause, CheckOutcome::NotExercised)
                .with_note("no known id to look for");
            return (Vec::new(), vec![record]);
        }
        let outcome = if self.findings.is_empty() {
            CheckOutcome::Pass
        } else {
            CheckOutcome::Fail
        };
        let mut record = CheckRecord::new(name, clause, outcome);
        let (findings, omitted) = self.findings.into_parts();
        if let Some(omitted) = omitted {
            record = record.with_note(omitted);
        }
        (findings, vec![record])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items(ids: &[&str]) -> Vec<Value> {
        ids.iter().map(|id| json!({ "id": id })).collect()
    }

    #[test]
    fn the_relations_as_a_table() {
        // (relation, known, listed, outcome, findings)
        let table: [(Relation, &str, &[&str], CheckOutcome, usize); 12] = [
            (Relation::Equal, "a,b", &["b", "a"], CheckOutcome::Pass, 0),
            (Relation::Equal, "a, b,", &["a", "b"], CheckOutcome::Pass, 0),
            (Relation::Equal, "a,b", &["a"], CheckOutcome::Fail, 1),
            (
                Relation::Equal,
                "a,b",
                &["a", "b", "c"],
                CheckOutcome::Fail,
                1,
            ),
            (Relation::Equal, "", &[], CheckOutcome::Pass, 0),
            (Relation::Equal, "", &["c"], CheckOutcome::Fail, 1),
            (
                Relation::Include,
                "a,b",
                &["c", "b", "a"],
                CheckOutcome::Pass,
                0,
            ),
            (Relation::Include, "a,b", &["c", "a"], CheckOutcome::Fail, 1),
            (Relation::Include, "", &["c"], CheckOutcome::NotExercised, 0),
            (Relation::Exclude, "a,b", &["c", "d"], CheckOutcome::Pass, 0),
            (
                Relation::Exclude,
                "a,b",
                &["c", "b", "a"],
                CheckOutcome::Fail,
                2,
            ),
            (Relation::Exclude, "", &["c"], CheckOutcome::NotExercised, 0),
        ];
        for (relation, known, listed, outcome, count) in table {
            let (findings, records) = check(&items(listed), relation, known, Severity::Must);
            let context = format!("{relation:?} {known:?} {listed:?}");
            assert_eq!(records[0].outcome, outcome, "{context}");
            assert_eq!(records[0].clause, relation.clause(), "{context}");
            assert_eq!(findings.len(), count, "{context}: {findings:?}");
            assert!(
                findings.iter().all(|f| f.clause == relation.clause()),
                "{context}"
            );
        }
    }

    #[test]
    fn ids_are_compared_exactly_and_non_string_ids_are_the_schema_s() {
        let listed = vec![json!({ "id": "A" }), json!({ "id": 7 }), json!({})];
        let (findings, _) = check(&listed, Relation::Exclude, "a,7", Severity::Must);
        assert!(findings.is_empty(), "{findings:?}");
        let (findings, _) = check(&listed, Relation::Equal, "A", Severity::Should);
        assert!(findings.is_empty(), "{findings:?}");
    }
}
