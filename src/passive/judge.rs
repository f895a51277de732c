//! One listing of a capture judged against the contract: the same checks a case
//! runs (`check::evaluate`), as a case that allows every documented status would
//! run them, since nobody says what the request expected:
//!
//! | the listing | checks |
//! |---|---|
//! | any | the status is documented (SD-CODE-SET) |
//! | a 200 | JSON, its media type, the schema under the profile (SD-RESP-1 … 11), `timestamp_order`, `unique_ids` |
//! | filtered by one `server_id` | `filter_exact`, and `filter_subset` against the project's unfiltered listing when one comes before it with no write between (SD-REQ-1) |
//!
//! A 200 whose body the capture does not hold in full has its body checks not
//! exercised, with the capture's reason; an exchange with no status has nothing
//! checked.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::listing::Query;
use super::project::Baseline;
use crate::case::{
    AuthMode, Case, Check, CheckSpec, Expect, FilterExact, FilterSubset, RequestSpec, Template,
};
use crate::check::evaluate::default_clause;
use crate::check::status::{DOCUMENTED, ENDPOINT_PATH};
use crate::check::{self, CheckOutcome, CheckRecord, Evaluation, Input};
use crate::contract::{Contract, Profile};
use crate::model::{ExchangeLine, ResponseLine};

/// The schema a 200 listing's body must satisfy.
const LIST_SCHEMA: &str = "software-deployments";

/// The name `filter_subset` knows the project's unfiltered listing by.
const UNFILTERED: &str = "unfiltered";

/// The variable the filter checks read the `server_id` from.
const SERVER_ID: &str = "server_id";

/// Judges listings: the contract, the profile and the case each kind of listing is.
pub struct Judge {
    contract: Arc<Contract>,
    profile: Profile,
    clock_skew: Duration,
    /// The status alone (a 200 whose body is not in the capture).
    status_only: Case,
    /// The body checks of any listing.
    plain: Case,
    /// With `filter_exact`.
    exact: Case,
    /// With `filter_exact` and `filter_subset`.
    full: Case,
}

impl Judge {
    /// A judge under `profile`, with `--clock-skew`.
    pub fn new(contract: Arc<Contract>, profile: Profile, clock_skew: Duration) -> Judge {
        let exact = CheckSpec {
            check: Check::FilterExact(FilterExact {
                server_id: Template::new(format!("{{{SERVER_ID}}}")),
            }),
            severity: None,
        };
        let subset = CheckSpec {
            check: Check::FilterSubset(FilterSubset {
                server_id: Template::new(format!("{{{SERVER_ID}}}")),
                unfiltered: UNFILTERED.to_owned(),
            }),
            severity: None,
        };
        let plain = [Check::TimestampOrder, Check::UniqueIds].map(|check| CheckSpec {
            check,
            severity: None,
        });
        Judge {
            contract,
            profile,
            clock_skew,
            status_only: listing_case(false, Vec::new()),
            plain: listing_case(true, plain.to_vec()),
            exact: listing_case(true, [plain.to_vec(), vec![exact.clone()]].concat()),
            full: listing_case(true, [plain.to_vec(), vec![exact, subset]].concat()),
        }
    }

    /// The checks of the listing `line` holds, asking `query`; `baseline` is the
    /// project's unfiltered listing, or why there is none.
    pub fn listing(
        &self,
        line: &ExchangeLine,
        query: &Query,
        baseline: Result<&Baseline, String>,
    ) -> Evaluation {
        let Some(response) = &line.response else {
            let why = line
                .not_exercisable
                .clone()
                .unwrap_or_else(|| "the capture holds no response".to_owned());
            let mut eval = Evaluation::default();
            eval.records.push(
                CheckRecord::new("status_code", "SD-CODE-SET", CheckOutcome::NotExercised)
                    .with_note(why.clone()),
            );
            eval.notes.push(why);
            return eval;
        };
        let (case, server_id) = match query {
            Query::Unfiltered => (&self.plain, None),
            Query::Filtered(server_id) => (&self.full, Some(server_id)),
            Query::Unclear {
                exact: Some(server_id),
                ..
            } => (&self.exact, Some(server_id)),
            Query::Unclear { exact: None, .. } => (&self.plain, None),
        };
        let vars: BTreeMap<String, String> = server_id
            .map(|s| (SERVER_ID.to_owned(), s.clone()))
            .into_iter()
            .collect();
        let others = BTreeMap::from([(
            UNFILTERED.to_owned(),
            baseline.as_ref().ok().map(|b| Arc::clone(&b.index)),
        )]);
        let body = whole_body(line, response);
        let input = Input {
            case,
            status: response.status,
            content_type: header(&response.headers, "content-type"),
            body: body.as_ref().map_or(&[][..], |b| b),
            vars: &vars,
            others: &others,
            contract: &self.contract,
            profile: self.profile,
            clock_skew: self.clock_skew,
        };
        let mut eval = match body {
            Err(why) if response.status == 200 => self.without_body(&input, &why),
            _ => check::evaluate(&input),
        };
        one_status_record_per_clause(&mut eval);
        explain_filters(&mut eval, query, baseline, response.status);
        eval
    }

