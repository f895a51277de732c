//! Issue 6 (b): peak memory while validating the 100k-deployment body, as a
//! multiple of the body's size (target: ≤ 3×).
//!
//! `cargo bench --bench memory` prints the body size, the live heap before
//! validation (the body itself), and the peak heap during validation, counted
//! by a tracking global allocator (`peak_alloc`).

use std::collections::BTreeMap;

use peak_alloc::PeakAlloc;
use sdconform::check::{self, Input};
use sdconform::contract::{Contract, Profile};
use sdconform::reference::generated;
use serde_json::json;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

fn main() {
    let contract = Contract::embedded().expect("embedded contract");
    let loader = sdconform::case::load::Loader::new(contract.case_schema()).expect("loader");
    let cases = loader.load_embedded().expect("cases");
    let list_all = cases.iter().find(|c| c.id == "list-all").expect("list-all");
    println!("peak heap while validating a list body (list-all checks, documented profile)");
    println!(
        "{:>9} {:>10} {:>14} {:>14} {:>10}",
        "items", "body MB", "before MB", "peak MB", "peak/body"
    );
    for n in [1_000, 10_000, 100_000] {
        let body = serde_json::to_vec(&json!({ "software_deployments": generated(n) }))
            .expect("serializes");
        let vars = BTreeMap::new();
        let others = BTreeMap::new();
        let before = ALLOCATOR.current_usage();
        ALLOCATOR.reset_peak_usage();
        let eval = check::evaluate(&Input {
            case: list_all,
            status: 200,
            content_type: Some("application/json"),
            body: &body,
            vars: &vars,
            others: &others,
            contract: &contract,
            profile: Profile::Documented,
            clock_skew: check::order::DEFAULT_CLOCK_SKEW,
        });
        let peak = ALLOCATOR.peak_usage();
        assert_eq!(eval.findings.len(), 0);
        let mb = |bytes: usize| bytes as f64 / 1e6;
        println!(
            "{n:>9} {:>10.1} {:>14.1} {:>14.1} {:>10.2}",
            mb(body.len()),
            mb(before),
            mb(peak),
            peak as f64 / body.len() as f64
        );
    }
}
