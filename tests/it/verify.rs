//! Issue 12 item 4, end to end through the binary: `keygen`, `bundle` and
//! `verify`. A bundle of a real run verifies; a tampered one fails with exit 7
//! and names what differs, even when the tamperer recomputed the manifest's
//! hashes and signed it again with the key: the verdict is re-derived from the
//! bundled exchanges and compared with the bundled report. Usage problems exit 2.

use std::path::{Path, PathBuf};
use std::process::Output;

use sdconform::bundle::{Manifest, Member, dsse};
use sdconform::model::sha256_hex;
use serde_json::Value;

use crate::adversary::{Adversary, Behaviour, CONFORMANT_BODY, Pki, arg, json_200};
use crate::bundle::{Members, members, write_archive};
use crate::recheck::{Recorded, fault};
use crate::support::{Reference, sdconform};

/// A signed bundle of a run against `fault`, with `extra` run flags, in the
/// run's directory: `results.tar.gz`, `lab.key`, `lab.pub`.
struct Bundled {
    run: Recorded,
}

impl Bundled {
    fn new(fault_name: Option<&str>, extra: &[&str]) -> Bundled {
        let reference = Reference::start(fault_name.map(fault));
        let run = Recorded::new("run", &reference.url(), extra);
        let bundled = Bundled { run };
        let keygen = bundled.sdconform(&["keygen", "--out", "lab"]);
        assert_eq!(keygen.status.code(), Some(0), "{}", text(&keygen));
        let bundle = bundled.sdconform(&[
            "bundle",
            "reports",
            "-o",
            "results.tar.gz",
            "--sign-key",
            "lab.key",
        ]);
        assert_eq!(bundle.status.code(), Some(0), "{}", text(&bundle));
        bundled
    }

