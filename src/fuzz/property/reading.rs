//! The readings the contract allows of a `server_id` parameter (an exact filter, no
//! filter, any of two values, any known deployment), and what each makes of a filtered
//! list: `filter-exact` and `filter-subset` findings, or a collation's observations.

use serde_json::Value as Json;

use super::deployments::{same_deployments, same_deployments_up_to, unknown_deployments};
use crate::check::collation::{self, CollationMatch, Judged, Match};
use crate::check::filter::{self, ListIndex};
use crate::check::{self, Finding, Observation, Severity};
use crate::fuzz::input::{Input, Value};

/// What one reading makes of a filtered list.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// `filter-exact` findings.
    pub(super) exact: Vec<Finding>,
    /// `filter-subset` findings.
    pub(super) subset: Vec<Finding>,
    /// A collation's matches, where the profile observes them.
    pub(super) observations: Vec<Observation>,
}

impl Outcome {
    /// 0: the reading explains the list; 1: with observations; 2: with SHOULD findings
    /// only; 3: with MUST findings.
    fn rank(&self) -> u8 {
        let mut findings = self.exact.iter().chain(&self.subset).peekable();
        if findings.peek().is_none() {
            u8::from(!self.observations.is_empty())
        } else if findings.all(|f| f.severity == Severity::Should) {
            2
        } else {
            3
        }
    }
}

/// One way a target may read the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reading {
    /// Filter by exactly this string.
    Exact(String),
    /// No filter at all.
    Unfiltered,
    /// Deployments of any of these servers.
    AnyOf(Vec<String>),
    /// The value is not UTF-8: only deployments the unfiltered list has.
    Known,
}

impl Reading {
    pub(super) fn name(&self) -> String {
        match self {
            Reading::Exact(s) => format!("server_id == {:?}", check::truncate(s, 40)),
            Reading::Unfiltered => "no filter".to_owned(),
            Reading::AnyOf(values) => format!("any of {values:?}"),
            Reading::Known => "any deployment the unfiltered list has".to_owned(),
        }
    }

    /// What this reading makes of `items`; `policy` says what a collation's match is.
    fn check(
        &self,
        items: &[Json],
        all: Option<&[Json]>,
        index: Option<&ListIndex>,
        policy: CollationMatch,
    ) -> Outcome {
        match self {
            Reading::Exact(s) => {
                let (exact, _, observations) = filter::exact(items, s, Severity::Must, policy);
                Outcome {
                    exact,
                    subset: index
                        .map(|index| filter::subset_of(items, index, s, Severity::Must).0)
                        .unwrap_or_default(),
                    observations,
                }
            }
            Reading::Unfiltered => Outcome {
                subset: all
                    .map(|all| same_deployments(items, all, "the unfiltered list"))
                    .unwrap_or_default(),
                ..Outcome::default()
            },
            Reading::AnyOf(values) => Outcome {
                subset: all
                    .map(|all| any_of_subset(values, items, all))
                    .unwrap_or_default(),
                ..any_of_exact(values, items, policy)
            },
            Reading::Known => Outcome {
                subset: all
                    .map(|all| unknown_deployments(items, all))
                    .unwrap_or_default(),
                ..Outcome::default()
            },
        }
    }
}

/// The reading that explains `items` best: fully, then with observations only, then with
/// SHOULD findings only (a collation's match under `documented`); else the first. With
/// its [`Outcome::rank`].
pub(super) fn best(
    readings: &[Reading],
    items: &[Json],
    all: Option<&[Json]>,
    index: Option<&ListIndex>,
    policy: CollationMatch,
) -> Option<(u8, Outcome)> {
    let mut best: Option<(u8, Outcome)> = None;
    for reading in readings {
        let outcome = reading.check(items, all, index, policy);
        let rank = outcome.rank();
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, outcome));
        }
        if rank == 0 {
            break;
        }
    }
    best
}

