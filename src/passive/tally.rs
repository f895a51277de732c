//! The results of a capture's listings, in bounded memory: each listing is one
//! result (`exchange-0007`, numbered by its index in the capture) up to
//! [`MAX_FLAGGED`] listings with findings or observations and [`MAX_OTHERS`]
//! others; past that, listings are folded into one result per outcome
//! (`exchanges-more-fail`, `exchanges-more-pass`, `exchanges-more-not-exercised`)
//! whose findings each name their exchange, so a capture of any size makes a
//! report of bounded size with every failing clause's evidence in it.
//!
//! A folded result keeps each check's outcome per clause once, and its findings
//! as a case keeps them (every clause's first, at most
//! [`crate::check::evaluate::MAX_FINDINGS_PER_CASE`] in all); the rest are counted
//! in a note, so the report's finding counts are those of the findings it lists.

use crate::check::evaluate::MAX_FINDINGS_PER_CASE;
use crate::model::{CaseResult, Outcome};

/// Most listings with findings or observations that are results of their own.
pub const MAX_FLAGGED: usize = 1_000;

/// Most other listings (passing, not exercised) that are results of their own.
pub const MAX_OTHERS: usize = 1_000;

/// The prefix of a listing's result id; the rest is its index in the capture.
pub const ID_PREFIX: &str = "exchange-";

/// Every listing's result, bounded.
#[derive(Debug, Default)]
pub struct Tally {
    /// Results of their own, with their exchange's index.
    kept: Vec<(u64, CaseResult)>,
    /// How many of `kept` have findings or observations.
    flagged: usize,
    /// Listings folded, one fold per outcome.
    folds: Vec<Fold>,
    /// The highest exchange index seen (the ids' width).
    highest: u64,
}

/// The listings past the bounds that ended in one outcome.
#[derive(Debug)]
struct Fold {
    result: CaseResult,
    exchanges: u64,
    first: u64,
    last: u64,
    findings_omitted: usize,
    observations_omitted: usize,
}

impl Tally {
    /// Adds the result of exchange `exchange`; `cited` names it (index and time)
    /// in the findings of a folded result.
    pub fn add(&mut self, exchange: u64, cited: &str, result: CaseResult) {
        self.highest = self.highest.max(exchange);
        let flagged = !result.findings.is_empty() || !result.observations.is_empty();
        let room = if flagged {
            self.flagged < MAX_FLAGGED
        } else {
            self.kept.len() - self.flagged < MAX_OTHERS
        };
        if room {
            self.flagged += usize::from(flagged);
            self.kept.push((exchange, result));
        } else {
            self.fold(exchange, cited, result);
        }
    }

    /// How many listings are results of their own so far.
    pub fn kept(&self) -> usize {
        self.kept.len()
    }

    fn fold(&mut self, exchange: u64, cited: &str, result: CaseResult) {
        let at = match self
            .folds
            .iter()
            .position(|f| f.result.outcome == result.outcome)
        {
            Some(at) => at,
            None => {
                let id = format!(
                    "exchanges-more-{}",
                    result.outcome.as_str().replace('_', "-")
                );
                let mut empty = CaseResult::new(&id, "", String::new(), result.outcome.clone());
                empty.duration_ms = 0;
                self.folds.push(Fold {
                    result: empty,
                    exchanges: 0,
                    first: exchange,
                    last: exchange,
                    findings_omitted: 0,
                    observations_omitted: 0,
                });
                self.folds.len() - 1
            }
        };
        let fold = &mut self.folds[at];
        fold.exchanges += 1;
        fold.first = fold.first.min(exchange);
        fold.last = fold.last.max(exchange);
        fold.result.duration_ms = fold.result.duration_ms.saturating_add(result.duration_ms);
        for mut finding in result.findings {
            finding.message = format!("{cited}: {}", finding.message);
            let kept = &mut fold.result.findings;
            if kept.len() < MAX_FINDINGS_PER_CASE
                || !kept.iter().any(|f| f.clause == finding.clause)
            {
                kept.push(finding);
            } else {
                fold.findings_omitted += 1;
            }
        }
        for mut observation in result.observations {
            if fold.result.observations.len() < MAX_FINDINGS_PER_CASE {
                observation.message = format!("{cited}: {}", observation.message);
                fold.result.observations.push(observation);
            } else {
                fold.observations_omitted += 1;
            }
        }
        for record in result.checks {
            let known = fold.result.checks.iter().any(|r| {
                r.check == record.check && r.clause == record.clause && r.outcome == record.outcome
            });
            if !known {
                fold.result.checks.push(record);
            }
        }
    }

