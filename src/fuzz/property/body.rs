//! `valid-body`'s verdict on a 200 body (JSON, media type, schema, time order), computed
//! once per distinct body.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value as Json;

use super::{Context, Reply};
use crate::check::{self, Finding, order};

/// The response schema every 200 body is validated against.
pub const SCHEMA: &str = "software-deployments";

/// What a 200 body showed, independent of the input (so it is computed once per distinct body).
#[derive(Debug, Default)]
pub struct BodyVerdict {
    /// JSON, media type, schema and time-order findings.
    pub findings: Vec<Finding>,
    /// The `software_deployments` list, if the body has one.
    pub items: Option<Vec<Json>>,
}

/// Distinct bodies seen, with their verdicts: most fuzz inputs get the same few bodies (an
/// empty list, one server's deployments), so validation runs once per body, off the hot path.
#[derive(Debug, Default)]
pub struct BodyCache {
    entries: Mutex<HashMap<BodyKey, Arc<BodyVerdict>>>,
}

/// A body and its `Content-Type`.
type BodyKey = (Option<String>, Vec<u8>);

/// Most bodies the cache keeps (it starts over when full).
const CACHE_ENTRIES: usize = 256;
/// Largest body the cache keeps.
const CACHE_BODY_BYTES: usize = 64 * 1024;

impl BodyCache {
    /// The verdict on a 200 body, computed on first sight.
    pub fn verdict(&self, context: &Context<'_>, reply: &Reply<'_>) -> Arc<BodyVerdict> {
        let cacheable = reply.body_cut.is_none() && reply.body.len() <= CACHE_BODY_BYTES;
        let key = (reply.content_type.map(str::to_owned), reply.body.to_vec());
        if cacheable
            && let Some(hit) = self
                .entries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&key)
        {
            return Arc::clone(hit);
        }
        let verdict = Arc::new(judge_body(context, reply));
        if cacheable {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if entries.len() >= CACHE_ENTRIES {
                entries.clear();
            }
            entries.insert(key, Arc::clone(&verdict));
        }
        verdict
    }
}

fn judge_body(context: &Context<'_>, reply: &Reply<'_>) -> BodyVerdict {
    let (value, mut findings, _records) = match reply.body_cut {
        None => check::body::check(reply.content_type, reply.body),
        Some(limit) => check::body::check_cut(reply.content_type, limit),
    };
    let Some(value) = value else {
        return BodyVerdict {
            findings,
            items: None,
        };
    };
    if context.contract.schema_names().contains(SCHEMA) {
        findings.extend(context.contract.validate(SCHEMA, context.profile, &value));
    }
    let items = value
        .get("software_deployments")
        .and_then(Json::as_array)
        .cloned();
    if let Some(items) = &items {
        findings.extend(order::check(items, context.clock_skew).0);
    }
    BodyVerdict { findings, items }
}
