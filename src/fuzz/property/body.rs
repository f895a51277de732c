//! `valid-body`'s verdict on a 200 body (JSON, media type, schema, time order), computed
//! once per distinct body.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value as Json;

use std::time::Duration;

use super::baseline::slim;
use super::{Context, Reply};
use crate::check::{self, Finding, order};
use crate::contract::{Contract, Profile};

/// The response schema every 200 body is validated against.
pub const SCHEMA: &str = "software-deployments";

/// What a 200 body showed, independent of the input (so it is computed once per distinct body).
#[derive(Debug, Default)]
pub struct BodyVerdict {
    /// JSON, media type, schema and time-order findings.
    pub findings: Vec<Finding>,
    /// The `software_deployments` list, if the body has one, each item reduced to its
    /// `id` and `server_id` (all the filter properties compare).
    pub items: Option<Vec<Json>>,
}

/// Distinct bodies seen, with their verdicts: most fuzz inputs get the same few bodies (an
/// empty list, one server's deployments), so validation runs once per body, off the hot path.
///
/// Bounded whatever the number of fuzz cases: at most [`CACHE_ENTRIES`] bodies of at
/// most [`CACHE_BODY_BYTES`] each, [`CACHE_BYTES`] in all (it starts over when full),
/// and a verdict keeps only each item's `id` and `server_id`.
#[derive(Debug, Default)]
pub struct BodyCache {
    entries: Mutex<Entries>,
}

/// The cached verdicts and the bytes of body they hold.
#[derive(Debug, Default)]
struct Entries {
    map: HashMap<BodyKey, Arc<BodyVerdict>>,
    bytes: usize,
}

/// A body and its `Content-Type`.
type BodyKey = (Option<String>, Vec<u8>);

/// Most bodies the cache keeps (it starts over when full).
const CACHE_ENTRIES: usize = 256;
/// Largest body the cache keeps.
const CACHE_BODY_BYTES: usize = 64 * 1024;
/// Most bytes of body the cache holds in all (it starts over when full).
pub const CACHE_BYTES: usize = 4 * 1024 * 1024;

impl BodyCache {
    /// The verdict on a 200 body, computed on first sight.
    pub fn verdict(&self, context: &Context<'_>, reply: &Reply<'_>) -> Arc<BodyVerdict> {
        let cacheable = reply.body_cut.is_none() && reply.body.len() <= CACHE_BODY_BYTES;
        if !cacheable {
            return Arc::new(judge_body(context, reply));
        }
        let key = (reply.content_type.map(str::to_owned), reply.body.to_vec());
        if let Some(hit) = self
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .get(&key)
        {
            return Arc::clone(hit);
        }
        let verdict = Arc::new(judge_body(context, reply));
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let size = key.1.len() + key.0.as_ref().map_or(0, String::len);
        if entries.map.len() >= CACHE_ENTRIES || entries.bytes + size > CACHE_BYTES {
            *entries = Entries::default();
        }
        entries.bytes += size;
        entries.map.insert(key, Arc::clone(&verdict));
        verdict
    }

    /// Bodies cached, and the bytes of body they hold.
    pub fn size(&self) -> (usize, usize) {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        (entries.map.len(), entries.bytes)
    }
}

fn judge_body(context: &Context<'_>, reply: &Reply<'_>) -> BodyVerdict {
    judge(context.contract, context.profile, context.clock_skew, reply)
}

/// The verdict on a 200 body under `profile`, whatever input it answered (the
/// fuzz baseline judges the unfiltered list with it).
pub fn judge(
    contract: &Contract,
    profile: Profile,
    clock_skew: Duration,
    reply: &Reply<'_>,
) -> BodyVerdict {
    let schema = contract.schema_names().contains(SCHEMA).then_some(SCHEMA);
    if reply.body_cut.is_none() && schema.is_none_or(|s| contract.validates_items(s)) {
        let streamed = judge_streamed(contract, profile, clock_skew, schema, reply);
        if let Some(verdict) = streamed {
            return verdict;
        }
    }
    let (value, mut findings, _records) = match reply.body_cut {
        None => check::body::check(reply.content_type, reply.body),
        Some(limit) => check::body::check_cut(reply.content_type, limit),
    };
    let Some(mut value) = value else {
        return BodyVerdict {
            findings,
            items: None,
        };
    };
    if contract.schema_names().contains(SCHEMA) {
        findings.extend(contract.validate(SCHEMA, profile, &value));
    }
    let items = value
        .get_mut("software_deployments")
        .and_then(Json::as_array_mut)
        .map(|items| {
            findings.extend(order::check(items, clock_skew).0);
            items.iter_mut().map(slim).collect::<Vec<Json>>()
        });
    BodyVerdict { findings, items }
}

