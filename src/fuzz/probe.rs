//! How the fuzz phase sends: one [`Probe`] per phase run, over the one
//! `http::Client`, that builds each URL from the target and an input's wire query,
//! sends it (twice when the stability property needs it) and, for tests and the
//! benchmark, records every URL sent.
//!
//! Every phase (baseline, replay, generation, shrinking) sends through it; what
//! comes back is a [`Probed`], evaluated by the pure properties. When the client
//! records (issue 12), every request is recorded here, with its wire query as its
//! source (`fuzz`, or `fuzz_shrink` once shrinking starts; the baseline's query
//! is empty), an input sent twice as two lines side by side. So the campaign's
//! `--time-limit` is enforced here, for every phase at once: nothing is sent after
//! it, and no answer is awaited past it.
//!
//! The token is asked for at send time and a `401` to it checked before it is kept
//! ([`crate::runner::bearer`]), so a campaign that outlives a token keeps working.
//!
//! Memory does not grow with the number of cases (issue 10 item 15): an answer is
//! kept as a [`Received`], a large body only when a property reads it (a whole 200
//! body), else as the report's excerpt; the second answer to the same request is
//! kept for its status and excerpt only. So a probe in flight holds at most two
//! bodies of at most `--max-body-bytes`, and nothing outlives its evaluation but
//! the evidence of kept failures (excerpts).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use super::input::Input;
use super::property::{self, Context, Evaluation, Reply};
use crate::cancel::{Cancel, Stopped};
use crate::http::{self, Auth, Exchange, HttpError};
use crate::model::{RequestRecord, ResponseRecord, Source};
use crate::runner::{self, Target, bearer};

/// How requests are sent and, optionally, recorded.
pub(super) struct Probe<'a> {
    client: &'a http::Client,
    target: &'a Target,
    path: String,
    sent: Option<Mutex<Vec<String>>>,
    /// The campaign's hard end (`--time-limit`), if it has one.
    deadline: Option<Instant>,
    /// Shrinking has started: what is sent now is recorded as `fuzz_shrink`.
    shrinking: AtomicBool,
}

impl<'a> Probe<'a> {
    /// A probe of `target`'s list; `record` keeps every URL sent.
    pub(super) fn new(client: &'a http::Client, target: &'a Target, record: bool) -> Self {
        Probe {
            client,
            target,
            path: format!(
                "/v1/{}/software_deployments",
                http::encode(&target.project_id)
            ),
            sent: record.then(|| Mutex::new(Vec::new())),
            deadline: None,
            shrinking: AtomicBool::new(false),
        }
    }

    /// The probe, sending nothing after `deadline` and awaiting no answer past it.
    pub(super) fn until(self, deadline: Option<Instant>) -> Self {
        Probe { deadline, ..self }
    }

    /// The run's cancellation (the client's).
    pub(super) fn cancel(&self) -> &Cancel {
        self.client.cancel()
    }

    /// The list's URL with `query` as it goes on the wire (none: the unfiltered list).
    pub(super) fn url(&self, query: Option<&str>) -> Result<reqwest::Url, HttpError> {
        match query {
            None => http::build_url(&self.target.base, &self.path, &[]),
            Some(query) => http::build_url_raw(&self.target.base, &self.path, query),
        }
    }

    /// From now on, what is sent is recorded as tried while shrinking.
    pub(super) fn shrinking(&self) {
        self.shrinking.store(true, Ordering::Relaxed);
    }

    /// Records what the requests to `url` came to, when the client records.
    fn record(&self, url: &reqwest::Url, sent: &[&Result<Exchange, HttpError>]) {
        let source = || {
            let query = url.query().unwrap_or_default().to_owned();
            if self.shrinking.load(Ordering::Relaxed) {
                Source::FuzzShrink(query)
            } else {
                Source::Fuzz(query)
            }
        };
        // The token is taken at send time; the record redacts it, so the run's
        // token stands for the one sent (what counts is that one was).
        let prepared = http::Prepared {
            url: url.clone(),
            auth: self.target.token.clone().map_or(Auth::None, Auth::Token),
        };
        self.client.record(source, &prepared, sent);
    }

    /// Sends one request to `url` and records it, unless the run is interrupted or
    /// past its deadline.
    pub(super) async fn send(&self, url: &reqwest::Url) -> Result<Exchange, HttpError> {
        let sent = self.send_unrecorded(url).await;
        self.record(url, &[&sent]);
        sent
    }

