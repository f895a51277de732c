//! Filter semantics of `server_id` (SD-REQ-1): exact, case-sensitive equality is the
//! literal reading; a match as a database collation makes one (letter case, trailing
//! spaces, accents: [`super::collation`]) is what the profile says it is (the contract's
//! ambiguity 6); anything else (a prefix, a substring, a wildcard) is a finding under
//! every profile.
//!
//! - `filter_exact`: every returned item's `server_id` equals the filter;
//! - `filter_subset`: the filtered list holds exactly the deployments of the
//!   unfiltered list whose `server_id` equals the filter (compared by `id`,
//!   order ignored: the contract says nothing about order), and whatever else it
//!   holds that a collation explains is a deployment the unfiltered list has, as
//!   stored.
//!
//! | profile | an item whose `server_id` equals the filter only as a collation does |
//! |---|---|
//! | `strict` | a finding of the check's severity (MUST) |
//! | `documented` | a SHOULD finding |
//! | `lenient` | an observation |
//!
//! Items whose `server_id` or `id` is not a string are left to the schema check.

use std::collections::BTreeMap;

use serde_json::Value;

use super::collation::{self, CollationMatch, Judged, Match};
use super::{
    Capped, CheckOutcome, CheckRecord, Finding, MAX_FINDINGS_PER_CHECK, Observation, Severity,
};

/// What a check concluded: findings, records and observations.
pub type Checked = (Vec<Finding>, Vec<CheckRecord>, Vec<Observation>);

/// `filter_exact`; not exercised on an empty list.
pub fn exact(
    items: &[Value],
    server_id: &str,
    severity: Severity,
    collation: CollationMatch,
) -> Checked {
    let mut check = Exact::new(server_id, severity, collation);
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
/// `server_id` (when strings, with the `server_id`'s collation key), in order.
/// A small fraction of the list's size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListIndex {
    entries: Vec<Entry>,
}