/// `filter-exact` under [`Reading::AnyOf`]: every item's `server_id` is one of `values`.
/// As in `filter::Exact`, a collation explains a list only as a whole.
fn any_of_exact(values: &[String], items: &[Json], policy: CollationMatch) -> Outcome {
    let mut outcome = Outcome::default();
    let mut collated = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(actual) = item.get("server_id").and_then(Json::as_str) else {
            continue;
        };
        let closest = values
            .iter()
            .map(|v| collation::compare(v, actual))
            .min_by_key(|m| match m {
                Match::Exact => 0,
                Match::Collation => 1,
                Match::Unexplained => 2,
            })
            .unwrap_or(Match::Unexplained);
        match closest {
            Match::Exact => {}
            Match::Collation => collated.push((index, actual)),
            Match::Unexplained => outcome.exact.push(any_of_finding(values, index, actual)),
        }
    }
    let explained = outcome.exact.is_empty();
    for (index, actual) in collated {
        let finding = any_of_finding(values, index, actual);
        if !explained {
            outcome.exact.push(finding);
            continue;
        }
        let actual = format!("{actual:?}");
        let judged = policy.judge(
            Severity::Must,
            finding.pointer,
            finding.expected,
            actual,
            &finding.message,
        );
        match judged {
            Judged::Finding(finding) => outcome.exact.push(finding),
            Judged::Observation(o) if outcome.observations.is_empty() => {
                outcome.observations.push(o);
            }
            Judged::Observation(_) => {}
        }
    }
    outcome
}

/// The `filter-exact` finding of the item at `index`, of server `actual`, under
/// [`Reading::AnyOf`].
fn any_of_finding(values: &[String], index: usize, actual: &str) -> Finding {
    Finding::new(
        "SD-REQ-1",
        "filter_exact",
        format!("/software_deployments/{index}/server_id"),
        format!("one of {values:?}"),
        format!("{actual:?}"),
        format!("a deployment of server {actual:?} is returned"),
    )
}

/// `filter-subset` under [`Reading::AnyOf`]: the unfiltered list's deployments of
/// `values`, and besides only deployments of a collation's other spellings of them.
fn any_of_subset(values: &[String], items: &[Json], all: &[Json]) -> Vec<Finding> {
    fn server(item: &Json) -> Option<&str> {
        item.get("server_id").and_then(Json::as_str)
    }
    let wanted: Vec<Json> = all
        .iter()
        .filter(|item| server(item).is_some_and(|s| values.iter().any(|v| v == s)))
        .cloned()
        .collect();
    // A collation's other spellings are allowed, not owed.
    let extra: Vec<Json> = all
        .iter()
        .filter(|item| {
            server(item).is_some_and(|s| {
                values.iter().all(|v| v != s)
                    && values
                        .iter()
                        .any(|v| collation::compare(v, s) == Match::Collation)
            })
        })
        .cloned()
        .collect();
    same_deployments_up_to(
        items,
        &wanted,
        &extra,
        "the unfiltered list's deployments of these servers",
    )
}

/// Every reading the contract allows for `input`.
pub(super) fn readings(input: &Input) -> Vec<Reading> {
    match input {
        Input::One(Value::Text(text)) if text.is_empty() => {
            vec![Reading::Exact(String::new()), Reading::Unfiltered]
        }
        Input::One(Value::Text(text)) => vec![Reading::Exact(text.clone())],
        Input::NoValue => vec![Reading::Exact(String::new()), Reading::Unfiltered],
        Input::Repeated(Value::Text(a), Value::Text(b)) => {
            let mut all = vec![
                Reading::Exact(a.clone()),
                Reading::Exact(b.clone()),
                Reading::Exact(format!("{a},{b}")),
                Reading::AnyOf(vec![a.clone(), b.clone()]),
            ];
            if a.is_empty() || b.is_empty() {
                all.push(Reading::Unfiltered);
            }
            all
        }
        Input::One(Value::Bytes(_)) | Input::Repeated(..) => vec![Reading::Known],
    }
}
