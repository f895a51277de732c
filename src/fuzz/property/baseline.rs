//! The unfiltered list, fetched once before fuzzing: the server ids to mutate and the
//! deployments every filtered list is compared with.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::Reply;
use crate::check::filter::ListIndex;

/// The unfiltered list, fetched once before fuzzing.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// Its items, when it was a 200 JSON list.
    pub items: Option<Vec<Json>>,
    /// The distinct string `server_id`s of its items, sorted.
    pub server_ids: Vec<String>,
    /// `filter_subset`'s index of the items, built once, not per request.
    pub index: Option<ListIndex>,
    /// What the unfiltered list itself breaks, by clause and item (`super::baseline`):
    /// a fuzz answer's finding it explains is the unfiltered list's, not the input's.
    pub(crate) known: crate::fuzz::baseline::Known,
}

impl Baseline {
    /// The baseline from the unfiltered list's reply; `items` is `None` unless it is a 200
    /// JSON object with a `software_deployments` list.
    pub fn from_reply(reply: &Reply<'_>) -> Baseline {
        if reply.status != 200 || reply.body_cut.is_some() {
            return Baseline::default();
        }
        // Only `id` and `server_id` are ever compared: keep those, item by item
        // as the list streams past, never the whole tree.
        let mut slimmed = Vec::new();
        let items = match crate::check::list::walk(reply.body, |_, mut item| {
            slimmed.push(slim(&mut item));
        }) {
            Ok(crate::check::list::Walk::Envelope { .. }) => Some(slimmed),
            Ok(crate::check::list::Walk::Whole(_))
            | Err(crate::check::list::WalkError::Json(_)) => None,
            // The list a parser keeps is the last one: read the document whole.
            Err(crate::check::list::WalkError::DuplicateList) => {
                serde_json::from_slice::<Json>(reply.body)
                    .ok()
                    .and_then(|mut v| {
                        v.get_mut("software_deployments")
                            .and_then(Json::as_array_mut)
                            .map(|items| items.iter_mut().map(slim).collect::<Vec<Json>>())
                    })
            }
        };
        let server_ids: BTreeSet<String> = items
            .iter()
            .flatten()
            .filter_map(|item| item.get("server_id").and_then(Json::as_str))
            .map(str::to_owned)
            .collect();
        Baseline {
            index: items.as_deref().map(ListIndex::from_items),
            items,
            server_ids: server_ids.into_iter().collect(),
            known: crate::fuzz::baseline::Known::default(),
        }
    }
}

/// An item reduced to what the filter properties compare: its `id` and `server_id`.
pub(super) fn slim(item: &mut Json) -> Json {
    let mut take = |field: &str| item.get_mut(field).map(Json::take).unwrap_or(Json::Null);
    serde_json::json!({ "id": take("id"), "server_id": take("server_id") })
}
