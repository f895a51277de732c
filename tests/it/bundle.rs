//! Issue 12 item 4: a results bundle anyone can verify. The signature is also
//! checked by an independent tool (OpenSSL) over the DSSE pre-authentication
//! encoding built here from the spec, tampering of every kind is named, and
//! nothing secret is in a bundle of a run whose target echoed the token.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use sdconform::bundle::{
    self, BundleSpec, Difference, Limits, Named, PackError, RunInfo, Signature, VerifyError,
};
use sdconform::secret::{Secret, Secrets};

use crate::exchanges::{assert_no_spelling, record_echoing_target};
use crate::support::{Reference, TOKEN, run_against};

fn run_info() -> RunInfo {
    let named = |name: &str| Named {
        name: name.to_owned(),
        sha256: "0".repeat(64),
    };
    RunInfo {
        target_url: "http://127.0.0.1:8004".to_owned(),
        tls_certificate_sha256: None,
        started_at: "2026-01-31T15:12:36Z".to_owned(),
        finished_at: "2026-01-31T15:12:41Z".to_owned(),
        profile: named("documented"),
        contract: named("embedded"),
        cases: Named {
            name: "cases".to_owned(),
            sha256: bundle::digest_dir(&repo().join("cases")).expect("digest"),
        },
        waivers: None,
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn secrets() -> Secrets {
    let mut set = Secrets::new();
    set.add("the token", &Secret::new(TOKEN))
        .expect("a usable token");
    set
}

/// A real run's report directory (the binary against the reference target),
/// with the exchanges of a target that echoed the token everywhere.
fn run_dir(dir: &Path) -> PathBuf {
    let reference = Reference::start(None);
    let run = run_against(&reference.url(), &["list-all"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.report.expect("report.json");
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).expect("mkdir");
    std::fs::write(
        reports.join("report.json"),
        serde_json::to_vec_pretty(&report).expect("json"),
    )
    .expect("write");
    std::fs::write(reports.join("summary.md"), run.stdout).expect("write");
    record_echoing_target(&reports, TOKEN);
    reports
}

fn spec(reports: &Path) -> BundleSpec {
    let mut members = bundle::run_members(reports);
    members.extend(bundle::dir_members("inputs/cases", &repo().join("cases")).expect("cases"));
    BundleSpec {
        members,
        run: run_info(),
    }
}

/// An archive's members: (path, bytes), in order.
pub type Members = Vec<(String, Vec<u8>)>;

/// The members of an archive, as the tar crate reads them (not through `verify`).
pub fn members(archive: &Path) -> Members {
    let file = std::fs::File::open(archive).expect("open");
    let mut tar = tar::Archive::new(GzDecoder::new(file));
    tar.entries()
        .expect("a tar")
        .map(|entry| {
            let mut entry = entry.expect("an entry");
            let name = entry.path().expect("a path").to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read");
            (name, bytes)
        })
        .collect()
}

/// Writes `members` as a gzip'd tar (how a tamperer would).
pub fn write_archive(path: &Path, members: &[(String, Vec<u8>)]) {
    let file = std::fs::File::create(path).expect("create");
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::default()));
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        tar.append_data(&mut header, name, bytes.as_slice())
            .expect("append");
    }
    tar.into_inner()
        .and_then(GzEncoder::finish)
        .expect("finish");
}

fn differences(archive: &Path, key: Option<&ed25519_dalek::VerifyingKey>) -> Vec<Difference> {
    match bundle::verify(archive, key, Limits::default()) {
        Err(VerifyError::Differs(differences)) => differences,
        Err(other) => panic!("not a list of differences: {other}"),
        Ok(_) => Vec::new(),
    }
}

/// OpenSSL, or `None` where it is missing outside CI (in CI, a failure).
fn openssl() -> Option<&'static str> {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("openssl");
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "openssl is not installed: CI must install it (apt-get install -y openssl)"
    );
    eprintln!("openssl is not installed: the independent signature check did not run");
    None
}

