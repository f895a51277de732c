//! Issue 11 section 1: clouds.yaml, secure.yaml and the OS_* variables resolve as
//! python-openstackclient resolves them. The expectations in
//! `tests/data/clouds/expected/` were printed by `openstack configuration show` on the
//! same files and variables (`tests/data/clouds/osc-oracle.sh`); then a cloud resolved
//! from the reference target's own clouds.yaml authenticates, finds its endpoint and
//! passes every `doctor` step, and `doctor` says what is wrong without a secret.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sdconform::cloud::{self, CloudError, DoctorOptions, Origin, Request, Sources, StepOutcome};
use sdconform::http::tls::TlsOptions;
use sdconform::http::{Client, Limits, Secret, tls::Tls};
use sdconform::identity::{AppCredentialRef, Credentials, DomainRef, ProjectScope, UserRef};
use sdconform::reference::{self, APP_CREDENTIAL, DEFAULT_PROJECT_ID, FIRST, ReferenceConfig};
use serde_json::Value;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/clouds")
}

/// Sources reading `dir` as the working directory, an empty home, and `env`.
fn sources(dir: &Path, home: &Path, env: &[(&str, &str)]) -> Sources {
    Sources::new(
        dir.to_path_buf(),
        Some(home.to_path_buf()),
        env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
}

fn request_of(args: &[String]) -> Request {
    let mut request = Request::default();
    for pair in args.chunks(2) {
        match (pair[0].as_str(), pair.get(1).cloned()) {
            ("--os-cloud", value) => request.cloud = value,
            ("--os-region-name", value) => request.region_name = value,
            ("--os-interface", value) => request.interface = value,
            (flag, _) => panic!("unknown flag {flag}"),
        }
    }
    request
}

/// What python-openstackclient authenticates with: a top-level value (an argument or an
/// environment variable) wins over the `auth` section (osc-lib's `_validate_auth`).
fn effective(shown: &Value, key: &str) -> Option<String> {
    [shown.get(key), shown.get(format!("auth.{key}").as_str())]
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
}

fn domain(shown: &Value, of: &str) -> Option<DomainRef> {
    effective(shown, &format!("{of}_domain_id"))
        .map(DomainRef::Id)
        .or_else(|| effective(shown, &format!("{of}_domain_name")).map(DomainRef::Name))
}

fn user(shown: &Value) -> UserRef {
    match effective(shown, "user_id") {
        Some(id) => UserRef::Id(id),
        None => UserRef::Name {
            name: effective(shown, "username").expect("a user"),
            domain: domain(shown, "user").expect("a user domain"),
        },
    }
}

fn scope(shown: &Value) -> Option<ProjectScope> {
    if let Some(id) = effective(shown, "project_id") {
        return Some(ProjectScope::Id(id));
    }
    let name = effective(shown, "project_name")?;
    Some(ProjectScope::Name {
        name,
        domain: domain(shown, "project").expect("a project domain"),
    })
}

/// The credentials python-openstackclient's resolution holds.
fn credentials(shown: &Value) -> Credentials {
    let secret = |key: &str| Secret::new(effective(shown, key).expect(key));
    match shown["auth_type"].as_str() {
        Some("password" | "v3password") => Credentials::Password {
            user: user(shown),
            password: secret("password"),
            scope: scope(shown),
        },
        Some("v3applicationcredential") => Credentials::ApplicationCredential {
            credential: match effective(shown, "application_credential_id") {
                Some(id) => AppCredentialRef::Id(id),
                None => AppCredentialRef::Name {
                    name: effective(shown, "application_credential_name").expect("a name"),
                    user: user(shown),
                },
            },
            secret: secret("application_credential_secret"),
        },
        Some("token" | "v3token") => Credentials::Token {
            token: secret("token"),
            scope: scope(shown),
        },
        other => panic!("auth_type {other:?}"),
    }
}

/// Every committed scenario resolves to what `openstack configuration show` printed.
#[test]
fn resolution_matches_python_openstackclient_on_the_committed_files() {
    let home = tempfile::tempdir().expect("home");
    let scenarios: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(data().join("scenarios.json")).expect("scenarios"),
    )
    .expect("scenarios.json");
    assert!(scenarios.len() >= 15);
    for scenario in scenarios {
        let name = scenario["name"].as_str().unwrap_or_default();
        let env: Vec<(String, String)> = scenario["env"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let args: Vec<String> = scenario["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect();
        let path = data().join("expected").join(format!("{name}.json"));
        let shown: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("expectation"))
                .expect("json");
        assert!(
            shown["_oracle"]
                .as_str()
                .is_some_and(|o| o.starts_with("openstack "))
        );

        let resolved = cloud::resolve(&request_of(&args), &sources(&data(), home.path(), &env))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            Some(resolved.auth_url.clone()),
            effective(&shown, "auth_url"),
            "{name}"
        );
        assert_eq!(resolved.credentials, credentials(&shown), "{name}");
        let region = shown["region_name"].as_str().filter(|r| !r.is_empty());
        assert_eq!(resolved.region.as_deref(), region, "{name}");
        assert_eq!(
            Some(resolved.interface.as_str()),
            shown["interface"].as_str(),
            "{name}"
        );
        let verify =
            shown["verify"].as_bool().unwrap_or(true) && shown["insecure"].as_bool() != Some(true);
        assert_eq!(resolved.tls.insecure, !verify, "{name}");
        let cacert = shown["cacert"]
            .as_str()
            .filter(|_| verify)
            .map(PathBuf::from);
        assert_eq!(resolved.tls.cacert, cacert, "{name}");
        if let Some(cloud) = shown["cloud"].as_str() {
            assert_eq!(resolved.name, cloud, "{name}");
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

/// Errors name the file and line, or the variable, and never a secret's value.
#[test]
fn errors_name_where_the_value_is() {
    let home = tempfile::tempdir().expect("home");
    let resolve = |env: &[(&str, &str)], request: Request| {
        cloud::resolve(&request, &sources(&data(), home.path(), env))
    };
    let named = |name: &str| Request {
        cloud: Some(name.to_owned()),
        ..Request::default()
    };
    let error = resolve(&[], named("nope")).expect_err("unknown cloud");
    assert!(
        matches!(error, CloudError::UnknownCloud { ref available, .. } if available.len() == 10)
    );
    assert!(error.to_string().contains("by-name"), "{error}");
    let error = resolve(
        &[("OS_CLOUD", "by-name"), ("OS_REGION_NAME", "Mars")],
        Request::default(),
    )
    .expect_err("unknown region");
    assert!(
        matches!(
            error,
            CloudError::UnknownRegion {
                at: Origin::Env(_),
                ..
            }
        ),
        "{error}"
    );
    let error = resolve(&[], Request::default()).expect_err("no default");
    assert!(matches!(error, CloudError::NoCloud { .. }), "{error}");

    let dir = tempfile::tempdir().expect("dir");
    let at = |error: &CloudError| error.to_string();
    write(
        dir.path(),
        "clouds.yaml",
        "clouds:\n  a:\n    auth_type: v3oidcpassword\n    auth: {auth_url: https://k}\n  b:\n    auth_type: magic\n  c:\n    verify: 'false'\n    auth: {auth_url: https://k, user_id: u, password: pw-c-123456}\n  d:\n    auth: {auth_url: https://k, username: u, password: pw-d-123456}\n  e:\n    auth: {auth_url: https://k, user_id: u}\n    application_credential_secret: s\n",
    );
    let resolve_in =
        |name: &str| cloud::resolve(&named(name), &sources(dir.path(), home.path(), &[]));
    let file = dir.path().join("clouds.yaml").display().to_string();
    let error = resolve_in("a").expect_err("unsupported");
    assert!(matches!(error, CloudError::UnsupportedAuthType { .. }));
    assert!(at(&error).contains(&format!("{file}:3")), "{error}");
    let error = resolve_in("b").expect_err("unknown");
    assert!(matches!(error, CloudError::UnknownAuthType { .. }));
    assert!(at(&error).contains(&format!("{file}:6")), "{error}");
    let error = resolve_in("c").expect_err("verify is a string");
    assert!(at(&error).contains(&format!("{file}:8")), "{error}");
    assert!(!at(&error).contains("pw-c-123456"));
    let error = resolve_in("d").expect_err("no user domain");
    assert!(at(&error).contains("user_domain_name"), "{error}");
    let error = resolve_in("e").expect_err("no password");
    assert!(
        at(&error).contains("OS_PASSWORD") && at(&error).contains("v3applicationcredential"),
        "{error}"
    );

    write(dir.path(), "clouds.yaml", "clouds:\n  a: {auth: [1, 2}\n");
    let error = resolve_in("a").expect_err("not yaml");
    assert!(
        matches!(error, CloudError::NotYaml { line: 2, .. }),
        "{error:?}"
    );
    assert!(
        at(&error).starts_with(&format!("read {file}:2:")),
        "{error}"
    );
    write(dir.path(), "clouds.yaml", "just words\n");
    let error = resolve_in("a").expect_err("not a mapping");
    assert!(matches!(error, CloudError::Shape { .. }), "{error:?}");
    assert!(error.exit() == sdconform::exit::Exit::Usage);
}

/// An empty variable counts as unset; secure.yaml is merged; OS_CLIENT_CONFIG_FILE comes first.
#[test]
fn files_and_variables_follow_the_search_order() {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join(".config/openstack");
    std::fs::create_dir_all(&config).expect("mkdir");
    write(
        &config,
        "clouds.yaml",
        "clouds:\n  home:\n    auth: {auth_url: https://home, user_id: u, project_id: p}\n",
    );
    write(
        &config,
        "secure.yaml",
        "clouds:\n  home:\n    auth: {password: home-secure-pw-1}\n",
    );
    let elsewhere = tempfile::tempdir().expect("elsewhere");
    write(
        elsewhere.path(),
        "other.yaml",
        "clouds:\n  other:\n    auth: {auth_url: https://other, user_id: u, project_id: p, password: other-pw-22}\n",
    );
    let cwd = tempfile::tempdir().expect("cwd");
    let resolved = cloud::resolve(
        &Request::default(),
        &sources(
            cwd.path(),
            home.path(),
            &[("OS_PASSWORD", ""), ("OS_CLOUD", "home")],
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resolved.auth_url, "https://home");
    assert_eq!(resolved.secure_file, Some(config.join("secure.yaml")));
    assert!(
        matches!(&resolved.credentials, Credentials::Password { password, .. } if password.expose() == "home-secure-pw-1")
    );
    let origin = resolved
        .origins
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, o)| o.to_string());
    assert_eq!(
        origin,
        Some(format!("{}:3", config.join("secure.yaml").display()))
    );
    let override_file = elsewhere.path().join("other.yaml").display().to_string();
    let resolved = cloud::resolve(
        &Request::default(),
        &sources(
            cwd.path(),
            home.path(),
            &[
                ("OS_CLIENT_CONFIG_FILE", &override_file),
                ("OS_CLOUD", "other"),
            ],
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (resolved.name.as_str(), resolved.auth_url.as_str()),
        ("other", "https://other")
    );
    assert!(!format!("{resolved:?}").contains("other-pw-22"));
}

fn client() -> Client {
    let limits = Limits {
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
        run_timeout: Duration::from_secs(120),
        max_body_bytes: 1 << 20,
    };
    Client::new(limits, Tls::default()).expect("client")
}

/// The reference's own clouds.yaml: each of its clouds resolves, authenticates (through
/// version discovery), finds the orchestration endpoint and lists its project; doctor passes.
#[tokio::test]
async fn the_reference_s_clouds_yaml_connects_and_doctor_passes() {
    let running = reference::start(
        ReferenceConfig::default(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )
    .await
    .expect("reference");
    let dir = tempfile::tempdir().expect("dir");
    write(dir.path(), "clouds.yaml", &running.clouds_yaml());
    let home = tempfile::tempdir().expect("home");
    let sources = sources(dir.path(), home.path(), &[]);
    for (name, project) in [
        ("sdconform-reference", DEFAULT_PROJECT_ID),
        ("sdconform-reference-other", reference::SECOND.project_id),
        ("sdconform-reference-appcred", DEFAULT_PROJECT_ID),
    ] {
        let request = Request {
            cloud: Some(name.to_owned()),
            ..Request::default()
        };
        let resolved = cloud::resolve(&request, &sources).unwrap_or_else(|e| panic!("{name}: {e}"));
        let connection = cloud::connect(&client(), &resolved, None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(connection.project_id, project);
        assert_eq!(connection.base.as_str(), format!("{}/", running.url()));
        assert!(
            connection.discovery.exchange.is_some(),
            "the auth_url has no version"
        );
        let options = DoctorOptions {
            limits: Limits {
                connect_timeout: Duration::from_secs(5),
                timeout: Duration::from_secs(10),
                run_timeout: Duration::from_secs(60),
                max_body_bytes: 1 << 20,
            },
            tls: TlsOptions::default(),
            target: None,
        };
        let steps = cloud::doctor(&request, &sources, &options).await;
        assert_eq!(steps.len(), cloud::STEPS.len());
        for step in &steps {
            assert_eq!(step.outcome, StepOutcome::Ok, "{name}: {step:?}");
        }
        let text = format!("{steps:?}");
        assert!(text.contains("answered 200"), "{text}");
        for secret in [
            FIRST.password,
            reference::SECOND.password,
            APP_CREDENTIAL.secret,
        ] {
            assert!(!text.contains(secret), "{name}: {text}");
        }
        let token = connection
            .tokens
            .token()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!text.contains(token.expose()));
    }

    // A wrong password: authentication fails with the typed reason, later steps are skipped,
    // and neither the password nor any token is in the output.
    let request = Request {
        cloud: Some("sdconform-reference".to_owned()),
        ..Request::default()
    };
    let mut wrong = sources.clone();
    wrong.set(
        "OS_PASSWORD".to_owned(),
        "not-alices-password-42".to_owned(),
    );
    let options = DoctorOptions {
        limits: Limits {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            run_timeout: Duration::from_secs(60),
            max_body_bytes: 1 << 20,
        },
        tls: TlsOptions::default(),
        target: None,
    };
    let steps = cloud::doctor(&request, &wrong, &options).await;
    let outcomes: Vec<StepOutcome> = steps.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        [
            StepOutcome::Ok,
            StepOutcome::Ok,
            StepOutcome::Ok,
            StepOutcome::Failed,
            StepOutcome::Skipped,
            StepOutcome::Skipped
        ]
    );
    let auth = &steps[3];
    assert!(auth.detail.contains("refused the credentials"), "{auth:?}");
    assert!(auth.hint.is_some());
    assert!(
        steps[0]
            .detail
            .contains("password: environment variable OS_PASSWORD"),
        "{}",
        steps[0].detail
    );
    let text = format!("{steps:?}");
    assert!(
        !text.contains("not-alices-password-42") && !text.contains(FIRST.password),
        "{text}"
    );

    // A region the catalog lacks: the catalog step lists what there is.
    let mut elsewhere = sources.clone();
    elsewhere.set("OS_INTERFACE".to_owned(), "admin".to_owned());
    let steps = cloud::doctor(&request, &elsewhere, &options).await;
    assert_eq!(steps[4].outcome, StepOutcome::Failed, "{steps:?}");
    assert!(
        steps[4].detail.contains("public RegionOne"),
        "{}",
        steps[4].detail
    );
    running.shutdown().await;
}

/// Issue 11 item 1: a raw token given beside `--os-cloud` comes before the cloud's
/// credentials (re-scoped to the cloud's project, its origin named as the flag), and every
/// secret of the cloud's entry and variables is known for redaction, used or not.
#[test]
fn a_raw_token_comes_before_the_cloud_s_credentials_and_every_secret_is_known() {
    let dir = tempfile::tempdir().expect("dir");
    let home = tempfile::tempdir().expect("home");
    write(
        dir.path(),
        "clouds.yaml",
        "clouds:\n  prod:\n    auth:\n      auth_url: https://keystone.example:5000\n      username: ci\n      password: \"file-password-1\"\n      project_name: conformance\n      user_domain_name: Default\n      project_domain_name: Default\n    regions:\n      - name: RegionOne\n        values:\n          auth:\n            application_credential_secret: \"region-secret-2\"\n",
    );
    let request = Request {
        cloud: Some("prod".to_owned()),
        ..Request::default()
    };
    let mut sources = sources(
        dir.path(),
        home.path(),
        &[("OS_APPLICATION_CREDENTIAL_SECRET", "env-secret-3")],
    );
    let plain = cloud::resolve(&request, &sources).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plain.credentials.method(), "password");
    let known: Vec<&str> = plain.secrets().iter().map(|(_, s)| s.expose()).collect();
    for secret in ["file-password-1", "region-secret-2", "env-secret-3"] {
        assert!(known.contains(&secret), "{secret}: {known:?}");
    }
    sources.use_token(Secret::new("raw-token-4"), "--token");
    let with_token = cloud::resolve(&request, &sources).unwrap_or_else(|e| panic!("{e}"));
    match &with_token.credentials {
        Credentials::Token { token, scope } => {
            assert_eq!(token.expose(), "raw-token-4");
            assert_eq!(
                scope,
                &Some(ProjectScope::Name {
                    name: "conformance".to_owned(),
                    domain: DomainRef::Name("Default".to_owned()),
                })
            );
        }
        other => panic!("{other:?}"),
    }
    let origin = with_token
        .origins
        .iter()
        .find(|(key, _)| key == "auth_type")
        .map(|(_, o)| o.to_string());
    assert_eq!(origin.as_deref(), Some("--token"));
    let known: Vec<&str> = with_token
        .secrets()
        .iter()
        .map(|(_, s)| s.expose())
        .collect();
    for secret in ["raw-token-4", "file-password-1", "region-secret-2"] {
        assert!(known.contains(&secret), "{secret}: {known:?}");
    }
}
