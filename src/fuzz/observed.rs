//! The observations of the fuzz inputs (what the profile accepts but a stricter one would
//! not, such as a collation-style filter): of each clause and check, the one of the
//! earliest input (they say the same thing of every input; by case number, so the same
//! seed keeps the same one), the rest counted. Filled by the replay and generation steps,
//! read by assembly.

use super::property::Evaluation;
use crate::model::Observation;

/// The kept observations and how many there were.
#[derive(Debug, Default)]
pub(super) struct Observed {
    /// (order of the input, observation).
    kept: Vec<(u64, Observation)>,
    /// How many there were.
    pub seen: usize,
}

impl Observed {
    /// Takes the observations of the input `order` (regressions first, then by case number).
    pub fn add(&mut self, order: u64, eval: &mut Evaluation) {
        self.seen += eval.observations.len();
        for observation in eval.observations.drain(..) {
            self.keep(order, observation);
        }
    }

    /// Both steps' observations, the earliest of each clause and check kept.
    pub fn merge(mut self, other: Observed) -> Observed {
        self.seen += other.seen;
        for (order, observation) in other.kept {
            self.keep(order, observation);
        }
        self
    }

    fn keep(&mut self, order: u64, observation: Observation) {
        let same = self
            .kept
            .iter_mut()
            .find(|(_, o)| o.clause == observation.clause && o.check == observation.check);
        match same {
            Some(slot) if order < slot.0 => *slot = (order, observation),
            Some(_) => {}
            None => self.kept.push((order, observation)),
        }
    }

    /// How many were kept.
    pub fn kept_len(&self) -> usize {
        self.kept.len()
    }

    /// The kept observations.
    pub fn into_kept(self) -> Vec<Observation> {
        self.kept.into_iter().map(|(_, o)| o).collect()
    }
}
