//! A real cloud for `run` and `fuzz` (`--os-cloud`), and `sdconform doctor`: where
//! the commands meet [`crate::cloud`].
//!
//! ```text
//! TargetChoice::Cloud → cloud::resolve (clouds.yaml, secure.yaml, OS_*: no network)
//!   → TLS: the flags' over the cloud's (cacert, verify: false as loud as --insecure)
//!   → cloud::connect: discovery, POST /v3/auth/tokens, the catalog (or --target)
//!   → runner::Target { tokens: the TokenSource, .. } → the run
//!   → report.json target.identity: method, URL, status and time of each identity exchange
//! ```
//!
//! Credentials go only to the identity service; the target gets tokens. Every secret
//! of the cloud's configuration and every token issued is in the run's redaction set.

use crate::cli::DoctorArgs;
use crate::cloud::{self, CloudConfig, Connection, EndpointSource, Request, Sources, StepOutcome};
use crate::config::{DoctorConfig, TargetChoice};
use crate::console;
use crate::error::Error;
use crate::exit::Exit;
use crate::http::tls::TlsOptions;
use crate::http::{self, Secret};
use crate::report::model::{IdentityExchange, IdentityInfo};
use crate::runner::Target;

/// What names a raw token given beside a cloud, in `doctor` and errors.
const RAW_TOKEN: &str = "--token (or SDCONFORM_TOKEN, OS_AUTH_TOKEN)";

/// A run against a cloud: resolved, then connected.
pub(super) struct CloudRun {
    /// The cloud; `None` for `--list`, which resolves and sends nothing.
    config: Option<CloudConfig>,
    /// `--target`: overrides the catalog.
    target: Option<reqwest::Url>,
    /// Once connected.
    connection: Option<Connection>,
}

impl CloudRun {
    /// Resolves the cloud `choice` names (files and variables, no network); `None` for
    /// the other targets.
    pub(super) fn resolve(choice: &TargetChoice, listing: bool) -> Result<Option<CloudRun>, Error> {
        let TargetChoice::Cloud {
            request,
            target,
            token,
        } = choice
        else {
            return Ok(None);
        };
        let config = if listing {
            None
        } else {
            Some(cloud::resolve(
                request,
                &sources(token.as_ref().map(|t| &t.secret)),
            )?)
        };
        Ok(Some(CloudRun {
            config,
            target: target.clone(),
            connection: None,
        }))
    }

    /// The TLS settings: the command line's over the cloud's.
    pub(super) fn tls(&self, flags: &TlsOptions) -> TlsOptions {
        match &self.config {
            Some(config) => cloud::merged_tls(&config.tls, flags),
            None => flags.clone(),
        }
    }

    /// What turned certificate verification off, when the cloud did (`verify: false` at `file:line`).
    pub(super) fn insecure_source(&self, flags: &TlsOptions) -> Option<String> {
        let config = self.config.as_ref()?;
        let from = config.insecure_from.as_ref()?;
        (!flags.insecure).then(|| format!("verify: false ({from})"))
    }

    /// Every secret of the cloud's configuration (password, application credential
    /// secret, a token; used or not), named for the error that refuses one.
    pub(super) fn secrets(&self) -> Vec<(&'static str, Secret)> {
        self.config
            .iter()
            .flat_map(|c| c.secrets().into_iter().map(|(what, s)| (what, s.clone())))
            .collect()
    }

    /// Every token the identity service issued so far.
    pub(super) fn issued(&self) -> Vec<Secret> {
        self.connection
            .iter()
            .flat_map(|c| c.tokens.issued())
            .collect()
    }

