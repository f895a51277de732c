//! `sdconform doctor`, as data: each step of reaching a cloud, in order, with
//! what was found or what is wrong and what to try. Printing is the caller's.
//!
//! ```text
//! ok    configuration   cloud "prod" from /home/ci/.config/openstack/clouds.yaml; ...
//! ok    tls             system roots; verification on
//! ok    identity        v3 API at https://keystone.example:5000/v3/ (found by discovery: v3.14 stable)
//! FAIL  authentication  ... the identity service refused the credentials (401) ...
//!       try: check OS_PASSWORD / auth.password; `openstack --os-cloud prod token issue` shows the same
//! skip  catalog         (needs a token)
//! skip  endpoint        (needs a token)
//! ```
//!
//! No secret is ever in a step: the configuration is shown as where each
//! setting came from, never a value of a secret, and every text is scrubbed of
//! the credentials' secrets and the tokens issued before it is returned.

use std::time::{Duration, SystemTime};

use super::connect::{EndpointSource, endpoint_of, merged_tls};
use super::resolve::{CloudConfig, Request, resolve};
use super::sources::Sources;
use crate::exit::Exit;
use crate::http::tls::{Tls, TlsOptions};
use crate::http::{Auth, Client, Limits, Prepared, build_url};
use crate::identity::{self, Credentials, TokenSource};
use crate::secret::Secret;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// It worked.
    Ok,
    /// It failed; later steps are skipped.
    Failed,
    /// It could not run because an earlier step failed.
    Skipped,
}

/// One step of `doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `configuration`, `tls`, `identity`, `authentication`, `catalog`, `endpoint`.
    pub name: &'static str,
    /// How it ended.
    pub outcome: StepOutcome,
    /// What was found, or what is wrong (one or more lines).
    pub detail: String,
    /// What to try, when it failed.
    pub hint: Option<String>,
    /// The exit code a failure stands for: 2 for a setting decided here (a file, a flag,
    /// the region), 3 when the identity service or the endpoint refused or could not be
    /// reached; `None` for a step that did not fail.
    pub exit: Option<Exit>,
}

/// The exit code of `doctor`: 0 when every step passed, else the first failure's.
pub fn exit_of(steps: &[Step]) -> Exit {
    steps
        .iter()
        .find(|s| s.outcome == StepOutcome::Failed)
        .map_or(Exit::Conformant, |s| s.exit.unwrap_or(Exit::Incomplete))
}

/// What `doctor` is given besides the sources.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// The client's limits.
    pub limits: Limits,
    /// TLS flags of the command line (over the cloud's).
    pub tls: TlsOptions,
    /// `--target`: overrides the catalog.
    pub target: Option<String>,
}

/// The step names, in order.
pub const STEPS: [&str; 6] = [
    "configuration",
    "tls",
    "identity",
    "authentication",
    "catalog",
    "endpoint",
];

/// Runs every step for the cloud `request` names; stops at the first failure
/// (the remaining steps are [`StepOutcome::Skipped`]). Never returns a secret.
pub async fn doctor(request: &Request, sources: &Sources, options: &DoctorOptions) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut secrets: Vec<Secret> = Vec::new();
    run(request, sources, options, &mut steps, &mut secrets).await;
    for name in STEPS.iter().skip(steps.len()) {
        steps.push(Step {
            name,
            outcome: StepOutcome::Skipped,
            detail: "not run: an earlier step failed".to_owned(),
            hint: None,
            exit: None,
        });
    }
    scrub(steps, &secrets)
}