    fn dir(&self) -> &Path {
        self.run.dir.path()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    fn sdconform(&self, args: &[&str]) -> Output {
        sdconform(args, self.dir())
    }

    /// `verify BUNDLE --public-key lab.pub`: exit code and output.
    fn verify(&self, bundle: &str) -> (i32, String) {
        let output = self.sdconform(&["verify", bundle, "--public-key", "lab.pub"]);
        (output.status.code().unwrap_or(-1), text(&output))
    }

    /// A copy of the bundle with `edit` applied to its members, the manifest's
    /// hashes recomputed (and, with `run`, its run edited) and signed again with the key.
    fn tampered(
        &self,
        name: &str,
        edit: impl FnOnce(&mut Members),
        run: impl FnOnce(&mut Manifest),
    ) -> String {
        let all = members(&self.path("results.tar.gz"));
        let manifest_bytes = all
            .iter()
            .find(|(p, _)| p == "manifest.json")
            .map(|(_, b)| b.clone())
            .expect("a manifest");
        let mut manifest: Manifest = serde_json::from_slice(&manifest_bytes).expect("manifest");
        let mut kept: Members = all
            .into_iter()
            .filter(|(p, _)| !p.starts_with("manifest."))
            .collect();
        edit(&mut kept);
        manifest.members = kept
            .iter()
            .map(|(path, bytes)| Member {
                path: path.clone(),
                sha256: sha256_hex(bytes),
                size: bytes.len() as u64,
            })
            .collect();
        run(&mut manifest);
        let mut text = serde_json::to_vec_pretty(&manifest).expect("json");
        text.push(b'\n');
        let key = sdconform::bundle::read_signing_key(&self.path("lab.key")).expect("key");
        let envelope = serde_json::to_vec_pretty(&dsse::sign(&text, &key)).expect("json");
        kept.push(("manifest.json".to_owned(), text));
        kept.push(("manifest.dsse.json".to_owned(), envelope));
        write_archive(&self.path(name), &kept);
        name.to_owned()
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The member `path` as JSON, edited by `edit`.
fn edit_json(members: &mut Members, path: &str, edit: impl FnOnce(&mut Value)) {
    let (_, bytes) = members
        .iter_mut()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("no {path}"));
    let mut value: Value = serde_json::from_slice(bytes).expect("JSON");
    edit(&mut value);
    *bytes = serde_json::to_vec_pretty(&value).expect("json");
}

/// The case `id` of a report.
fn case<'a>(report: &'a mut Value, id: &str) -> &'a mut Value {
    report["cases"]
        .as_array_mut()
        .and_then(|cases| cases.iter_mut().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no case {id}"))
}

#[test]
fn a_bundle_of_a_run_verifies_signed_or_not() {
    let bundled = Bundled::new(
        Some("status-outside-enum"),
        &["--fuzz-cases", "16", "--seed", "3"],
    );
    let (code, out) = bundled.verify("results.tar.gz");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signed by key id"), "{out}");
    assert!(
        out.contains("re-derived from") && out.contains("is non-conformant, as report.json says"),
        "{out}"
    );
    let unsigned = bundled.sdconform(&["bundle", "reports", "-o", "plain.tar.gz"]);
    assert_eq!(unsigned.status.code(), Some(0), "{}", text(&unsigned));
    let output = bundled.sdconform(&["verify", "plain.tar.gz"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(text(&output).contains("not signed"), "{}", text(&output));
    // An unsigned bundle with a public key given: exit 7.
    let (code, out) = bundled.verify("plain.tar.gz");
    assert_eq!(code, 7, "{out}");
    assert!(out.contains("not signed"), "{out}");
}

/// Issue 12 item 4: every kind of tampering the manifest cannot see (it was
/// recomputed and signed again) fails with exit 7, naming what differs.
#[test]
fn tampering_behind_a_recomputed_and_signed_manifest_is_named() {
    let waivers = r#"{"waivers": [{"clause": "SD-RESP-9", "case": "list-all", "reason": "ticket 12", "expires": "2999-12-31"}]}"#;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("waivers.json"), waivers).expect("write");
    let bundled = {
        Bundled::new(
            Some("status-outside-enum"),
            &[
                "--fuzz-cases",
                "0",
                "--waivers",
                &arg(&dir.path().join("waivers.json")),
            ],
        )
    };
    let (code, out) = bundled.verify("results.tar.gz");
    assert_eq!(code, 0, "{out}");
    let report = crate::recheck::read_json(&bundled.run.reports().join("report.json"));
    assert_eq!(report["verdict"], "non-conformant");

    // A hand-edited verdict.
    let edited = bundled.tampered(
        "verdict.tar.gz",
        |m| edit_json(m, "report.json", |r| r["verdict"] = "conformant".into()),
        |_| {},
    );
    let (code, out) = bundled.verify(&edited);
    assert_eq!(code, 7, "{out}");
    assert!(
        out.contains(r#"report.json: verdict "conformant", the exchanges give "non-conformant""#),
        "{out}"
    );

    // A removed finding (its case made to pass).
    let removed = bundled.tampered(
        "finding.tar.gz",
        |m| {
            edit_json(m, "report.json", |r| {
                let case = case(r, "filter-existing-server");
                let findings = case["findings"].as_array_mut().expect("findings");
                assert!(!findings.is_empty(), "{case}");
                findings.remove(0);
            });
        },
        |_| {},
    );
    let (code, out) = bundled.verify(&removed);
    assert_eq!(code, 7, "{out}");
    assert!(
        out.contains("case filter-existing-server: finding SD-RESP-9 MUST")
            && out.contains("in the exchanges, not in report.json"),
        "{out}"
    );

    // A swapped exchange: list-all's answer recorded as filter-unknown-server's and back.
    let swapped = bundled.tampered(
        "swapped.tar.gz",
        |m| {
            let (_, bytes) = m
                .iter_mut()
                .find(|(p, _)| p == "exchanges.ndjson")
                .expect("recording");
            let mut lines: Vec<Value> = String::from_utf8_lossy(bytes)
                .lines()
                .map(|l| serde_json::from_str(l).expect("a line"))
                .collect();
            let at = |lines: &[Value], id: &str| {
                lines
                    .iter()
                    .position(|l| l["source"]["case"] == id)
                    .expect(id)
            };
            let (a, b) = (at(&lines, "list-all"), at(&lines, "filter-unknown-server"));
            let first = lines[a]["response"].take();
            lines[a]["response"] = lines[b]["response"].take();
            lines[b]["response"] = first;
            *bytes = lines
                .iter()
                .map(|l| format!("{l}\n"))
                .collect::<String>()
                .into_bytes();
        },
        |_| {},
    );
    let (code, out) = bundled.verify(&swapped);
    assert_eq!(code, 7, "{out}");
    assert!(out.contains("case list-all: response"), "{out}");

    // A changed waiver (expired), its digest in the manifest recomputed too.
    let expired = waivers.replace("2999-12-31", "2000-01-01");
    let changed = bundled.tampered(
        "waiver.tar.gz",
        |m| {
            let (_, bytes) = m
                .iter_mut()
                .find(|(p, _)| p == "inputs/waivers.json")
                .expect("waivers");
            *bytes = expired.clone().into_bytes();
        },
        |manifest| {
            if let Some(w) = manifest.run.waivers.as_mut() {
                w.sha256 = sha256_hex(expired.as_bytes());
            }
        },
    );
    let (code, out) = bundled.verify(&changed);
    assert_eq!(code, 7, "{out}");
    assert!(out.contains("waiver") && out.contains("expired"), "{out}");
    assert!(
        !out.contains("manifest.json: no signature"),
        "the signature itself holds: {out}"
    );
}

/// Issue 12 item 4: usage problems are exit 2; a bundle that is not one is exit 7.
#[test]
fn usage_problems_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| sdconform(args, dir.path()).status.code();
    assert_eq!(run(&["verify", "missing.tar.gz"]), Some(2));
    std::fs::write(dir.path().join("junk.tar.gz"), "not a bundle").expect("write");
    assert_eq!(run(&["verify", "junk.tar.gz"]), Some(7));
    assert_eq!(
        run(&["verify", "junk.tar.gz", "--public-key", "nokey.pub"]),
        Some(2)
    );
    assert_eq!(run(&["bundle", "nowhere", "-o", "b.tar.gz"]), Some(2));
    assert_eq!(run(&["keygen", "--out", "k"]), Some(0));
    assert_eq!(run(&["keygen", "--out", "k"]), Some(2), "never over a key");
    assert_eq!(
        run(&["bundle", ".", "-o", "b.tar.gz", "--sign-key", "k.pub"]),
        Some(2)
    );
}

/// Issue 12 item 4: the manifest names the SHA-256 of an https target's certificate.
#[test]
fn the_manifest_names_the_target_s_certificate() {
    let pki = Pki::new();
    let server = Adversary::start_tls(
        Behaviour::bytes(json_200(CONFORMANT_BODY.as_bytes())),
        pki.server_config(false),
    );
    let run = Recorded::new(
        "run",
        &server.url(),
        &[
            "--fuzz-cases",
            "0",
            "--cacert",
            &arg(&pki.ca_pem),
            "list-all",
        ],
    );
    assert_eq!(run.code(), 0, "{}", text(&run.output));
    let output = sdconform(&["bundle", "reports", "-o", "b.tar.gz"], run.dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let manifest = members(&run.dir.path().join("b.tar.gz"))
        .into_iter()
        .find(|(p, _)| p == "manifest.json")
        .map(|(_, b)| serde_json::from_slice::<Value>(&b).expect("json"))
        .expect("manifest");
    assert_eq!(
        manifest["run"]["tls_certificate_sha256"],
        sha256_hex(pki.server_certificate_der())
    );
    let plain = Reference::start(None);
    let run = Recorded::new("run", &plain.url(), &["--fuzz-cases", "0", "list-all"]);
    let output = sdconform(&["bundle", "reports", "-o", "b.tar.gz"], run.dir.path());
    assert_eq!(output.status.code(), Some(0));
    let manifest = members(&run.dir.path().join("b.tar.gz"))
        .into_iter()
        .find(|(p, _)| p == "manifest.json")
        .map(|(_, b)| serde_json::from_slice::<Value>(&b).expect("json"))
        .expect("manifest");
    assert_eq!(manifest["run"]["tls_certificate_sha256"], Value::Null);
}
