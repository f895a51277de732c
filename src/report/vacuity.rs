//! Whether a run validated anything at all: the rule behind the `inconclusive`
//! verdict (issue 10 item 11). Pure, called by [`super::build`] where the
//! verdict is decided.
//!
//! Nothing tested is not a pass. A run (or a fuzz campaign) that meant to
//! validate response items and validated none (an empty project, every list
//! empty) cannot say the target conforms:
//!
//! ```text
//! inconclusive  no item clause (SD-RESP-2 … 11) was exercised, and some case
//!               that is about them had no item to look at
//! ```
//!
//! Partial coverage is not this: when some item clause was exercised, the
//! clauses left without data stay `not_exercised` and the report says the
//! verdict rests on no data for them (`vacuous`). Nor is a run narrowed to
//! cases that never look at items (`run auth-`): their item clauses are
//! `not_covered`, not `not_exercised`, and no case went without its data. A
//! case that is not about the item clauses (`filter-unknown-server`, whose
//! right answer is an empty list) passes, so it does not make a run
//! inconclusive either.

use std::collections::BTreeSet;

use super::model::{CaseResult, ClauseOutcome, ClauseResult, Outcome};
use crate::check::CheckOutcome;

/// Why nothing can be concluded when no response item was validated; `None` when
/// some item was, or when no selected case meant to validate one.
pub fn nothing_validated(
    cases: &[CaseResult],
    clauses: &[ClauseResult],
    item_clauses: &BTreeSet<String>,
) -> Option<String> {
    let exercised = clauses.iter().any(|c| {
        item_clauses.contains(&c.id)
            && matches!(
                c.outcome,
                ClauseOutcome::Pass | ClauseOutcome::Fail | ClauseOutcome::Waived
            )
    });
    if exercised {
        return None;
    }
    // The cases that wanted items and had none, with what each said about it.
    let starved: Vec<String> = cases
        .iter()
        .filter(|case| case.outcome == Outcome::NotExercised)
        .filter_map(|case| {
            let record = case.checks.iter().find(|r| {
                r.outcome == CheckOutcome::NotExercised && item_clauses.contains(&r.clause)
            })?;
            Some(match &record.note {
                Some(note) => format!("{}: {note}", case.id),
                None => case.id.clone(),
            })
        })
        .collect();
    if starved.is_empty() {
        return None;
    }
    Some(format!(
        "no response item was validated ({}): a run that checked no deployment cannot say the target conforms (an empty project?); pass --allow-empty to accept that",
        starved.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckRecord;
    use crate::contract::Contract;
    use crate::report::model::clause_table;

    fn case(id: &str, outcome: Outcome, records: &[(&str, CheckOutcome)]) -> CaseResult {
        let mut case = CaseResult::new(id, "t", String::new(), outcome);
        case.checks = records
            .iter()
            .map(|(clause, outcome)| {
                CheckRecord::new("schema", clause, *outcome).with_note("the list is empty")
            })
            .collect();
        case
    }

    fn judged(cases: &[CaseResult]) -> Option<String> {
        let contract = Contract::embedded().unwrap_or_else(|e| panic!("{e}"));
        let clauses = clause_table(contract.clauses(), cases);
        nothing_validated(cases, &clauses, &contract.item_clauses())
    }

    /// Issue 10 item 11: an empty list is inconclusive; an item exercised anywhere,
    /// cases that never look at items, and a case content with an empty list are not.
    #[test]
    fn only_a_run_that_wanted_items_and_saw_none_is_inconclusive() {
        use CheckOutcome::{NotApplicable, NotExercised, Pass};
        let empty_list = case(
            "list-all",
            Outcome::NotExercised,
            &[("SD-RESP-4", NotExercised), ("SD-RESP-9", NotExercised)],
        );
        let why = judged(std::slice::from_ref(&empty_list)).unwrap_or_default();
        assert!(
            why.starts_with("no response item was validated (list-all: the list is empty)"),
            "{why}"
        );
        assert!(why.contains("--allow-empty"), "{why}");

        let items = case(
            "filter-existing-server",
            Outcome::Pass,
            &[("SD-RESP-4", Pass)],
        );
        assert_eq!(judged(&[empty_list.clone(), items]), None);

        let auth = case(
            "auth-missing-token",
            Outcome::Pass,
            &[("SD-CODE-401", Pass)],
        );
        assert_eq!(judged(&[auth]), None);

        // An unknown server's empty list is its right answer: the case passes.
        let unknown = case(
            "filter-unknown-server",
            Outcome::Pass,
            &[("SD-REQ-1", Pass), ("SD-RESP-4", NotExercised)],
        );
        assert_eq!(judged(std::slice::from_ref(&unknown)), None);

        // A 404 the case allows makes the body checks moot, not starved.
        let moot = case(
            "other-project",
            Outcome::Pass,
            &[("SD-RESP-4", NotApplicable)],
        );
        assert_eq!(judged(&[moot, unknown]), None);
    }
}