/// One item of an indexed list: its `id` and `server_id`, when strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entry {
    id: Option<Box<str>>,
    server_id: Option<Box<str>>,
    /// [`collation::key`] of `server_id`, when it differs from it.
    key: Option<Box<str>>,
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
        let server_id: Option<Box<str>> = field("server_id");
        let key = server_id
            .as_deref()
            .map(collation::key)
            .filter(|key| Some(key.as_str()) != server_id.as_deref())
            .map(Box::from);
        self.entries.push(Entry {
            id: field("id"),
            server_id,
            key,
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

    /// Whether some item of the list has the string `id` (`check::scope`).
    pub fn has_id(&self, id: &str) -> bool {
        self.entries.iter().any(|e| e.id.as_deref() == Some(id))
    }

    /// The multiset of (id, stored `server_id`) whose `server_id` equals `server_id`
    /// exactly or as a collation does, by id then server id.
    fn ids_matching(&self, server_id: &str) -> BTreeMap<&str, BTreeMap<&str, usize>> {
        let wanted = collation::key(server_id);
        let mut ids: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for entry in &self.entries {
            if let (Some(id), Some(server)) = (&entry.id, &entry.server_id) {
                let key = entry.key.as_deref().unwrap_or(server);
                if server.as_ref() == server_id || key == wanted {
                    *ids.entry(id.as_ref())
                        .or_default()
                        .entry(server.as_ref())
                        .or_default() += 1;
                }
            }
        }
        ids
    }
}

/// `filter_exact` fed one item at a time.
///
/// A collation explains a list only when it explains every item of it: in a list that
/// also holds a deployment no collation matches, the items a collation would match are
/// findings of the check's own severity too.
#[derive(Debug)]
pub struct Exact {
    server_id: String,
    severity: Severity,
    collation: CollationMatch,
    /// Items no collation matches.
    findings: Capped,
    items: usize,
    /// Items whose `server_id` equals the filter only as a collation does: (index,
    /// `server_id`), the first [`MAX_FINDINGS_PER_CHECK`] of them.
    collated: Vec<(usize, String)>,
    /// How many there were.
    collated_count: usize,
}

impl Exact {
    /// The check for a list filtered by `server_id`; `collation` says what a match as a
    /// collation makes one is (see [`CollationMatch::under`]).
    pub fn new(server_id: &str, severity: Severity, collation: CollationMatch) -> Self {
        Exact {
            server_id: server_id.to_owned(),
            severity,
            collation,
            findings: Capped::default(),
            items: 0,
            collated: Vec::new(),
            collated_count: 0,
        }
    }

    /// Looks at the item at `index` of the filtered list.
    pub fn item(&mut self, index: usize, item: &Value) {
        self.items += 1;
        let Some(actual) = item.get("server_id").and_then(Value::as_str) else {
            return;
        };
        let server_id = &self.server_id;
        match collation::compare(server_id, actual) {
            Match::Exact => {}
            Match::Collation => {
                self.collated_count += 1;
                if self.collated.len() < MAX_FINDINGS_PER_CHECK {
                    self.collated.push((index, actual.to_owned()));
                }
            }
            Match::Unexplained => self.findings.push(
                Finding::new(
                    "SD-REQ-1",
                    "filter_exact",
                    format!("/software_deployments/{index}/server_id"),
                    format!("{server_id:?} (the filter, exactly)"),
                    format!("{actual:?}"),
                    format!(
                        "the list filtered by server_id={server_id:?} returns a deployment of server {actual:?}, which no collation matches"
                    ),
                )
                .with_severity(self.severity),
            ),
        }
    }

    /// The findings, the record and the observation (at most one, counting the items).
    pub fn finish(mut self) -> Checked {
        let unexplained = std::mem::take(&mut self.findings);
        let (findings, observation) = self.judge_collated(unexplained);
        let failed = !findings.is_empty();
        let (findings, omitted) = findings.into_parts();
        let record = self.record(failed, omitted);
        let observations = observation
            .map(|mut o| {
                if self.collated_count > 1 {
                    o.message = format!(
                        "{} (and {} more item(s))",
                        o.message,
                        self.collated_count - 1
                    );
                }
                o
            })
            .into_iter()
            .collect();
        (findings, vec![record], observations)
    }

    /// The `unexplained` items' findings, then the collated items': findings of the
    /// check's severity when the list also holds unexplained items, else as the profile
    /// judges them; and the first collated item's observation, if the profile observes.
    fn judge_collated(&self, unexplained: Capped) -> (Capped, Option<Observation>) {
        let server_id = self.server_id.as_str();
        let explained = unexplained.is_empty();
        let mut findings = unexplained;
        let mut observation: Option<Observation> = None;
        for (index, actual) in &self.collated {
            let pointer = format!("/software_deployments/{index}/server_id");
            let expected = format!("{server_id:?} (the filter, exactly)");
            let returned = format!(
                "the list filtered by server_id={server_id:?} returns a deployment of server {actual:?}"
            );
            if !explained {
                findings.push(
                    Finding::new(
                        "SD-REQ-1",
                        "filter_exact",
                        pointer,
                        expected,
                        format!("{actual:?}"),
                        format!(
                            "{returned}; a collation would match it, but the list also holds deployments no collation matches"
                        ),
                    )
                    .with_severity(self.severity),
                );
                continue;
            }
            let actual = format!("{actual:?}");
            match self
                .collation
                .judge(self.severity, pointer, expected, actual, &returned)
            {
                Judged::Finding(finding) => findings.push(finding),
                Judged::Observation(o) => {
                    observation.get_or_insert(o);
                }
            }
        }
        (findings, observation)
    }

    /// The record: not exercised on an empty list, else pass or fail, with notes that
    /// count the collated items and the findings past the cap.
    fn record(&self, failed: bool, omitted: Option<String>) -> CheckRecord {
        if self.items == 0 {
            return CheckRecord::new("filter_exact", "SD-REQ-1", CheckOutcome::NotExercised)
                .with_note("the filtered list is empty: no item to compare");
        }
        let collated = (self.collated_count > 0).then(|| {
            format!(
                "{} item(s) matched only as a case-, space- and accent-insensitive collation does",
                self.collated_count
            )
        });
        let unlisted = (self.collated_count > self.collated.len()).then(|| {
            format!(
                "{} more of them omitted",
                self.collated_count - self.collated.len()
            )
        });
        let outcome = if failed {
            CheckOutcome::Fail
        } else {
            CheckOutcome::Pass
        };
        let notes: Vec<String> = collated
            .into_iter()
            .chain(unlisted)
            .chain(omitted)
            .collect();
        let record = CheckRecord::new("filter_exact", "SD-REQ-1", outcome);
        if notes.is_empty() {
            record
        } else {
            record.with_note(notes.join("; "))
        }
    }
}

/// `filter_subset` fed one item of the filtered list at a time.
#[derive(Debug)]
pub struct Subset<'a> {
    server_id: String,
    severity: Severity,
    unfiltered_len: usize,
    /// How many of the unfiltered list's items have exactly this `server_id`.
    wanted: usize,
    /// The unfiltered list's items a collation matches, by id, then stored `server_id`.
    remaining: BTreeMap<&'a str, BTreeMap<&'a str, usize>>,
    findings: Capped,
}