    /// Every result, ids given (`exchange-` and the index, zero-padded to the
    /// width of the highest), sorted by id; `source` names the capture.
    pub fn finish(self, source: &str) -> Vec<CaseResult> {
        let width = self.highest.to_string().len().max(4);
        let mut results: Vec<CaseResult> = self
            .kept
            .into_iter()
            .map(|(exchange, mut result)| {
                result.id = format!("{ID_PREFIX}{exchange:0width$}");
                result
            })
            .collect();
        results.extend(self.folds.into_iter().map(|fold| fold.finish(source)));
        results.sort_by(|a, b| a.id.cmp(&b.id));
        results
    }
}

impl Fold {
    fn finish(mut self, source: &str) -> CaseResult {
        let outcome = match &self.result.outcome {
            Outcome::Pass => "passed",
            Outcome::Fail => "failed",
            Outcome::NotExercised => "were not exercised",
            _ => "ended otherwise",
        };
        self.result.title = format!(
            "{} more listings that {outcome} (exchanges {} to {}), past the {MAX_FLAGGED} with findings and {MAX_OTHERS} others reported one by one",
            self.exchanges, self.first, self.last
        );
        self.result.source = source.to_owned();
        self.result.notes.push(format!(
            "{} listings of the capture, each checked on its own; each finding names its exchange",
            self.exchanges
        ));
        if self.findings_omitted > 0 {
            self.result.notes.push(format!(
                "{} more finding(s) omitted (every failing clause keeps its first)",
                self.findings_omitted
            ));
        }
        if self.observations_omitted > 0 {
            self.result.notes.push(format!(
                "{} more observation(s) omitted",
                self.observations_omitted
            ));
        }
        self.result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckOutcome, CheckRecord, Finding};

    fn result(outcome: Outcome, clause: Option<&str>) -> CaseResult {
        let mut result = CaseResult::new("x", "t", "s".to_owned(), outcome);
        result
            .checks
            .push(CheckRecord::new("schema", "SD-RESP-4", CheckOutcome::Pass));
        if let Some(clause) = clause {
            result
                .findings
                .push(Finding::new(clause, "schema", "/p", "e", "a", "broken"));
        }
        result
    }

    #[test]
    fn small_captures_give_one_result_per_listing_numbered_by_index() {
        let mut tally = Tally::default();
        tally.add(7, "exchange 7", result(Outcome::Pass, None));
        tally.add(3, "exchange 3", result(Outcome::Fail, Some("SD-RESP-4")));
        let results = tally.finish("c.har");
        let ids: Vec<&str> = results.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["exchange-0003", "exchange-0007"]);
        assert_eq!(results[0].findings[0].message, "broken");
    }

    #[test]
    fn past_the_bounds_listings_fold_into_one_result_per_outcome() {
        let mut tally = Tally::default();
        let total = 3 * MAX_FLAGGED as u64 + 600;
        let last_fail = (total - 1) / 3 * 3;
        for n in 0..total {
            let (outcome, clause) = match n % 3 {
                0 => (
                    Outcome::Fail,
                    Some(if n == last_fail {
                        "SD-RESP-9"
                    } else {
                        "SD-RESP-4"
                    }),
                ),
                _ => (Outcome::Pass, None),
            };
            tally.add(n, &format!("exchange {n}"), result(outcome, clause));
        }
        assert_eq!(tally.kept(), MAX_FLAGGED + MAX_OTHERS);
        let results = tally.finish("c.har");
        assert_eq!(results.len(), MAX_FLAGGED + MAX_OTHERS + 2);
        assert!(
            results[0].id.starts_with("exchange-0000"),
            "{}",
            results[0].id
        );
        let fail = results
            .iter()
            .find(|r| r.id == "exchanges-more-fail")
            .expect("a fold");
        let pass = results
            .iter()
            .find(|r| r.id == "exchanges-more-pass")
            .expect("a fold");
        assert_eq!(fail.outcome, Outcome::Fail);
        assert_eq!(pass.outcome, Outcome::Pass);
        // Every failing clause keeps its evidence, which names its exchange.
        assert!(fail.findings.len() <= MAX_FINDINGS_PER_CASE + 1);
        let last = fail
            .findings
            .iter()
            .find(|f| f.clause == "SD-RESP-9")
            .expect("kept");
        assert_eq!(last.message, format!("exchange {last_fail}: broken"));
        assert!(
            fail.notes.iter().any(|n| n.contains("omitted")),
            "{:?}",
            fail.notes
        );
        assert_eq!(fail.checks.len(), 1, "each record once");
        let passed = total - total.div_ceil(3);
        let folded = passed - MAX_OTHERS as u64;
        assert!(
            pass.title
                .starts_with(&format!("{folded} more listings that passed")),
            "{}",
            pass.title
        );
    }
}
