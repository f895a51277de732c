//! Issue 11 sections 1 and 4: the reference target's identity service behaves as
//! Keystone does (statuses, headers, bodies, expiry), its writes as Heat's, per
//! project; and the identity client (`sdconform::identity`) authenticates against
//! it with every method, finds the orchestration endpoint, tells refusals apart
//! and renews its token before expiry. The two cloud faults are shown to break
//! what they say.

use std::net::SocketAddr;
use std::time::Duration;

use sdconform::http::{Client, Limits, Secret, tls::Tls};
use sdconform::identity::{
    self, AppCredentialRef, Credentials, DomainRef, IdentityError, ProjectScope, TokenSource,
    UserRef,
};
use sdconform::reference::{
    self, APP_CREDENTIAL, DEFAULT_PROJECT_ID, DEFAULT_TOKEN, FIRST, Fault, IdentityConfig,
    ReferenceConfig, RunningReference, SECOND,
};
use serde_json::{Value, json};

async fn serve(fault: Option<Fault>, lifetime: Duration) -> RunningReference {
    let config = ReferenceConfig {
        fault,
        ..ReferenceConfig::default()
    };
    let identity = IdentityConfig {
        token_lifetime: lifetime,
    };
    reference::start_with(config, identity, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("reference starts")
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

fn url(text: &str) -> reqwest::Url {
    reqwest::Url::parse(text).expect("url")
}

fn v3(running: &RunningReference) -> reqwest::Url {
    url(&format!("{}/v3/", running.url()))
}

fn alice() -> Credentials {
    Credentials::Password {
        user: UserRef::Name {
            name: FIRST.user_name.into(),
            domain: DomainRef::Name(FIRST.domain_name.into()),
        },
        password: Secret::new(FIRST.password),
        scope: Some(ProjectScope::Name {
            name: FIRST.project_name.into(),
            domain: DomainRef::Id(FIRST.domain_id.into()),
        }),
    }
}

fn bob() -> Credentials {
    Credentials::Password {
        user: UserRef::Id(SECOND.user_id.into()),
        password: Secret::new(SECOND.password),
        scope: Some(ProjectScope::Id(SECOND.project_id.into())),
    }
}

/// A raw request: status, headers and JSON body.
async fn raw(
    method: reqwest::Method,
    target: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new().request(method, target);
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("reference answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn token_for(running: &RunningReference, credentials: &Credentials) -> String {
    let done = identity::authenticate(&client(), &v3(running), credentials)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    done.token.value.expose().to_owned()
}

async fn listing(running: &RunningReference, project: &str, token: &str) -> (u16, Vec<Value>) {
    let (status, _, body) = raw(
        reqwest::Method::GET,
        &format!("{}/v1/{project}/software_deployments", running.url()),
        Some(token),
        None,
    )
    .await;
    let items = body["software_deployments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (status, items)
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_version_documents_are_keystone_s() {
    let running = serve(None, Duration::from_secs(3600)).await;
    let (status, _, root) = raw(reqwest::Method::GET, running.url(), None, None).await;
    assert_eq!(status, 300);
    let v3_entry = &root["versions"]["values"][0];
    assert_eq!(v3_entry["status"], "stable");
    assert_eq!(
        v3_entry["links"][0]["href"],
        json!(format!("{}/v3/", running.url()))
    );
    let (status, _, version) = raw(
        reqwest::Method::GET,
        &format!("{}/v3", running.url()),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        version["version"]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("v3."))
    );
    let found = identity::discover(&client(), running.url())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.v3, v3(&running));
    assert_eq!(found.exchange.map(|e| e.status), Some(300));
    running.shutdown().await;
}

/// Every method gives a 201 with X-Subject-Token, microsecond expires_at, the project and a
/// catalog whose orchestration endpoint is this reference; the token lists its own project.
#[tokio::test]
async fn every_method_gets_a_scoped_token_that_the_endpoint_accepts() {
    let running = serve(None, Duration::from_secs(3600)).await;
    let client = client();
    let app_by_id = Credentials::ApplicationCredential {
        credential: AppCredentialRef::Id(APP_CREDENTIAL.id.into()),
        secret: Secret::new(APP_CREDENTIAL.secret),
    };
    let app_by_name = Credentials::ApplicationCredential {
        credential: AppCredentialRef::Name {
            name: APP_CREDENTIAL.name.into(),
            user: UserRef::Id(FIRST.user_id.into()),
        },
        secret: Secret::new(APP_CREDENTIAL.secret),
    };
    let unscoped_alice = Credentials::Password {
        user: UserRef::Id(FIRST.user_id.into()),
        password: Secret::new(FIRST.password),
        scope: None,
    };
    let cases = [
        (alice(), DEFAULT_PROJECT_ID),
        (unscoped_alice, DEFAULT_PROJECT_ID),
        (app_by_id, DEFAULT_PROJECT_ID),
        (app_by_name, DEFAULT_PROJECT_ID),
        (bob(), SECOND.project_id),
    ];
    let micros = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$").expect("regex");
    for (credentials, project) in cases {
        let done = identity::authenticate(&client, &v3(&running), &credentials)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", credentials.method()));
        let token = done.token;
        assert_eq!(done.exchanges.len(), 1);
        assert_eq!(done.exchanges[0].status, 201);
        assert!(
            micros.is_match(&token.expires_at_text),
            "{}",
            token.expires_at_text
        );
        assert_eq!(token.project.as_ref().map(|p| p.id.as_str()), Some(project));
        let endpoint =
            identity::orchestration(&token.catalog, "public", Some("RegionOne"), project)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(endpoint.base.as_str(), format!("{}/", running.url()));
        assert_eq!(endpoint.url, format!("{}/v1/{project}", running.url()));
        let (status, items) = listing(&running, project, token.value.expose()).await;
        assert_eq!(status, 200, "{}", credentials.method());
        assert!(!items.is_empty());
        // Never another project's listing.
        let other = if project == DEFAULT_PROJECT_ID {
            SECOND.project_id
        } else {
            DEFAULT_PROJECT_ID
        };
        assert_eq!(listing(&running, other, token.value.expose()).await.0, 404);

        // Re-scoping the issued token keeps project and expiry.
        let rescope = Credentials::Token {
            token: token.value.clone(),
            scope: Some(ProjectScope::Id(project.into())),
        };
        let again = identity::authenticate(&client, &v3(&running), &rescope)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(again.token.value, token.value);
        assert_eq!(again.token.expires_at, token.expires_at);
        assert_eq!(again.token.methods[0], "token");
    }
    // The static token keeps working for the configured project, as before.
    assert_eq!(
        listing(&running, DEFAULT_PROJECT_ID, DEFAULT_TOKEN).await.0,
        200
    );
    running.shutdown().await;
}

/// Keystone's refusals, status and body, for what the issue names: wrong password, domain,
/// scope, expired token; and the client's typed error for each.
#[tokio::test]
async fn refusals_are_keystone_s_and_typed_by_the_client() {
    let running = serve(None, Duration::from_secs(1)).await;
    let tokens = format!("{}/v3/auth/tokens", running.url());
    let generic = json!({ "error": {
        "code": 401,
        "message": "The request you have made requires authentication.",
        "title": "Unauthorized"
    }});
    let password = |user: Value, scope: Value| {
        json!({ "auth": { "identity": { "methods": ["password"],
            "password": { "user": user } }, "scope": scope } })
    };
    let alice_in = |domain: &str, pw: &str| json!({ "name": FIRST.user_name, "domain": { "name": domain }, "password": pw });
    let own = json!({ "project": { "id": DEFAULT_PROJECT_ID } });
    let refused = [
        password(alice_in("Default", "wrong-password"), own.clone()),
        password(alice_in("Partners", FIRST.password), own.clone()),
        password(
            alice_in("Default", FIRST.password),
            json!({ "project": { "id": SECOND.project_id } }),
        ),
        password(
            alice_in("Default", FIRST.password),
            json!({ "project": { "name": FIRST.project_name, "domain": { "name": "Partners" } } }),
        ),
        json!({ "auth": { "identity": { "methods": ["application_credential"],
            "application_credential": { "id": APP_CREDENTIAL.id, "secret": "nope" } } } }),
    ];
    for body in refused {
        let (status, headers, answer) =
            raw(reqwest::Method::POST, &tokens, None, Some(body.clone())).await;
        assert_eq!((status, &answer), (401, &generic), "{body}");
        assert!(headers.get("x-subject-token").is_none());
    }
    let totp = json!({ "auth": { "identity": { "methods": ["totp"], "totp": {} } } });
    let (status, _, answer) = raw(reqwest::Method::POST, &tokens, None, Some(totp)).await;
    assert_eq!(
        (status, &answer["error"]["message"]),
        (
            401,
            &json!("Attempted to authenticate with an unsupported method.")
        )
    );
    let (status, _, answer) = raw(
        reqwest::Method::POST,
        &tokens,
        None,
        Some(password(
            json!({ "name": "alice", "password": "x" }),
            own.clone(),
        )),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Expecting to find domain in user."))
    );

    // The client's typed errors.
    let client = client();
    let wrong_password = Credentials::Password {
        user: UserRef::Id(FIRST.user_id.into()),
        password: Secret::new("wrong-password-1234"),
        scope: Some(ProjectScope::Id(DEFAULT_PROJECT_ID.into())),
    };
    let error = identity::authenticate(&client, &v3(&running), &wrong_password)
        .await
        .expect_err("refused");
    assert!(
        matches!(
            error.error,
            IdentityError::CredentialsRefused { status: 401, .. }
        ),
        "{error}"
    );
    assert_eq!(
        error.exchanges.len(),
        2,
        "the unscoped probe was refused too"
    );
    let wrong_scope = Credentials::Password {
        user: UserRef::Id(FIRST.user_id.into()),
        password: Secret::new(FIRST.password),
        scope: Some(ProjectScope::Id(SECOND.project_id.into())),
    };
    let error = identity::authenticate(&client, &v3(&running), &wrong_scope)
        .await
        .expect_err("refused");
    assert!(
        matches!(error.error, IdentityError::ScopeRefused { .. }),
        "{error}"
    );
    assert!(error.to_string().contains(SECOND.project_id), "{error}");

    // An expired token: Keystone's 404 that echoes it; the client's error does not.
    let token = token_for(&running, &alice()).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (status, _, answer) = raw(
        reqwest::Method::POST,
        &tokens,
        None,
        Some(json!({ "auth": { "identity": { "methods": ["token"], "token": { "id": token } } } })),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        answer["error"]["message"],
        json!(format!("Could not find token: {token}."))
    );
    let rescope = Credentials::Token {
        token: Secret::new(token.clone()),
        scope: None,
    };
    let error = identity::authenticate(&client, &v3(&running), &rescope)
        .await
        .expect_err("expired");
    assert!(
        matches!(error.error, IdentityError::TokenRefused { status: 404, .. }),
        "{error}"
    );
    assert!(!error.to_string().contains(&token), "{error}");
    assert!(error.to_string().contains("<redacted>"), "{error}");
    // And the endpoint refuses it (Heat behind keystonemiddleware: 401).
    assert_eq!(listing(&running, DEFAULT_PROJECT_ID, &token).await.0, 401);
    running.shutdown().await;
}

/// The fault `token-accepted-after-expiry` really serves an expired token.
#[tokio::test]
async fn the_expired_token_fault_serves_an_expired_token() {
    for (fault, after_expiry) in [(None, 401), (Some(Fault::TokenAcceptedAfterExpiry), 200)] {
        let running = serve(fault, Duration::from_millis(700)).await;
        let token = token_for(&running, &alice()).await;
        assert_eq!(listing(&running, DEFAULT_PROJECT_ID, &token).await.0, 200);
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert_eq!(
            listing(&running, DEFAULT_PROJECT_ID, &token).await.0,
            after_expiry,
            "{fault:?}"
        );
        running.shutdown().await;
    }
}

/// The fault `listing-leaks-other-project` puts the other project's deployments in a listing.
#[tokio::test]
async fn the_leak_fault_shows_the_other_project_s_deployments() {
    for fault in [None, Some(Fault::ListingLeaksOtherProject)] {
        let running = serve(fault, Duration::from_secs(3600)).await;
        let a = token_for(&running, &alice()).await;
        let b = token_for(&running, &bob()).await;
        let (_, a_items) = listing(&running, DEFAULT_PROJECT_ID, &a).await;
        let (_, b_items) = listing(&running, SECOND.project_id, &b).await;
        let b_own = ids(&reference::second_project_deployments());
        let leaked = ids(&a_items).iter().any(|id| b_own.contains(id));
        assert_eq!(leaked, fault.is_some(), "{fault:?}");
        assert_eq!(
            ids(&b_items).len() > b_own.len(),
            fault.is_some(),
            "{fault:?}"
        );
        running.shutdown().await;
    }
}

/// The token source renews a margin before expiry, once for many concurrent callers; a
/// rejected token is renewed only if it is still the current one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_source_renews_before_expiry_once_for_concurrent_callers() {
    let running = serve(None, Duration::from_secs(2)).await;
    let source = TokenSource::start(client(), v3(&running), alice())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let first = source.token().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        source.token().await.ok(),
        Some(first.clone()),
        "no renewal before the margin"
    );
    assert_eq!(running.tokens_issued(), 1);
    // The margin of a 2 s token is 0.2 s: at 1.85 s it is renewed, not yet expired.
    tokio::time::sleep(Duration::from_millis(1850)).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let source = source.clone();
        tasks.push(tokio::spawn(async move { source.token().await }));
    }
    let mut renewed = Vec::new();
    for task in tasks {
        renewed.push(task.await.expect("task").unwrap_or_else(|e| panic!("{e}")));
    }
    assert!(renewed.iter().all(|t| *t == renewed[0]));
    assert_ne!(renewed[0], first);
    assert_eq!(running.tokens_issued(), 2, "one renewal for eight callers");
    assert_eq!(source.renewals(), 1);
    assert_eq!(
        listing(&running, DEFAULT_PROJECT_ID, renewed[0].expose())
            .await
            .0,
        200
    );
    // A stale rejection does not renew again; a current one does.
    let same = source
        .renew_after_rejection(&first)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((same, running.tokens_issued()), (renewed[0].clone(), 2));
    let newer = source
        .renew_after_rejection(&renewed[0])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(newer, renewed[0]);
    assert_eq!(running.tokens_issued(), 3);
    let issued = source.issued();
    assert_eq!(issued.len(), 3);
    assert!(issued.contains(&first) && issued.contains(&newer));
    assert!(
        source
            .exchanges()
            .iter()
            .all(|e| e.method == "POST" && e.status == 201)
    );
    assert!(!format!("{:?}", source.exchanges()).contains(newer.expose()));
    running.shutdown().await;
}

