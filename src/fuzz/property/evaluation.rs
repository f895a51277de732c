//! [`evaluate`]: every property for one input, from the target's reply (twice) and the
//! unfiltered list. Pure.

use std::collections::BTreeSet;
use std::time::Duration;

use super::reading::{self, Reading};
use super::{Baseline, BodyCache, Property, Reply};
use crate::check::collation::CollationMatch;
use crate::check::{self, Finding, Observation, Severity, status};
use crate::contract::{Contract, Profile};
use crate::fuzz::input::{Input, Value};

/// Request-target length from which a 414 is the HTTP layer's answer, not the endpoint's
/// (RFC 9110 §4.1 recommends supporting at least 8 000 octets).
pub const LONG_URI_BYTES: usize = 8_000;

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
    } else if input.is_utf8() {
        well_formed_status(input, code, &asked, context, &mut eval);
    }
    if code == 200 {
        body_properties(input, first, &asked, context, &mut eval);
    }
    if let Some(again) = second {
        stable_status(code, again.status, &asked, &mut eval);
    }
    eval
}

/// `no-server-error` and `allowed-status`, for a well-formed request answered a
/// documented `code`.
fn well_formed_status(
    input: &Input,
    code: u16,
    asked: &str,
    context: &Context<'_>,
    eval: &mut Evaluation,
) {
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
        return;
    }
    let allowed: &[u16] = match (exact_id, context.authenticated) {
        (_, false) => &[200, 400, 401, 404],
        (true, true) => &[200],
        (false, true) => &[200, 400, 404],
    };
    if allowed.contains(&code) {
        return;
    }
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

/// `stable-status`: the request sent again got `again`, the first time `code`.
fn stable_status(code: u16, again: u16, asked: &str, eval: &mut Evaluation) {
    eval.exercised.insert(Property::StableStatus);
    if again == code {
        return;
    }
    eval.violate(
        Property::StableStatus,
        vec![
            Finding::new(
                "SD-URI-1",
                "stable_status",
                "",
                format!("{code}, as the first time"),
                again.to_string(),
                format!("{asked} answered {code}, then {again} to the same request"),
            )
            .with_severity(Severity::Should),
        ],
    );
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
    let readings = reading::readings(input);
    let policy = CollationMatch::under(context.profile);
    let index = context.baseline.index.as_ref();
    let Some((rank, outcome)) = reading::best(&readings, items, all, index, policy) else {
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
