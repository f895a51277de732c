//! Issue 6 (a): body validation throughput for 1k, 10k and 100k deployments,
//! beside plain `serde_json` parsing of the same bytes in the same run.
//!
//! `cargo bench --bench validation` prints divan's table (MB/s for both), then
//! the ratio validation / parse, which is the figure (target: ≥ 1/3).
//! "Validation" is everything `sdconform` does with a 200 body of the
//! `list-all` case: JSON check, schema under the default profile (formats
//! asserted), `timestamp_order` and `unique_ids`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Instant;

use divan::Bencher;
use divan::counter::BytesCount;
use sdconform::case::Case;
use sdconform::check::{self, Input};
use sdconform::contract::{Contract, Profile};
use sdconform::reference::generated;
use serde_json::{Value, json};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn main() {
    divan::main();
    ratio_table();
}

struct Setup {
    contract: Contract,
    list_all: Case,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let contract = Contract::embedded().expect("embedded contract");
        let loader = sdconform::case::load::Loader::new(contract.case_schema()).expect("loader");
        let list_all = loader
            .load_embedded()
            .expect("cases")
            .into_iter()
            .find(|c| c.id == "list-all")
            .expect("list-all");
        Setup { contract, list_all }
    })
}

fn body(n: usize) -> Vec<u8> {
    serde_json::to_vec(&json!({ "software_deployments": generated(n) })).expect("serializes")
}

/// Runs the `list-all` checks on `body`; returns the finding count.
fn validate_once(body: &[u8]) -> usize {
    let setup = setup();
    let vars = BTreeMap::new();
    let others = BTreeMap::new();
    let eval = check::evaluate(&Input {
        case: &setup.list_all,
        status: 200,
        content_type: Some("application/json"),
        body,
        vars: &vars,
        others: &others,
        contract: &setup.contract,
        profile: Profile::Documented,
        clock_skew: check::order::DEFAULT_CLOCK_SKEW,
    });
    eval.findings.len()
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn parse(bencher: Bencher, n: usize) {
    let body = body(n);
    bencher
        .counter(BytesCount::of_slice(&body))
        .bench(|| serde_json::from_slice::<Value>(black_box(&body)).map(drop));
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn validate(bencher: Bencher, n: usize) {
    let body = body(n);
    assert_eq!(validate_once(&body), 0, "the generated body is conformant");
    bencher
        .counter(BytesCount::of_slice(&body))
        .bench(|| validate_once(black_box(&body)));
}

/// Median seconds of `runs` calls of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn ratio_table() {
    println!();
    println!("validation throughput vs plain serde_json parse (median of 5, same bytes)");
    println!(
        "{:>9} {:>10} {:>12} {:>14} {:>8}",
        "items", "body MB", "parse MB/s", "validate MB/s", "ratio"
    );
    for n in SIZES {
        let body = body(n);
        let mb = body.len() as f64 / 1e6;
        let parse = median(5, || {
            black_box(serde_json::from_slice::<Value>(black_box(&body)).ok());
        });
        let validate = median(5, || {
            black_box(validate_once(black_box(&body)));
        });
        println!(
            "{n:>9} {mb:>10.1} {:>12.0} {:>14.0} {:>8.2}",
            mb / parse,
            mb / validate,
            parse / validate
        );
    }
}