fn heat_sample(name: &str) -> Value {
    let path = format!("{}/tests/data/heat/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// Heat's API reference samples go through the reference's writes, per project, and the
/// listing shows exactly what was created there.
#[tokio::test]
async fn writes_take_heat_s_samples_and_are_stored_per_project() {
    let running = serve(None, Duration::from_secs(3600)).await;
    let a = token_for(&running, &alice()).await;
    let b = token_for(&running, &bob()).await;
    let base = format!("{}/v1/{DEFAULT_PROJECT_ID}", running.url());
    let (_, before) = listing(&running, DEFAULT_PROJECT_ID, &a).await;

    let (status, _, config) = raw(
        reqwest::Method::POST,
        &format!("{base}/software_configs"),
        Some(&a),
        Some(heat_sample("config-create-request.json")),
    )
    .await;
    assert_eq!(status, 200);
    let sample = heat_sample("config-create-response.json");
    assert_eq!(
        keys(&config["software_config"]),
        keys(&sample["software_config"])
    );
    assert_eq!(
        config["software_config"]["inputs"],
        sample["software_config"]["inputs"]
    );
    let config_id = config["software_config"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let mut create = heat_sample("deployment-create-request.json");
    // The sample's config id is another cloud's: refused, as Heat refuses an unknown config.
    let (status, _, refused) = raw(
        reqwest::Method::POST,
        &format!("{base}/software_deployments"),
        Some(&a),
        Some(create.clone()),
    )
    .await;
    assert_eq!(
        (status, &refused["error"]["type"]),
        (400, &json!("Invalid"))
    );
    create["config_id"] = json!(config_id);
    let (status, _, created) = raw(
        reqwest::Method::POST,
        &format!("{base}/software_deployments"),
        Some(&a),
        Some(create.clone()),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let deployment = &created["software_deployment"];
    let sample = heat_sample("deployment-create-response.json");
    assert_eq!(keys(deployment), keys(&sample["software_deployment"]));
    for field in ["status", "server_id", "action", "status_reason"] {
        assert_eq!(deployment[field], create[field], "{field}");
    }
    let id = deployment["id"].as_str().unwrap_or_default().to_owned();

    // A's listing has it, after the fixture; B's does not; B's token cannot reach it.
    let (_, with) = listing(&running, DEFAULT_PROJECT_ID, &a).await;
    assert_eq!(ids(&with), [ids(&before), vec![id.clone()]].concat());
    let (_, b_items) = listing(&running, SECOND.project_id, &b).await;
    assert!(!ids(&b_items).contains(&id));
    let item = format!("{base}/software_deployments/{id}");
    assert_eq!(
        raw(reqwest::Method::GET, &item, Some(&b), None).await.0,
        404
    );
    assert_eq!(
        raw(reqwest::Method::DELETE, &item, Some(&b), None).await.0,
        404
    );
    assert_eq!(raw(reqwest::Method::DELETE, &item, None, None).await.0, 401);
    let filtered = format!(
        "{base}/software_deployments?server_id={}",
        create["server_id"].as_str().unwrap_or_default()
    );
    let (_, _, by_server) = raw(reqwest::Method::GET, &filtered, Some(&a), None).await;
    assert!(
        ids(by_server["software_deployments"]
            .as_array()
            .map_or(&[][..], Vec::as_slice))
        .contains(&id)
    );

    // The update sample: output values, a completed status, a later-or-equal updated_time.
    let (status, _, updated) = raw(
        reqwest::Method::PUT,
        &item,
        Some(&a),
        Some(heat_sample("deployment-update-request.json")),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    let updated = &updated["software_deployment"];
    let sample = heat_sample("deployment-update-request.json");
    assert_eq!(updated["status"], "COMPLETE");
    assert_eq!(updated["output_values"], sample["output_values"]);
    assert_eq!(
        keys(updated),
        keys(&heat_sample("deployment-update-response.json")["software_deployment"])
    );
    let (_, _, bad) = raw(
        reqwest::Method::PUT,
        &item,
        Some(&a),
        Some(json!({ "status": "DONE" })),
    )
    .await;
    assert_eq!(bad["code"], 400);

    // Heat refuses to delete a config in use; then the deployment, then the config go.
    let config_url = format!("{base}/software_configs/{config_id}");
    assert_eq!(
        raw(reqwest::Method::DELETE, &config_url, Some(&a), None)
            .await
            .0,
        409
    );
    assert_eq!(
        raw(reqwest::Method::DELETE, &item, Some(&a), None).await.0,
        204
    );
    assert_eq!(
        raw(reqwest::Method::GET, &item, Some(&a), None).await.0,
        404
    );
    assert_eq!(
        raw(reqwest::Method::DELETE, &config_url, Some(&a), None)
            .await
            .0,
        204
    );
    let (_, after) = listing(&running, DEFAULT_PROJECT_ID, &a).await;
    assert_eq!(
        ids(&after),
        ids(&before),
        "the project is left as it was found"
    );
    // The fixture is read-only.
    let fixture_item = format!("{base}/software_deployments/{}", ids(&before)[0]);
    assert_eq!(
        raw(reqwest::Method::GET, &fixture_item, Some(&a), None)
            .await
            .0,
        200
    );
    assert_eq!(
        raw(reqwest::Method::DELETE, &fixture_item, Some(&a), None)
            .await
            .0,
        403
    );
    // The static token writes too (the configured project only).
    let (status, _, _) = raw(
        reqwest::Method::POST,
        &format!("{base}/software_configs"),
        Some(DEFAULT_TOKEN),
        Some(json!({ "name": "x", "group": "script", "config": "true" })),
    )
    .await;
    assert_eq!(status, 200);
    running.shutdown().await;
}

/// The reference's test credentials can be put in the redaction set: none is too short or a
/// word of the reports.
#[test]
fn the_reference_s_secrets_are_redactable() {
    let mut secrets = sdconform::secret::Secrets::new();
    for (what, value) in [
        ("first password", FIRST.password),
        ("second password", SECOND.password),
        ("application credential secret", APP_CREDENTIAL.secret),
    ] {
        secrets
            .add(what, &Secret::new(value))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let yaml = reference::clouds_yaml("http://127.0.0.1:1", DEFAULT_PROJECT_ID);
    assert!(yaml.contains("auth_url: \"http://127.0.0.1:1\""), "{yaml}");
    assert!(
        secrets
            .ensure_absent(&secrets.scrub_str(&yaml), "clouds.yaml")
            .is_ok()
    );
}
