//! The checker passive mode feeds a capture to, one exchange at a time: it
//! redacts each, tells listings from writes and other traffic, judges each
//! listing, remembers each project's unfiltered listing for the filtered ones that
//! follow, and tallies the results, in memory that does not grow with the capture.
//!
//! A filtered listing compared with an unfiltered one waits (at most
//! [`MAX_PENDING`] at once) until an exchange starts after it ended: a write to the
//! project that the capture lists after it but that started while it was served
//! may be in it, and then the comparison is withdrawn.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use super::credential;
use super::judge::{self, Judge};
use super::listing::{self, Kind, Listing, Query};
use super::project::{Baseline, Projects};
use super::tally::Tally;
use super::time::Span;
use crate::check::{self, CheckOutcome, CheckRecord, list};
use crate::contract::{Contract, Profile};
use crate::model::{CaseResult, ExchangeLine, ResponseRecord};
use crate::runner::{BODY_EXCERPT_CHARS, case_outcome};
use crate::secret::Secret;

/// Most compared filtered listings waiting for the writes that may overlap them.
pub const MAX_PENDING: usize = 256;

/// Most distinct targets (base URL and project) the report names.
const MAX_TARGETS: usize = 4;

/// The kind of capture, for the results' sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A HAR file: exchange `n` is `log.entries[n]`.
    Har,
    /// An `exchanges.ndjson`: exchange `n` is the line of `seq` `n`.
    Ndjson,
}

/// What the checker needs besides the exchanges.
pub struct Settings {
    /// The contract.
    pub contract: Arc<Contract>,
    /// The profile.
    pub profile: Profile,
    /// `--clock-skew`.
    pub clock_skew: Duration,
    /// The capture file as given (the results' sources name it).
    pub capture: String,
    /// Its kind.
    pub format: Format,
}

/// What the capture held, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entries (exchanges) read.
    pub entries: u64,
    /// Listings of the endpoint, each checked.
    pub listings: u64,
    /// Listings whose status, or whose 200 body in full, the capture lacks.
    pub incomplete: u64,
    /// Other traffic, counted and ignored (writes included).
    pub ignored: u64,
    /// Writes (`POST`, `PUT`, `PATCH`, `DELETE`) among the ignored.
    pub writes: u64,
    /// Filtered listings compared with an unfiltered one of their project.
    pub compared: u64,
    /// Filtered 200 listings that could be compared with none.
    pub not_compared: u64,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |count: u64, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        write!(
            f,
            "{}, {} checked ({} without a status or a full body), {} ignored ({}); filtered listings: {} compared with an unfiltered one, {} with none",
            n(self.entries, "entry", "entries"),
            n(self.listings, "listing", "listings"),
            self.incomplete,
            n(self.ignored, "other entry", "other entries"),
            n(self.writes, "write", "writes"),
            self.compared,
            self.not_compared
        )
    }
}

/// What a capture came to.
#[derive(Debug)]
pub struct Checked {
    /// One result per listing (past the bounds, one per outcome), sorted by id.
    pub results: Vec<CaseResult>,
    /// The counts.
    pub counts: Counts,
    /// The credentials the capture held, each once: what every output is scrubbed of.
    pub credentials: Vec<Secret>,
    /// The targets' base URLs, and their projects, as the report names them.
    pub target: (String, String),
}

/// A compared filtered listing whose comparison a write may still withdraw.
struct Pending {
    project: String,
    end: f64,
    exchange: u64,
    cited: String,
    result: CaseResult,
}

/// Reads a capture's exchanges one by one.
pub struct Checker {
    capture: String,
    format: Format,
    judge: Judge,
    projects: Projects,
    pending: Vec<Pending>,
    tally: Tally,
    credentials: BTreeSet<String>,
    counts: Counts,
    /// Distinct (base, project) of the listings, up to [`MAX_TARGETS`], and whether there were more.
    targets: (Vec<(String, String)>, bool),
}

impl Checker {
    /// A checker with nothing read yet.
    pub fn new(settings: Settings) -> Checker {
        Checker {
            capture: settings.capture,
            format: settings.format,
            judge: Judge::new(settings.contract, settings.profile, settings.clock_skew),
            projects: Projects::default(),
            pending: Vec::new(),
            tally: Tally::default(),
            credentials: BTreeSet::new(),
            counts: Counts::default(),
            targets: (Vec::new(), false),
        }
    }

