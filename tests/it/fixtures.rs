//! Issue 11 sections 2 and 3, end to end with the real binary against the reference
//! target and its identity service: `run --fixtures create` rests its verdict on data it
//! created and leaves each project as it found it (after a clean run, a failing one, an
//! interrupted one); creation and deletion failures are exit 6; `cleanup` removes what a
//! killed run left; and the isolation cases of `--other-cloud` pass on the conformant
//! reference, fail on a leaking listing, and treat Heat's 403 as each profile says.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sdconform::http::{Client, Limits, Secret, tls::Tls};
use sdconform::identity::{self, Credentials, DomainRef, ProjectScope, UserRef};
use sdconform::reference::{FIRST, Fault, SECOND};
use serde_json::Value;

use crate::support::{PROJECT, Reference, Run, assert_valid_report, findings, finish, sdconform};

/// The other cloud of the reference's clouds.yaml: the second project's user.
const OTHER_CLOUD: &str = "sdconform-reference-other";

fn client() -> Client {
    let limits = Limits {
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
        run_timeout: Duration::from_secs(120),
        max_body_bytes: 1 << 22,
    };
    Client::new(limits, Tls::default()).expect("client")
}

/// A token the reference's identity service issues for `credentials`.
fn issued(reference: &Reference, credentials: &Credentials) -> String {
    let v3 = reqwest::Url::parse(&format!("{}/v3/", reference.url())).expect("url");
    let done = reference
        .runtime
        .block_on(identity::authenticate(&client(), &v3, credentials))
        .unwrap_or_else(|e| panic!("{e}"));
    done.token.value.expose().to_owned()
}

/// The second tenant's token, by user and project id.
fn bob_token(reference: &Reference) -> String {
    let credentials = Credentials::Password {
        user: UserRef::Id(SECOND.user_id.into()),
        password: Secret::new(SECOND.password),
        scope: Some(ProjectScope::Id(SECOND.project_id.into())),
    };
    issued(reference, &credentials)
}

/// The first tenant's token, by name and domain as a clouds.yaml user would give it.
fn alice_token(reference: &Reference) -> String {
    let credentials = Credentials::Password {
        user: UserRef::Name {
            name: FIRST.user_name.into(),
            domain: DomainRef::Name(FIRST.domain_name.into()),
        },
        password: Secret::new(FIRST.password),
        scope: Some(ProjectScope::Id(PROJECT.into())),
    };
    issued(reference, &credentials)
}

/// `GET {url}/v1/{project}/{collection}` with `token`: the list under `{collection}`.
fn list(reference: &Reference, project: &str, collection: &str, token: &str) -> Vec<Value> {
    let url = format!("{}/v1/{project}/{collection}", reference.url());
    let body: Value = reference.runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(&url)
            .header("X-Auth-Token", token)
            .send()
            .await
            .expect("the reference answers");
        assert_eq!(response.status().as_u16(), 200, "{url}");
        let text = response.text().await.expect("a body");
        serde_json::from_str(&text).expect("JSON")
    });
    body[collection].as_array().cloned().unwrap_or_default()
}

/// What a project holds: its deployments and its configs, sorted, to compare before
/// and after a run.
fn holdings(reference: &Reference, project: &str, token: &str) -> (Vec<String>, Vec<String>) {
    let sorted = |items: Vec<Value>| {
        let mut texts: Vec<String> = items.iter().map(Value::to_string).collect();
        texts.sort();
        texts
    };
    (
        sorted(list(reference, project, "software_deployments", token)),
        sorted(list(reference, project, "software_configs", token)),
    )
}

/// The deployments of `project` the harness marked, with the run id they carry.
fn marked(reference: &Reference, project: &str, token: &str) -> Vec<(String, String)> {
    list(reference, project, "software_deployments", token)
        .iter()
        .filter_map(|d| {
            let run = d["input_values"]["sdconform_run_id"].as_str()?;
            Some((d["id"].as_str()?.to_owned(), run.to_owned()))
        })
        .collect()
}