    /// The status checks of `input`, and every body check not exercised, `why`.
    fn without_body(&self, input: &Input<'_>, why: &str) -> Evaluation {
        let mut eval = check::evaluate(&Input {
            case: &self.status_only,
            ..*input
        });
        let body_clauses = ["SD-RESP-1".to_owned()]
            .into_iter()
            .chain(self.contract.item_clauses());
        let mut skipped: Vec<(&str, String)> = vec![("json", "SD-RESP-1".to_owned())];
        skipped.extend(body_clauses.map(|clause| ("schema", clause)));
        for spec in &input.case.checks {
            skipped.push((spec.name().as_str(), default_clause(spec.name()).to_owned()));
        }
        for (name, clause) in skipped {
            eval.records
                .push(CheckRecord::new(name, &clause, CheckOutcome::NotExercised).with_note(why));
        }
        eval.notes.push(why.to_owned());
        eval
    }
}

/// The case a listing is checked as: every documented status allowed (nobody
/// says what the request expected), the list schema on a 200, `checks`.
fn listing_case(body: bool, checks: Vec<CheckSpec>) -> Case {
    Case {
        id: "captured-listing".to_owned(),
        title: "A listing captured from somebody else's traffic".to_owned(),
        clauses: Vec::new(),
        captures: Vec::new(),
        request: RequestSpec {
            path: ENDPOINT_PATH.to_owned(),
            query: Vec::new(),
            auth: AuthMode::None,
        },
        expect: Expect {
            status: DOCUMENTED.to_vec(),
            clause: "SD-CODE-SET".to_owned(),
            severity: crate::model::Severity::Must,
            schema: body.then(|| LIST_SCHEMA.to_owned()),
            lenient_status: Vec::new(),
            tolerate: Vec::new(),
        },
        checks,
        source: Default::default(),
    }
}

/// The body's bytes when the capture holds all of them, else why not.
pub(super) fn whole_body<'l>(
    line: &ExchangeLine,
    response: &'l ResponseLine,
) -> Result<&'l [u8], String> {
    if let Some(why) = &line.not_exercisable {
        return Err(why.clone());
    }
    if response.body.truncated {
        return Err("the capture holds only part of the body".to_owned());
    }
    response
        .body
        .bytes()
        .ok_or_else(|| match &response.body.content {
            crate::model::BodyContent::Omitted(why) => {
                format!("the body is not in the capture: {why}")
            }
            _ => "the body is not in the capture".to_owned(),
        })
}

/// The first value of the header `name` (any case).
fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The documented set is both the set and the case's allowed statuses here, so
/// `status::check` speaks twice for SD-CODE-SET: the first record is kept.
fn one_status_record_per_clause(eval: &mut Evaluation) {
    let mut seen = Vec::new();
    eval.records.retain(|r| {
        if r.check != "status_code" {
            return true;
        }
        if seen.contains(&r.clause) {
            return false;
        }
        seen.push(r.clause.clone());
        true
    });
}

/// Whether `filter_subset` compared the listing with an unfiltered one.
pub fn compared(eval: &Evaluation) -> bool {
    eval.records.iter().any(|r| {
        r.check == "filter_subset" && matches!(r.outcome, CheckOutcome::Pass | CheckOutcome::Fail)
    })
}

/// Says, in the records and notes, which unfiltered listing a filtered one was
/// compared with, or why it was compared with none, and why the filter checks of
/// an unclear query answered 200 are not exercised.
fn explain_filters(
    eval: &mut Evaluation,
    query: &Query,
    baseline: Result<&Baseline, String>,
    status: u16,
) {
    match query {
        Query::Unfiltered => {}
        Query::Filtered(_) => match baseline {
            Ok(_) if !compared(eval) => {}
            Ok(baseline) => eval.notes.push(format!(
                "filter_subset: compared with the unfiltered listing of exchange {} (started {}), no write to the project between them",
                baseline.exchange,
                baseline.started.as_deref().unwrap_or("at an unknown time")
            )),
            Err(why) => {
                for record in eval
                    .records
                    .iter_mut()
                    .filter(|r| r.check == "filter_subset" && r.outcome == CheckOutcome::NotExercised)
                {
                    record.note = Some(why.clone());
                }
            }
        },
        Query::Unclear { exact, filters, why } => {
            if *filters && status == 200 {
                let checks: &[&str] = if exact.is_some() {
                    &["filter_subset"]
                } else {
                    &["filter_exact", "filter_subset"]
                };
                for check in checks {
                    eval.records.push(
                        CheckRecord::new(check, "SD-REQ-1", CheckOutcome::NotExercised)
                            .with_note(why.clone()),
                    );
                }
            }
            eval.notes.push(why.clone());
        }
    }
}
