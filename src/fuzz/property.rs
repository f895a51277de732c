//! The properties every fuzz input must satisfy, as a pure function of the input, the
//! target's reply (twice) and the unfiltered list.
//!
//! | property | clause | severity | holds when |
//! |---|---|---|---|
//! | `no-server-error` | SD-CODE-200 | MUST | a well-formed request (valid token, UTF-8 value) is not answered 5xx |
//! | `documented-status` | SD-CODE-SET | MUST | the status is 200, 400, 401, 404 or 500 |
//! | `allowed-status` | SD-CODE-200 | MUST | an existing server id gets 200; any other value 200, 400 or 404; 401 only without a token |
//! | `valid-body` | SD-RESP-1 … 11 | MUST | a 200 body is JSON, labelled so, valid under the profile, and no `updated_time` precedes its `creation_time` (SHOULD within `--clock-skew`) |
//! | `filter-exact` | SD-REQ-1 | MUST | every returned item's `server_id` equals the decoded parameter |
//! | `filter-subset` | SD-REQ-1 | MUST | the filtered list is the unfiltered list's items of that `server_id` |
//!
//! A filter that matches as a database collation does (letter case, trailing spaces,
//! accents; [`crate::check::collation`]) breaks `filter-exact` with a MUST finding under
//! `strict`, a SHOULD finding under `documented`, and is an observation under `lenient`;
//! anything else no collation explains is a MUST finding under every profile.
//! | `stable-status` | SD-URI-1 | SHOULD | the same request sent again gets the same status |
//!
//! Where the contract is silent, every reading is accepted, so a conformant target never
//! fails: an empty or absent value (`server_id=`, `?server_id`) may filter by the empty
//! string or not filter at all; a repeated parameter may use either value (so an empty one
//! may mean no filter), both joined by a comma, or both; a value that is not UTF-8 may get any documented status, and a 200 list
//! only has to be made of deployments the unfiltered list has; a URI longer than 8 000 bytes
//! (RFC 9110 §4.1's recommended minimum) may get 414.
//!
//! ```
//! use sdconform::fuzz::{Input, Property};
//! use sdconform::fuzz::property::{Baseline, BodyCache, Context, Reply, evaluate};
//! use sdconform::contract::{Contract, Profile};
//!
//! let contract = Contract::embedded().unwrap();
//! let baseline = Baseline::default();
//! let cache = BodyCache::default();
//! let context = Context { contract: &contract, profile: Profile::Documented,
//!     baseline: &baseline, authenticated: true, cache: &cache,
//!     clock_skew: sdconform::check::order::DEFAULT_CLOCK_SKEW };
//! let reply = Reply { status: 500, content_type: None, body: b"", body_cut: None };
//! let eval = evaluate(&Input::text("'"), &reply, None, 80, &context);
//! assert_eq!(eval.violations[0].property, Property::NoServerError);
//! assert_eq!(eval.violations[0].findings[0].clause, "SD-CODE-200");
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value as Json;

use super::input::{Input, Value};
use crate::check::collation::{self, CollationMatch, Match};
use crate::check::filter::ListIndex;
use crate::check::{self, Finding, Observation, Severity, filter, order, status};
use crate::contract::{Contract, Profile};

/// The response schema every 200 body is validated against.
pub const SCHEMA: &str = "software-deployments";

/// Request-target length from which a 414 is the HTTP layer's answer, not the endpoint's
/// (RFC 9110 §4.1 recommends supporting at least 8 000 octets).
pub const LONG_URI_BYTES: usize = 8_000;

/// One property of the table above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Property {
    /// A well-formed request is not answered 5xx.
    NoServerError,
    /// The status is a documented one.
    DocumentedStatus,
    /// The status is one the contract allows for this input.
    AllowedStatus,
    /// A 200 body is valid under the profile.
    ValidBody,
    /// Every returned item has the requested `server_id`.
    FilterExact,
    /// The filtered list is the corresponding subset of the unfiltered list.
    FilterSubset,
    /// The same request twice gets the same status.
    StableStatus,
}

impl Property {
    /// Every property, in report order.
    pub const ALL: [Property; 7] = [
        Property::NoServerError,
        Property::DocumentedStatus,
        Property::AllowedStatus,
        Property::ValidBody,
        Property::FilterExact,
        Property::FilterSubset,
        Property::StableStatus,
    ];

