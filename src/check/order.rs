//! `timestamp_order`: `updated_time >= creation_time`, compared as instants (SD-RESP-11, SHOULD).
//!
//! `2015-01-31T14:00:00Z` is later than `2015-01-31T15:12:36+02:00` although it
//! sorts earlier as a string: the check parses both and compares instants.
//! Items whose timestamps do not parse are left to the schema check.

use serde_json::Value;

use super::{Capped, CheckOutcome, CheckRecord, Finding, Severity, timestamp};

/// Checks every item of `items`; not exercised when no item has two valid timestamps.
pub fn check(items: &[Value], severity: Severity) -> (Vec<Finding>, Vec<CheckRecord>) {
    let mut order = Order::new(severity);
    for (index, item) in items.iter().enumerate() {
        order.item(index, item);
    }
    order.finish()
}

/// The check fed one item at a time, so a long list need not be held.
#[derive(Debug)]
pub struct Order {
    severity: Severity,
    findings: Capped,
    compared: usize,
}

impl Order {
    /// A check that reports at `severity`.
    pub fn new(severity: Severity) -> Self {
        Order {
            severity,
            findings: Capped::default(),
            compared: 0,
        }
    }

    /// Looks at the item at `index` of the list.
    pub fn item(&mut self, index: usize, item: &Value) {
        let get = |field: &str| item.get(field).and_then(Value::as_str);
        let (Some(created), Some(updated)) = (get("creation_time"), get("updated_time")) else {
            return;
        };
        let (Ok(c), Ok(u)) = (timestamp::parse(created), timestamp::parse(updated)) else {
            return;
        };
        self.compared += 1;
        if u < c {
            self.findings.push(
                Finding::new(
                    "SD-RESP-11",
                    "timestamp_order",
                    format!("/software_deployments/{index}/updated_time"),
                    format!("an instant at or after creation_time {created}"),
                    updated,
                    format!(
                        "updated_time is {} s before creation_time",
                        c.unix_seconds - u.unix_seconds
                    ),
                )
                .with_severity(self.severity),
            );
        }
    }

    /// The findings and the record.
    pub fn finish(self) -> (Vec<Finding>, Vec<CheckRecord>) {
        let outcome = match (self.compared, self.findings.is_empty()) {
            (0, _) => CheckOutcome::NotExercised,
            (_, true) => CheckOutcome::Pass,
            (_, false) => CheckOutcome::Fail,
        };
        let record = CheckRecord::new("timestamp_order", "SD-RESP-11", outcome);
        let (findings, omitted) = self.findings.into_parts();
        let record = if self.compared == 0 {
            record.with_note("no item had two valid timestamps to compare")
        } else {
            let note = format!("{} item(s) compared", self.compared);
            record.with_note(omitted.map_or(note.clone(), |o| format!("{note}; {o}")))
        };
        (findings, vec![record])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(created: &str, updated: &str) -> Value {
        json!({"creation_time": created, "updated_time": updated})
    }

    #[test]
    fn order_table() {
        let table = [
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T15:18:21Z",
                CheckOutcome::Pass,
            ),
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T15:12:36Z",
                CheckOutcome::Pass,
            ),
            // Later as an instant, earlier as a string: must pass.
            (
                "2015-01-31T15:12:36+02:00",
                "2015-01-31T14:00:00Z",
                CheckOutcome::Pass,
            ),
            // Earlier as an instant, later as a string: must fail.
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T16:00:00+02:00",
                CheckOutcome::Fail,
            ),
            (
                "2015-01-31T15:12:36Z",
                "2015-01-30T15:12:36Z",
                CheckOutcome::Fail,
            ),
            (
                "2015-01-31T15:12:36Z",
                "not a time",
                CheckOutcome::NotExercised,
            ),
        ];
        for (created, updated, want) in table {
            let (findings, records) = check(&[item(created, updated)], Severity::Should);
            assert_eq!(records[0].outcome, want, "{created} {updated}");
            assert_eq!(findings.len(), usize::from(want == CheckOutcome::Fail));
            if let Some(f) = findings.first() {
                assert_eq!(f.severity, Severity::Should);
                assert_eq!(f.pointer, "/software_deployments/0/updated_time");
            }
        }
        let (_, records) = check(&[], Severity::Should);
        assert_eq!(records[0].outcome, CheckOutcome::NotExercised);
    }
}