fn openssl_run(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("openssl runs")
}

#[test]
fn a_signed_bundle_verifies_and_openssl_agrees() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reports = run_dir(dir.path());
    let keys = bundle::keygen(&dir.path().join("lab")).expect("keygen");
    let key = bundle::read_signing_key(&keys.private).expect("key");
    let archive = dir.path().join("results.tar.gz");
    let packed = bundle::pack(&spec(&reports), &archive, Some(&key), &secrets()).expect("pack");

    let public = bundle::read_public_key(&keys.public).expect("public key");
    let verified = bundle::verify(&archive, Some(&public), Limits::default()).expect("verifies");
    assert_eq!(verified.manifest, packed.manifest);
    assert_eq!(
        verified.signature,
        Signature::Verified(packed.keyid.clone().unwrap_or_default())
    );
    for member in &verified.manifest.members {
        let unpacked = std::fs::read(verified.member(&member.path)).expect("unpacked");
        let source = if let Some(rest) = member.path.strip_prefix("inputs/cases/") {
            repo().join("cases").join(rest)
        } else {
            reports.join(&member.path)
        };
        assert_eq!(
            unpacked,
            std::fs::read(source).expect("source"),
            "{}",
            member.path
        );
    }
    let names: Vec<String> = members(&archive).into_iter().map(|(n, _)| n).collect();
    assert!(names.ends_with(&["manifest.json".to_owned(), "manifest.dsse.json".to_owned()]));
    assert!(
        names.contains(&"exchanges.ndjson".to_owned()) && names.contains(&"report.json".to_owned())
    );
    assert!(names.iter().any(|n| n.starts_with("inputs/cases/")));
    // manifest.json is valid against its schema.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schemas/bundle-manifest.schema.json")).expect("read"),
    )
    .expect("JSON");
    let validator =
        sdconform::contract::compile("bundle-manifest.schema.json", &schema).expect("compiles");
    let all = members(&archive);
    let manifest: serde_json::Value = serde_json::from_slice(
        &all.iter()
            .find(|(n, _)| n == "manifest.json")
            .expect("manifest")
            .1,
    )
    .expect("JSON");
    let errors: Vec<String> = validator
        .iter_errors(&manifest)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // Without a key the hashes are still checked, the signature is not.
    let unchecked = bundle::verify(&archive, None, Limits::default()).expect("verifies");
    assert_eq!(unchecked.signature, Signature::NotChecked);

    let Some(_) = openssl() else { return };
    let all = members(&archive);
    let manifest = &all
        .iter()
        .find(|(n, _)| n == "manifest.json")
        .expect("manifest")
        .1;
    let envelope: serde_json::Value = serde_json::from_slice(
        &all.iter()
            .find(|(n, _)| n == "manifest.dsse.json")
            .expect("envelope")
            .1,
    )
    .expect("JSON");
    let payload_type = envelope["payloadType"].as_str().expect("payloadType");
    assert_eq!(payload_type, "application/vnd.sdconform.manifest+json");
    let payload = STANDARD
        .decode(envelope["payload"].as_str().expect("payload"))
        .expect("base64");
    assert_eq!(&payload, manifest, "the payload is manifest.json");
    // DSSE protocol.md: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
    let mut pae = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(&payload);
    let sig = STANDARD
        .decode(envelope["signatures"][0]["sig"].as_str().expect("sig"))
        .expect("base64");
    let work = dir.path();
    std::fs::write(work.join("pae.bin"), &pae).expect("write");
    std::fs::write(work.join("sig.bin"), &sig).expect("write");
    let pubkey = keys.public.to_string_lossy().into_owned();
    let verify = |input: &str| {
        openssl_run(
            &[
                "pkeyutl", "-verify", "-pubin", "-inkey", &pubkey, "-rawin", "-in", input,
                "-sigfile", "sig.bin",
            ],
            work,
        )
    };
    let good = verify("pae.bin");
    assert!(
        good.status.success()
            && String::from_utf8_lossy(&good.stdout).contains("Signature Verified Successfully"),
        "{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
    // OpenSSL does reject a signature over other bytes.
    let mut other = pae.clone();
    other[pae.len() - 2] ^= 1;
    std::fs::write(work.join("other.bin"), &other).expect("write");
    assert!(!verify("other.bin").status.success());
    // OpenSSL reads the private key, derives the same public key, and (Ed25519
    // being deterministic) makes the same signature.
    let private = keys.private.to_string_lossy().into_owned();
    let derived = openssl_run(&["pkey", "-in", &private, "-pubout"], work);
    assert!(
        derived.status.success(),
        "{}",
        String::from_utf8_lossy(&derived.stderr)
    );
    assert_eq!(derived.stdout, std::fs::read(&keys.public).expect("read"));
    let signed = openssl_run(
        &[
            "pkeyutl",
            "-sign",
            "-inkey",
            &private,
            "-rawin",
            "-in",
            "pae.bin",
            "-out",
            "openssl.sig",
        ],
        work,
    );
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    assert_eq!(std::fs::read(work.join("openssl.sig")).expect("read"), sig);
    // The key id is the SHA-256 of the DER public key, as OpenSSL writes it.
    let der = openssl_run(&["pkey", "-pubin", "-in", &pubkey, "-outform", "DER"], work);
    assert_eq!(
        packed.keyid,
        Some(sdconform::model::sha256_hex(&der.stdout))
    );
}