    /// [`Probe::send`], the caller recording.
    async fn send_unrecorded(&self, url: &reqwest::Url) -> Result<Exchange, HttpError> {
        if self.cancel().stopping() {
            return Err(HttpError::Stopped(Stopped::BeforeSending));
        }
        let late = HttpError::Stopped(Stopped::TimeLimit);
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(late);
        }
        if let Some(sent) = &self.sent {
            sent.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(url.to_string());
        }
        let sending = async {
            let target = bearer::at_send(self.target).await?;
            let request = http::Prepared {
                url: url.clone(),
                auth: target.token.clone().map_or(Auth::None, Auth::Token),
            };
            bearer::send(self.client, &target, &request, true)
                .await
                .map(|sent| sent.exchange)
        };
        match self.deadline {
            None => sending.await,
            Some(deadline) => tokio::time::timeout_at(deadline.into(), sending)
                .await
                .unwrap_or(Err(late)),
        }
    }

    /// Sends `input` (twice when `again`), returning the exchanges and the request-target's length.
    pub(super) async fn probe(&self, input: &Input, again: bool) -> Result<Probed, HttpError> {
        let url = self.url(Some(&input.wire_query()))?;
        let target_len = url.path().len() + 1 + url.query().map_or(0, str::len);
        let first = self.send_unrecorded(&url).await;
        let second = match (&first, again) {
            (Ok(_), true) => Some(self.send_unrecorded(&url).await),
            _ => None,
        };
        let mut sent = vec![&first];
        sent.extend(second.as_ref());
        self.record(&url, &sent);
        let first = Received::keeping_what_is_read(first?);
        let second = second.transpose()?.map(Received::status_only);
        Ok(Probed {
            url: url.to_string(),
            first,
            second,
            target_len,
        })
    }

    /// Every URL sent, in the order sent (empty unless recording).
    pub(super) fn into_sent(self) -> Vec<String> {
        self.sent
            .map(|sent| sent.into_inner().unwrap_or_else(PoisonError::into_inner))
            .unwrap_or_default()
    }
}

/// An answer as the fuzz phase keeps it: what the properties read, and the report's
/// records of the exchange.
pub(super) struct Received {
    /// The exchange; its body is empty when it was dropped.
    exchange: Exchange,
    /// The report's record of the response, taken before a large body was dropped.
    dropped: Option<ResponseRecord>,
}

/// Bodies up to this size are kept whatever they are (they cost nothing, and the
/// report's excerpt is then taken only for evidence); larger ones only while read.
const SMALL_BODY: usize = 64 * 1024;

impl Received {
    /// `exchange`, its body kept when a property reads it (a whole 200 body).
    pub(super) fn keeping_what_is_read(exchange: Exchange) -> Received {
        let read = exchange.status == 200 && exchange.body_cut.is_none();
        Received::of(exchange, read)
    }

    /// `exchange` for its status and records only (the stability property's second
    /// answer).
    pub(super) fn status_only(exchange: Exchange) -> Received {
        Received::of(exchange, false)
    }

    fn of(mut exchange: Exchange, read: bool) -> Received {
        if read || exchange.body.len() <= SMALL_BODY {
            return Received {
                exchange,
                dropped: None,
            };
        }
        let record = runner::response_record(&exchange);
        exchange.body = Vec::new();
        Received {
            exchange,
            dropped: Some(record),
        }
    }

    /// What was sent (token redacted).
    pub(super) fn request(&self) -> &RequestRecord {
        &self.exchange.request
    }

    /// What came back, with the body's excerpt.
    pub(super) fn response(&self) -> ResponseRecord {
        self.dropped
            .clone()
            .unwrap_or_else(|| runner::response_record(&self.exchange))
    }
}

/// An input's exchanges.
pub(super) struct Probed {
    /// The URL sent.
    pub url: String,
    /// The first answer.
    pub first: Received,
    /// The second answer to the same request, when it was sent twice.
    pub second: Option<Received>,
    /// The request-target's length, in bytes.
    target_len: usize,
}

impl Probed {
    /// What the properties conclude about `input` from these exchanges (pure).
    pub(super) fn evaluate(&self, input: &Input, context: &Context<'_>) -> Evaluation {
        let second = self.second.as_ref().map(reply);
        property::evaluate(
            input,
            &reply(&self.first),
            second.as_ref(),
            self.target_len,
            context,
        )
    }
}

/// An answer as the properties see it.
pub(super) fn reply(received: &Received) -> Reply<'_> {
    exchange_reply(&received.exchange)
}

/// What the properties read of `exchange` (a recorded one, in `recheck`).
pub(super) fn exchange_reply(exchange: &Exchange) -> Reply<'_> {
    Reply {
        status: exchange.status,
        content_type: exchange.content_type.as_deref(),
        body: &exchange.body,
        body_cut: exchange.body_cut,
    }
}
