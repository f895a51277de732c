//! Shrinking: from a failing input to the smallest one that still fails the same way.
//!
//! [`Reducible`] wraps any strategy of [`Input`]s; its proptest value tree shrinks in three
//! phases, each a proptest `simplify`/`complicate` protocol step:
//!
//! 1. the strategy's own structure, for a bounded number of steps (a long value's length is
//!    an integer, so proptest binary-searches it);
//! 2. deleting chunks of the value's characters (bytes when it is not UTF-8): the whole
//!    value, then halves, quarters, ... down to single characters, so a 37-character id
//!    with a `'` appended reduces to `'`, and a 60 000-character value to the shortest
//!    length that fails;
//! 3. simplifying single characters: to `a`, to lowercase, whitespace to a space.
//!
//! [`minimize`] drives the tree like proptest's own runner does, but asynchronously (each
//! step is an HTTP request) and within a budget, and never sends the same query twice:
//!
//! ```text
//! id-suffix: "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5'#x"  →  "'"       (9 steps)
//! long:      "é'aaaaaaaa…" (41 227 chars)                 →  "aaa…a" (101 chars, 180 steps)
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::time::Instant;

use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use super::input::{Input, Value};
use crate::cancel::Cancel;

/// Structural shrinking steps before the generic phases take over.
const INNER_STEPS: u32 = 64;

/// A strategy whose inputs shrink structurally, then by deletion, then character by character.
#[derive(Debug, Clone)]
pub struct Reducible<S>(pub S);

impl<S: Strategy<Value = Input>> Strategy for Reducible<S> {
    type Tree = ReducibleTree<S::Tree>;
    type Value = Input;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        Ok(ReducibleTree {
            inner: self.0.new_tree(runner)?,
            inner_steps: 0,
            last_fail: None,
            phase: Phase::Inner,
        })
    }
}

/// The value tree of [`Reducible`].
pub struct ReducibleTree<T> {
    inner: T,
    inner_steps: u32,
    /// The latest value known to fail: `simplify` is only called after `current` failed.
    last_fail: Option<Input>,
    phase: Phase,
}

/// Where the generic phases are.
enum Phase {
    Inner,
    Delete {
        base: Input,
        slot: usize,
        chunk: usize,
        at: usize,
        candidate: Option<Input>,
    },
    Chars {
        base: Input,
        slot: usize,
        at: usize,
        option: usize,
        candidate: Option<Input>,
    },
    Done {
        base: Input,
    },
}

impl<T: ValueTree<Value = Input>> ValueTree for ReducibleTree<T> {
    type Value = Input;

    fn current(&self) -> Input {
        match &self.phase {
            Phase::Inner => self.inner.current(),
            Phase::Delete {
                candidate: Some(c), ..
            }
            | Phase::Chars {
                candidate: Some(c), ..
            } => c.clone(),
            Phase::Delete { base, .. } | Phase::Chars { base, .. } | Phase::Done { base } => {
                base.clone()
            }
        }
    }

    fn simplify(&mut self) -> bool {
        let failing = self.current();
        self.last_fail = Some(failing.clone());
        match &mut self.phase {
            Phase::Inner => {
                if self.inner_steps < INNER_STEPS {
                    self.inner_steps += 1;
                    if self.inner.simplify() {
                        return true;
                    }
                }
                self.start_delete(failing)
            }
            Phase::Delete {
                base, candidate, ..
            } => {
                if let Some(accepted) = candidate.take() {
                    *base = accepted;
                }
                self.advance()
            }
            Phase::Chars {
                base, candidate, ..
            } => {
                if let Some(accepted) = candidate.take() {
                    *base = accepted;
                }
                self.advance()
            }
            Phase::Done { .. } => false,
        }
    }

    fn complicate(&mut self) -> bool {
        match &mut self.phase {
            Phase::Inner => {
                if self.inner_steps < INNER_STEPS {
                    self.inner_steps += 1;
                    if self.inner.complicate() {
                        return true;
                    }
                }
                match self.last_fail.clone() {
                    Some(failing) => self.start_delete(failing),
                    None => false,
                }
            }
            Phase::Delete {
                candidate,
                at,
                chunk,
                ..
            } => {
                if candidate.take().is_some() {
                    *at += *chunk;
                }
                self.advance()
            }
            Phase::Chars {
                candidate, option, ..
            } => {
                if candidate.take().is_some() {
                    *option += 1;
                }
                self.advance()
            }
            Phase::Done { .. } => false,
        }
    }
}

