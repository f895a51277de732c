//! Issue 11 section 1, end to end: the real binary reaches the reference target's
//! identity service through a `clouds.yaml` (`--os-cloud`), with each auth method,
//! renews its token in a campaign that outlives it, never blames a dead or rejected
//! token on the target, finds the expired-token fault, keeps every secret out of every
//! output, and never contacts a cloud the command line did not ask for. `doctor`
//! prints its steps and exits as the shared table says.
//!
//! A recording proxy stands between the binary and the reference where a test must
//! see what was issued or sent (every `X-Subject-Token`, so every issued token can be
//! searched for) or refuse a token the way a target would.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdconform::http::{Client, Limits, Secret, tls::Tls};
use sdconform::identity::{self, Credentials, DomainRef, ProjectScope, UserRef};
use sdconform::reference::{
    APP_CREDENTIAL, FIRST, Fault, IdentityConfig, RunningReference, SECOND,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{PROJECT, Reference, TOKEN, assert_valid_report, findings};

/// A reference target (identity service included) whose tokens live `lifetime`.
struct Cloud(Reference);

impl Cloud {
    fn start(fault: Option<Fault>, lifetime: Duration) -> Cloud {
        Cloud(Reference::start_with(
            fault,
            None,
            IdentityConfig {
                token_lifetime: lifetime,
            },
        ))
    }

    fn running(&self) -> &RunningReference {
        self.0.running.as_ref().expect("running")
    }

    fn url(&self) -> String {
        self.0.url()
    }

    /// A token issued to alice for her project (what `auth_type: token` re-scopes).
    fn alice_token(&self) -> String {
        let client = Client::new(
            Limits {
                connect_timeout: Duration::from_secs(5),
                timeout: Duration::from_secs(10),
                run_timeout: Duration::from_secs(60),
                max_body_bytes: 1 << 20,
            },
            Tls::default(),
        )
        .expect("client");
        let v3 = reqwest::Url::parse(&format!("{}/v3/", self.url())).expect("url");
        let credentials = Credentials::Password {
            user: UserRef::Name {
                name: FIRST.user_name.into(),
                domain: DomainRef::Name(FIRST.domain_name.into()),
            },
            password: Secret::new(FIRST.password),
            scope: Some(ProjectScope::Id(PROJECT.into())),
        };
        let done = self
            .0
            .runtime
            .block_on(identity::authenticate(&client, &v3, &credentials))
            .unwrap_or_else(|e| panic!("{e}"));
        done.token.value.expose().to_owned()
    }
}

/// Whether the proxy answers 401 itself to a request: its path and query, its token, and
/// the first token (other than the invalid one) it ever saw on an orchestration path.
type Refusal = Arc<dyn Fn(&str, Option<&str>, Option<&str>) -> bool + Send + Sync>;

/// What the proxy saw.
#[derive(Default)]
struct Seen {
    /// Every `X-Subject-Token` the identity service answered with: every token issued.
    issued: BTreeSet<String>,
    /// Every `X-Auth-Token` sent on an orchestration path.
    sent: Vec<String>,
    /// Every request line.
    requests: Vec<String>,
    /// The first token sent on an orchestration path (the invalid one aside).
    first: Option<String>,
    /// 401s it answered itself.
    refused: usize,
}

/// A proxy to the reference: forwards every request, records what was issued and sent,
/// and answers 401 where `refuse` says so.
struct Proxy {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
}

impl Proxy {
    fn start(upstream: &str, refuse: Refusal) -> Proxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("reference address");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = Arc::clone(&seen);
        runtime.spawn(async move {
            // Bounded: at most this many connections, each within 60 s.
            for _ in 0..200_000 {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                let seen = Arc::clone(&shared);
                let refuse = Arc::clone(&refuse);
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(
                        Duration::from_secs(60),
                        relay(stream, upstream, seen, refuse),
                    )
                    .await;
                });
            }
        });
        Proxy {
            runtime: Some(runtime),
            addr,
            seen,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen<T>(&self, f: impl FnOnce(&Seen) -> T) -> T {
        f(&self.seen.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// One request: read it (head and `Content-Length` body), answer it or forward it with
/// `Connection: close`, and copy the answer back.
async fn relay(
    mut stream: tokio::net::TcpStream,
    upstream: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    refuse: Refusal,
) {
    let mut buf = Vec::new();
    let mut piece = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > 1 << 20 {
            return;
        }
        match stream.read(&mut piece).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&piece[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let target = request_line
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut piece).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&piece[..n]),
        }
    }
    let body = buf[head_end..head_end + length].to_vec();
    let token = headers
        .iter()
        .find(|(n, _)| n == "x-auth-token")
        .map(|(_, v)| v.clone());
    let refused = {
        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.requests.push(request_line.clone());
        if target.starts_with("/v1/")
            && let Some(token) = &token
        {
            seen.sent.push(token.clone());
            if seen.first.is_none() && token != sdconform::http::INVALID_TOKEN {
                seen.first = Some(token.clone());
            }
        }
        let refused = refuse(&target, token.as_deref(), seen.first.as_deref());
        seen.refused += usize::from(refused);
        refused
    };
    if refused {
        let body = br#"{"error": {"code": 401, "title": "Unauthorized", "message": "the token was revoked"}}"#;
        let answer = format!(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.write_all(body).await;
        let _ = stream.shutdown().await;
        return;
    }
    headers.retain(|(n, _)| !matches!(n.as_str(), "connection" | "keep-alive" | "host"));
    let mut forward = format!("{request_line}\r\nhost: {upstream}\r\nconnection: close\r\n");
    for (name, value) in &headers {
        forward.push_str(&format!("{name}: {value}\r\n"));
    }
    forward.push_str("\r\n");
    let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await else {
        return;
    };
    if up.write_all(forward.as_bytes()).await.is_err() || up.write_all(&body).await.is_err() {
        return;
    }
    let mut answer = Vec::new();
    if up.read_to_end(&mut answer).await.is_err() {
        return;
    }
    let answer_head = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(&answer[..], |at| &answer[..at]);
    for line in String::from_utf8_lossy(answer_head).split("\r\n") {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("x-subject-token")
        {
            seen.lock()
                .unwrap_or_else(|e| e.into_inner())
                .issued
                .insert(value.trim().to_owned());
        }
    }
    let _ = stream.write_all(&answer).await;
    let _ = stream.shutdown().await;
}

/// Never refuses.
fn pass_through() -> Refusal {
    Arc::new(|_, _, _| false)
}

/// A `clouds.yaml` in a directory of its own.
struct Clouds {
    dir: tempfile::TempDir,
    /// The file, for `OS_CLIENT_CONFIG_FILE`.
    path: String,
}

/// The reference's own `clouds.yaml` with `auth_url` as every cloud's `auth_url` (the
/// proxy's `/v3`, so that every token issued passes through it), plus `extra` clouds.
fn clouds_yaml(cloud: &Cloud, auth_url: &str, extra: &str) -> Clouds {
    let dir = tempfile::tempdir().expect("dir");
    let yaml = cloud
        .running()
        .clouds_yaml()
        .replace(&format!("\"{}\"", cloud.url()), &format!("\"{auth_url}\""));
    assert!(yaml.contains(auth_url), "{yaml}");
    let path = dir.path().join("clouds.yaml");
    std::fs::write(&path, format!("{yaml}{extra}")).expect("write");
    let path = path.to_string_lossy().into_owned();
    Clouds { dir, path }
}

/// The real binary in `dir`, with a clean environment: no `OS_*` variable, no token, a
/// home of its own; then `env`.
fn binary(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sdconform"));
    command.args(args).current_dir(dir);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("OS_") || name == "SDCONFORM_TOKEN" {
            command.env_remove(name);
        }
    }
    command
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env("XDG_CONFIG_DIRS", dir.join("xdg-site"))
        .env("NO_COLOR", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the binary runs")
}

/// What a run left: exit code, streams, report, and the directory it ran in.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
    report: Value,
    dir: PathBuf,
    _work: tempfile::TempDir,
}