impl<'a> Subset<'a> {
    /// The check of a list filtered by `server_id` against the unfiltered `index`.
    pub fn new(index: &'a ListIndex, server_id: &str, severity: Severity) -> Self {
        let remaining = index.ids_matching(server_id);
        let wanted = remaining
            .values()
            .filter_map(|servers| servers.get(server_id))
            .sum();
        Subset {
            server_id: server_id.to_owned(),
            severity,
            unfiltered_len: index.len(),
            wanted,
            remaining,
            findings: Capped::default(),
        }
    }

    /// Looks at the item at `position` of the filtered list.
    pub fn item(&mut self, position: usize, item: &Value) {
        let server_id = self.server_id.as_str();
        let Some(actual) = item.get("server_id").and_then(Value::as_str) else {
            return;
        };
        // Items of another server are filter_exact's finding, not ours.
        if collation::compare(server_id, actual) == Match::Unexplained {
            return;
        }
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            return;
        };
        let count = self
            .remaining
            .get_mut(id)
            .and_then(|servers| servers.get_mut(actual));
        match count {
            Some(count) if *count > 0 => *count -= 1,
            _ => {
                let of = if actual == server_id {
                    "of that server".to_owned()
                } else {
                    format!("of server {actual:?}")
                };
                self.findings.push(
                    Finding::new(
                        "SD-REQ-1",
                        "filter_subset",
                        format!("/software_deployments/{position}"),
                        "only deployments that the unfiltered list has for this server_id",
                        format!("id {id:?}"),
                        format!(
                            "deployment {id:?} is returned for server_id={server_id:?} but the unfiltered list has no such deployment {of}"
                        ),
                    )
                    .with_severity(self.severity),
                );
            }
        }
    }

    /// The findings (including what the filtered list missed) and the record.
    pub fn finish(mut self) -> (Vec<Finding>, Vec<CheckRecord>) {
        let server_id = self.server_id.as_str();
        // Only the exact matches are owed: a collation's other spellings are allowed, not
        // required (collations differ in what they fold).
        for (id, servers) in &self.remaining {
            let Some(count) = servers.get(server_id).copied() else {
                continue;
            };
            if count > 0 {
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
        }
        let failed = !self.findings.is_empty();
        let (findings, omitted) = self.findings.into_parts();
        let record = if self.unfiltered_len == 0 {
            CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::NotExercised)
                .with_note("the unfiltered list is empty: nothing to compare with")
        } else if !failed {
            CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::Pass).with_note(format!(
                "{} of {} unfiltered deployment(s) have this server_id",
                self.wanted, self.unfiltered_len
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
    use crate::contract::Profile;
    use serde_json::json;

    fn d(id: &str, server: &str) -> Value {
        json!({"id": id, "server_id": server})
    }

    const S: &str = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";

    #[test]
    fn exact_table() {
        let upper = "EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5";
        let cases = [
            (vec![d("1", S), d("2", S)], S, CheckOutcome::Pass, 0),
            (vec![d("1", S), d("2", "other")], S, CheckOutcome::Fail, 1),
            (vec![d("1", S)], upper, CheckOutcome::Fail, 1),
            (vec![d("1", S)], &S[..8], CheckOutcome::Fail, 1),
            (
                vec![d("1", S)],
                " ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
                CheckOutcome::Fail,
                1,
            ),
            (vec![], S, CheckOutcome::NotExercised, 0),
        ];
        for (items, filter, want, count) in cases {
            let (findings, records, observations) =
                exact(&items, filter, Severity::Must, CollationMatch::Finding);
            assert_eq!(records[0].outcome, want, "{filter}");
            assert_eq!(findings.len(), count, "{filter}");
            assert!(findings.iter().all(|f| f.severity == Severity::Must));
            assert_eq!(observations, vec![]);
        }
    }

    /// Issue 10 item 16: a match as MariaDB's utf8_general_ci makes one is a MUST finding
    /// under strict, a SHOULD finding under documented, an observation under lenient; what
    /// no collation explains is a MUST finding under every profile.
    #[test]
    fn a_collation_match_is_what_the_profile_says_and_nothing_else_is_excused() {
        let collated = [
            "EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5",
            "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5  ",
            "ec14c864-096é-4e27-bb8a-2c2b4dc6f3f5",
            "EC14C864-096É-4E27-BB8A-2C2B4DC6F3F5 ",
        ];
        let unexplained = [
            "ec14c864",
            "096e-4e27",
            "ec14c864%",
            "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f_",
            " ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
            "ec14c864096e4e27bb8a2c2b4dc6f3f5",
        ];
        let items = vec![d("1", S), d("2", S)];
        for profile in Profile::ALL {
            let policy = CollationMatch::under(profile);
            for filter in collated {
                let (findings, records, observations) =
                    exact(&items, filter, Severity::Must, policy);
                let context = format!("{profile} {filter:?}: {findings:?} {observations:?}");
                match profile {
                    Profile::Strict | Profile::Documented => {
                        let want = if profile == Profile::Strict {
                            Severity::Must
                        } else {
                            Severity::Should
                        };
                        assert_eq!(findings.len(), 2, "{context}");
                        assert!(findings.iter().all(|f| f.severity == want), "{context}");
                        assert!(
                            findings.iter().all(|f| f
                                .message
                                .contains("case-, space- and accent-insensitive collation")),
                            "{context}"
                        );
                        assert!(
                            findings.iter().all(|f| f.accepted_by == ["lenient"]),
                            "{context}"
                        );
                        assert_eq!(records[0].outcome, CheckOutcome::Fail, "{context}");
                        assert_eq!(observations, vec![], "{context}");
                    }
                    Profile::Lenient => {
                        assert_eq!(findings, vec![], "{context}");
                        assert_eq!(records[0].outcome, CheckOutcome::Pass, "{context}");
                        assert_eq!(observations.len(), 1, "{context}");
                        let o = &observations[0];
                        assert_eq!(o.clause, "SD-REQ-1");
                        assert_eq!(o.pointer, "/software_deployments/0/server_id");
                        assert!(o.message.contains("and 1 more item(s)"), "{context}");
                        assert_eq!(o.finding_under, ["strict", "documented"]);
                    }
                }
            }
            for filter in unexplained {
                let (findings, _, observations) = exact(&items, filter, Severity::Must, policy);
                assert_eq!(findings.len(), 2, "{profile} {filter:?}");
                assert!(
                    findings.iter().all(|f| f.severity == Severity::Must
                        && f.accepted_by.is_empty()
                        && f.message.contains("no collation matches")),
                    "{profile} {filter:?}: {findings:?}"
                );
                assert_eq!(observations, vec![]);
            }
        }
    }

    /// A collation does not explain a list that also holds another server's deployments:
    /// there its matches are findings of the check's own severity under every profile.
    #[test]
    fn a_collation_explains_a_list_only_when_it_explains_every_item() {
        let upper = "EC14C864-096E-4E27-BB8A-2C2B4DC6F3F5";
        let items = vec![d("1", S), d("2", "other"), d("3", S)];
        for profile in Profile::ALL {
            let (findings, records, observations) = exact(
                &items,
                upper,
                Severity::Must,
                CollationMatch::under(profile),
            );
            assert_eq!(findings.len(), 3, "{profile}: {findings:?}");
            assert!(
                findings
                    .iter()
                    .all(|f| f.severity == Severity::Must && f.accepted_by.is_empty()),
                "{profile}: {findings:?}"
            );
            assert_eq!(records[0].outcome, CheckOutcome::Fail);
            assert_eq!(observations, vec![], "{profile}");
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
            // A collation's match, as stored: filter_exact's business too.
            (vec![d("1", "a"), d("2", "a")], "A", CheckOutcome::Pass, 0),
            (vec![d("1", "a")], "A ", CheckOutcome::Pass, 0),
            // ... but only deployments the unfiltered list has, as it has them.
            (vec![d("9", "a")], "A", CheckOutcome::Fail, 1),
            (vec![d("3", "a")], "A", CheckOutcome::Fail, 1),
            (vec![d("1", "A")], "A", CheckOutcome::Fail, 1),
        ];
        for (items, filter, want, count) in cases {
            let (findings, records) = subset(&items, &all, filter, Severity::Must);
            assert_eq!(records[0].outcome, want, "{filter:?} {items:?}");
            assert_eq!(findings.len(), count, "{filter:?} {items:?}: {findings:?}");
        }
        let (_, records) = subset(&[], &[], "a", Severity::Must);
        assert_eq!(records[0].outcome, CheckOutcome::NotExercised);
    }
}