#[test]
fn a_key_openssl_made_signs_bundles() {
    let Some(_) = openssl() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path();
    for args in [
        &["genpkey", "-algorithm", "ed25519", "-out", "ossl.key"][..],
        &["pkey", "-in", "ossl.key", "-pubout", "-out", "ossl.pub"][..],
    ] {
        let out = openssl_run(args, work);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let key = bundle::read_signing_key(&work.join("ossl.key")).expect("openssl's key reads");
    let public =
        bundle::read_public_key(&work.join("ossl.pub")).expect("openssl's public key reads");
    std::fs::write(work.join("report.json"), b"{}").expect("write");
    let spec = BundleSpec {
        members: vec![("report.json".to_owned(), work.join("report.json"))],
        run: run_info(),
    };
    let archive = work.join("b.tar.gz");
    bundle::pack(&spec, &archive, Some(&key), &Secrets::new()).expect("pack");
    let verified = bundle::verify(&archive, Some(&public), Limits::default()).expect("verifies");
    assert!(matches!(verified.signature, Signature::Verified(_)));
}

#[test]
fn tampering_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path();
    std::fs::write(
        work.join("report.json"),
        br#"{"verdict": "non-conformant"}"#,
    )
    .expect("write");
    std::fs::write(work.join("exchanges.ndjson"), b"").expect("write");
    let spec = BundleSpec {
        members: bundle::run_members(work),
        run: run_info(),
    };
    assert_eq!(spec.members.len(), 2);
    let keys = bundle::keygen(&work.join("lab")).expect("keygen");
    let key = bundle::read_signing_key(&keys.private).expect("key");
    let public = bundle::read_public_key(&keys.public).expect("public");
    let thief = bundle::keygen(&work.join("thief")).expect("keygen");
    let thief_key = bundle::read_signing_key(&thief.private).expect("key");
    let thief_public = bundle::read_public_key(&thief.public).expect("public");
    let signed = work.join("signed.tar.gz");
    bundle::pack(&spec, &signed, Some(&key), &Secrets::new()).expect("pack");
    let original = members(&signed);
    assert_eq!(differences(&signed, Some(&public)), []);

    let forged = br#"{"verdict": "conformant"}"#.to_vec();
    let tampered = work.join("tampered.tar.gz");
    let edit = |f: &dyn Fn(&mut Members)| {
        let mut all = original.clone();
        f(&mut all);
        write_archive(&tampered, &all);
    };
    let set = |all: &mut Members, name: &str, bytes: Vec<u8>| {
        if let Some(member) = all.iter_mut().find(|(n, _)| n == name) {
            member.1 = bytes;
        }
    };
    let hash = |bytes: &[u8]| sdconform::model::sha256_hex(bytes);
    let manifest_of = |all: &[(String, Vec<u8>)]| -> serde_json::Value {
        serde_json::from_slice(
            &all.iter()
                .find(|(n, _)| n == "manifest.json")
                .expect("manifest")
                .1,
        )
        .expect("JSON")
    };

    // A changed member.
    edit(&|all| set(all, "report.json", forged.clone()));
    assert_eq!(
        differences(&tampered, Some(&public)),
        [Difference::Changed {
            path: "report.json".to_owned(),
            expected: hash(br#"{"verdict": "non-conformant"}"#),
            actual: hash(&forged),
        }]
    );
    // The same, with the manifest's hash recomputed but not re-signed.
    edit(&|all| {
        set(all, "report.json", forged.clone());
        let mut manifest = manifest_of(all);
        for member in manifest["members"].as_array_mut().into_iter().flatten() {
            if member["path"] == "report.json" {
                member["sha256"] = hash(&forged).into();
                member["size"] = forged.len().into();
            }
        }
        set(
            all,
            "manifest.json",
            serde_json::to_vec_pretty(&manifest).expect("json"),
        );
    });
    let found = differences(&tampered, Some(&public));
    assert!(found.contains(&Difference::ManifestNotSigned), "{found:?}");
    assert!(
        found
            .iter()
            .any(|d| matches!(d, Difference::Changed { path, .. } if path == "report.json")),
        "the signed manifest's hash is the one that counts: {found:?}"
    );
    // Without a public key, the manifest still disagrees with the envelope.
    assert_eq!(
        differences(&tampered, None),
        [Difference::ManifestNotSigned]
    );
    // A removed member, an added one.
    edit(&|all| all.retain(|(n, _)| n != "exchanges.ndjson"));
    assert_eq!(
        differences(&tampered, Some(&public)),
        [Difference::Missing {
            path: "exchanges.ndjson".to_owned()
        }]
    );
    edit(&|all| all.insert(0, ("notes.txt".to_owned(), b"trust me".to_vec())));
    assert_eq!(
        differences(&tampered, Some(&public)),
        [Difference::Extra {
            path: "notes.txt".to_owned()
        }]
    );
    // The right bundle, the wrong key.
    let found = differences(&signed, Some(&thief_public));
    assert!(
        matches!(found.as_slice(), [Difference::BadSignature(_)]),
        "{found:?}"
    );
    // Re-signed by another key: does not verify under the lab's.
    let resigned = work.join("resigned.tar.gz");
    bundle::pack(&spec, &resigned, Some(&thief_key), &Secrets::new()).expect("pack");
    assert!(matches!(
        differences(&resigned, Some(&public)).as_slice(),
        [Difference::BadSignature(_)]
    ));
    // The signature removed: a public key was given, so it must be there.
    edit(&|all| all.retain(|(n, _)| n != "manifest.dsse.json"));
    assert_eq!(
        differences(&tampered, Some(&public)),
        [Difference::NotSigned]
    );
    let message = bundle::verify(&tampered, Some(&public), Limits::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        message.starts_with("the bundle does not verify:\n  manifest.json: not signed"),
        "{message}"
    );
}

#[test]
fn an_archive_cannot_reach_outside_or_overflow() {
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path();
    std::fs::write(work.join("report.json"), b"{}").expect("write");
    let spec = BundleSpec {
        members: vec![("report.json".to_owned(), work.join("report.json"))],
        run: run_info(),
    };
    let archive = work.join("b.tar.gz");
    bundle::pack(&spec, &archive, None, &Secrets::new()).expect("pack");
    // Escaping paths are named and never unpacked. (The tar crate refuses to
    // write `..` itself, so the header's name is set by hand.)
    let mut all = members(&archive);
    let evil = work.join("evil.tar.gz");
    {
        let file = std::fs::File::create(&evil).expect("create");
        let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::default()));
        for (name, bytes) in &all {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            tar.append_data(&mut header, name, bytes.as_slice())
                .expect("append");
        }
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..12].copy_from_slice(b"../escape.sh");
        header.set_size(2);
        header.set_mode(0o755);
        header.set_cksum();
        tar.append(&header, b"hi".as_slice()).expect("append");
        tar.into_inner()
            .and_then(GzEncoder::finish)
            .expect("finish");
    }
    let found = differences(&evil, None);
    assert!(
        matches!(found.as_slice(), [Difference::Unsafe { path, .. }] if path == "../escape.sh"),
        "{found:?}"
    );
    assert!(!work.join("escape.sh").exists());
    // A bomb stops at the limit.
    all.push(("zeros".to_owned(), vec![0; 4 << 20]));
    write_archive(&evil, &all);
    let limits = Limits {
        total_bytes: 1 << 20,
        members: 10,
    };
    let error = bundle::verify(&evil, None, limits)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("more than 1048576 bytes"), "{error}");
    // Not a bundle at all.
    std::fs::write(&evil, b"plain text").expect("write");
    let error = bundle::verify(&evil, None, Limits::default()).err();
    assert!(
        matches!(error, Some(VerifyError::NotABundle { .. })),
        "{error:?}"
    );
    assert!(error.is_some_and(|e| e.is_tampering()));
}

