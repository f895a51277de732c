//! `timestamp_order`: `updated_time` is not earlier than `creation_time` (SD-RESP-11),
//! compared as instants.
//!
//! `2015-01-31T14:00:00Z` is later than `2015-01-31T15:12:36+02:00` although it
//! sorts earlier as a string: the check parses both and compares instants.
//! Items whose timestamps do not parse, or that have no `updated_time` (some
//! profiles allow that), are left to the schema check.
//!
//! The severity is the contract's ambiguity 8, the same under every profile and
//! whatever a case says: an update cannot happen before the creation it updates,
//! but the clocks of different nodes disagree a little.
//!
//! | `updated_time` is | finding |
//! |---|---|
//! | at or after `creation_time` | none |
//! | earlier, by at most the tolerance (`--clock-skew`, 1 minute) | SHOULD |
//! | earlier by more | MUST |

use std::time::Duration;

use serde_json::Value;

use super::{Capped, CheckOutcome, CheckRecord, Finding, Severity, timestamp};

/// `--clock-skew` unless given: how much earlier than `creation_time` an `updated_time`
/// may be before it is a MUST finding.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(60);

/// Checks every item of `items` with the tolerance `clock_skew`; not exercised when no
/// item has two valid timestamps.
pub fn check(items: &[Value], clock_skew: Duration) -> (Vec<Finding>, Vec<CheckRecord>) {
    let mut order = Order::new(clock_skew);
    for (index, item) in items.iter().enumerate() {
        order.item(index, item);
    }
    order.finish()
}

/// The severity of an `updated_time` `earlier` than its `creation_time`, with the
/// tolerance `clock_skew`.
pub fn severity(earlier: Duration, clock_skew: Duration) -> Severity {
    if earlier > clock_skew {
        Severity::Must
    } else {
        Severity::Should
    }
}

/// The check fed one item at a time, so a long list need not be held.
#[derive(Debug)]
pub struct Order {
    clock_skew: Duration,
    findings: Capped,
    compared: usize,
}

impl Order {
    /// A check with the tolerance `clock_skew`.
    pub fn new(clock_skew: Duration) -> Self {
        Order {
            clock_skew,
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
        if u >= c {
            return;
        }
        let earlier = Duration::from_secs(c.unix_seconds.abs_diff(u.unix_seconds));
        let severity = severity(earlier, self.clock_skew);
        let tolerance = humantime::format_duration(self.clock_skew);
        let why = match severity {
            Severity::Must => format!(
                "beyond the clock-skew tolerance of {tolerance} (--clock-skew): an update cannot precede the creation it updates"
            ),
            Severity::Should => format!(
                "within the clock-skew tolerance of {tolerance} (--clock-skew): the clocks of different nodes may disagree"
            ),
        };
        self.findings.push(
            Finding::new(
                "SD-RESP-11",
                "timestamp_order",
                format!("/software_deployments/{index}/updated_time"),
                format!("an instant at or after creation_time {created}"),
                updated,
                format!(
                    "updated_time is {} before creation_time, {why}",
                    humantime::format_duration(earlier)
                ),
            )
            .with_severity(severity),
        );
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
            let note = format!(
                "{} item(s) compared, clock-skew tolerance {}",
                self.compared,
                humantime::format_duration(self.clock_skew)
            );
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

    /// Issue 10 item 13: earlier beyond the tolerance is MUST, within it SHOULD; equal
    /// times, later instants written with other offsets, and items without an
    /// `updated_time` are no finding.
    #[test]
    fn order_table() {
        use CheckOutcome::{Fail, NotExercised, Pass};
        let minute = DEFAULT_CLOCK_SKEW;
        let table: [(&str, &str, CheckOutcome, Option<Severity>); 12] = [
            ("2015-01-31T15:12:36Z", "2015-01-31T15:18:21Z", Pass, None),
            ("2015-01-31T15:12:36Z", "2015-01-31T15:12:36Z", Pass, None),
            // The same instant, other offsets.
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T17:12:36+02:00",
                Pass,
                None,
            ),
            (
                "2015-01-31T15:12:36+05:30",
                "2015-01-31T09:42:36Z",
                Pass,
                None,
            ),
            // Later as an instant, earlier as a string: no finding.
            (
                "2015-01-31T15:12:36+02:00",
                "2015-01-31T14:00:00Z",
                Pass,
                None,
            ),
            // Earlier as an instant, later as a string: a finding.
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T16:00:00+02:00",
                Fail,
                Some(Severity::Must),
            ),
            (
                "2015-01-31T15:12:36Z",
                "2015-01-30T15:12:36Z",
                Fail,
                Some(Severity::Must),
            ),
            // Within the tolerance (one second, exactly one minute), and just beyond it.
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T15:12:35Z",
                Fail,
                Some(Severity::Should),
            ),
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T16:11:36+01:00",
                Fail,
                Some(Severity::Should),
            ),
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T15:11:35Z",
                Fail,
                Some(Severity::Must),
            ),
            ("2015-01-31T15:12:36Z", "not a time", NotExercised, None),
            (
                "2015-01-31T15:12:36Z",
                "2015-01-31T15:12:35.5Z",
                NotExercised,
                None,
            ),
        ];
        for (created, updated, want, severity) in table {
            let (findings, records) = check(&[item(created, updated)], minute);
            assert_eq!(records[0].outcome, want, "{created} {updated}");
            assert_eq!(
                findings.first().map(|f| f.severity),
                severity,
                "{created} {updated}"
            );
            assert!(findings.len() <= 1);
            if let Some(f) = findings.first() {
                assert_eq!(f.clause, "SD-RESP-11");
                assert_eq!(f.pointer, "/software_deployments/0/updated_time");
                assert!(f.message.contains("1m"), "{}", f.message);
            }
        }
        let (_, records) = check(&[], minute);
        assert_eq!(records[0].outcome, NotExercised);
    }

    #[test]
    fn a_missing_or_null_updated_time_is_not_compared() {
        for item in [
            json!({"creation_time": "2015-01-31T15:12:36Z"}),
            json!({"creation_time": "2015-01-31T15:12:36Z", "updated_time": null}),
            json!({"updated_time": "2015-01-30T15:12:36Z"}),
        ] {
            let (findings, records) = check(std::slice::from_ref(&item), DEFAULT_CLOCK_SKEW);
            assert_eq!(findings, vec![], "{item}");
            assert_eq!(records[0].outcome, CheckOutcome::NotExercised, "{item}");
        }
    }

    #[test]
    fn the_tolerance_moves_the_line_between_should_and_must() {
        let day_before = [item("2015-01-31T15:12:36Z", "2015-01-30T15:12:36Z")];
        let severity_with = |skew| check(&day_before, skew).0.first().map(|f| f.severity);
        assert_eq!(severity_with(Duration::ZERO), Some(Severity::Must));
        assert_eq!(
            severity_with(Duration::from_secs(86_399)),
            Some(Severity::Must)
        );
        assert_eq!(
            severity_with(Duration::from_secs(86_400)),
            Some(Severity::Should)
        );
        assert_eq!(
            severity_with(Duration::from_secs(90_000)),
            Some(Severity::Should)
        );
        // A fraction of a second of tolerance: a whole second earlier is beyond it.
        let second_before = [item("2015-01-31T15:12:36Z", "2015-01-31T15:12:35Z")];
        let (findings, _) = check(&second_before, Duration::from_millis(500));
        assert_eq!(findings[0].severity, Severity::Must);
    }
}