async fn run(
    request: &Request,
    sources: &Sources,
    options: &DoctorOptions,
    steps: &mut Vec<Step>,
    secrets: &mut Vec<Secret>,
) {
    // 1. configuration
    let cloud = match resolve(request, sources) {
        Ok(cloud) => cloud,
        Err(e) => {
            steps.push(failed(
                "configuration",
                e.to_string(),
                "compare with `openstack configuration show` (same files and variables); --os-cloud NAME picks a cloud",
                e.exit(),
            ));
            return;
        }
    };
    secrets.extend(cloud.secrets().into_iter().map(|(_, s)| s.clone()));
    steps.push(ok("configuration", describe(&cloud)));

    // 2. tls
    let tls_options = merged_tls(&cloud.tls, &options.tls);
    let tls = match Tls::load(&tls_options) {
        Ok(tls) => tls,
        Err(e) => {
            steps.push(failed(
                "tls",
                e.to_string(),
                "check that the file exists and holds PEM",
                Exit::Usage,
            ));
            return;
        }
    };
    let client = match Client::new(options.limits, tls) {
        Ok(client) => client,
        Err(e) => {
            steps.push(failed(
                "tls",
                e.to_string(),
                "check the TLS files",
                Exit::Usage,
            ));
            return;
        }
    };
    steps.push(ok("tls", describe_tls(&tls_options, &cloud)));

    // 3. identity
    let discovery = match identity::discover(&client, &cloud.auth_url).await {
        Ok(found) => found,
        Err(e) => {
            steps.push(failed(
                "identity",
                e.to_string(),
                "check auth_url (OS_AUTH_URL): it is the identity service (Keystone), usually https://HOST:5000 or https://HOST/identity",
                e.exit(),
            ));
            return;
        }
    };
    let how = match &discovery.exchange {
        None => "given with its version".to_owned(),
        Some(exchange) => format!(
            "found by discovery: GET {} answered {} listing {}",
            exchange.url,
            exchange.status,
            discovery.versions.join(", ")
        ),
    };
    steps.push(ok(
        "identity",
        format!("v3 API at {} ({how})", discovery.v3),
    ));

    // 4. authentication
    let tokens = match TokenSource::start(
        client.clone(),
        discovery.v3.clone(),
        cloud.credentials.clone(),
    )
    .await
    {
        Ok(tokens) => tokens,
        Err(e) => {
            steps.push(failed(
                "authentication",
                format!("{} ({})", e, describe_credentials(&cloud.credentials)),
                &format!(
                    "`openstack --os-cloud {} token issue` should fail the same way; fix the setting named above",
                    cloud.name
                ),
                e.exit(),
            ));
            return;
        }
    };
    secrets.extend(tokens.issued());
    let token = tokens.current().await;
    let project = token
        .project
        .as_ref()
        .map(|p| match &p.name {
            Some(name) => format!("project {name} ({})", p.id),
            None => format!("project {}", p.id),
        })
        .unwrap_or_else(|| "no project".to_owned());
    let left = token
        .expires_at
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    steps.push(ok(
        "authentication",
        format!(
            "{}; token scoped to {project}, expires {} (in {}), renewed {} before",
            describe_credentials(&cloud.credentials),
            token.expires_at_text,
            humantime::format_duration(Duration::from_secs(left.as_secs())),
            humantime::format_duration(Duration::from_secs(
                identity::renewal_margin(token.lifetime()).as_secs()
            )),
        ),
    ));

    // 5. catalog
    let (project_id, base, source) = match endpoint_of(&token, &cloud, options.target.as_deref()) {
        Ok(found) => found,
        Err(e) => {
            steps.push(failed(
                "catalog",
                e.to_string(),
                "pass --region/--interface (OS_REGION_NAME, OS_INTERFACE) to choose, or --target URL to skip the catalog",
                e.exit(),
            ));
            return;
        }
    };
    let chosen = match &source {
        EndpointSource::Catalog(found) => format!(
            "orchestration {} {} {} (endpoint {}); base {base}",
            found.interface,
            found.region.as_deref().unwrap_or("(no region)"),
            found.url,
            found.endpoint_id.as_deref().unwrap_or("without id"),
        ),
        EndpointSource::Override(url) => {
            format!("{url} (override; the catalog is not read); base {base}")
        }
    };
    steps.push(ok("catalog", chosen));

    // 6. endpoint
    let path = format!(
        "/v1/{}/software_deployments",
        crate::http::encode(&project_id)
    );
    let url = match build_url(&base, &path, &[]) {
        Ok(url) => url,
        Err(e) => {
            steps.push(failed(
                "endpoint",
                e.to_string(),
                "check the endpoint URL",
                Exit::Usage,
            ));
            return;
        }
    };
    let prepared = Prepared {
        url: url.clone(),
        auth: Auth::Token(token.value.clone()),
    };
    match client.send(&prepared).await {
        Ok(exchange) if exchange.status == 200 => {
            let count = serde_json::from_slice::<serde_json::Value>(&exchange.body)
                .ok()
                .and_then(|v| v["software_deployments"].as_array().map(Vec::len));
            let listed = count.map_or_else(
                || "a body that is not the documented list (run sdconform to see why)".to_owned(),
                |n| format!("{n} deployment(s)"),
            );
            steps.push(ok("endpoint", format!("GET {url} answered 200 with {listed}")));
        }
        Ok(exchange) => steps.push(failed(
            "endpoint",
            format!("GET {url} answered {}", exchange.status),
            match exchange.status {
                401 | 403 => "the endpoint refuses the token: is it the catalog of the same cloud? (--target pointing elsewhere?)",
                404 => "no such path: check the endpoint (the base URL must not end in /v1/<project>)",
                _ => "run sdconform against it to see what the answer breaks",
            },
            Exit::Incomplete,
        )),
        Err(e) => steps.push(failed(
            "endpoint",
            e.to_string(),
            "check that the endpoint is reachable from here (proxy variables, firewall)",
            Exit::Incomplete,
        )),
    }
}

