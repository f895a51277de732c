//! The runner on a recording (`recheck`, `verify`): the same captures, request
//! preparation and checks as a live run, with each case's request looked up in
//! an earlier run's `exchanges.ndjson` instead of sent. Nothing touches the
//! network and nothing is printed.
//!
//! A case's request is found when the recording has a line of that case with
//! the same URL and the same presence of a token; otherwise the case is
//! `not_exercised`, saying what it would have sent (or `skipped`, when the run
//! was interrupted before it sent it). A recorded harness error is the same
//! `error` again; a body the recording left out makes the checks that need it
//! `not_exercised`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use libtest_mimic::{Arguments, Trial};

use super::{
    ABANDONED, Attempt, Collected, ExtraTrial, NOT_RUN, PreparedRequest, RunOutcome, Selection,
    Sender, Shared, Target, received,
};
use crate::case::Case;
use crate::contract::{Contract, Profile};
use crate::http::{self, Auth, Exchange};
use crate::model::{BodyContent, CaseResult, ExchangeLine};

/// The recorded exchanges of a run's cases, by case id.
#[derive(Debug, Default)]
pub struct Replay {
    cases: BTreeMap<String, ExchangeLine>,
    /// The run was interrupted: a case it did not record never ran.
    interrupted: bool,
}

impl Replay {
    /// An empty replay; `interrupted` when the recorded run was.
    pub fn new(interrupted: bool) -> Replay {
        Replay {
            cases: BTreeMap::new(),
            interrupted,
        }
    }

    /// Adds the recorded exchange of `case`; `false` (and the line is dropped)
    /// when the case already has one: each request is sent once per run.
    pub fn add(&mut self, case: String, line: ExchangeLine) -> bool {
        match self.cases.entry(case) {
            std::collections::btree_map::Entry::Occupied(_) => false,
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(line);
                true
            }
        }
    }

    /// How many cases have a recorded exchange.
    pub fn len(&self) -> usize {
        self.cases.len()
    }

    /// Whether no case has one.
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// Whether case `id` never ran: the run was interrupted before it sent.
    pub(super) fn never_ran(&self, id: &str) -> bool {
        self.interrupted && !self.cases.contains_key(id)
    }

    /// What case `id`'s `prepared` request came to, as recorded.
    pub(super) fn attempt(&self, id: &str, prepared: PreparedRequest) -> Attempt {
        let url = http::without_userinfo(&prepared.request.url);
        let token = matches!(prepared.request.auth, Auth::Token(_));
        let with = |token: bool| if token { " with a token" } else { "" };
        let Some(line) = self.cases.get(id) else {
            if self.interrupted {
                return Attempt::NotRun(NOT_RUN);
            }
            return Attempt::NotExercised(format!(
                "its request (GET {url}{}) is not in the recording",
                with(token)
            ));
        };
        let recorded_token = line
            .request
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("x-auth-token"));
        if line.request.url != url || recorded_token != token {
            return Attempt::NotExercised(format!(
                "its request (GET {url}{}) is not in the recording, which has case {id} send {} {}{}",
                with(token),
                line.request.method,
                line.request.url,
                with(recorded_token)
            ));
        }
        match recorded_reply(line) {
            Reply::Unanswered(why) => Attempt::Error(why),
            Reply::Answered { exchange, omitted } => {
                let mut attempt = received(
                    Ok(super::bearer::Sent {
                        exchange: *exchange,
                        note: None,
                    }),
                    prepared.vars,
                );
                if let Attempt::Sent { omitted: slot, .. } = &mut attempt {
                    *slot = omitted;
                }
                attempt
            }
        }
    }
}

/// A recorded exchange as the checks see it.
#[derive(Debug)]
pub enum Reply {
    /// A response came.
    Answered {
        /// It, as `http` would have returned it.
        exchange: Box<Exchange>,
        /// Why its body is not at hand, when the recording left it out.
        omitted: Option<String>,
    },
    /// None came: why (the harness error, or the capture's reason).
    Unanswered(String),
}

