//! The fuzz phase's third step: generate inputs from the strategies and send them,
//! `--concurrency` at a time, each twice.
//!
//! Determinism: inputs come from proptest strategies driven by a ChaCha RNG seeded from
//! `--seed`, in case order, whatever order the answers come back in; the failures kept
//! for shrinking are the first (by case number) of each property and strategy. So the
//! same seed against a target that answers the same sends the same multiset of requests.
//!
//! Generation stops early when the run is interrupted (the answers in flight are still
//! counted) or at the campaign's `--time-limit`, less a quarter of it kept for shrinking
//! once something failed; a case whose answer was abandoned is not counted at all.

use super::observed::Observed;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use proptest::prelude::Rng;
use proptest::strategy::{SBoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::engine::{Progress, Settings, seed_bytes};
use super::evidence::Evidence;
use super::input::Input;
use super::probe::{Probe, Probed};
use super::property::{self, Context, Evaluation, Property};
use super::shrink::{Reducible, ReducibleTree};
use super::strategy::Named;
use crate::http::HttpError;

/// The value tree of a generated input, kept to shrink it.
pub(super) type Tree = ReducibleTree<<SBoxedStrategy<Input> as Strategy>::Tree>;

/// A generated case that broke some property: kept to be shrunk.
pub(super) struct Failed {
    /// Its case number.
    pub index: u64,
    /// The strategy that generated it (an index into the catalogue).
    pub strategy: usize,
    /// Its value tree.
    pub tree: Tree,
    /// What the failure looked like.
    pub evidence: Evidence,
}

/// Per (property, strategy), the first generated case that broke the property: what
/// shrinking starts from.
pub(super) type Kept = BTreeMap<(Property, usize), Failed>;

/// What generation did.
pub(super) struct Generated {
    /// Cases answered (or not).
    pub cases: u64,
    /// Cases that broke some property.
    pub failing: u64,
    /// Requests sent.
    pub requests: u64,
    /// Cases per strategy, in catalogue order.
    pub per_strategy: Vec<u64>,
    /// Inputs each property had something to check in.
    pub checked: BTreeMap<Property, u64>,
    /// Inputs that broke each property.
    pub violations: BTreeMap<Property, u64>,
    /// Cases that got no answer, by case number.
    pub errors: BTreeMap<u64, String>,
    /// True when fewer cases ran than were asked for (`--time-limit`).
    pub stopped_by_time_limit: bool,
    /// How long it took.
    pub time: Duration,
    /// What the profile accepted of the answers.
    pub observed: Observed,
}

/// One generated case and its answer.
struct Answer {
    index: u64,
    strategy: usize,
    tree: Tree,
    input: Input,
    outcome: Result<(Probed, Evaluation), HttpError>,
}

/// Generates and sends `settings.cases` inputs from `named` (fewer if `deadline`, the
/// campaign's end, or an interruption comes first); what it did, and the failures to shrink.
pub(super) async fn generate(
    probe: &Probe<'_>,
    context: &Context<'_>,
    named: &[Named],
    settings: &Settings,
    progress: &dyn Progress,
    deadline: Option<Instant>,
) -> (Generated, Kept) {
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: u32::try_from(settings.cases).unwrap_or(u32::MAX),
            max_shrink_iters: settings.shrink.steps_per_failure,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(settings.seed)),
    );
    let total_weight: u64 = named
        .iter()
        .map(|n| u64::from(n.weight))
        .sum::<u64>()
        .max(1);
    // Once something failed, the last quarter of the time limit is shrinking's.
    let reserve = settings.time_limit.unwrap_or_default() / 4;
    let failed = Cell::new(false);
    let go_on = || {
        let end = deadline.map(|end| match failed.get() {
            true => end.checked_sub(reserve).unwrap_or(end),
            false => end,
        });
        !probe.cancel().stopping() && end.is_none_or(|end| Instant::now() < end)
    };
    let started = Instant::now();
    progress.start(settings.cases);
    let mut generated = Generated::new(named.len());
    let mut kept = Kept::new();
    // Trees of inputs that break a second property: `Just` draws nothing from an RNG.
    let mut spare = TestRunner::deterministic();
    let stream = futures_util::stream::iter(0..settings.cases)
        .take_while(|_| futures_util::future::ready(go_on()))
        .filter_map(|index| {
            let strategy = pick(named, runner.rng().next_u64() % total_weight);
            let tree = named
                .get(strategy)
                .and_then(|n| Reducible(n.strategy.clone()).new_tree(&mut runner).ok());
            futures_util::future::ready(tree.map(|tree| (index, strategy, tree)))
        })
        .map(|(index, strategy, tree)| async move {
            let input = tree.current();
            let outcome = probe.probe(&input, true).await.map(|probed| {
                let eval = probed.evaluate(&input, context);
                (probed, eval)
            });
            Answer {
                index,
                strategy,
                tree,
                input,
                outcome,
            }
        })
        .buffer_unordered(settings.concurrency.max(1));
    let mut stream = std::pin::pin!(stream);
    while let Some(answer) = stream.next().await {
        generated.record(answer, &mut kept, &mut spare);
        failed.set(!kept.is_empty());
        progress.advance(generated.cases, generated.failing);
    }
    generated.stopped_by_time_limit =
        generated.cases < settings.cases && !probe.cancel().stopping();
    generated.time = started.elapsed();
    (generated, kept)
}