fn ok(name: &'static str, detail: String) -> Step {
    Step {
        name,
        outcome: StepOutcome::Ok,
        detail,
        hint: None,
        exit: None,
    }
}

fn failed(name: &'static str, detail: String, hint: &str, exit: Exit) -> Step {
    Step {
        name,
        outcome: StepOutcome::Failed,
        detail,
        hint: Some(hint.to_owned()),
        exit: Some(exit),
    }
}

/// The cloud, its files, and where every setting came from (no value of a secret).
fn describe(cloud: &CloudConfig) -> String {
    let mut lines = vec![format!(
        "cloud {:?} from {}{}; auth_url {}; region {}; interface {}",
        cloud.name,
        cloud
            .clouds_file
            .as_ref()
            .map_or_else(|| "the environment".to_owned(), |p| p.display().to_string()),
        cloud
            .secure_file
            .as_ref()
            .map_or_else(String::new, |p| format!(" and {}", p.display())),
        cloud.auth_url,
        cloud.region.as_deref().unwrap_or("(any)"),
        cloud.interface,
    )];
    for (key, origin) in &cloud.origins {
        lines.push(format!("  {key}: {origin}"));
    }
    lines.extend(cloud.notes.iter().map(|n| format!("  note: {n}")));
    lines.join("\n")
}

fn describe_tls(tls: &TlsOptions, cloud: &CloudConfig) -> String {
    let mut parts = Vec::new();
    if tls.insecure {
        let from = cloud
            .insecure_from
            .as_ref()
            .map_or_else(|| "--insecure".to_owned(), ToString::to_string);
        parts.push(format!(
            "WARNING: certificate verification is OFF ({from}): any server can pose as this cloud"
        ));
    } else {
        parts.push(match &tls.cacert {
            Some(ca) => format!("system roots plus {}", ca.display()),
            None => "system roots".to_owned(),
        });
    }
    if let Some(cert) = &tls.client_cert {
        parts.push(format!("client certificate {}", cert.display()));
    }
    parts.join("; ")
}

fn describe_credentials(credentials: &Credentials) -> String {
    match credentials {
        Credentials::Password { user, scope, .. } => format!(
            "password of {user}, scope {}",
            scope.as_ref().map_or_else(
                || "the user's default project".to_owned(),
                ToString::to_string
            )
        ),
        Credentials::ApplicationCredential { credential, .. } => match credential {
            identity::AppCredentialRef::Id(id) => format!("application credential {id}"),
            identity::AppCredentialRef::Name { name, user } => {
                format!("application credential {name:?} of {user}")
            }
        },
        Credentials::Token { scope, .. } => format!(
            "a token re-scoped to {}",
            scope
                .as_ref()
                .map_or_else(|| "its own project".to_owned(), ToString::to_string)
        ),
    }
}

/// Every step without any spelling of `secrets`.
fn scrub(steps: Vec<Step>, secrets: &[Secret]) -> Vec<Step> {
    let set = crate::secret::Secrets::scrubbing(secrets);
    steps
        .into_iter()
        .map(|step| Step {
            detail: set.scrub_str(&step.detail),
            hint: step.hint.map(|h| set.scrub_str(&h)),
            ..step
        })
        .collect()
}