/// `line` as the exchange `http` returned (a truncated body is one the body cap
/// cut), or why there is none to judge.
pub fn recorded_reply(line: &ExchangeLine) -> Reply {
    let Some(response) = &line.response else {
        return Reply::Unanswered(
            line.not_exercisable
                .clone()
                .unwrap_or_else(|| "no response was recorded".to_owned()),
        );
    };
    let (body, omitted) = match &response.body.content {
        BodyContent::Inline(bytes) => (bytes.clone(), None),
        BodyContent::Omitted(why) => (
            Vec::new(),
            Some(format!("the body was not recorded ({why})")),
        ),
        BodyContent::SameAs(seq) => (
            Vec::new(),
            Some(format!("the body is stored by line seq {seq}, not at hand")),
        ),
    };
    let content_type = response
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.clone());
    let started = line
        .started
        .as_deref()
        .and_then(|t| humantime::parse_rfc3339_weak(t).ok())
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let elapsed = line
        .elapsed_ms
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
        .unwrap_or_default();
    let body_cut = (response.body.truncated && omitted.is_none()).then_some(body.len());
    Reply::Answered {
        exchange: Box::new(Exchange {
            request: line.request.clone(),
            status: response.status,
            content_type,
            body,
            body_cut,
            elapsed,
            started,
            headers: response.headers.clone(),
            peer_certificate_sha256: None,
        }),
        omitted,
    }
}

/// What [`replay`] judges with.
pub struct ReplaySetup {
    /// The contract.
    pub contract: Arc<Contract>,
    /// The cases.
    pub cases: Vec<Case>,
    /// The recorded exchanges of the run's cases.
    pub replay: Replay,
    /// The target as the recording names it (a token only when the run sent one:
    /// it decides which recorded request a case's is, and is never sent).
    pub target: Target,
    /// The profile.
    pub profile: Profile,
    /// `--clock-skew`.
    pub clock_skew: Duration,
}

/// Judges `setup`'s cases on their recorded exchanges, then runs the `extra`
/// trials (the fuzz case), as [`super::run_with`] would have with the same
/// `selection`, without libtest and without printing; `handle` drives the
/// runner's futures (nothing in them waits on I/O).
pub fn replay<X>(
    setup: ReplaySetup,
    selection: &Selection,
    handle: &tokio::runtime::Handle,
    extra: Vec<ExtraTrial<X>>,
) -> RunOutcome<X> {
    let filters = Arguments {
        filter: selection.filter.clone(),
        skip: selection.skip.clone(),
        exact: selection.exact,
        ..Arguments::default()
    };
    let selected = |id: &str| !filters.is_filtered_out(&Trial::test(id, || Ok(())));
    let ids: Vec<String> = setup.cases.iter().map(|c| c.id.clone()).collect();
    let mut shared = Shared::new(
        setup.contract,
        setup.cases,
        Sender::Replay(setup.replay),
        setup.target,
        (setup.profile, setup.clock_skew),
    );
    if let Some(other) = recorded_other_project_id(&shared) {
        shared.other_project_id = other;
    }
    let shared = Arc::new(shared);
    let mut collected = Collected {
        results: Vec::new(),
        extras: Vec::new(),
    };
    for id in ids.iter().filter(|id| selected(id)) {
        collected.results.push(handle.block_on(shared.run_case(id)));
    }
    for ExtraTrial { id, run } in extra {
        if selected(&id) {
            let (result, extra) = run();
            collected.results.push(result);
            collected.extras.push(extra);
        }
    }
    if collected.results.is_empty() {
        return RunOutcome::NoneSelected;
    }
    collected.results.sort_by(|a, b| a.id.cmp(&b.id));
    RunOutcome::Ran(collected)
}

/// The first reason of an interrupted run's verdict: the signal, and how many cases it
/// kept from running.
pub fn interruption(cause: &str, results: &[CaseResult]) -> String {
    let not_run = results
        .iter()
        .filter(|r| r.notes.iter().any(|n| n == NOT_RUN || n == ABANDONED))
        .count();
    format!(
        "interrupted by {cause}: {not_run} of {} case(s) did not run to the end; the rest is what was learned before",
        results.len()
    )
}

/// The fresh project id the recorded run drew for `{other_project_id}`, read back from
/// the recorded URL of a case that uses it, so that its request is found again.
fn recorded_other_project_id(shared: &Shared) -> Option<String> {
    const MARK: &str = "sdconformotherprojectmark";
    let Sender::Replay(replay) = &shared.sender else {
        return None;
    };
    shared
        .cases
        .values()
        .filter(|case| case.captures.is_empty())
        .find_map(|case| {
            let line = replay.cases.get(&case.id)?;
            let prepared = super::prepare(case, &[], &shared.target, MARK).ok()?;
            let url = http::without_userinfo(&prepared.request.url);
            let (before, after) = url.split_once(MARK)?;
            let other = line.request.url.strip_prefix(before)?.strip_suffix(after)?;
            (!other.is_empty() && !other.contains('/')).then(|| other.to_owned())
        })
}