impl<T> ReducibleTree<T> {
    fn start_delete(&mut self, base: Input) -> bool {
        let chunk = base.values().first().map_or(0, |v| v.units());
        self.phase = Phase::Delete {
            base,
            slot: 0,
            chunk,
            at: 0,
            candidate: None,
        };
        self.advance()
    }

    /// Moves to the next candidate of the current phase (or the next phase); false when
    /// there is none left.
    fn advance(&mut self) -> bool {
        loop {
            match &mut self.phase {
                Phase::Inner => return false,
                Phase::Delete {
                    base,
                    slot,
                    chunk,
                    at,
                    candidate,
                } => {
                    let values = base.values();
                    let Some(value) = values.get(*slot) else {
                        let base = base.clone();
                        self.phase = Phase::Chars {
                            base,
                            slot: 0,
                            at: 0,
                            option: 0,
                            candidate: None,
                        };
                        continue;
                    };
                    let len = value.units();
                    if *chunk == 0 {
                        *slot += 1;
                        *at = 0;
                        *chunk = values.get(*slot).map_or(0, |v| v.units());
                        continue;
                    }
                    if *at < len {
                        let n = (*chunk).min(len - *at);
                        let changed = delete(value, *at, n);
                        *candidate = Some(replace_value(base, *slot, changed));
                        return true;
                    }
                    *chunk /= 2;
                    *at = 0;
                }
                Phase::Chars {
                    base,
                    slot,
                    at,
                    option,
                    candidate,
                } => {
                    let values = base.values();
                    let Some(value) = values.get(*slot) else {
                        let base = base.clone();
                        self.phase = Phase::Done { base };
                        return false;
                    };
                    if *at >= value.units() {
                        *slot += 1;
                        *at = 0;
                        *option = 0;
                        continue;
                    }
                    let options = simpler(value, *at);
                    if let Some(&with) = options.get(*option) {
                        let changed = substitute(value, *at, with);
                        *candidate = Some(replace_value(base, *slot, changed));
                        return true;
                    }
                    *at += 1;
                    *option = 0;
                }
                Phase::Done { .. } => return false,
            }
        }
    }
}

/// `input` with its value number `slot` replaced.
fn replace_value(input: &Input, slot: usize, value: Value) -> Input {
    let mut values: Vec<Value> = input.values().into_iter().cloned().collect();
    if let Some(v) = values.get_mut(slot) {
        *v = value;
    }
    input.with_values(values)
}

/// `value` without `n` units from `at`.
fn delete(value: &Value, at: usize, n: usize) -> Value {
    match value {
        Value::Text(text) => Value::Text(
            text.chars()
                .enumerate()
                .filter(|(i, _)| *i < at || *i >= at + n)
                .map(|(_, c)| c)
                .collect(),
        ),
        Value::Bytes(bytes) => Value::from_bytes(
            bytes
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < at || *i >= at + n)
                .map(|(_, b)| *b)
                .collect(),
        ),
    }
}

/// Simpler characters to try in place of unit `at`, simplest first.
fn simpler(value: &Value, at: usize) -> Vec<char> {
    match value {
        Value::Text(text) => {
            let Some(c) = text.chars().nth(at) else {
                return Vec::new();
            };
            let mut options = vec!['a'];
            if c.is_ascii_uppercase() {
                options.push(c.to_ascii_lowercase());
            }
            if c.is_whitespace() {
                options.push(' ');
            }
            options.retain(|&o| o != c);
            options
        }
        Value::Bytes(bytes) => match bytes.get(at) {
            Some(b'a') | None => Vec::new(),
            Some(_) => vec!['a'],
        },
    }
}

/// `value` with unit `at` replaced by `with`.
fn substitute(value: &Value, at: usize, with: char) -> Value {
    match value {
        Value::Text(text) => Value::Text(
            text.chars()
                .enumerate()
                .map(|(i, c)| if i == at { with } else { c })
                .collect(),
        ),
        Value::Bytes(bytes) => {
            let mut bytes = bytes.clone();
            let mut buffer = [0; 4];
            if let Some(slot) = bytes.get_mut(at) {
                *slot = with
                    .encode_utf8(&mut buffer)
                    .as_bytes()
                    .first()
                    .copied()
                    .unwrap_or(b'a');
            }
            Value::from_bytes(bytes)
        }
    }
}