impl Generated {
    fn new(strategies: usize) -> Generated {
        Generated {
            cases: 0,
            failing: 0,
            requests: 0,
            per_strategy: vec![0; strategies],
            checked: BTreeMap::new(),
            violations: BTreeMap::new(),
            errors: BTreeMap::new(),
            stopped_by_time_limit: false,
            time: Duration::ZERO,
            observed: Observed::default(),
        }
    }

    /// Counts `answer` in, and keeps it in `kept` if it is the first failure of some
    /// (property, strategy) so far.
    fn record(&mut self, answer: Answer, kept: &mut Kept, spare: &mut TestRunner) {
        let Answer {
            index,
            strategy,
            tree,
            input,
            outcome,
        } = answer;
        if matches!(outcome, Err(HttpError::Stopped(_))) {
            // Never answered, as the run stopped: neither a case nor an error.
            return;
        }
        self.cases += 1;
        if let Some(count) = self.per_strategy.get_mut(strategy) {
            *count += 1;
        }
        let (probed, mut eval) = match outcome {
            Err(e) => {
                self.requests += 1;
                let message = format!("{}: failed to {e}", property::describe(&input));
                self.errors.insert(index, message);
                return;
            }
            Ok(answered) => answered,
        };
        self.observed.add(index.saturating_add(1), &mut eval);
        self.requests += 2;
        for p in &eval.exercised {
            *self.checked.entry(*p).or_default() += 1;
        }
        if !eval.violations.is_empty() {
            self.failing += 1;
        }
        let mut tree = Some(tree);
        for violation in eval.violations {
            let property = violation.property;
            *self.violations.entry(property).or_default() += 1;
            let slot = (property, strategy);
            if kept.get(&slot).is_some_and(|f| f.index < index) {
                continue;
            }
            // One tree per case: it goes to the first property that keeps it; the
            // others regenerate nothing and shrink from a copy of the input.
            let tree = match tree.take() {
                Some(t) => t,
                None => match Reducible(proptest::strategy::Just(input.clone()).sboxed())
                    .new_tree(spare)
                {
                    Ok(t) => t,
                    Err(_) => continue,
                },
            };
            let evidence = Evidence::of(&probed, violation);
            kept.insert(
                slot,
                Failed {
                    index,
                    strategy,
                    tree,
                    evidence,
                },
            );
        }
    }
}

/// The strategy whose weight range holds `ticket` (in `0..total weight`).
fn pick(named: &[Named], mut ticket: u64) -> usize {
    for (index, n) in named.iter().enumerate() {
        let weight = u64::from(n.weight);
        if ticket < weight {
            return index;
        }
        ticket -= weight;
    }
    named.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::strategy;

    #[test]
    fn picks_follow_the_weights() {
        let named = strategy::catalogue(&["a".to_owned()], strategy::MAX_WIRE_QUERY);
        let total: u64 = named.iter().map(|n| u64::from(n.weight)).sum();
        let mut counts = vec![0u64; named.len()];
        for ticket in 0..total {
            counts[pick(&named, ticket)] += 1;
        }
        for (n, count) in named.iter().zip(counts) {
            assert_eq!(count, u64::from(n.weight), "{}", n.name);
        }
        assert_eq!(pick(&named, total + 5), named.len() - 1);
    }
}
