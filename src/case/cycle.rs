//! Capture cycles: cases that capture from each other in a loop, so that
//! none can run first.
//!
//! One of the suite checks ([`crate::case::suite::check_suite`]), after the
//! references between cases are known to resolve; the runner relies on it to
//! order captures without deadlock. The answer names the loop:
//!
//! ```text
//! capture cycle: a -> b -> a
//! ```

use std::collections::BTreeMap;

use super::model::Case;

/// The first cycle of capture references, as ids from a case back to itself.
///
/// Iterative depth-first search in load order, so the answer is deterministic
/// and a long chain of captures cannot overflow the stack.
pub(super) fn capture_cycle(cases: &[Case]) -> Option<Vec<String>> {
    let index: BTreeMap<&str, usize> = cases
        .iter()
        .enumerate()
        .map(|(i, case)| (case.id.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = cases
        .iter()
        .map(|case| {
            case.captures
                .iter()
                .filter_map(|capture| index.get(capture.from.as_str()).copied())
                .collect()
        })
        .collect();

    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; cases.len()];
    for start in 0..cases.len() {
        if marks.get(start) != Some(&Mark::New) {
            continue;
        }
        // (node, index of its next edge to follow)
        let mut stack = vec![(start, 0usize)];
        if let Some(mark) = marks.get_mut(start) {
            *mark = Mark::Open;
        }
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            match edges
                .get(node)
                .and_then(|targets| targets.get(next))
                .copied()
            {
                Some(target) => {
                    top.1 += 1;
                    match marks.get(target).copied() {
                        Some(Mark::New) => {
                            if let Some(mark) = marks.get_mut(target) {
                                *mark = Mark::Open;
                            }
                            stack.push((target, 0));
                        }
                        Some(Mark::Open) => {
                            let from = stack.iter().position(|&(n, _)| n == target)?;
                            let ids = |&(n, _): &(usize, usize)| cases.get(n).map(|c| c.id.clone());
                            let mut cycle: Vec<String> =
                                stack.get(from..)?.iter().filter_map(ids).collect();
                            cycle.extend(cases.get(target).map(|c| c.id.clone()));
                            return Some(cycle);
                        }
                        Some(Mark::Done) | None => {}
                    }
                }
                None => {
                    if let Some(mark) = marks.get_mut(node) {
                        *mark = Mark::Done;
                    }
                    stack.pop();
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::model::Capture;

    fn case(id: &str) -> Case {
        let value = serde_json::json!({
            "id": id, "title": "t",
            "request": { "path": "/v1/{project_id}/software_deployments" },
            "expect": { "status": [200], "clause": "SD-CODE-200" }
        });
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn long_capture_chain_is_not_a_cycle_and_does_not_overflow() {
        let template = case("c");
        let chain: Vec<Case> = (0..20_000)
            .map(|i| {
                let mut case = template.clone();
                case.id = format!("c{i}");
                if i > 0 {
                    case.captures = vec![Capture {
                        name: "v".to_owned(),
                        from: format!("c{}", i - 1),
                        pointer: "/x".to_owned(),
                        transform: Default::default(),
                    }];
                }
                case
            })
            .collect();
        assert_eq!(capture_cycle(&chain), None);
        let mut looped = chain;
        looped[0].captures = looped[1].captures.clone();
        looped[0].captures[0].from = "c19999".to_owned();
        let cycle = capture_cycle(&looped).unwrap();
        assert_eq!(cycle.len(), 20_001);
        assert_eq!(cycle.first(), cycle.last());
    }
}