    /// Kebab-case name, as reports and the regressions file spell it.
    pub fn name(self) -> &'static str {
        match self {
            Property::NoServerError => "no-server-error",
            Property::DocumentedStatus => "documented-status",
            Property::AllowedStatus => "allowed-status",
            Property::ValidBody => "valid-body",
            Property::FilterExact => "filter-exact",
            Property::FilterSubset => "filter-subset",
            Property::StableStatus => "stable-status",
        }
    }

    /// The check name its findings and records carry, in snake case like the suite's checks.
    pub fn check(self) -> &'static str {
        match self {
            Property::NoServerError => "no_server_error",
            Property::DocumentedStatus => "documented_status",
            Property::AllowedStatus => "allowed_status",
            Property::ValidBody => "valid_body",
            Property::FilterExact => "filter_exact",
            Property::FilterSubset => "filter_subset",
            Property::StableStatus => "stable_status",
        }
    }

    /// The property called `name`.
    pub fn from_name(name: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The clause a violation cites (`valid-body` findings cite the field's own clause).
    pub fn clause(self) -> &'static str {
        match self {
            Property::NoServerError | Property::AllowedStatus => "SD-CODE-200",
            Property::DocumentedStatus => "SD-CODE-SET",
            Property::ValidBody => "SD-RESP-1",
            Property::FilterExact | Property::FilterSubset => "SD-REQ-1",
            Property::StableStatus => "SD-URI-1",
        }
    }

    /// MUST, except `stable-status`.
    pub fn severity(self) -> Severity {
        match self {
            Property::StableStatus => Severity::Should,
            _ => Severity::Must,
        }
    }

    /// One line for the report.
    pub fn description(self) -> &'static str {
        match self {
            Property::NoServerError => {
                "a well-formed request (valid token, UTF-8 value) must succeed: no 5xx"
            }
            Property::DocumentedStatus => "the status is one of 200, 400, 401, 404, 500",
            Property::AllowedStatus => {
                "an existing server id gets 200; another value 200, 400 or 404; 401 only without a token"
            }
            Property::ValidBody => {
                "a 200 body is JSON, labelled application/json, valid under the profile, and no updated_time precedes its creation_time"
            }
            Property::FilterExact => {
                "every returned item's server_id equals the decoded parameter exactly"
            }
            Property::FilterSubset => {
                "the filtered list is exactly the unfiltered list's deployments of that server_id"
            }
            Property::StableStatus => "the same request sent twice gets the same status",
        }
    }
}

/// One response, as the properties see it.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    /// Status code.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<&'a str>,
    /// The body (at most `--max-body-bytes`).
    pub body: &'a [u8],
    /// `Some(limit)` when the body was cut at `limit` bytes.
    pub body_cut: Option<usize>,
}

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
    pub(crate) known: super::baseline::Known,
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
            known: super::baseline::Known::default(),
        }
    }
}

/// An item reduced to what the filter properties compare: its `id` and `server_id`.
fn slim(item: &mut Json) -> Json {
    let mut take = |field: &str| item.get_mut(field).map(Json::take).unwrap_or(Json::Null);
    serde_json::json!({ "id": take("id"), "server_id": take("server_id") })
}

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

/// What the properties need besides the exchange.
pub struct Context<'a> {
    /// The contract.
    pub contract: &'a Contract,
    /// The selected profile.
    pub profile: Profile,
    /// The unfiltered list.
    pub baseline: &'a Baseline,
    /// Whether requests carry a token (without one, 401 is the right answer).
    pub authenticated: bool,
    /// Verdicts on bodies already seen.
    pub cache: &'a BodyCache,
    /// `--clock-skew`: how much earlier than `creation_time` an `updated_time` may be
    /// before it is a MUST finding.
    pub clock_skew: Duration,
}

/// One property an input broke, with the findings that show it (the first is the one
/// reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The property.
    pub property: Property,
    /// Its findings, at least one.
    pub findings: Vec<Finding>,
}

/// What the properties concluded about one input.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Properties broken.
    pub violations: Vec<Violation>,
    /// Properties that had something to check (held or not).
    pub exercised: BTreeSet<Property>,
    /// What the profile accepts but a stricter one would not (a collation's match).
    pub observations: Vec<Observation>,
}

