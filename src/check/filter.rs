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

use super::{Capped, CheckOutcome, CheckRecord, Finding, Severity};

/// `filter_exact`; not exercised on an empty list.
pub fn exact(
    items: &[Value],
    server_id: &str,
    severity: Severity,
) -> (Vec<Finding>, Vec<CheckRecord>) {
    let mut check = Exact::new(server_id, severity);
    for (index, item) in items.iter().enumerate() {
        check.item(index, item);
    }
    check.finish()
}

/// `filter_subset` against the unfiltered list `all`; not exercised when `all` is empty.
pub fn subset(
    items: &[Value],
    all: &[Value],
    server_id: &str,
    severity: Severity,
) -> (Vec<Finding>, Vec<CheckRecord>) {
    subset_of(items, &ListIndex::from_items(all), server_id, severity)
}

/// [`subset`] against an index built once (for callers that check many lists
/// against the same unfiltered one).
pub fn subset_of(
    items: &[Value],
    index: &ListIndex,
    server_id: &str,
    severity: Severity,
) -> (Vec<Finding>, Vec<CheckRecord>) {
    let mut check = Subset::new(index, server_id, severity);
    for (position, item) in items.iter().enumerate() {
        check.item(position, item);
    }
    check.finish()
}

/// What `filter_subset` needs of an unfiltered list: each item's `id` and
/// `server_id` (when strings), in order. A small fraction of the list's size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListIndex {
    entries: Vec<Entry>,
}

/// One item of an indexed list: its `id` and `server_id`, when strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entry {
    id: Option<Box<str>>,
    server_id: Option<Box<str>>,
}

impl ListIndex {
    /// The index of `items`.
    pub fn from_items(items: &[Value]) -> Self {
        let mut index = ListIndex::default();
        for item in items {
            index.push(item);
        }
        index
    }

    /// Adds the next item of the list.
    pub fn push(&mut self, item: &Value) {
        let field = |name: &str| item.get(name).and_then(Value::as_str).map(Box::from);
        self.entries.push(Entry {
            id: field("id"),
            server_id: field("server_id"),
        });
    }

    /// Items in the list.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The multiset of ids whose `server_id` is exactly `server_id`.
    fn ids_of(&self, server_id: &str) -> BTreeMap<&str, usize> {
        let mut ids = BTreeMap::new();
        for entry in &self.entries {
            if let (Some(id), Some(server)) = (&entry.id, &entry.server_id)
                && server.as_ref() == server_id
            {
                *ids.entry(id.as_ref()).or_default() += 1;
            }
        }
        ids
    }
}

/// `filter_exact` fed one item at a time.
#[derive(Debug)]
pub struct Exact {
    server_id: String,
    severity: Severity,
    findings: Capped,
    items: usize,
}

impl Exact {
    /// The check for a list filtered by `server_id`.
    pub fn new(server_id: &str, severity: Severity) -> Self {
        Exact {
            server_id: server_id.to_owned(),
            severity,
            findings: Capped::default(),
            items: 0,
        }
    }

    /// Looks at the item at `index` of the filtered list.
    pub fn item(&mut self, index: usize, item: &Value) {
        self.items += 1;
        let Some(actual) = item.get("server_id").and_then(Value::as_str) else {
            return;
        };
        let server_id = &self.server_id;
        if actual != server_id {
            self.findings.push(
                Finding::new(
                    "SD-REQ-1",
                    "filter_exact",
                    format!("/software_deployments/{index}/server_id"),
                    format!("{server_id:?} (the filter, exactly)"),
                    format!("{actual:?}"),
                    format!(
                        "the list filtered by server_id={server_id:?} returns a deployment of server {actual:?}"
                    ),
                )
                .with_severity(self.severity),
            );
        }
    }

    /// The findings and the record.
    pub fn finish(self) -> (Vec<Finding>, Vec<CheckRecord>) {
        let failed = !self.findings.is_empty();
        let (findings, omitted) = self.findings.into_parts();
        let record = if self.items == 0 {
            CheckRecord::new("filter_exact", "SD-REQ-1", CheckOutcome::NotExercised)
                .with_note("the filtered list is empty: no item to compare")
        } else if !failed {
            CheckRecord::new("filter_exact", "SD-REQ-1", CheckOutcome::Pass)
        } else {
            let record = CheckRecord::new("filter_exact", "SD-REQ-1", CheckOutcome::Fail);
            match omitted {
                Some(note) => record.with_note(note),
                None => record,
            }
        };
        (findings, vec![record])
    }
}

/// `filter_subset` fed one item of the filtered list at a time.
#[derive(Debug)]
pub struct Subset<'a> {
    server_id: String,
    severity: Severity,
    unfiltered_len: usize,
    expected: BTreeMap<&'a str, usize>,
    remaining: BTreeMap<&'a str, usize>,
    findings: Capped,
}

impl<'a> Subset<'a> {
    /// The check of a list filtered by `server_id` against the unfiltered `index`.
    pub fn new(index: &'a ListIndex, server_id: &str, severity: Severity) -> Self {
        let expected = index.ids_of(server_id);
        Subset {
            server_id: server_id.to_owned(),
            severity,
            unfiltered_len: index.len(),
            remaining: expected.clone(),
            expected,
            findings: Capped::default(),
        }
    }

    /// Looks at the item at `position` of the filtered list.
    pub fn item(&mut self, position: usize, item: &Value) {
        let server_id = self.server_id.as_str();
        // Items of another server are filter_exact's finding, not ours.
        if item.get("server_id").and_then(Value::as_str) != Some(server_id) {
            return;
        }
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            return;
        };
        match self.remaining.get_mut(id) {
            Some(count) if *count > 0 => *count -= 1,
            _ => self.findings.push(
                Finding::new(
                    "SD-REQ-1",
                    "filter_subset",
                    format!("/software_deployments/{position}"),
                    "only deployments that the unfiltered list has for this server_id",
                    format!("id {id:?}"),
                    format!(
                        "deployment {id:?} is returned for server_id={server_id:?} but the unfiltered list has no such deployment of that server"
                    ),
                )
                .with_severity(self.severity),
            ),
        }
    }

    /// The findings (including what the filtered list missed) and the record.
    pub fn finish(mut self) -> (Vec<Finding>, Vec<CheckRecord>) {
        let server_id = self.server_id.as_str();
        for (id, count) in self.remaining.iter().filter(|(_, count)| **count > 0) {
            self.findings.push(
                Finding::new(
                    "SD-REQ-1",
                    "filter_subset",
                    "/software_deployments",
                    format!(
                        "deployment {id:?}, which the unfiltered list has for server_id={server_id:?}"
                    ),
                    "absent",
                    format!(
                        "the filtered list is missing {count} occurrence(s) of deployment {id:?}"
                    ),
                )
                .with_severity(self.severity),
            );
        }
        let wanted: usize = self.expected.values().sum();
        let failed = !self.findings.is_empty();
        let (findings, omitted) = self.findings.into_parts();
        let record = if self.unfiltered_len == 0 {
            CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::NotExercised)
                .with_note("the unfiltered list is empty: nothing to compare with")
        } else if !failed {
            CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::Pass).with_note(format!(
                "{wanted} of {} unfiltered deployment(s) have this server_id",
                self.unfiltered_len
            ))
        } else {
            let record = CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::Fail);
            match omitted {
                Some(note) => record.with_note(note),
                None => record,
            }
        };
        (findings, vec![record])
    }
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