/// How much shrinking one failure may cost.
#[derive(Debug, Clone, Copy)]
pub struct Budget<'a> {
    /// Most inputs tried.
    pub max_steps: u32,
    /// When to stop trying.
    pub deadline: Instant,
    /// Stops trying once the run is interrupted.
    pub cancel: Option<&'a Cancel>,
}

/// Why shrinking stopped before the tree was exhausted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// It tried as many inputs as it may.
    Steps,
    /// Its deadline passed.
    Deadline,
    /// The run was interrupted.
    Interrupted,
}

/// The smallest failing input [`minimize`] found.
#[derive(Debug, Clone)]
pub struct Shrunk<E> {
    /// The input.
    pub input: Input,
    /// What its failure looked like.
    pub evidence: E,
    /// Inputs tried.
    pub steps: u32,
    /// Why the budget ran out before the tree did, if it did.
    pub cut: Option<Cut>,
}

/// Shrinks `tree`, whose current input failed with `evidence`: `still_fails` tries an input
/// and returns the evidence of the same failure, or `None` when it passes. Like proptest's
/// runner: simplify after a failure, complicate after a pass, until the tree or the budget
/// is exhausted (or the run is interrupted); a query already tried is not sent again. Cut
/// short, it keeps the smallest failing input found so far.
pub async fn minimize<T, E, F, Fut>(
    mut tree: T,
    evidence: E,
    budget: Budget<'_>,
    mut still_fails: F,
) -> Shrunk<E>
where
    T: ValueTree<Value = Input>,
    E: Clone,
    F: FnMut(Input) -> Fut,
    Fut: Future<Output = Option<E>>,
{
    let mut best = Shrunk {
        input: tree.current(),
        evidence,
        steps: 0,
        cut: None,
    };
    let mut tried: HashMap<String, Option<E>> = HashMap::new();
    tried.insert(best.input.wire_query(), Some(best.evidence.clone()));
    if !tree.simplify() {
        return best;
    }
    loop {
        let cut = if budget.cancel.is_some_and(Cancel::stopping) {
            Some(Cut::Interrupted)
        } else if Instant::now() >= budget.deadline {
            Some(Cut::Deadline)
        } else if best.steps >= budget.max_steps {
            Some(Cut::Steps)
        } else {
            None
        };
        if cut.is_some() {
            best.cut = cut;
            return best;
        }
        let candidate = tree.current();
        let key = candidate.wire_query();
        let outcome = match tried.get(&key) {
            Some(known) => known.clone(),
            None => {
                best.steps += 1;
                let outcome = still_fails(candidate.clone()).await;
                tried.insert(key, outcome.clone());
                outcome
            }
        };
        let more = match outcome {
            Some(evidence) => {
                best.input = candidate;
                best.evidence = evidence;
                tree.simplify()
            }
            None => tree.complicate(),
        };
        if !more {
            return best;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Just;
    use std::time::Duration;

    fn budget() -> Budget<'static> {
        Budget {
            max_steps: 10_000,
            deadline: Instant::now() + Duration::from_secs(30),
            cancel: None,
        }
    }

    fn shrink(start: Input, fails: impl Fn(&Input) -> bool) -> Shrunk<()> {
        let mut runner = TestRunner::deterministic();
        let tree = Reducible(Just(start.clone()))
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(fails(&start));
        let run = minimize(tree, (), budget(), |input| {
            let verdict = fails(&input).then_some(());
            async move { verdict }
        });
        block_on(run)
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
            .block_on(future)
    }

    fn text(input: &Input) -> String {
        input.minimal_display()
    }

    #[test]
    fn a_special_character_shrinks_to_itself() {
        let start = Input::text("ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5' OR '1'='1");
        let shrunk = shrink(start, |i| text(i).contains('\''));
        assert_eq!(shrunk.input, Input::text("'"));
        assert_eq!(shrunk.cut, None);
    }

    #[test]
    fn a_length_limit_shrinks_to_the_shortest_failing_length() {
        let start = Input::text(format!("é'{}", "xyz".repeat(20_000)));
        let shrunk = shrink(start, |i| text(i).chars().count() > 100);
        assert_eq!(shrunk.input, Input::text("a".repeat(101)));
        assert!(shrunk.steps < 1_000, "{}", shrunk.steps);
    }

    #[test]
    fn whitespace_shrinks_to_a_space_and_case_to_one_letter() {
        let shrunk = shrink(Input::text("ab\u{2003}cd"), |i| {
            text(i).contains(char::is_whitespace)
        });
        assert_eq!(shrunk.input, Input::text(" "));
        let id = "ec14c864-096e";
        let shrunk = shrink(Input::text("EC14C864-096E"), |i| {
            let t = text(i);
            t != id && t.eq_ignore_ascii_case(id)
        });
        let t = text(&shrunk.input);
        assert_eq!(t.chars().filter(char::is_ascii_uppercase).count(), 1, "{t}");
    }

    #[test]
    fn invalid_bytes_and_repeated_values_shrink_per_value() {
        let start = Input::One(Value::from_bytes(vec![b'a', b'b', 0xFF, b'c', 0xC0, 0x80]));
        let shrunk = shrink(start, |i| !i.is_utf8());
        assert_eq!(shrunk.input.values()[0].units(), 1, "{:?}", shrunk.input);
        let start = Input::Repeated(Value::Text("abc;".into()), Value::Text("xyz".into()));
        let shrunk = shrink(start, |i| {
            i.values().iter().any(|v| v.display().contains(';'))
        });
        assert_eq!(
            shrunk.input,
            Input::Repeated(Value::Text(";".into()), Value::Text(String::new()))
        );
        assert_eq!(shrink(Input::NoValue, |_| true).input, Input::NoValue);
    }

    #[test]
    fn the_budget_is_respected_and_queries_are_not_repeated() {
        let mut runner = TestRunner::deterministic();
        let tree = Reducible(Just(Input::text("x".repeat(500))))
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut seen = std::collections::HashSet::new();
        let mut repeated = false;
        let run = minimize(
            tree,
            (),
            Budget {
                max_steps: 5,
                deadline: Instant::now() + Duration::from_secs(30),
                cancel: None,
            },
            |input| {
                repeated |= !seen.insert(input.wire_query());
                let verdict = (input.minimal_display().len() > 10).then_some(());
                async move { verdict }
            },
        );
        let shrunk = block_on(run);
        assert!(shrunk.cut == Some(Cut::Steps) && shrunk.steps == 5 && !repeated);
    }

    /// A 201-character input that fails for its `'`, shrunk within `budget`; `each_try`
    /// runs as each input is tried, with the number of the try.
    fn shrink_quote(budget: Budget<'_>, mut each_try: impl FnMut(u32)) -> Shrunk<()> {
        let mut runner = TestRunner::deterministic();
        let tree = Reducible(Just(Input::text(format!("{}'", "x".repeat(200)))))
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut tries = 0;
        block_on(minimize(tree, (), budget, |input| {
            tries += 1;
            each_try(tries);
            let verdict = input.minimal_display().contains('\'').then_some(());
            async move { verdict }
        }))
    }

    /// Issue 10 item 2: an interruption stops shrinking at once, keeping the smallest
    /// failing input found so far.
    #[test]
    fn an_interruption_keeps_the_smallest_so_far() {
        let cancel = Cancel::new();
        let budget = Budget {
            cancel: Some(&cancel),
            ..budget()
        };
        let shrunk = shrink_quote(budget, |tries| {
            // The second try (deleting the first half) fails, so shrinks the input; then the signal.
            if tries == 2 {
                cancel.interrupt("SIGINT");
            }
        });
        assert_eq!((shrunk.cut, shrunk.steps), (Some(Cut::Interrupted), 2));
        let kept = shrunk.input.minimal_display();
        assert!(kept.ends_with('\'') && kept.len() < 201, "{kept:?}");
    }

    /// Issue 10 item 3: the deadline stops shrinking, keeping the smallest so far.
    #[test]
    fn the_deadline_keeps_the_smallest_so_far() {
        let budget = Budget {
            deadline: Instant::now() + Duration::from_secs(1),
            ..budget()
        };
        // The third try outlasts the deadline.
        let shrunk = shrink_quote(budget, |tries| {
            if tries == 3 {
                std::thread::sleep(Duration::from_millis(1_100));
            }
        });
        assert_eq!((shrunk.cut, shrunk.steps), (Some(Cut::Deadline), 3));
        let kept = shrunk.input.minimal_display();
        assert!(kept.ends_with('\'') && kept.len() < 201, "{kept:?}");
    }
}