/// [`judge`] as the list streams past (issue 10 item 15): each item is validated,
/// fed to the time-order check, reduced to its `id` and `server_id` and dropped, so a
/// large body costs the body and one item, never a whole `serde_json::Value` tree.
/// `None` when the body holds `software_deployments` twice: a parser keeps the last,
/// so the whole document is read instead.
fn judge_streamed(
    contract: &Contract,
    profile: Profile,
    clock_skew: Duration,
    schema: Option<&str>,
    reply: &Reply<'_>,
) -> Option<BodyVerdict> {
    use crate::check::list::{LIST_KEY, Walk, WalkError};
    let mut per_item = Vec::new();
    let mut order = order::Order::new(clock_skew);
    let mut items = Vec::new();
    let walked = check::list::walk(reply.body, |index, mut item| {
        if let Some(schema) = schema {
            per_item.extend(contract.validate_item(schema, profile, index, &item));
        }
        order.item(index, &item);
        items.push(slim(&mut item));
    });
    let mut findings: Vec<Finding> = check::body::media_type_finding(reply.content_type)
        .into_iter()
        .collect();
    let whole = match walked {
        Err(WalkError::DuplicateList) => return None,
        Err(WalkError::Json(error)) => {
            let (_, findings, _) = check::body::check_error(reply.content_type, reply.body, &error);
            return Some(BodyVerdict {
                findings,
                items: None,
            });
        }
        Ok(Walk::Whole(value)) => value,
        Ok(Walk::Envelope { mut rest, .. }) => {
            // The envelope, with an empty list: its items were validated one by one.
            rest.insert(LIST_KEY.to_owned(), Json::Array(Vec::new()));
            findings.extend(per_item);
            if let Some(schema) = schema {
                findings.extend(contract.validate(schema, profile, &Json::Object(rest)));
            }
            findings.extend(order.finish().0);
            return Some(BodyVerdict {
                findings,
                items: Some(items),
            });
        }
    };
    if let Some(schema) = schema {
        findings.extend(contract.validate(schema, profile, &whole));
    }
    Some(BodyVerdict {
        findings,
        items: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Baseline;
    use super::*;
    use serde_json::json;

    /// Issue 10 item 15: the body cache is bounded whatever the number of fuzz cases
    /// (bytes of body in all), and a verdict keeps each item's id and server id only.
    #[test]
    fn the_body_cache_stays_within_its_bound() {
        let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        let baseline = Baseline::default();
        let cache = BodyCache::default();
        let context = Context {
            contract: &contract,
            profile: Profile::Documented,
            baseline: &baseline,
            authenticated: true,
            cache: &cache,
            clock_skew: order::DEFAULT_CLOCK_SKEW,
        };
        let items = crate::reference::generated(80);
        let mut largest = 0;
        for n in 0..400 {
            let body = serde_json::to_vec(&json!({ "software_deployments": items, "n": n }))
                .unwrap_or_default();
            assert!(body.len() > 30_000 && body.len() <= CACHE_BODY_BYTES);
            let verdict = cache.verdict(
                &context,
                &Reply {
                    status: 200,
                    content_type: Some("application/json"),
                    body: &body,
                    body_cut: None,
                },
            );
            let kept = verdict.items.as_deref().unwrap_or_default();
            assert_eq!(kept.len(), 80);
            let fields: Vec<&String> = kept[0]
                .as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            assert_eq!(fields, ["id", "server_id"]);
            largest = largest.max(cache.size().1);
        }
        assert!(largest <= CACHE_BYTES, "{largest}");
    }

    /// Issue 10 item 15: a 200 body streamed item by item gets the findings the whole
    /// document gets (schema, time order, media type), and the same slim list.
    #[test]
    fn a_streamed_body_gets_the_whole_documents_findings() {
        let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        let mut items = crate::reference::generated(6);
        items[1]["status"] = json!("DONE");
        items[2]["creation_time"] = json!("2015-02-30T00:00:00Z");
        items[3]["updated_time"] = json!("2000-01-01T00:00:00Z");
        items[4].as_object_mut().map(|o| o.remove("config_id"));
        let body = serde_json::to_vec(&json!({ "links": 3, "software_deployments": items }))
            .unwrap_or_default();
        for (content_type, profile) in [
            (Some("application/json"), Profile::Strict),
            (Some("text/html"), Profile::Lenient),
        ] {
            let reply = Reply {
                status: 200,
                content_type,
                body: &body,
                body_cut: None,
            };
            let streamed = judge_streamed(
                &contract,
                profile,
                order::DEFAULT_CLOCK_SKEW,
                Some(SCHEMA),
                &reply,
            )
            .unwrap_or_default();
            let whole: Json = serde_json::from_slice(&body).unwrap_or_default();
            let mut expected: Vec<Finding> = check::body::media_type_finding(content_type)
                .into_iter()
                .chain(contract.validate(SCHEMA, profile, &whole))
                .chain(order::check(&items, order::DEFAULT_CLOCK_SKEW).0)
                .collect();
            let mut got = streamed.findings.clone();
            let key = |f: &Finding| (f.pointer.clone(), f.clause.clone(), f.check.clone());
            got.sort_by_key(key);
            expected.sort_by_key(key);
            assert_eq!(got, expected, "{profile}");
            assert!(got.len() >= 4, "{got:?}");
            let slim: Vec<Json> = items.iter().cloned().map(|mut i| slim(&mut i)).collect();
            assert_eq!(streamed.items, Some(slim));
        }
    }
}
