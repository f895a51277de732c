//! `project_scope` (SD-URI-2): a list asked for under another project's id holds
//! none of the target project's own deployments, compared by `id` with the
//! unfiltered list of the run's project (`list-all`).
//!
//! `project_id` is the path's project (SD-URI-2): a target that ignores it, and
//! answers any project's path with the token's own deployments, leaks them across
//! projects. Fed one item at a time, like the other list checks:
//!
//! ```json
//! { "clause": "SD-URI-2", "check": "project_scope", "pointer": "/software_deployments/0/id",
//!   "expected": "no deployment of the target's own project (list-all)",
//!   "actual": "\"ef422fa5-719a-419e-a10c-72e3a367b0b8\"" }
//! ```

use serde_json::Value;

use super::filter::ListIndex;
use super::{Capped, CheckOutcome, CheckRecord, Finding, Severity};

/// The clause the check speaks for.
pub const CLAUSE: &str = "SD-URI-2";

/// The check, fed the other project's list item by item.
#[derive(Debug)]
pub struct Scope<'a> {
    own: &'a ListIndex,
    severity: Severity,
    items: usize,
    findings: Capped,
}

impl<'a> Scope<'a> {
    /// The check against `own`, the target project's unfiltered list.
    pub fn new(own: &'a ListIndex, severity: Severity) -> Self {
        Scope {
            own,
            severity,
            items: 0,
            findings: Capped::default(),
        }
    }

    /// Looks at the item at `position` of the other project's list.
    pub fn item(&mut self, position: usize, item: &Value) {
        self.items += 1;
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            return;
        };
        if self.own.has_id(id) {
            self.findings.push(
                Finding::new(
                    CLAUSE,
                    "project_scope",
                    format!("/software_deployments/{position}/id"),
                    "no deployment of the target's own project",
                    format!("{id:?}"),
                    format!(
                        "another project's list holds deployment {id:?}, one of the run's own project's: the project id in the path is not honoured"
                    ),
                )
                .with_severity(self.severity),
            );
        }
    }

    /// The findings and the record: not exercised when the own list has no
    /// deployment to recognise.
    pub fn finish(self) -> (Vec<Finding>, Vec<CheckRecord>) {
        if self.own.is_empty() {
            let record = CheckRecord::new("project_scope", CLAUSE, CheckOutcome::NotExercised)
                .with_note("the unfiltered list has no deployment to recognise");
            return (Vec::new(), vec![record]);
        }
        let failed = !self.findings.is_empty();
        let (findings, omitted) = self.findings.into_parts();
        let outcome = if failed {
            CheckOutcome::Fail
        } else {
            CheckOutcome::Pass
        };
        let mut record = CheckRecord::new("project_scope", CLAUSE, outcome);
        if let Some(note) = omitted {
            record = record.with_note(note);
        }
        (findings, vec![record])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The check over a whole list.
    fn check(
        items: &[Value],
        own: &ListIndex,
        severity: Severity,
    ) -> (Vec<Finding>, Vec<CheckRecord>) {
        let mut scope = Scope::new(own, severity);
        for (position, item) in items.iter().enumerate() {
            scope.item(position, item);
        }
        scope.finish()
    }

    /// Issue 10 item 12: another project's list that shows one of ours fails SD-URI-2;
    /// an empty list or other deployments pass; with nothing of ours to recognise, the
    /// check is not exercised.
    #[test]
    fn another_projects_list_holds_none_of_ours() {
        let ours = crate::reference::deployments();
        let own = ListIndex::from_items(&ours);
        let (findings, records) = check(&ours, &own, Severity::Must);
        assert_eq!(findings.len(), ours.len());
        assert!(
            findings
                .iter()
                .all(|f| f.clause == "SD-URI-2" && f.severity == Severity::Must)
        );
        assert_eq!(findings[1].pointer, "/software_deployments/1/id");
        assert_eq!(records[0].outcome, CheckOutcome::Fail);

        let theirs =
            vec![json!({ "id": "00000000-0000-4000-8000-000000000001", "server_id": "x" })];
        for list in [Vec::new(), theirs] {
            let (findings, records) = check(&list, &own, Severity::Must);
            assert_eq!(findings, vec![]);
            assert_eq!(records[0].outcome, CheckOutcome::Pass);
        }
        let (_, records) = check(&ours, &ListIndex::default(), Severity::Must);
        assert_eq!(records[0].outcome, CheckOutcome::NotExercised);
    }
}
