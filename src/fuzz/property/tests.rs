//! The properties end to end: inputs, replies and the unfiltered list in, violations and
//! observations out.

use std::sync::Arc;

use serde_json::{Value as Json, json};

use super::{Baseline, BodyCache, Context, Evaluation, Property, Reply, evaluate};
use crate::check::{Severity, order};
use crate::contract::{Contract, Profile};
use crate::fuzz::input::{Input, Value};

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
