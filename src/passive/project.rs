//! What the capture has shown so far of each project: its latest unfiltered
//! listing that no write has overtaken (the list filtered listings are compared
//! with), and when the last write to it ended.
//!
//! A filtered listing is compared with an unfiltered one of the same project only
//! when no write (`POST`, `PUT`, `PATCH`, `DELETE` to a URL whose path names the
//! project) lies between them in the capture, and none was in flight while the
//! unfiltered one was served (its end after the listing's start). What is kept is
//! the list's index (ids and server ids), one per project, for at most
//! [`MAX_PROJECTS`] projects (the least recently seen is forgotten first: a
//! forgotten project's listings are compared with none, which can miss a
//! deviation but never invent one).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::time::Span;
use crate::check::filter::ListIndex;

/// Most projects (and path segments of writes) remembered at once.
pub const MAX_PROJECTS: usize = 1024;

/// An unfiltered listing filtered ones can be compared with.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// Its items' ids and server ids.
    pub index: Arc<ListIndex>,
    /// The URL before `/v1/{project_id}/...` it was served from.
    pub base: String,
    /// Its exchange's index in the capture.
    pub exchange: u64,
    /// When it started, as the capture says.
    pub started: Option<String>,
}

#[derive(Debug, Default)]
struct Project {
    baseline: Option<Baseline>,
    /// Why there is no baseline.
    why_none: Option<String>,
    /// The latest end of a write to the project, when the capture gives times.
    writes_until: Option<f64>,
    /// The index of the last exchange that touched this entry (for forgetting).
    touched: u64,
}

/// Every project the capture has named so far.
#[derive(Debug, Default)]
pub struct Projects {
    projects: BTreeMap<String, Project>,
}

impl Projects {
    /// A write, exchange `exchange`, to every project among `segments`: their
    /// baselines are dropped (it lies between them and what follows).
    pub fn write(&mut self, segments: &[String], exchange: u64, span: Option<Span>) {
        for segment in segments.iter().filter(|s| !s.is_empty()) {
            let project = self.entry(segment, exchange);
            if project.baseline.take().is_some() || project.why_none.is_some() {
                project.why_none = Some(format!(
                    "a write to the project (exchange {exchange}) lies between it and the last unfiltered listing"
                ));
            }
            if let Some(span) = span {
                project.writes_until =
                    Some(project.writes_until.map_or(span.end, |t| t.max(span.end)));
            }
        }
    }

    /// The baseline of `project` at `base`, or why there is none.
    pub fn baseline(&self, base: &str, project: &str) -> Result<&Baseline, String> {
        match self.projects.get(project) {
            Some(Project {
                baseline: Some(baseline),
                ..
            }) if baseline.base == base => Ok(baseline),
            Some(Project {
                baseline: Some(baseline),
                ..
            }) => Err(format!(
                "the last unfiltered listing of the project (exchange {}) was served by {}, not by this listing's {base}",
                baseline.exchange, baseline.base
            )),
            Some(Project {
                why_none: Some(why),
                ..
            }) => Err(why.clone()),
            _ => Err("no unfiltered listing of the project precedes it in the capture".to_owned()),
        }
    }

    /// An unfiltered listing of `project` with a list, `index`: the new baseline,
    /// unless a write to the project was in flight when it started. Returns why
    /// it is not one.
    pub fn unfiltered(
        &mut self,
        project: &str,
        baseline: Baseline,
        span: Option<Span>,
    ) -> Result<(), String> {
        let entry = self.entry(project, baseline.exchange);
        if let (Some(until), Some(span)) = (entry.writes_until, span)
            && until > span.start
        {
            let why = format!(
                "a write to the project was still in flight when the unfiltered listing (exchange {}) started",
                baseline.exchange
            );
            entry.baseline = None;
            entry.why_none = Some(why.clone());
            return Err(why);
        }
        entry.baseline = Some(baseline);
        entry.why_none = None;
        Ok(())
    }

    /// The entry of `name`, created when new; forgets the least recently touched
    /// entry beyond [`MAX_PROJECTS`].
    fn entry(&mut self, name: &str, exchange: u64) -> &mut Project {
        if !self.projects.contains_key(name) && self.projects.len() >= MAX_PROJECTS {
            let oldest = self
                .projects
                .iter()
                .min_by_key(|(_, p)| p.touched)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.projects.remove(&oldest);
            }
        }
        let project = self.projects.entry(name.to_owned()).or_default();
        project.touched = exchange;
        project
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(exchange: u64) -> Baseline {
        Baseline {
            index: Arc::new(ListIndex::default()),
            base: "https://h".to_owned(),
            exchange,
            started: None,
        }
    }

    fn span(start: f64, end: f64) -> Option<Span> {
        Some(Span { start, end })
    }

    fn segments(path: &str) -> Vec<String> {
        path.split('/').map(str::to_owned).collect()
    }

    #[test]
    fn writes_stop_comparisons_with_what_came_before_them() {
        let mut projects = Projects::default();
        assert!(
            projects
                .baseline("https://h", "p1")
                .unwrap_err()
                .contains("no unfiltered listing")
        );
        assert!(
            projects
                .unfiltered("p1", baseline(0), span(0.0, 5.0))
                .is_ok()
        );
        assert_eq!(
            projects.baseline("https://h", "p1").map(|b| b.exchange),
            Ok(0)
        );
        // A write to another project changes nothing here.
        projects.write(&segments("v1/p2/software_deployments"), 1, span(10.0, 20.0));
        assert_eq!(
            projects.baseline("https://h", "p1").map(|b| b.exchange),
            Ok(0)
        );
        projects.write(&segments("v1/p1/software_configs"), 2, span(30.0, 40.0));
        let why = projects.baseline("https://h", "p1").unwrap_err();
        assert!(why.contains("exchange 2"), "{why}");
        // An unfiltered listing that started while the write was in flight is none.
        let why = projects
            .unfiltered("p1", baseline(3), span(35.0, 50.0))
            .unwrap_err();
        assert!(why.contains("still in flight"), "{why}");
        assert!(projects.baseline("https://h", "p1").is_err());
        assert!(
            projects
                .unfiltered("p1", baseline(4), span(41.0, 50.0))
                .is_ok()
        );
        assert_eq!(
            projects.baseline("https://h", "p1").map(|b| b.exchange),
            Ok(4)
        );
        // Without times, only the order counts.
        assert!(projects.unfiltered("p2", baseline(5), None).is_ok());
        // Another cloud's listing of a project with the same id is no baseline here.
        let why = projects.baseline("https://elsewhere", "p2").unwrap_err();
        assert!(why.contains("served by https://h"), "{why}");
    }

    #[test]
    fn projects_beyond_the_bound_are_forgotten_oldest_first() {
        let mut projects = Projects::default();
        for n in 0..MAX_PROJECTS as u64 + 10 {
            let _ = projects.unfiltered(&format!("p{n}"), baseline(n), None);
        }
        assert_eq!(projects.projects.len(), MAX_PROJECTS);
        assert!(projects.baseline("https://h", "p0").is_err());
        assert!(
            projects
                .baseline("https://h", &format!("p{}", MAX_PROJECTS + 9))
                .is_ok()
        );
    }
}