    /// Authenticates and finds the endpoint; the target the run is pointed at.
    pub(super) fn connect(
        &mut self,
        runtime: &tokio::runtime::Runtime,
        client: &http::Client,
    ) -> Result<Target, Error> {
        let Some(config) = &self.config else {
            // `--list`: no request is sent, the target is never used.
            return Ok(Target {
                base: reqwest::Url::parse("http://cloud.invalid/")
                    .map_err(|e| Error::Usage(e.to_string()))?,
                project_id: String::new(),
                token: None,
                embedded: false,
                secrets: crate::secret::Secrets::new(),
                setup: None,
                tokens: None,
            });
        };
        for note in &config.notes {
            console::err(&format!("note: cloud {:?}: {note}", config.name));
        }
        let override_url = self.target.as_ref().map(reqwest::Url::as_str);
        let connection = runtime.block_on(cloud::connect(client, config, override_url))?;
        let first = runtime.block_on(connection.tokens.current());
        console::out(&format!(
            "cloud: {:?} ({} method), project {}, token expires {}; endpoint {} ({})",
            config.name,
            config.credentials.method(),
            connection.project_id,
            first.expires_at_text,
            connection.base,
            match &connection.endpoint {
                EndpointSource::Catalog(found) => format!(
                    "catalog: orchestration {} {}",
                    found.interface,
                    found.region.as_deref().unwrap_or("(no region)")
                ),
                EndpointSource::Override(_) => "override; the catalog is not read".to_owned(),
            }
        ));
        let target = Target {
            base: connection.base.clone(),
            project_id: connection.project_id.clone(),
            token: Some(first.value),
            embedded: false,
            secrets: crate::secret::Secrets::new(),
            setup: None,
            tokens: Some(connection.tokens.clone()),
        };
        self.connection = Some(connection);
        Ok(target)
    }

    /// What the report says of the identity service, once connected.
    pub(super) fn identity(&self) -> Option<IdentityInfo> {
        let config = self.config.as_ref()?;
        let connection = self.connection.as_ref()?;
        let tokens = &connection.tokens;
        let exchanges = connection
            .discovery
            .exchange
            .iter()
            .cloned()
            .chain(tokens.exchanges())
            .map(|e| IdentityExchange {
                method: e.method,
                url: e.url,
                status: e.status,
                elapsed_ms: u64::try_from(e.elapsed.as_millis()).unwrap_or(u64::MAX),
            })
            .collect();
        Some(IdentityInfo {
            cloud: config.name.clone(),
            method: config.credentials.method().to_owned(),
            endpoint: match connection.endpoint {
                EndpointSource::Catalog(_) => "catalog",
                EndpointSource::Override(_) => "override",
            }
            .to_owned(),
            tokens_issued: u32::try_from(tokens.issued().len()).unwrap_or(u32::MAX),
            renewals: tokens.renewals(),
            rejections: tokens.rejections(),
            exchanges,
        })
    }
}

/// The process's sources; a raw token comes before the cloud's credentials.
fn sources(token: Option<&Secret>) -> Sources {
    let mut sources = Sources::from_process();
    if let Some(token) = token {
        sources.use_token(token.clone(), RAW_TOKEN);
    }
    sources
}

/// `sdconform doctor`: each step on stdout, what to try under a failed one; the exit
/// code of the first failure (2: a setting here; 3: refused or unreachable).
pub(super) fn doctor(args: &DoctorArgs) -> Result<Exit, Error> {
    let config = DoctorConfig::from_args(args, args.common.token_with_fallback().map(|(t, _)| t))?;
    let options = cloud::DoctorOptions {
        limits: config.limits,
        tls: config.tls.clone(),
        target: config.target.clone(),
    };
    let request: &Request = &config.request;
    let sources = sources(config.token.as_ref());
    let steps = super::runtime()?.block_on(cloud::doctor(request, &sources, &options));
    for step in &steps {
        let mark = match step.outcome {
            StepOutcome::Ok => "ok  ",
            StepOutcome::Failed => "FAIL",
            StepOutcome::Skipped => "skip",
        };
        let mut lines = step.detail.lines();
        console::out(&format!(
            "{mark}  {:<15} {}",
            step.name,
            crate::model::text::inert(lines.next().unwrap_or_default())
        ));
        for line in lines {
            console::out(&format!("{:<21} {}", "", crate::model::text::inert(line)));
        }
        if let Some(hint) = &step.hint {
            console::out(&format!(
                "{:<21} try: {}",
                "",
                crate::model::text::inert(hint)
            ));
        }
    }
    let exit = cloud::exit_of(&steps);
    console::out(&format!(
        "doctor: {}",
        match exit {
            Exit::Conformant => "every step passed".to_owned(),
            other => format!("a step failed (exit {})", other.code()),
        }
    ));
    Ok(exit)
}
