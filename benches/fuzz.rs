//! `cargo bench --bench fuzz`: how fast fuzzing is next to doing nothing but HTTP.
//!
//! In one run against the embedded reference target (on its own runtime), it measures:
//!
//! - **fuzz**: `sdconform::fuzz::run` — generate inputs from the strategies, send each twice,
//!   validate every answer against the properties — in validated requests per second;
//! - **plain**: the same HTTP client sending the very same URLs (recorded from the fuzz run,
//!   parsed beforehand) with the same concurrency, neither generating nor validating.
//!
//! Rounds alternate (plain, fuzz, plain, fuzz, ...) and the medians are compared. The issue's
//! target is fuzz ≥ 70 % of plain.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sdconform::contract::Contract;
use sdconform::fuzz::{self, Settings, Silent};
use sdconform::http::{self, Auth, Limits, Prepared, Secret};
use sdconform::reference::{self, ReferenceConfig};
use sdconform::runner::Target;

/// Cases per fuzz round (each sends two requests).
const CASES: u64 = 4_000;
/// Rounds of each kind.
const ROUNDS: usize = 5;

fn main() {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("server runtime");
    let running = server
        .block_on(reference::start(
            ReferenceConfig::default(),
            SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .expect("the reference target starts");
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let client = http::Client::new(
        Limits {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            run_timeout: Duration::from_secs(3_600),
            max_body_bytes: 16 * 1024 * 1024,
        },
        http::tls::Tls::default(),
    )
    .expect("client");
    let target = Target {
        base: reqwest::Url::parse(running.url()).expect("url"),
        project_id: reference::DEFAULT_PROJECT_ID.to_owned(),
        token: Some(Secret::new(reference::DEFAULT_TOKEN)),
        embedded: true,
        secrets: sdconform::secret::Secrets::new(),
        tokens: None,
        setup: None,
    };
    let contract = Contract::embedded().expect("contract");
    let settings = Settings {
        record_requests: true,
        ..Settings::new(CASES, 7)
    };
    let concurrency = settings.concurrency;

    // Warm up, and record the URLs the plain loop sends.
    let warm = client_runtime.block_on(fuzz::run(&contract, &client, &target, &settings, &Silent));
    let urls: Vec<reqwest::Url> = warm
        .sent
        .iter()
        .skip(1) // the unfiltered list, fetched before generation
        .filter_map(|u| reqwest::Url::parse(u).ok())
        .collect();
    let auth = Auth::Token(Secret::new(reference::DEFAULT_TOKEN));
    let settings = Settings::new(CASES, 7);

    let mut plain_rates = Vec::new();
    let mut fuzz_rates = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let answered = client_runtime.block_on(async {
            futures_util::stream::iter(&urls)
                .map(|url| {
                    let prepared = Prepared {
                        url: url.clone(),
                        auth: auth.clone(),
                    };
                    let client = &client;
                    async move { client.send(&prepared).await.is_ok() }
                })
                .buffer_unordered(concurrency)
                .filter(|ok| futures_util::future::ready(*ok))
                .count()
                .await
        });
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(answered, urls.len(), "every plain request is answered");
        plain_rates.push(urls.len() as f64 / seconds);

        let outcome =
            client_runtime.block_on(fuzz::run(&contract, &client, &target, &settings, &Silent));
        let run = outcome.result.fuzz.expect("fuzz run info");
        assert!(
            outcome.result.findings.is_empty(),
            "the reference is conformant"
        );
        fuzz_rates.push(run.requests_per_second);
    }
    client_runtime.block_on(async { drop(client) });
    server.block_on(running.shutdown());

    let plain = median(&mut plain_rates);
    let fuzzed = median(&mut fuzz_rates);
    println!(
        "fuzz benchmark: embedded reference target, {CASES} cases x 2 requests per round, concurrency {concurrency}, {ROUNDS} rounds each (median)"
    );
    println!(
        "  plain loop (same client, same URLs, no generation or validation): {plain:>8.0} requests/s"
    );
    println!(
        "  fuzz (generate, send, validate every answer):                      {fuzzed:>8.0} requests/s"
    );
    println!(
        "  fuzz / plain: {:.0} % (target: at least 70 %)",
        fuzzed / plain * 100.0
    );
    println!("  rounds, plain: {}", rates(&plain_rates));
    println!("  rounds, fuzz:  {}", rates(&fuzz_rates));
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn rates(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}