/// `sdconform run --target URL --project-id P --token T --report-dir DIR/reports EXTRA...`
/// in `dir`, with `env` set.
fn run_command(
    url: &str,
    token: &str,
    dir: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Command {
    let report_dir = dir.join("reports").to_string_lossy().into_owned();
    let mut args = vec![
        "run",
        "--target",
        url,
        "--project-id",
        PROJECT,
        "--token",
        token,
        "--report-dir",
        &report_dir,
    ];
    args.extend_from_slice(extra);
    command(dir, &args, env)
}

/// [`run_command`], run to its end.
fn run(url: &str, token: &str, dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let output = run_command(url, token, dir, extra, env)
        .output()
        .expect("the binary runs");
    finish(output, &dir.join("reports"))
}

/// A reference target with `fault`, the first tenant's issued token, and a directory to
/// run in.
fn scene(fault: Option<Fault>) -> (Reference, String, tempfile::TempDir) {
    let reference = Reference::start(fault);
    let token = alice_token(&reference);
    (reference, token, tempfile::tempdir().expect("tempdir"))
}

/// `run --fixtures create --fuzz-cases 0 EXTRA...` against `reference` in `dir`.
fn create(
    reference: &Reference,
    token: &str,
    dir: &tempfile::TempDir,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let mut args = vec!["--fixtures", "create", "--fuzz-cases", "0"];
    args.extend_from_slice(extra);
    run(&reference.url(), token, dir.path(), &args, env)
}

/// The case `id` of a report.
fn case(report: &Value, id: &str) -> Value {
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_default()
}

fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sdconform"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("SDCONFORM_TOKEN")
        .env_remove("OS_AUTH_TOKEN")
        .env_remove("OS_CLOUD")
        .env("NO_COLOR", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Each case's outcome in a report.
fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn outcome_of(report: &Value, id: &str) -> String {
    outcomes(report)
        .into_iter()
        .find(|(case, _)| case == id)
        .map(|(_, outcome)| outcome)
        .unwrap_or_default()
}

/// Issue 11 section 2: on the reference, and on an empty project (the `empty-list`
/// fault empties the reference's own data), `--fixtures create` gives a conformant,
/// non-vacuous verdict whose fixture cases ran on what was created, then deletes it all.
/// Without fixtures, the empty project is vacuous and the fixture cases are skipped.
#[test]
fn create_gives_a_non_vacuous_verdict_and_leaves_the_project_as_found() {
    for fault in [None, Some(Fault::EmptyList)] {
        let (reference, token, dir) = scene(fault);
        let before = holdings(&reference, PROJECT, &token);
        assert_eq!(before.1, Vec::<String>::new(), "no config yet");
        let done = create(&reference, &token, &dir, &[], &[]);
        let context = format!("{fault:?}\n{}\n{}", done.stdout, done.stderr);
        assert_eq!(done.code, 0, "{context}");
        let report = done.report.expect("report");
        assert_valid_report(&report);
        assert_eq!(report["verdict"], "conformant", "{context}");
        assert_eq!(report["vacuous"], false, "{context}");
        assert_eq!(findings(&report), vec![], "{context}");
        for id in [
            "fixtures-listed",
            "fixtures-by-server-0",
            "fixtures-by-server-1",
            "fixtures-by-server-2",
            "list-all",
            "filter-existing-server",
        ] {
            assert_eq!(outcome_of(&report, id), "pass", "{id}: {context}");
        }
        assert_eq!(
            outcome_of(&report, "isolation-other-token-refused"),
            "skipped"
        );
        let fixtures = &report["fixtures"];
        assert_eq!(fixtures["created"], 7, "{context}");
        assert_eq!(fixtures["deleted"], 7, "{context}");
        assert_eq!(fixtures["leftovers"], serde_json::json!([]), "{context}");
        let run_id = fixtures["run_id"].as_str().unwrap_or_default();
        assert!(
            done.stdout
                .contains(&format!("fixtures: run {run_id}: created 7"))
        );
        // The filter by a created server was checked against exactly what was created.
        let filtered = case(&report, "fixtures-by-server-0");
        let ids_equal = filtered["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["check"] == "ids_equal");
        assert_eq!(ids_equal.map(|r| r["outcome"].clone()), Some("pass".into()));
        assert_eq!(holdings(&reference, PROJECT, &token), before, "{context}");

        // The same project without fixtures.
        let plain = run(
            &reference.url(),
            &token,
            dir.path(),
            &["--fuzz-cases", "0"],
            &[],
        );
        let report = plain.report.expect("report");
        assert!(report.get("fixtures").is_none());
        assert_eq!(report["vacuous"], fault.is_some(), "{fault:?}");
        let case = report["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"] == "fixtures-by-server-0")
            .cloned()
            .unwrap_or_default();
        assert_eq!(case["outcome"], "skipped");
        assert!(
            case["notes"].to_string().contains("--fixtures create"),
            "{case}"
        );
    }
}

/// The checks on created data fail on a broken filter: `ids_equal` sees the missing ones.
#[test]
fn the_fixture_checks_fail_on_a_filter_that_drops_items() {
    let (reference, token, dir) = scene(Some(Fault::FilterDropsItems));
    let done = create(&reference, &token, &dir, &[], &[]);
    assert_eq!(done.code, 1, "{}\n{}", done.stdout, done.stderr);
    let report = done.report.expect("report");
    let found = findings(&report);
    // Server 0 has three deployments and server 1 two: a list of one misses some;
    // server 2 has one, which the broken filter keeps.
    for case in ["fixtures-by-server-0", "fixtures-by-server-1"] {
        assert!(
            found
                .iter()
                .any(|(c, clause, _)| c == case && clause == "SD-REQ-1"),
            "{case}: {found:?}"
        );
    }
    assert_eq!(outcome_of(&report, "fixtures-by-server-2"), "pass");
    assert!(found.iter().all(|(_, clause, _)| clause == "SD-REQ-1"));
}

/// A creation failure is exit 6 and no finding; the config created before the failure
/// is deleted again.
#[test]
fn a_creation_failure_exits_6_and_deletes_what_was_created() {
    let (reference, token, dir) = scene(Some(Fault::WritesRefused));
    let before = holdings(&reference, PROJECT, &token);
    let done = create(&reference, &token, &dir, &[], &[]);
    let context = format!("{}\n{}", done.stdout, done.stderr);
    assert_eq!(done.code, 6, "{context}");
    assert!(
        done.stderr.contains("failed to create the fixtures"),
        "{context}"
    );
    assert!(
        done.stderr
            .contains("software_deployments: the target answered 403"),
        "{context}"
    );
    assert!(
        done.stdout.contains("deleted 1 of 1 object(s)"),
        "{context}"
    );
    assert!(done.report.is_none(), "no verdict on half-made data");
    assert_eq!(holdings(&reference, PROJECT, &token), before);
}

/// What cannot be deleted is listed in report.json and on stderr, and the run exits 6
/// even though the target is conformant.
#[test]
fn leftovers_are_listed_and_exit_6() {
    let (reference, token, dir) = scene(Some(Fault::DeletesRefused));
    let done = create(&reference, &token, &dir, &[], &[]);
    let context = format!("{}\n{}", done.stdout, done.stderr);
    assert_eq!(done.code, 6, "{context}");
    let report = done.report.expect("report");
    assert_valid_report(&report);
    assert_eq!(report["verdict"], "conformant", "{context}");
    let fixtures = &report["fixtures"];
    let run_id = fixtures["run_id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        (fixtures["created"].clone(), fixtures["deleted"].clone()),
        (7.into(), 0.into())
    );
    let leftovers = fixtures["leftovers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(leftovers.len(), 7, "{fixtures}");
    let kinds: BTreeSet<&str> = leftovers
        .iter()
        .filter_map(|l| l["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["software_config", "software_deployment"])
    );
    assert!(
        done.stderr
            .contains(&format!("7 fixture object(s) could not be deleted (sdconform cleanup --run-id {run_id} tries again)")),
        "{context}"
    );
    for leftover in &leftovers {
        let id = leftover["id"].as_str().unwrap_or_default();
        assert!(done.stderr.contains(id), "{id}: {context}");
        assert!(
            leftover["reason"]
                .as_str()
                .is_some_and(|r| r.contains("403")),
            "{leftover}"
        );
    }
    assert_eq!(marked(&reference, PROJECT, &token).len(), 6);
}

/// Waits until `project` holds `count` deployments of one run; that run's id.
fn wait_for_fixtures(
    reference: &Reference,
    token: &str,
    count: usize,
    child: &mut Child,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = marked(reference, PROJECT, token);
        if found.len() >= count {
            return found[0].1.clone();
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended ({status}) before its fixtures were seen");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("no fixtures after 60 s: {found:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for `child` to end, at most a minute; its exit code.
fn wait_for_exit(mut child: Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A run with fixtures and a fuzz phase of `fuzz_cases`, its output piped.
fn spawn_run(url: &str, token: &str, dir: &Path, fuzz_cases: &str) -> Child {
    let extra = ["--fixtures", "create", "--fuzz-cases", fuzz_cases];
    run_command(url, token, dir, &extra, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Issue 11 "done means": a run interrupted (SIGINT, as Ctrl-C and CI send) once its
/// fixtures exist leaves the project as it found it, and says it was interrupted (130).
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_the_project_as_found() {
    use std::io::{BufRead, BufReader, Read};
    let (reference, token, dir) = scene(None);
    let before = holdings(&reference, PROJECT, &token);
    // A fuzz phase of 3000 cases keeps the run busy for seconds after its fixtures exist.
    let mut child = spawn_run(&reference.url(), &token, dir.path(), "3000");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    let run_id = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            panic!("the run ended before it created its fixtures: {seen:?}");
        };
        if let Some(rest) = line.strip_prefix("fixtures: run ") {
            break rest.split(':').next().unwrap_or_default().to_owned();
        }
        seen.push(line);
    };
    assert_eq!(marked(&reference, PROJECT, &token).len(), 6, "created");
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let code = wait_for_exit(child);
    let stdout = rest.join().unwrap_or_default().join("\n");
    let context = format!("{stdout}\n{stderr}");
    assert_eq!(code, Some(130), "{context}");
    assert!(stderr.contains("interrupted (SIGINT)"), "{context}");
    assert!(
        stdout.contains(&format!("fixtures: run {run_id}: deleted 7 of 7")),
        "{context}"
    );
    assert_eq!(holdings(&reference, PROJECT, &token), before, "{context}");
}

/// `cleanup` finds what a killed run (SIGKILL: nothing can clean up) left by its run id,
/// leaves another run id's alone, and deletes that run's; the project is as before.
#[test]
fn cleanup_removes_the_leftovers_of_an_earlier_run() {
    let (reference, token, dir) = scene(None);
    let before = holdings(&reference, PROJECT, &token);
    let mut child = spawn_run(&reference.url(), &token, dir.path(), "1000000");
    let run_id = wait_for_fixtures(&reference, &token, 6, &mut child);
    // Let the PUT land too, then kill without a chance to clean up.
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert_eq!(marked(&reference, PROJECT, &token).len(), 6);
    assert_eq!(
        list(&reference, PROJECT, "software_configs", &token).len(),
        1
    );

    let cleanup = |run: &str| {
        let mut args = vec![
            "cleanup",
            "--target",
            &reference.url(),
            "--project-id",
            PROJECT,
            "--token",
            &token,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        args.extend(["--run-id".to_owned(), run.to_owned()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        command(dir.path(), &refs, &[])
            .output()
            .expect("cleanup runs")
    };
    let unrelated = cleanup("20200101T000000Z-00000000");
    assert_eq!(unrelated.status.code(), Some(0));
    assert_eq!(
        marked(&reference, PROJECT, &token).len(),
        6,
        "not this run's"
    );

    let output = cleanup(&run_id);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "6 deployment(s) and 1 config(s) marked by run {run_id}"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("cleanup: deleted 7"), "{stdout}");
    assert_eq!(holdings(&reference, PROJECT, &token), before);

    let bad = sdconform(&["cleanup", "--run-id", "a b"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
}

/// A directory with the reference's clouds.yaml, and the variable that points at it.
fn clouds_yaml(reference: &Reference, dir: &Path) -> String {
    let yaml = reference
        .running
        .as_ref()
        .map(|r| r.clouds_yaml())
        .unwrap_or_default();
    let path = dir.join("clouds.yaml");
    std::fs::write(&path, yaml).expect("write clouds.yaml");
    path.to_string_lossy().into_owned()
}

/// Every file under `dir`, as text.
fn texts(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(texts(&path));
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.push((path.display().to_string(), text));
        }
    }
    out
}

/// Issue 11 section 3: with `--other-cloud`, both projects get fixtures, the isolation
/// cases pass on the conformant reference and both projects are left as found; on a
/// listing that leaks the other project's deployments they fail SD-URI-2 and nothing else.
#[test]
fn isolation_passes_on_the_reference_and_fails_on_a_leaking_listing() {
    for fault in [None, Some(Fault::ListingLeaksOtherProject)] {
        let (reference, token, dir) = scene(fault);
        let bob = bob_token(&reference);
        let before = (
            holdings(&reference, PROJECT, &token),
            holdings(&reference, SECOND.project_id, &bob),
        );
        let file = clouds_yaml(&reference, dir.path());
        // An OS_* variable describes the target's cloud: it must not reach the other one.
        let env = [
            ("OS_CLIENT_CONFIG_FILE", file.as_str()),
            ("OS_PASSWORD", "not-bob-s"),
        ];
        let done = create(
            &reference,
            &token,
            &dir,
            &["--other-cloud", OTHER_CLOUD],
            &env,
        );
        let context = format!("{fault:?}\n{}\n{}", done.stdout, done.stderr);
        let report = done.report.expect("report");
        assert_valid_report(&report);
        assert_eq!(report["fixtures"]["created"], 14, "{context}");
        assert_eq!(report["fixtures"]["deleted"], 14, "{context}");
        let isolation: Vec<(String, String)> = outcomes(&report)
            .into_iter()
            .filter(|(id, _)| id.starts_with("isolation-"))
            .collect();
        assert_eq!(isolation.len(), 5, "{context}");
        let found = findings(&report);
        match fault {
            None => {
                assert_eq!(done.code, 0, "{context}");
                assert_eq!(found, vec![], "{context}");
                assert!(isolation.iter().all(|(_, o)| o == "pass"), "{isolation:?}");
            }
            Some(_) => {
                assert_eq!(done.code, 1, "{context}");
                let failing: BTreeSet<&str> = found.iter().map(|(c, _, _)| c.as_str()).collect();
                assert_eq!(
                    failing,
                    BTreeSet::from([
                        "isolation-by-other-project-server",
                        "isolation-listing-excludes-other-project",
                        "isolation-other-by-this-project-server",
                        "isolation-other-listing-excludes-this-project",
                    ]),
                    "{context}"
                );
                assert!(
                    found
                        .iter()
                        .all(|(_, clause, s)| clause == "SD-URI-2" && s == "MUST"),
                    "{context}"
                );
            }
        }
        let after = (
            holdings(&reference, PROJECT, &token),
            holdings(&reference, SECOND.project_id, &bob),
        );
        assert_eq!(after, before, "{context}");
        // Nothing of the other credential is written or printed.
        let mut outputs = texts(dir.path());
        outputs.retain(|(path, _)| !path.ends_with("clouds.yaml"));
        outputs.push(("stdout".into(), done.stdout.clone()));
        outputs.push(("stderr".into(), done.stderr.clone()));
        for (what, text) in &outputs {
            for secret in [SECOND.password, FIRST.password, token.as_str()] {
                assert!(!text.contains(secret), "{what} holds a secret");
            }
        }
    }
}

/// Issue 11 section 3: another project's token on this project's URL answered with 403
/// (as Heat does) is SD-CODE-SET under strict and documented, saying lenient accepts it,
/// and an observation under lenient; the conformant 404 is nothing under any profile.
#[test]
fn a_403_to_the_other_token_is_code_set_except_under_lenient() {
    let (reference, token, dir) = scene(Some(Fault::OtherProjectForbidden));
    let file = clouds_yaml(&reference, dir.path());
    for profile in ["strict", "documented", "lenient"] {
        let extra = ["--other-cloud", OTHER_CLOUD, "--profile", profile];
        let env = [("OS_CLIENT_CONFIG_FILE", file.as_str())];
        let done = create(&reference, &token, &dir, &extra, &env);
        let context = format!("{profile}\n{}\n{}", done.stdout, done.stderr);
        let report = done.report.expect("report");
        assert_valid_report(&report);
        let case = case(&report, "isolation-other-token-refused");
        assert_eq!(case["response"]["status"], 403, "{context}");
        if profile == "lenient" {
            assert_eq!(done.code, 0, "{context}");
            assert_eq!(findings(&report), vec![], "{context}");
            assert_eq!(case["outcome"], "pass", "{context}");
            assert_eq!(case["observations"][0]["clause"], "SD-CODE-SET", "{case}");
            assert_eq!(
                case["observations"][0]["finding_under"],
                serde_json::json!(["strict", "documented"])
            );
        } else {
            assert_eq!(done.code, 1, "{context}");
            assert_eq!(
                findings(&report),
                vec![(
                    "isolation-other-token-refused".to_owned(),
                    "SD-CODE-SET".to_owned(),
                    "MUST".to_owned()
                )],
                "{context}"
            );
            let finding = &case["findings"][0];
            assert_eq!(finding["accepted_by"], serde_json::json!(["lenient"]));
            assert!(
                finding["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("the lenient profile accepts it")),
                "{finding}"
            );
        }
    }
}

/// `--other-cloud` without fixtures, with an unknown cloud, or with a credential of the
/// target's own project, stops before anything is created.
#[test]
fn other_cloud_mistakes_stop_before_anything_is_created() {
    let (reference, token, dir) = scene(None);
    let file = clouds_yaml(&reference, dir.path());
    let env = [("OS_CLIENT_CONFIG_FILE", file.as_str())];
    let table: [(&[&str], &str); 3] = [
        (
            &["--other-cloud", OTHER_CLOUD],
            "--other-cloud needs --fixtures create",
        ),
        (
            &["--fixtures", "create", "--other-cloud", "nope"],
            "resolve --other-cloud nope",
        ),
        (
            &[
                "--fixtures",
                "create",
                "--other-cloud",
                "sdconform-reference",
            ],
            "is scoped to the target's own project",
        ),
    ];
    for (extra, message) in table {
        let mut args = extra.to_vec();
        args.extend(["--fuzz-cases", "0"]);
        let done = run(&reference.url(), &token, dir.path(), &args, &env);
        assert_eq!(done.code, 2, "{extra:?}: {}", done.stderr);
        assert!(done.stderr.contains(message), "{extra:?}: {}", done.stderr);
        assert!(marked(&reference, PROJECT, &token).is_empty());
        assert!(list(&reference, PROJECT, "software_configs", &token).is_empty());
    }
}

/// `cleanup`'s finder reads every page of the config list (Heat pages it with `limit` and
/// `marker`), finds marked configs no deployment uses (a run killed between creating its
/// config and its first deployment), one run's or any run's, and never another config.
#[test]
fn the_finder_reads_every_page_and_finds_orphaned_configs() {
    use sdconform::fixture::{self, CONFIG_PAGE, Kind, Project, Tokens};
    let (reference, token, _dir) = scene(None);
    let project = Project {
        base: reqwest::Url::parse(&reference.url()).expect("url"),
        project_id: PROJECT.to_owned(),
        tokens: Tokens::Fixed(Some(Secret::new(token.clone()))),
    };
    let client = client();
    let marked_count = 2 * CONFIG_PAGE + 5;
    let (one_run, all, done) = reference.runtime.block_on(async {
        for i in 0..marked_count + 3 {
            let name = if i < marked_count {
                fixture::config_name(&format!("run-{}", i % 3))
            } else {
                format!("someone-else-{i}")
            };
            project
                .create(&client, Kind::Config, &serde_json::json!({ "name": name }))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let one_run = fixture::find_marked(&client, &project, Some("run-1"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let all = fixture::find_marked(&client, &project, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let done =
            fixture::delete_objects(&client, &project, all.clone(), Duration::from_secs(60)).await;
        (one_run, all, done)
    });
    assert_eq!(one_run.len(), marked_count / 3);
    assert_eq!(all.len(), marked_count);
    assert!(all.iter().all(|(kind, _)| *kind == Kind::Config));
    assert_eq!((done.deleted, done.leftovers.len()), (marked_count, 0));
    let left = list(&reference, PROJECT, "software_configs", &token);
    let names: Vec<&str> = left.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names,
        ["someone-else-205", "someone-else-206", "someone-else-207"]
    );
}