impl Evaluation {
    fn violate(&mut self, property: Property, findings: Vec<Finding>) {
        if !findings.is_empty() {
            self.violations.push(Violation { property, findings });
        }
    }

    /// The violation of `property`, if any.
    pub fn violation(&self, property: Property) -> Option<&Violation> {
        self.violations.iter().find(|v| v.property == property)
    }
}

/// Short, human form of an input for messages: `server_id="a b"`.
pub fn describe(input: &Input) -> String {
    let shown = |value: &Value| match value {
        Value::Text(text) => format!("{:?}", check::truncate(text, 80)),
        Value::Bytes(_) => format!("<not UTF-8: {}>", check::truncate(&value.wire(), 80)),
    };
    match input {
        Input::One(value) => format!("server_id={}", shown(value)),
        Input::Repeated(first, second) => {
            format!("server_id={}&server_id={}", shown(first), shown(second))
        }
        Input::NoValue => "server_id (no value)".to_owned(),
    }
}

/// Evaluates every property for `input`, answered `first` and, sent again, `second`;
/// `target_len` is the length of the request-target (path and query) in bytes.
pub fn evaluate(
    input: &Input,
    first: &Reply<'_>,
    second: Option<&Reply<'_>>,
    target_len: usize,
    context: &Context<'_>,
) -> Evaluation {
    let mut eval = Evaluation::default();
    let asked = describe(input);
    let code = first.status;
    let well_formed = input.is_utf8();
    eval.exercised.insert(Property::DocumentedStatus);
    if !status::DOCUMENTED.contains(&code) {
        if !(code == 414 && target_len > LONG_URI_BYTES) {
            eval.violate(
                Property::DocumentedStatus,
                vec![Finding::new(
                    "SD-CODE-SET",
                    "documented_status",
                    "",
                    "one of the documented codes 200, 400, 401, 404, 500",
                    code.to_string(),
                    format!("{asked} answered {code}, a status the contract does not document"),
                )],
            );
        }
    } else if well_formed {
        eval.exercised.insert(Property::NoServerError);
        eval.exercised.insert(Property::AllowedStatus);
        let exact_id = match input {
            Input::One(Value::Text(text)) => context.baseline.server_ids.contains(text),
            _ => false,
        };
        if code >= 500 {
            eval.violate(
                Property::NoServerError,
                vec![Finding::new(
                    "SD-CODE-200",
                    "no_server_error",
                    "",
                    "a well-formed request must succeed: 200 (or 400/404 where the contract allows)",
                    code.to_string(),
                    format!("{asked} is a well-formed request with a valid token, answered {code}"),
                )],
            );
        } else {
            let allowed: &[u16] = match (exact_id, context.authenticated) {
                (_, false) => &[200, 400, 401, 404],
                (true, true) => &[200],
                (false, true) => &[200, 400, 404],
            };
            if !allowed.contains(&code) {
                let list = allowed
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                let why = if exact_id {
                    "a server id the unfiltered list has"
                } else {
                    "a request with a valid token"
                };
                eval.violate(
                    Property::AllowedStatus,
                    vec![Finding::new(
                        "SD-CODE-200",
                        "allowed_status",
                        "",
                        list,
                        code.to_string(),
                        format!("{asked} ({why}) answered {code}"),
                    )],
                );
            }
        }
    }
    if code == 200 {
        body_properties(input, first, &asked, context, &mut eval);
    }
    if let Some(again) = second {
        eval.exercised.insert(Property::StableStatus);
        if again.status != code {
            eval.violate(
                Property::StableStatus,
                vec![
                    Finding::new(
                        "SD-URI-1",
                        "stable_status",
                        "",
                        format!("{code}, as the first time"),
                        again.status.to_string(),
                        format!(
                            "{asked} answered {code}, then {} to the same request",
                            again.status
                        ),
                    )
                    .with_severity(Severity::Should),
                ],
            );
        }
    }
    eval
}

