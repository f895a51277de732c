//! `filter-subset`'s comparisons of a filtered list with the unfiltered one, deployment by
//! deployment (by `id`, order ignored).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::check::{self, Finding};

/// Multiset of the string ids of `items`.
fn ids(items: &[Json]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for id in items
        .iter()
        .filter_map(|item| item.get("id").and_then(Json::as_str))
    {
        *out.entry(id.to_owned()).or_default() += 1;
    }
    out
}

/// One finding when `items` and `wanted` do not hold the same deployments (by id).
pub(super) fn same_deployments(items: &[Json], wanted: &[Json], what: &str) -> Vec<Finding> {
    let (got, want) = (ids(items), ids(wanted));
    if got == want {
        return Vec::new();
    }
    let count = |m: &BTreeMap<String, usize>| m.values().sum::<usize>();
    vec![Finding::new(
        "SD-REQ-1",
        "filter_subset",
        "/software_deployments",
        format!("the {} deployment(s) of {what}", count(&want)),
        format!("{} deployment(s), not the same ones", count(&got)),
        format!("the list is not {what}"),
    )]
}

/// One finding unless `items` holds `wanted` and, besides, only deployments of `extra`
/// (by id, at most as often as `extra` has them).
pub(super) fn same_deployments_up_to(
    items: &[Json],
    wanted: &[Json],
    extra: &[Json],
    what: &str,
) -> Vec<Finding> {
    let (mut got, want, allowed) = (ids(items), ids(wanted), ids(extra));
    let holds_wanted = want.iter().all(|(id, n)| {
        got.get_mut(id).is_some_and(|have| {
            let ok = *have >= *n;
            *have = have.saturating_sub(*n);
            ok
        })
    });
    let rest_allowed = got
        .iter()
        .all(|(id, n)| *n == 0 || allowed.get(id).is_some_and(|a| a >= n));
    if holds_wanted && rest_allowed {
        return Vec::new();
    }
    same_deployments(items, wanted, what)
}

/// Findings for items the unfiltered list does not have (same id and server).
pub(super) fn unknown_deployments(items: &[Json], all: &[Json]) -> Vec<Finding> {
    let known: BTreeSet<(Option<&str>, Option<&str>)> = all
        .iter()
        .map(|i| {
            (
                i.get("id").and_then(Json::as_str),
                i.get("server_id").and_then(Json::as_str),
            )
        })
        .collect();
    items
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            !known.contains(&(
                i.get("id").and_then(Json::as_str),
                i.get("server_id").and_then(Json::as_str),
            ))
        })
        .map(|(index, item)| {
            Finding::new(
                "SD-REQ-1",
                "filter_subset",
                format!("/software_deployments/{index}"),
                "only deployments the unfiltered list has",
                check::truncate(&item.to_string(), 200),
                "a filtered list returns a deployment the unfiltered list does not have",
            )
        })
        .collect()
}