#[test]
fn the_same_run_packs_to_the_same_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path();
    std::fs::write(work.join("report.json"), b"{}").expect("write");
    let spec = BundleSpec {
        members: vec![("report.json".to_owned(), work.join("report.json"))],
        run: run_info(),
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let (a, b) = (work.join("a.tar.gz"), work.join("b.tar.gz"));
    bundle::pack(&spec, &a, Some(&key), &Secrets::new()).expect("pack");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    bundle::pack(&spec, &b, Some(&key), &Secrets::new()).expect("pack");
    assert_eq!(
        std::fs::read(a).expect("read"),
        std::fs::read(b).expect("read")
    );
}

#[test]
fn nothing_secret_is_in_a_bundle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reports = run_dir(dir.path());
    let archive = dir.path().join("results.tar.gz");
    bundle::pack(&spec(&reports), &archive, None, &secrets()).expect("pack");
    let all = members(&archive);
    assert!(
        all.len() >= 4,
        "{:?}",
        all.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for (name, bytes) in &all {
        assert_no_spelling(bytes, TOKEN, name);
    }
    let mut whole = Vec::new();
    GzDecoder::new(std::fs::File::open(&archive).expect("open"))
        .read_to_end(&mut whole)
        .expect("gunzip");
    assert_no_spelling(&whole, TOKEN, "the decompressed archive");
    // The check is not vacuous: a member holding the token is refused, by name.
    std::fs::write(reports.join("summary.md"), format!("token: {TOKEN}\n")).expect("write");
    let refused = bundle::pack(
        &spec(&reports),
        &dir.path().join("no.tar.gz"),
        None,
        &secrets(),
    );
    assert!(
        matches!(&refused, Err(PackError::Secret(name)) if name == "summary.md"),
        "{refused:?}"
    );
    assert!(!dir.path().join("no.tar.gz").exists());
    std::fs::write(reports.join("summary.md"), STANDARD.encode(TOKEN)).expect("write");
    assert!(
        bundle::pack(
            &spec(&reports),
            &dir.path().join("no.tar.gz"),
            None,
            &secrets()
        )
        .is_err()
    );
}