impl Ran {
    fn context(&self) -> String {
        format!(
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `sdconform ARGS --report-dir reports` in a fresh directory, with `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Ran {
    let work = tempfile::tempdir().expect("dir");
    let dir = work.path();
    let reports = dir.join("reports");
    let reports_arg = reports.to_string_lossy().into_owned();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--report-dir", &reports_arg]);
    let output = binary(dir, &all, env);
    let report = std::fs::read_to_string(reports.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        report,
        dir: reports,
        _work: work,
    }
}

/// Every spelling (raw, percent-encoded, JSON-escaped, base64) of every secret, searched
/// for in every file of the report directory and in both streams.
fn assert_no_secret(ran: &Ran, secrets: &[String]) {
    let mut outputs = vec![
        ("stdout".to_owned(), ran.stdout.clone().into_bytes()),
        ("stderr".to_owned(), ran.stderr.clone().into_bytes()),
    ];
    for entry in std::fs::read_dir(&ran.dir).into_iter().flatten().flatten() {
        let path = entry.path();
        outputs.push((
            path.display().to_string(),
            std::fs::read(&path).unwrap_or_default(),
        ));
    }
    assert!(outputs.len() > 4, "reports written: {}", ran.context());
    for secret in secrets {
        assert!(
            secret.len() >= 8,
            "a secret worth searching for: {secret:?}"
        );
        for spelling in Secret::new(secret.clone()).spellings() {
            for (name, bytes) in &outputs {
                let text = String::from_utf8_lossy(bytes);
                assert!(
                    !text.contains(&spelling),
                    "{name} holds a spelling of a secret ({spelling:?})"
                );
            }
        }
    }
}

/// A run: its name, its arguments, its environment and the method it must use.
type Scenario<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

/// `sdconform run --os-cloud NAME`, no fuzzing, with `clouds` as the configuration.
fn run_cloud(clouds: &Clouds, name: &str) -> Ran {
    run(
        &["run", "--os-cloud", name, "--fuzz-cases", "0"],
        &[("OS_CLIENT_CONFIG_FILE", &clouds.path)],
    )
}

/// `sdconform run` against `proxy` with the support's raw token and project, no fuzzing.
fn raw_run(proxy: &Proxy) -> Ran {
    let target = proxy.url();
    let mut args = crate::support::against("run", &target);
    args.extend(["--fuzz-cases", "0"]);
    run(&args, &[])
}

/// The report's case `id` (null when absent).
fn case(ran: &Ran, id: &str) -> Value {
    ran.report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

/// The report's `target.identity`.
fn identity(ran: &Ran) -> &Value {
    &ran.report["target"]["identity"]
}

/// Issue 11 item 1: `run --os-cloud NAME` authenticates with a password (and with
/// `--os-cloud` alone, `OS_CLOUD`'s application credential; and by re-scoping a token
/// from clouds.yaml, or a raw token that comes before the cloud's credentials), finds the
/// endpoint in the catalog, gives a conformant verdict and keeps every secret (passwords,
/// the application credential secret, every token issued) out of every output.
#[test]
fn each_auth_method_reaches_the_reference_and_no_secret_leaves_issue_11() {
    let cloud = Cloud::start(None, Duration::from_secs(3600));
    let proxy = Proxy::start(&cloud.url(), pass_through());
    let alice_token = cloud.alice_token();
    let token_cloud = format!(
        "  by-token:\n    auth_type: v3token\n    auth:\n      auth_url: \"{}/v3\"\n      token: \"{alice_token}\"\n      project_id: \"{PROJECT}\"\n    region_name: RegionOne\n",
        proxy.url()
    );
    let clouds = clouds_yaml(&cloud, &format!("{}/v3", proxy.url()), &token_cloud);
    let scenarios: [Scenario; 4] = [
        (
            "password",
            &["run", "--os-cloud", "sdconform-reference"],
            &[],
            "password",
        ),
        (
            "application credential from OS_CLOUD",
            &["run", "--os-cloud"],
            &[("OS_CLOUD", "sdconform-reference-appcred")],
            "application_credential",
        ),
        (
            "token from clouds.yaml",
            &["run", "--os-cloud", "by-token"],
            &[],
            "token",
        ),
        (
            "a raw token before the cloud's password",
            &["run", "--os-cloud", "sdconform-reference"],
            &[("SDCONFORM_TOKEN", &alice_token)],
            "token",
        ),
    ];
    for (name, args, env, method) in scenarios {
        let mut args = args.to_vec();
        args.extend(["--fuzz-cases", "20", "--test-threads", "2"]);
        let mut env = env.to_vec();
        env.push(("OS_CLIENT_CONFIG_FILE", &clouds.path));
        let ran = run(&args, &env);
        let context = format!("{name}: {}", ran.context());
        assert_eq!(ran.code, 0, "{context}");
        assert_valid_report(&ran.report);
        assert_eq!(ran.report["verdict"], "conformant", "{context}");
        assert_eq!(ran.report["target"]["project_id"], PROJECT, "{context}");
        assert_eq!(ran.report["target"]["embedded"], false, "{context}");
        assert_eq!(identity(&ran)["method"], method, "{context}");
        assert_eq!(identity(&ran)["endpoint"], "catalog", "{context}");
        let exchanges = identity(&ran)["exchanges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            exchanges
                .iter()
                .any(|e| e["method"] == "POST" && e["status"] == 201),
            "{context}"
        );
        assert!(
            ran.stdout
                .contains("catalog: orchestration public RegionOne"),
            "{context}"
        );
        let mut secrets: Vec<String> = proxy.seen(|s| s.issued.iter().cloned().collect());
        assert!(!secrets.is_empty());
        secrets.extend([FIRST.password, SECOND.password, APP_CREDENTIAL.secret].map(str::to_owned));
        secrets.push(alice_token.clone());
        assert_no_secret(&ran, &secrets);
    }
    // Credentials went only to the identity service: the target saw only tokens the
    // identity service issued, or the harness's deliberately invalid one.
    let (issued, sent) = proxy.seen(|s| (s.issued.clone(), s.sent.clone()));
    assert!(
        sent.is_empty(),
        "the target is reached through the catalog, not the proxy"
    );
    assert!(issued.len() >= 4, "{issued:?}");
}

/// Issue 11 item 2: a campaign three times longer than its token's life keeps working
/// (renewed before expiry, the report says how often), and a token the target refuses
/// mid-run is renewed and the request sent again, never blamed on the target.
#[test]
fn tokens_are_renewed_before_expiry_and_after_a_rejection_issue_11() {
    // Tokens live 2 s; fuzzing goes on for 6.
    let cloud = Cloud::start(None, Duration::from_secs(2));
    let clouds = clouds_yaml(&cloud, &cloud.url(), "");
    let ran = run(
        &[
            "fuzz",
            "--os-cloud",
            "sdconform-reference",
            "--cases",
            "1000000",
            "--time-limit",
            "6",
            "--seed",
            "11",
        ],
        &[("OS_CLIENT_CONFIG_FILE", &clouds.path)],
    );
    assert_eq!(ran.code, 0, "{}", ran.context());
    assert_valid_report(&ran.report);
    assert_eq!(ran.report["verdict"], "conformant", "{}", ran.context());
    let renewals = identity(&ran)["renewals"].as_u64().unwrap_or(0);
    assert!(renewals >= 2, "renewals: {renewals}\n{}", ran.context());
    assert_eq!(
        identity(&ran)["tokens_issued"].as_u64(),
        Some(renewals + 1),
        "{}",
        ran.context()
    );

    // The target (through the proxy) refuses the first token it sees, as if revoked.
    let cloud = Cloud::start(None, Duration::from_secs(3600));
    let revoking: Refusal = Arc::new(|target, token, first| {
        target.starts_with("/v1/") && token.is_some() && token == first
    });
    let proxy = Proxy::start(&cloud.url(), revoking);
    let clouds = clouds_yaml(&cloud, &cloud.url(), "");
    let target = proxy.url();
    let ran = run(
        &[
            "run",
            "--os-cloud",
            "sdconform-reference",
            "--target",
            &target,
            "--fuzz-cases",
            "20",
        ],
        &[("OS_CLIENT_CONFIG_FILE", &clouds.path)],
    );
    let context = ran.context();
    assert!(proxy.seen(|s| s.refused) > 0, "{context}");
    assert_eq!(ran.code, 0, "{context}");
    assert_eq!(ran.report["verdict"], "conformant", "{context}");
    assert_eq!(identity(&ran)["endpoint"], "override", "{context}");
    assert!(
        identity(&ran)["rejections"].as_u64() >= Some(1),
        "{context}"
    );
    assert!(identity(&ran)["renewals"].as_u64() >= Some(1), "{context}");
    // The revoked first token meets the preflight (issue 10 item 10) before any case: it
    // is renewed there, so the run is conformant and no case is blamed for the 401; the
    // rejection and the renewal are counted in report.json's identity above.
    assert_eq!(findings(&ran.report), vec![], "{context}");
}

/// Issue 11 item 2: a raw token (no known expiry) that the target refuses mid-run is
/// checked once more on the unfiltered list: refused there too, it is a harness error
/// (exit 3), never a finding; accepted there, the 401 is the target's answer.
#[test]
fn a_raw_token_refused_is_checked_once_more_before_anything_is_blamed_issue_11() {
    let cloud = Cloud::start(None, Duration::from_secs(3600));
    let dead: Refusal =
        Arc::new(|target, token, _| target.starts_with("/v1/") && token == Some(TOKEN));
    let proxy = Proxy::start(&cloud.url(), dead);
    let ran = raw_run(&proxy);
    let context = ran.context();
    assert_eq!(ran.code, 3, "{context}");
    assert_eq!(ran.report["verdict"], "error", "{context}");
    assert_eq!(findings(&ran.report), vec![], "{context}");
    // Refused from the first request: the preflight (issue 10 item 10) says so once.
    let preflight = case(&ran, "preflight");
    assert!(
        preflight["error"]
            .as_str()
            .is_some_and(|e| e.contains("refuses our credentials")),
        "{preflight}"
    );
    assert_no_secret(&ran, &[TOKEN.to_owned()]);

    // Refused on filtered requests only: the unfiltered list accepts the token, so the
    // 401s are the target's answers, and findings.
    let filtered: Refusal =
        Arc::new(|target, token, _| target.contains("server_id=") && token == Some(TOKEN));
    let proxy = Proxy::start(&cloud.url(), filtered);
    let ran = raw_run(&proxy);
    let context = ran.context();
    assert_eq!(ran.code, 1, "{context}");
    assert!(
        findings(&ran.report)
            .iter()
            .any(|(case, _, _)| case == "filter-existing-server"),
        "{context}"
    );
    assert!(
        ran.report
            .to_string()
            .contains("but 200 to it on the unfiltered list"),
        "{context}"
    );
}

/// Issue 11 items 1 and 5: the fault `token-accepted-after-expiry` is found by a run whose
/// first token expires within it (SD-CODE-401, case auth-expired-token, nothing else);
/// the same run on a conformant target passes that case. (`listing-leaks-other-project`
/// needs a second project's credentials: `--other-cloud`, issue 11 section 3.)
#[test]
fn an_expired_token_accepted_is_an_sd_code_401_finding_issue_11() {
    for fault in [None, Some(Fault::TokenAcceptedAfterExpiry)] {
        let cloud = Cloud::start(fault, Duration::from_secs(2));
        let clouds = clouds_yaml(&cloud, &cloud.url(), "");
        let ran = run_cloud(&clouds, "sdconform-reference");
        let context = format!("{fault:?}: {}", ran.context());
        assert_valid_report(&ran.report);
        let expired = case(&ran, "auth-expired-token");
        match fault {
            None => {
                assert_eq!(ran.code, 0, "{context}");
                assert_eq!(expired["outcome"], "pass", "{context}");
                assert_eq!(expired["response"]["status"], 401, "{context}");
            }
            Some(_) => {
                assert_eq!(ran.code, 1, "{context}");
                assert_eq!(
                    findings(&ran.report),
                    vec![(
                        "auth-expired-token".to_owned(),
                        "SD-CODE-401".to_owned(),
                        "MUST".to_owned()
                    )],
                    "{context}"
                );
            }
        }
    }
    // A run that ends long before its token expires leaves the case not exercised.
    let cloud = Cloud::start(
        Some(Fault::TokenAcceptedAfterExpiry),
        Duration::from_secs(3600),
    );
    let clouds = clouds_yaml(&cloud, &cloud.url(), "");
    let ran = run_cloud(&clouds, "sdconform-reference");
    assert_eq!(ran.code, 0, "{}", ran.context());
    assert!(
        ran.stdout.contains("auth-expired-token") && ran.stdout.contains("ignored"),
        "{}",
        ran.context()
    );
}

/// Issue 11 item 1: exported `OS_*` variables (even a whole cloud's, and `OS_CLOUD`) never
/// turn a plain `sdconform run` into a run against a real cloud.
#[test]
fn exported_os_variables_leave_a_plain_run_on_the_embedded_target_issue_11() {
    let cloud = Cloud::start(None, Duration::from_secs(3600));
    let proxy = Proxy::start(&cloud.url(), pass_through());
    let clouds = clouds_yaml(&cloud, &format!("{}/v3", proxy.url()), "");
    let auth_url = format!("{}/v3", proxy.url());
    let ran = run(
        &["run", "--fuzz-cases", "0"],
        &[
            ("OS_AUTH_URL", &auth_url),
            ("OS_USERNAME", FIRST.user_name),
            ("OS_PASSWORD", FIRST.password),
            ("OS_PROJECT_NAME", FIRST.project_name),
            ("OS_USER_DOMAIN_NAME", FIRST.domain_name),
            ("OS_PROJECT_DOMAIN_NAME", FIRST.domain_name),
            ("OS_CLOUD", "sdconform-reference"),
            ("OS_CLIENT_CONFIG_FILE", &clouds.path),
        ],
    );
    assert_eq!(ran.code, 0, "{}", ran.context());
    assert_eq!(ran.report["target"]["embedded"], true);
    assert!(ran.report["target"].get("identity").is_none());
    assert_eq!(
        proxy.seen(|s| s.requests.len()),
        0,
        "the identity service was contacted"
    );
    // The region and interface flags choose in a catalog: without --os-cloud, a usage error.
    let ran = run(&["run", "--os-region-name", "RegionOne"], &[]);
    assert_eq!(ran.code, 2, "{}", ran.context());
    assert!(ran.stderr.contains("needs --os-cloud"), "{}", ran.context());
}

/// Issue 11 item 1: `verify: false` in clouds.yaml is as loud as `--insecure` (the same
/// warning, naming where it was set, and `insecure: true` in report.json); `cacert` is read.
#[test]
fn verify_false_is_as_loud_as_insecure_and_cacert_is_read_issue_11() {
    let cloud = Cloud::start(None, Duration::from_secs(3600));
    let tls = |setting: &str| {
        format!(
            "  unverified:\n    auth:\n      auth_url: \"{0}\"\n      username: \"{1}\"\n      password: \"{2}\"\n      project_name: \"{3}\"\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n    {setting}\n",
            cloud.url(),
            FIRST.user_name,
            FIRST.password,
            FIRST.project_name
        )
    };
    let clouds = clouds_yaml(&cloud, &cloud.url(), &tls("verify: false"));
    let ran = run_cloud(&clouds, "unverified");
    assert_eq!(ran.code, 0, "{}", ran.context());
    // The reference is plain http: as for --insecure (issue 10 item 19), there is no
    // certificate to verify, and the note names where verification was turned off.
    assert_eq!(ran.report["target"]["insecure"], false, "{}", ran.context());
    assert!(
        ran.stderr.contains("note: verify: false (") && ran.stderr.contains("has no effect"),
        "{}",
        ran.context()
    );

    let missing = clouds.dir.path().join("no-such-ca.pem");
    let clouds = clouds_yaml(
        &cloud,
        &cloud.url(),
        &tls(&format!("cacert: \"{}\"", missing.display())),
    );
    let ran = run_cloud(&clouds, "unverified");
    assert_eq!(ran.code, 2, "{}", ran.context());
    assert!(ran.stderr.contains("no-such-ca.pem"), "{}", ran.context());
}

/// Issue 11 item 3: `doctor` prints every step and passes on the reference; on a wrong
/// password it fails the authentication step with what to try and exits 3; a cloud that
/// does not exist is a local problem (2). No secret is printed.
#[test]
fn doctor_prints_each_step_and_exits_by_the_first_failure_issue_11() {
    let cloud = Cloud::start(None, Duration::from_secs(3600));
    let proxy = Proxy::start(&cloud.url(), pass_through());
    let clouds = clouds_yaml(&cloud, &format!("{}/v3", proxy.url()), "");
    let doctor = |args: &[&str], env: &[(&str, &str)]| {
        let mut all_env = env.to_vec();
        all_env.push(("OS_CLIENT_CONFIG_FILE", &clouds.path));
        let output = binary(clouds.dir.path(), args, &all_env);
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = doctor(&["doctor", "--os-cloud", "sdconform-reference"], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    for step in sdconform::cloud::STEPS {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("ok") && l.contains(step)),
            "{step}: {stdout}"
        );
    }
    assert!(
        stdout.contains("password: "),
        "where the password came from: {stdout}"
    );
    assert!(stdout.contains("answered 200"), "{stdout}");
    let mut secrets: Vec<String> = proxy.seen(|s| s.issued.iter().cloned().collect());
    assert!(!secrets.is_empty());
    secrets.push(FIRST.password.to_owned());
    let wrong = "not-alices-password-42";
    let (code, stdout, stderr) = doctor(
        &["doctor", "--os-cloud", "sdconform-reference"],
        &[("OS_PASSWORD", wrong)],
    );
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("authentication")),
        "{stdout}"
    );
    assert!(stdout.contains("try: "), "{stdout}");
    assert!(
        stdout.contains("environment variable OS_PASSWORD"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("skip") && l.contains("endpoint"))
    );
    secrets.push(wrong.to_owned());
    let (code, stdout2, stderr2) = doctor(&["doctor", "--os-cloud", "nowhere"], &[]);
    assert_eq!(code, 2, "{stdout2}{stderr2}");
    assert!(stdout2.contains("FAIL  configuration"), "{stdout2}");
    let all = format!("{stdout}{stderr}{stdout2}{stderr2}");
    for secret in &secrets {
        for spelling in Secret::new(secret.clone()).spellings() {
            assert!(!all.contains(&spelling), "a secret in doctor's output");
        }
    }
}

/// Issue 11 item 4: `serve --clouds-yaml` prints a clouds.yaml with which `run --os-cloud`
/// reaches it.
#[test]
fn serve_prints_a_clouds_yaml_that_reaches_it_issue_11() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("clouds.yaml");
    let mut serve = Command::new(env!("CARGO_BIN_EXE_sdconform"))
        .args(["serve", "--port", "0", "--clouds-yaml"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut stdout = serve.stdout.take().expect("stdout");
    let mut text = String::new();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 4096];
    while !text.contains("# first project id") && started.elapsed() < Duration::from_secs(30) {
        use std::io::Read;
        match stdout.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => text.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    let yaml = text
        .split_once("\n---\n")
        .map(|(_, y)| y.to_owned())
        .unwrap_or_default();
    std::fs::write(&path, &yaml).expect("write");
    let path = path.to_string_lossy().into_owned();
    let ran = run(
        &[
            "run",
            "--os-cloud",
            "sdconform-reference-appcred",
            "--fuzz-cases",
            "0",
        ],
        &[("OS_CLIENT_CONFIG_FILE", &path)],
    );
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(yaml.contains("sdconform-reference-appcred"), "{text}");
    assert_eq!(ran.code, 0, "{}\n{text}", ran.context());
    assert_eq!(identity(&ran)["method"], "application_credential");
}

/// Issue 11, done means: `run --os-cloud NAME --fixtures create` against the reference
/// gives a non-vacuous CONFORMANT verdict, with the fixture cases run on data it created
/// through the cloud's own token, and leaves the project as it found it.
#[test]
fn os_cloud_with_fixtures_is_conformant_and_leaves_the_project_as_found_issue_11() {
    let cloud = Cloud::start(None, Duration::from_secs(3600));
    let clouds = clouds_yaml(&cloud, &cloud.url(), "");
    let listed = |ran: &Ran| case(ran, "list-all")["response"]["body_excerpt"].clone();
    let before = run_cloud(&clouds, "sdconform-reference");
    assert_eq!(before.code, 0, "{}", before.context());
    let ran = run(
        &[
            "run",
            "--os-cloud",
            "sdconform-reference",
            "--fixtures",
            "create",
            "--fuzz-cases",
            "0",
        ],
        &[("OS_CLIENT_CONFIG_FILE", &clouds.path)],
    );
    let context = ran.context();
    assert_eq!(ran.code, 0, "{context}");
    assert_eq!(ran.report["verdict"], "conformant", "{context}");
    assert_eq!(ran.report["vacuous"], false, "{context}");
    assert_eq!(
        case(&ran, "fixtures-listed")["outcome"],
        "pass",
        "{context}"
    );
    let fixtures = &ran.report["fixtures"];
    assert!(fixtures["created"].as_u64() > Some(0), "{context}");
    assert_eq!(fixtures["deleted"], fixtures["created"], "{context}");
    assert_eq!(fixtures["leftovers"], serde_json::json!([]), "{context}");
    assert!(ran.report["target"]["identity"].is_object(), "{context}");
    let after = run_cloud(&clouds, "sdconform-reference");
    assert_eq!(after.code, 0, "{}", after.context());
    assert_eq!(listed(&after), listed(&before), "the project is as it was");
}