    /// Adds credentials found outside the lines (the HAR reader's).
    pub fn add_credentials<'a>(&mut self, secrets: impl IntoIterator<Item = &'a Secret>) {
        self.credentials
            .extend(secrets.into_iter().map(|s| s.expose().to_owned()));
    }

    /// Reads the next exchange of the capture.
    pub fn exchange(&mut self, mut line: ExchangeLine) {
        self.counts.entries += 1;
        credential::redact(&mut line, &mut self.credentials);
        let span = Span::of(line.started.as_deref(), line.elapsed_ms);
        self.settle(span.map(|s| s.start));
        match listing::classify(&line.request.method, &line.request.url) {
            Kind::Other => self.counts.ignored += 1,
            Kind::Write { segments } => {
                self.counts.ignored += 1;
                self.counts.writes += 1;
                self.projects.write(&segments, line.seq, span);
                self.overtaken(&segments, line.seq);
            }
            Kind::Listing(listing) => self.listing(line, listing, span),
        }
    }

    /// Everything read, counted and judged.
    pub fn finish(mut self) -> Checked {
        self.settle(None);
        let (targets, more) = &self.targets;
        let join = |pick: fn(&(String, String)) -> &str| {
            let mut seen: Vec<&str> = Vec::new();
            for target in targets {
                if !seen.contains(&pick(target)) {
                    seen.push(pick(target));
                }
            }
            let mut text = seen.join(", ");
            if *more {
                text.push_str(" (and more)");
            }
            text
        };
        let target = if targets.is_empty() {
            (
                "(no listing in the capture)".to_owned(),
                "(none)".to_owned(),
            )
        } else {
            (join(|t| &t.0), join(|t| &t.1))
        };
        Checked {
            results: self.tally.finish(&self.capture),
            counts: self.counts,
            credentials: self.credentials.into_iter().map(Secret::new).collect(),
            target,
        }
    }

    fn listing(&mut self, line: ExchangeLine, listing: Listing, span: Option<Span>) {
        self.counts.listings += 1;
        self.note_target(&listing);
        let mut eval = self.judge.listing(
            &line,
            &listing.query,
            self.projects.baseline(&listing.base, &listing.project),
        );
        let body = line
            .response
            .as_ref()
            .map(|response| judge::whole_body(&line, response));
        let status = line.response.as_ref().map(|r| r.status);
        if matches!(&body, None | Some(Err(_))) && status.is_none_or(|s| s == 200) {
            self.counts.incomplete += 1;
        }
        let compared = judge::compared(&eval);
        if matches!(listing.query, Query::Filtered(_)) {
            let not_compared = eval
                .records
                .iter()
                .any(|r| r.check == "filter_subset" && r.outcome == CheckOutcome::NotExercised);
            self.counts.compared += u64::from(compared);
            self.counts.not_compared += u64::from(not_compared);
        }
        if let (Query::Unfiltered, Some(Ok(bytes)), Some(200)) = (&listing.query, &body, status)
            && let Some(index) = list::index(bytes)
        {
            let baseline = Baseline {
                index: Arc::new(index),
                base: listing.base.clone(),
                exchange: line.seq,
                started: line.started.clone(),
            };
            if let Err(why) = self.projects.unfiltered(&listing.project, baseline, span) {
                eval.notes
                    .push(format!("not used as the project's unfiltered list: {why}"));
            }
        }
        let pending = span
            .filter(|_| compared)
            .map(|span| (listing.project, span.end));
        self.file(line, eval, pending);
    }

    /// Remembers the listing's base URL and project for the report's target.
    fn note_target(&mut self, listing: &Listing) {
        let target = (listing.base.clone(), listing.project.clone());
        if !self.targets.0.contains(&target) {
            if self.targets.0.len() < MAX_TARGETS {
                self.targets.0.push(target);
            } else {
                self.targets.1 = true;
            }
        }
    }

    /// Files the result of `line`: to wait for overlapping writes when it was
    /// compared (`pending`: its project and end), else to the tally.
    fn file(
        &mut self,
        line: ExchangeLine,
        eval: check::Evaluation,
        pending: Option<(String, f64)>,
    ) {
        let exchange = line.seq;
        let cited = citation(&line);
        let result = self.result(line, eval, &cited);
        let Some((project, end)) = pending else {
            self.tally.add(exchange, &cited, result);
            return;
        };
        if self.pending.len() >= MAX_PENDING {
            let oldest = self.pending.remove(0);
            self.tally
                .add(oldest.exchange, &oldest.cited, oldest.result);
        }
        self.pending.push(Pending {
            project,
            end,
            exchange,
            cited,
            result,
        });
    }

    /// Tallies the pending listings that ended before `start` (every one when the
    /// start is unknown): no later write can overlap them.
    fn settle(&mut self, start: Option<f64>) {
        let (done, waiting): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| start.is_none_or(|start| p.end <= start));
        self.pending = waiting;
        for pending in done {
            self.tally
                .add(pending.exchange, &pending.cited, pending.result);
        }
    }

    /// A write, exchange `write`, that started while the pending listings of the
    /// projects among `segments` were served: their comparisons are withdrawn.
    fn overtaken(&mut self, segments: &[String], write: u64) {
        let (hit, rest): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| segments.contains(&p.project));
        self.pending = rest;
        for mut pending in hit {
            let result = &mut pending.result;
            let why = format!(
                "a write to the project (exchange {write}) was in flight while this listing was served"
            );
            result.findings.retain(|f| f.check != "filter_subset");
            result.checks.retain(|r| r.check != "filter_subset");
            result.checks.push(
                CheckRecord::new("filter_subset", "SD-REQ-1", CheckOutcome::NotExercised)
                    .with_note(why.clone()),
            );
            result
                .notes
                .retain(|n| !n.starts_with("filter_subset: compared"));
            result
                .notes
                .push(format!("filter_subset: not compared: {why}"));
            result.outcome = case_outcome(&result.findings, &result.checks, &[]);
            self.counts.compared -= 1;
            self.counts.not_compared += 1;
            self.tally
                .add(pending.exchange, &pending.cited, pending.result);
        }
    }

    /// The result of the listing `line`, judged `eval`.
    fn result(&self, line: ExchangeLine, eval: check::Evaluation, cited: &str) -> CaseResult {
        let title = match reqwest::Url::parse(&line.request.url) {
            Ok(url) => match url.query() {
                Some(query) => format!("{} {}?{query}", line.request.method, url.path()),
                None => format!("{} {}", line.request.method, url.path()),
            },
            Err(_) => format!("{} {}", line.request.method, line.request.url),
        };
        let source = match self.format {
            Format::Har => format!("{} entry {}", self.capture, line.seq),
            Format::Ndjson => format!("{} seq {}", self.capture, line.seq),
        };
        let outcome = case_outcome(&eval.findings, &eval.records, &[]);
        let mut result = CaseResult::new("", &title, source, outcome);
        result.notes.push(cited.to_owned());
        result.notes.extend(eval.notes);
        result.findings = eval.findings;
        result.observations = eval.observations;
        result.checks = eval.records;
        result.response = response_record(&line);
        result.duration_ms = millis(line.elapsed_ms);
        result.request = Some(line.request);
        result
    }
}

/// The exchange as findings cite it: its index, who sent it, when it started.
fn citation(line: &ExchangeLine) -> String {
    format!(
        "exchange {} ({}), started {}",
        line.seq,
        line.source,
        line.started
            .as_deref()
            .unwrap_or("at a time the capture does not give")
    )
}

/// What a report keeps of a captured response (none for a status no report can hold).
fn response_record(line: &ExchangeLine) -> Option<ResponseRecord> {
    let response = line
        .response
        .as_ref()
        .filter(|r| (100..=999).contains(&r.status))?;
    let bytes = response.body.bytes().unwrap_or_default();
    Some(ResponseRecord {
        status: response.status,
        content_type: response
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone()),
        body_bytes: usize::try_from(response.body.size).unwrap_or(usize::MAX),
        body_excerpt: check::truncate(&String::from_utf8_lossy(bytes), BODY_EXCERPT_CHARS),
        elapsed_ms: millis(line.elapsed_ms),
    })
}

/// A capture's duration in whole milliseconds (0 when unknown).
fn millis(elapsed_ms: Option<f64>) -> u64 {
    elapsed_ms
        .filter(|t| t.is_finite() && *t >= 0.0)
        .map_or(0, |t| t.round() as u64)
}