/// `valid-body`, `filter-exact` and `filter-subset` on a 200.
fn body_properties(
    input: &Input,
    reply: &Reply<'_>,
    asked: &str,
    context: &Context<'_>,
    eval: &mut Evaluation,
) {
    eval.exercised.insert(Property::ValidBody);
    let verdict = context.cache.verdict(context, reply);
    // What the unfiltered list already shows is its own case's finding, not the input's.
    eval.violate(Property::ValidBody, context.baseline.unexplained(&verdict));
    let Some(items) = &verdict.items else {
        return;
    };
    let all = context.baseline.items.as_deref();
    if !items.is_empty() {
        eval.exercised.insert(Property::FilterExact);
    }
    if all.is_some() {
        eval.exercised.insert(Property::FilterSubset);
    }
    let readings = readings(input);
    let policy = CollationMatch::under(context.profile);
    // The reading that explains the list best: fully, then with observations only, then
    // with SHOULD findings only (a collation's match under `documented`); else the first.
    let mut best: Option<(u8, Outcome)> = None;
    for reading in &readings {
        let outcome = reading.check(items, all, context.baseline.index.as_ref(), policy);
        let rank = outcome.rank();
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, outcome));
        }
        if rank == 0 {
            break;
        }
    }
    let Some((rank, outcome)) = best else {
        return;
    };
    if rank <= 1 {
        eval.observations
            .extend(outcome.observations.into_iter().map(|mut o| {
                o.message = format!("{asked}: {}", o.message);
                o
            }));
        return;
    }
    let note = |mut f: Finding| {
        f.message = format!("{asked}: {}", f.message);
        if readings.len() > 1 {
            f.message.push_str(&format!(
                " (and no other reading of this input fits: {})",
                readings
                    .iter()
                    .map(Reading::name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        f
    };
    eval.violate(
        Property::FilterExact,
        outcome.exact.into_iter().map(note).collect(),
    );
    eval.violate(
        Property::FilterSubset,
        outcome.subset.into_iter().map(note).collect(),
    );
}

/// What one reading makes of a filtered list.
#[derive(Debug, Default)]
struct Outcome {
    /// `filter-exact` findings.
    exact: Vec<Finding>,
    /// `filter-subset` findings.
    subset: Vec<Finding>,
    /// A collation's matches, where the profile observes them.
    observations: Vec<Observation>,
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
enum Reading {
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
    fn name(&self) -> String {
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
            Reading::AnyOf(values) => {
                let mut outcome = Outcome::default();
                let mut collated = Vec::new();
                for (index, item) in items.iter().enumerate() {
                    let Some(actual) = item.get("server_id").and_then(Json::as_str) else {
                        continue;
                    };
                    let best = values
                        .iter()
                        .map(|v| collation::compare(v, actual))
                        .min_by_key(|m| match m {
                            Match::Exact => 0,
                            Match::Collation => 1,
                            Match::Unexplained => 2,
                        })
                        .unwrap_or(Match::Unexplained);
                    let finding = Finding::new(
                        "SD-REQ-1",
                        "filter_exact",
                        format!("/software_deployments/{index}/server_id"),
                        format!("one of {values:?}"),
                        format!("{actual:?}"),
                        format!("a deployment of server {actual:?} is returned"),
                    );
                    match best {
                        Match::Exact => {}
                        Match::Collation => collated.push(finding),
                        Match::Unexplained => outcome.exact.push(finding),
                    }
                }
                // As in `filter::Exact`: a collation explains a list only as a whole.
                let explained = outcome.exact.is_empty();
                let severity = if explained {
                    policy.severity(Severity::Must)
                } else {
                    Some(Severity::Must)
                };
                for mut finding in collated {
                    match severity {
                        Some(severity) => {
                            if explained {
                                finding.message =
                                    format!("{}: {}", finding.message, collation::EXPLANATION);
                                finding.accepted_by = collation::ACCEPTED_BY
                                    .iter()
                                    .map(|p| (*p).to_owned())
                                    .collect();
                            }
                            outcome.exact.push(finding.with_severity(severity));
                        }
                        None if outcome.observations.is_empty() => {
                            outcome.observations.push(
                                Observation::new(
                                    "SD-REQ-1",
                                    "filter_exact",
                                    finding.pointer,
                                    finding.expected,
                                    finding.actual,
                                    format!("{}: {}", finding.message, collation::EXPLANATION),
                                )
                                .finding_under(collation::FINDING_UNDER),
                            );
                        }
                        None => {}
                    }
                }
                outcome.subset = all
                    .map(|all| {
                        let wanted: Vec<Json> = all
                            .iter()
                            .filter(|item| {
                                item.get("server_id")
                                    .and_then(Json::as_str)
                                    .is_some_and(|s| values.iter().any(|v| v == s))
                            })
                            .cloned()
                            .collect();
                        // A collation's other spellings are allowed, not owed.
                        let extra: Vec<Json> = all
                            .iter()
                            .filter(|item| {
                                item.get("server_id")
                                    .and_then(Json::as_str)
                                    .is_some_and(|s| {
                                        values.iter().all(|v| v != s)
                                            && values.iter().any(|v| {
                                                collation::compare(v, s) == Match::Collation
                                            })
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
                    })
                    .unwrap_or_default();
                outcome
            }
            Reading::Known => Outcome {
                subset: all
                    .map(|all| unknown_deployments(items, all))
                    .unwrap_or_default(),
                ..Outcome::default()
            },
        }
    }
}

/// Every reading the contract allows for `input`.
fn readings(input: &Input) -> Vec<Reading> {
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
fn same_deployments(items: &[Json], wanted: &[Json], what: &str) -> Vec<Finding> {
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
fn same_deployments_up_to(
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
fn unknown_deployments(items: &[Json], all: &[Json]) -> Vec<Finding> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5";
    const B: &str = "6513270e-269e-4d37-b2a7-4de452e6b438";

    fn item(id: &str, server: &str) -> Json {
        let mut item = crate::reference::deployments()[0].clone();
        item["id"] = json!(id);
        item["server_id"] = json!(server);
        item
    }

    fn all() -> Vec<Json> {
        vec![
            item("ef422fa5-719a-419e-a10c-72e3a367b0b8", A),
            item("36f675cc-81e7-4ef5-a8e2-5d940ed90475", A),
            item("a2b0c5c4-6c62-4c1e-9d4e-3b7ae7f5e7a1", B),
        ]
    }

    fn body(items: &[Json]) -> Vec<u8> {
        serde_json::to_vec(&json!({ "software_deployments": items })).unwrap_or_default()
    }

    fn of(server: &str) -> Vec<Json> {
        all()
            .into_iter()
            .filter(|i| i["server_id"] == json!(server))
            .collect()
    }

    /// What the properties make of `input` answered `status` with `items` (twice the
    /// same) under `profile`.
    fn evaluated(
        input: &Input,
        status: u16,
        items: Option<&[Json]>,
        authenticated: bool,
        profile: Profile,
    ) -> Evaluation {
        let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        let baseline = Baseline::from_reply(&Reply {
            status: 200,
            content_type: Some("application/json"),
            body: &body(&all()),
            body_cut: None,
        });
        let cache = BodyCache::default();
        let context = Context {
            contract: &contract,
            profile,
            baseline: &baseline,
            authenticated,
            cache: &cache,
            clock_skew: order::DEFAULT_CLOCK_SKEW,
        };
        let bytes = items
            .map(body)
            .unwrap_or_else(|| b"{\"error\":{}}".to_vec());
        let reply = Reply {
            status,
            content_type: Some("application/json"),
            body: &bytes,
            body_cut: None,
        };
        evaluate(input, &reply, Some(&reply), 100, &context)
    }

    /// The properties violated by `input` answered `status` with `items` (twice the same).
    fn violated(
        input: Input,
        status: u16,
        items: Option<&[Json]>,
        authenticated: bool,
    ) -> Vec<&'static str> {
        evaluated(&input, status, items, authenticated, Profile::Documented)
            .violations
            .iter()
            .map(|v| v.property.name())
            .collect()
    }

    /// Issue 10 item 16: an answer that matches as a collation does breaks filter-exact
    /// with a MUST finding under strict, a SHOULD one under documented, and is an
    /// observation under lenient; a prefix or wildcard match is MUST under every profile.
    #[test]
    fn a_collation_match_is_what_the_profile_says() {
        let upper = A.to_uppercase();
        let padded = format!("{A}  ");
        let accented = A.replacen('e', "é", 1);
        let repeated = Input::Repeated(Value::Text(upper.clone()), Value::Text(B.into()));
        for input in [text(&upper), text(&padded), text(&accented), repeated] {
            for profile in Profile::ALL {
                let eval = evaluated(&input, 200, Some(&of(A)), true, profile);
                let context = format!("{input:?} {profile}: {eval:?}");
                let exact = eval.violation(Property::FilterExact);
                assert!(
                    eval.violation(Property::FilterSubset).is_none(),
                    "{context}"
                );
                match profile {
                    Profile::Lenient => {
                        assert!(eval.violations.is_empty(), "{context}");
                        assert_eq!(eval.observations.len(), 1, "{context}");
                        assert!(
                            eval.observations[0].message.contains("collation"),
                            "{context}"
                        );
                    }
                    Profile::Strict | Profile::Documented => {
                        let want = if profile == Profile::Strict {
                            Severity::Must
                        } else {
                            Severity::Should
                        };
                        let findings = exact.map(|v| v.findings.clone()).unwrap_or_default();
                        assert!(!findings.is_empty(), "{context}");
                        assert!(findings.iter().all(|f| f.severity == want), "{context}");
                        assert!(eval.observations.is_empty(), "{context}");
                    }
                }
            }
        }
        // A collation's other spellings that the unfiltered list does not have are no excuse.
        let mut invented = of(A);
        invented[0]["id"] = json!("00000000-0000-4000-8000-000000000000");
        let eval = evaluated(&text(&upper), 200, Some(&invented), true, Profile::Lenient);
        assert!(eval.violation(Property::FilterSubset).is_some(), "{eval:?}");
        // What no collation explains.
        for filter in [
            "ec14",
            "%",
            " ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
            "ec14c864096e4e27bb8a2c2b4dc6f3f5",
        ] {
            for profile in Profile::ALL {
                let eval = evaluated(&text(filter), 200, Some(&of(A)), true, profile);
                let findings = eval
                    .violation(Property::FilterExact)
                    .map(|v| v.findings.clone())
                    .unwrap_or_default();
                assert!(
                    !findings.is_empty() && findings.iter().all(|f| f.severity == Severity::Must),
                    "{filter:?} {profile}: {eval:?}"
                );
                assert!(eval.observations.is_empty());
            }
        }
    }

    /// Issue 10 item 13, in fuzzing: an item updated before it was created breaks
    /// valid-body, SHOULD within the clock-skew tolerance, MUST beyond it.
    #[test]
    fn valid_body_checks_the_time_order_with_the_clock_skew() {
        for (updated, want) in [
            ("2015-01-31T15:12:36Z", None),
            ("2015-01-31T16:12:06+01:00", Some(Severity::Should)),
            ("2015-01-31T16:00:00+02:00", Some(Severity::Must)),
        ] {
            let mut items = of(A);
            items[0]["creation_time"] = json!("2015-01-31T15:12:36Z");
            items[0]["updated_time"] = json!(updated);
            for profile in Profile::ALL {
                let eval = evaluated(&text(A), 200, Some(&items), true, profile);
                let order: Vec<Severity> = eval
                    .violation(Property::ValidBody)
                    .into_iter()
                    .flat_map(|v| &v.findings)
                    .filter(|f| f.check == "timestamp_order")
                    .map(|f| f.severity)
                    .collect();
                assert_eq!(
                    order,
                    want.into_iter().collect::<Vec<_>>(),
                    "{updated} {profile}"
                );
            }
        }
    }

    fn text(s: &str) -> Input {
        Input::text(s)
    }

    #[test]
    fn a_conformant_answer_breaks_nothing_whatever_the_reading() {
        let none: Vec<&str> = Vec::new();
        let table: Vec<(Input, u16, Option<Vec<Json>>)> = vec![
            (text(A), 200, Some(of(A))),
            (text("zzz"), 200, Some(vec![])),
            (text("zzz"), 404, None),
            (text("EC14"), 400, None),
            (text(""), 200, Some(vec![])),
            (text(""), 200, Some(all())),
            (Input::NoValue, 200, Some(all())),
            (Input::NoValue, 200, Some(vec![])),
            (
                Input::Repeated(Value::Text(A.into()), Value::Text(B.into())),
                200,
                Some(of(A)),
            ),
            (
                Input::Repeated(Value::Text(A.into()), Value::Text(B.into())),
                200,
                Some(of(B)),
            ),
            (
                Input::Repeated(Value::Text(A.into()), Value::Text(B.into())),
                200,
                Some(all()),
            ),
            (
                Input::Repeated(Value::Text(A.into()), Value::Text(B.into())),
                200,
                Some(vec![]),
            ),
            (
                Input::Repeated(Value::Text(String::new()), Value::Text(B.into())),
                200,
                Some(all()),
            ),
            (Input::One(Value::from_bytes(vec![0xFF])), 400, None),
            (Input::One(Value::from_bytes(vec![0xFF])), 500, None),
            (Input::One(Value::from_bytes(vec![0xFF])), 200, Some(of(B))),
        ];
        for (input, status, items) in table {
            assert_eq!(
                violated(input.clone(), status, items.as_deref(), true),
                none,
                "{input:?} {status}"
            );
        }
        // Without a token, 401 is the right answer.
        assert_eq!(violated(text(A), 401, None, false), none);
    }

    #[test]
    fn each_property_fails_where_it_should() {
        type Row = (Input, u16, Option<Vec<Json>>, Vec<&'static str>);
        let table: Vec<Row> = vec![
            (text("'"), 500, None, vec!["no-server-error"]),
            (text(" "), 418, None, vec!["documented-status"]),
            (text(A), 404, None, vec!["allowed-status"]),
            (text("zzz"), 401, None, vec!["allowed-status"]),
            // Items of another server are filter-exact's finding, not filter-subset's.
            (text("e"), 200, Some(of(A)), vec!["filter-exact"]),
            (
                text(A),
                200,
                Some(of(A)[..1].to_vec()),
                vec!["filter-subset"],
            ),
            (text(""), 200, Some(of(A)), vec!["filter-exact"]),
            (
                Input::Repeated(Value::Text(A.into()), Value::Text("x".into())),
                200,
                Some(of(B)),
                vec!["filter-exact", "filter-subset"],
            ),
            (
                Input::One(Value::from_bytes(vec![0xFF])),
                200,
                Some(vec![item("00000000-0000-4000-8000-000000000000", B)]),
                vec!["filter-subset"],
            ),
            (
                Input::One(Value::from_bytes(vec![0xFF])),
                418,
                None,
                vec!["documented-status"],
            ),
        ];
        for (input, status, items, want) in table {
            assert_eq!(
                violated(input.clone(), status, items.as_deref(), true),
                want,
                "{input:?} {status}"
            );
        }
    }

    #[test]
    fn bodies_are_validated_once_and_unstable_status_is_a_should() {
        let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        let baseline = Baseline::default();
        let cache = BodyCache::default();
        let context = Context {
            contract: &contract,
            profile: Profile::Strict,
            baseline: &baseline,
            authenticated: true,
            cache: &cache,
            clock_skew: order::DEFAULT_CLOCK_SKEW,
        };
        let mut broken = item("ef422fa5-719a-419e-a10c-72e3a367b0b8", A);
        broken["status"] = json!("DONE");
        let bytes = body(&[broken]);
        let reply = Reply {
            status: 200,
            content_type: Some("application/json"),
            body: &bytes,
            body_cut: None,
        };
        let first = cache.verdict(&context, &reply);
        let again = cache.verdict(&context, &reply);
        assert!(Arc::ptr_eq(&first, &again));
        let eval = evaluate(&text(A), &reply, None, 100, &context);
        let v = eval
            .violation(Property::ValidBody)
            .map(|v| v.findings[0].clause.clone());
        assert_eq!(v.as_deref(), Some("SD-RESP-9"));
        let other = Reply {
            status: 404,
            content_type: None,
            body: b"",
            body_cut: None,
        };
        let eval = evaluate(&text("x"), &reply, Some(&other), 100, &context);
        let unstable = eval
            .violation(Property::StableStatus)
            .map(|v| v.findings[0].severity);
        assert_eq!(unstable, Some(Severity::Should));
        // A long URI may meet the HTTP layer's limit.
        let too_long = Reply {
            status: 414,
            content_type: None,
            body: b"",
            body_cut: None,
        };
        assert!(
            evaluate(&text("x"), &too_long, None, 9_000, &context)
                .violations
                .is_empty()
        );
        assert!(
            !evaluate(&text("x"), &too_long, None, 100, &context)
                .violations
                .is_empty()
        );
    }

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

    #[test]
    fn property_names_round_trip() {
        for p in Property::ALL {
            assert_eq!(Property::from_name(p.name()), Some(p));
        }
    }
}
