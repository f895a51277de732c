//! Filter semantics of `server_id` (SD-REQ-1), read as exact, case-sensitive
//! equality (the contract's ambiguity 6):
//!
//! - `filter_exact`: every returned item's `server_id` equals the filter;
//! - `filter_subset`: the filtered list holds exactly the deployments of the
//!   unfiltered list whose `server_id` equals the filter (compared by `id`,
//!   order ignored: the contract says nothing about order).
//!
//! Items whose `server_id` or `id` is not a string are left to the schema check.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{CheckOutcome, CheckRecord, Finding, Severity};

/// `filter_exact`; not exercised on an empty list.
pub fn exact(
    items: &[Value],
    server_id: &str,
    severity: Severity,
) -> (Vec<Finding>, Vec<CheckRecord>) {
    let mut findings = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(actual) = item.get("server_id").and_then(Value::as_str) else {
            continue;
        };
        if actual != server_id {
            findings.push(
                Finding::new(
                    "SD-REQ-1",
                    "filter_exact",
                    format!("/software_deployments/{index}/server_id"),
                    format!("{server_id:?} (the filter, exactly)"),
                    format!("{actual:?}"),
                    format!("the list filtered by server_id={server_id:?} returns a deployment of server {actual:?}"),
                )
                .with_severity(severity),
            );
        }
    }
    let record = if items.is_empty() {
        CheckRecord::new("filter_exact", "SD-REQ-1", CheckOutcome::NotExercised)
            .with_note("the filtered list is empty: no item to compare")
    } else if findings.is_empty() {
        CheckRecord::new("filter_exact", "SD-REQ-1", CheckOutcome::Pass)
    } else {
        CheckRecord::new("filter_exact", "SD-REQ-1", CheckOutcome::Fail)
    };
    (findings, vec![record])
}

/// `filter_subset` against the unfiltered list `all`; not exercised when `all` is empty.
pub fn subset(
    items: &[Value],
    all: &[Value],
    server_id: &str,
    severity: Severity,
) -> (Vec<Finding>, Vec<CheckRecord>) {
    let id_of = |item: &Value| item.get("id").and_then(Value::as_str).map(str::to_owned);
    let server_of = |item: &Value| {
        item.get("server_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    // Multisets of ids: expected from the unfiltered list, actual from the filtered one.
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for item in all {
        if server_of(item).as_deref() == Some(server_id)
            && let Some(id) = id_of(item)
        {
            *expected.entry(id).or_default() += 1;
        }
    }
    let mut findings = Vec::new();
    let mut remaining = expected.clone();
    for (index, item) in items.iter().enumerate() {
        // Items of another server are filter_exact's finding, not ours.
        if server_of(item).as_deref() != Some(server_id) {
            continue;
        }
        let Some(id) = id_of(item) else { continue };
        match remaining.get_mut(&id) {
            Some(count) if *count > 0 => *count -= 1,
            _ => findings.push(
                Finding::new(
                    "SD-REQ-1",
                    "filter_subset",
                    format!("/software_deployments/{index}"),
                    "only deployments that the unfiltered list has for this server_id",
                    format!("id {id:?}"),
                    format!("deployment {id:?} is returned for server_id={server_id:?} but the unfiltered list has no such deployment of that server"),
                )
                .with_severity(severity),
            ),
        }
    }
    for (id, count) in remaining.iter().filter(|(_, count)| **count > 0) {
        findings.push(
            Finding::new(
                "SD-REQ-1",
                "filter_subset",
                "/software_deployments",
                format!(
                    "deployment {id:?}, which the unfiltered list has for server_id={server_id:?}"
                ),
                "absent",
                format!("the filtered list is missing {count} occurrence(s) of deployment {id:?}"),
            )
            .with_severity(severity),
        );
    }
    let wanted: usize = expected.values().sum();
    let record = if all.is_empty() {
        CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::NotExercised)
            .with_note("the unfiltered list is empty: nothing to compare with")
    } else if findings.is_empty() {
        CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::Pass).with_note(format!(
            "{wanted} of {} unfiltered deployment(s) have this server_id",
            all.len()
        ))
    } else {
        CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::Fail)
    };
    (findings, vec![record])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(id: &str, server: &str) -> Value {
        json!({"id": id, "server_id": server})
    }

    #[test]
    fn exact_table() {
        let s = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";
        let upper = "EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5";
        let cases = [
            (vec![d("1", s), d("2", s)], s, CheckOutcome::Pass, 0),
            (vec![d("1", s), d("2", "other")], s, CheckOutcome::Fail, 1),
            (vec![d("1", s)], upper, CheckOutcome::Fail, 1),
            (vec![d("1", s)], &s[..8], CheckOutcome::Fail, 1),
            (
                vec![d("1", s)],
                " ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
                CheckOutcome::Fail,
                1,
            ),
            (vec![], s, CheckOutcome::NotExercised, 0),
        ];
        for (items, filter, want, count) in cases {
            let (findings, records) = exact(&items, filter, Severity::Must);
            assert_eq!(records[0].outcome, want, "{filter}");
            assert_eq!(findings.len(), count, "{filter}");
        }
    }

    #[test]
    fn subset_table() {
        let all = vec![d("1", "a"), d("2", "a"), d("3", "b")];
        let cases = [
            (vec![d("2", "a"), d("1", "a")], "a", CheckOutcome::Pass, 0),
            (vec![d("1", "a")], "a", CheckOutcome::Fail, 1),
            (vec![], "a", CheckOutcome::Fail, 2),
            (
                vec![d("1", "a"), d("2", "a"), d("9", "a")],
                "a",
                CheckOutcome::Fail,
                1,
            ),
            (
                vec![d("1", "a"), d("1", "a"), d("2", "a")],
                "a",
                CheckOutcome::Fail,
                1,
            ),
            (vec![], "zzz", CheckOutcome::Pass, 0),
            // Another server's items are filter_exact's business.
            (
                vec![d("1", "a"), d("2", "a"), d("3", "b")],
                "a",
                CheckOutcome::Pass,
                0,
            ),
        ];
        for (items, filter, want, count) in cases {
            let (findings, records) = subset(&items, &all, filter, Severity::Must);
            assert_eq!(records[0].outcome, want, "{items:?}");
            assert_eq!(findings.len(), count, "{items:?}: {findings:?}");
        }
        let (_, records) = subset(&[], &[], "a", Severity::Must);
        assert_eq!(records[0].outcome, CheckOutcome::NotExercised);
    }
}
