//! `unique_ids`: no two deployments in one list share an `id` (SD-RESP-5: the id
//! is *the* deployment's UUID, so it identifies one deployment).

use std::collections::HashMap;

use serde_json::Value;

use super::{Capped, CheckOutcome, CheckRecord, Finding, Severity};

/// Checks `items`; not exercised with fewer than two string ids.
pub fn check(items: &[Value], severity: Severity) -> (Vec<Finding>, Vec<CheckRecord>) {
    let mut unique = Unique::new(severity);
    for (index, item) in items.iter().enumerate() {
        unique.item(index, item);
    }
    unique.finish()
}

/// The check fed one item at a time: it keeps only the ids seen.
#[derive(Debug)]
pub struct Unique {
    severity: Severity,
    first_seen: HashMap<Box<str>, usize>,
    findings: Capped,
    ids: usize,
}

impl Unique {
    /// A check that reports at `severity`.
    pub fn new(severity: Severity) -> Self {
        Unique {
            severity,
            first_seen: HashMap::new(),
            findings: Capped::default(),
            ids: 0,
        }
    }

    /// Looks at the item at `index` of the list.
    pub fn item(&mut self, index: usize, item: &Value) {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            return;
        };
        self.ids += 1;
        if let Some(first) = self.first_seen.get(id) {
            self.findings.push(
                Finding::new(
                    "SD-RESP-5",
                    "unique_ids",
                    format!("/software_deployments/{index}/id"),
                    "an id no other item of the list has",
                    id,
                    format!("item {index} repeats the id of item {first}"),
                )
                .with_severity(self.severity),
            );
        } else {
            self.first_seen.insert(id.into(), index);
        }
    }

    /// The findings and the record.
    pub fn finish(self) -> (Vec<Finding>, Vec<CheckRecord>) {
        let outcome = match (self.ids, self.findings.is_empty()) {
            (0 | 1, _) => CheckOutcome::NotExercised,
            (_, true) => CheckOutcome::Pass,
            (_, false) => CheckOutcome::Fail,
        };
        let mut record = CheckRecord::new("unique_ids", "SD-RESP-5", outcome);
        let (findings, omitted) = self.findings.into_parts();
        if self.ids < 2 {
            record = record.with_note("fewer than two ids in the list");
        } else if let Some(omitted) = omitted {
            record = record.with_note(omitted);
        }
        (findings, vec![record])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unique_table() {
        let a = json!({"id": "a"});
        let b = json!({"id": "b"});
        let cases = [
            (vec![a.clone(), b.clone()], CheckOutcome::Pass, 0),
            (vec![a.clone(), b.clone(), a.clone()], CheckOutcome::Fail, 1),
            (vec![a.clone(), a.clone(), a.clone()], CheckOutcome::Fail, 2),
            (vec![a.clone()], CheckOutcome::NotExercised, 0),
            (vec![], CheckOutcome::NotExercised, 0),
        ];
        for (items, want, count) in cases {
            let (findings, records) = check(&items, Severity::Must);
            assert_eq!(records[0].outcome, want);
            assert_eq!(findings.len(), count);
        }
    }

    #[test]
    fn findings_are_capped_and_the_rest_counted() {
        let items = vec![json!({"id": "same"}); 301];
        let (findings, records) = check(&items, Severity::Must);
        assert_eq!(findings.len(), crate::check::MAX_FINDINGS_PER_CHECK);
        assert_eq!(records[0].outcome, CheckOutcome::Fail);
        assert_eq!(
            records[0].note.as_deref(),
            Some("200 more finding(s) of this check omitted")
        );
    }
}
