//! From a resolved [`CloudConfig`] to what a run needs: a token source scoped to
//! the project, the project id, and the base URL of the orchestration endpoint
//! (the catalog's, or an override: `--target`, `orchestration_endpoint_override`).
//!
//! Credentials go only to the identity endpoint; the target gets only tokens.

use super::resolve::CloudConfig;
use crate::http::Client;
use crate::http::tls::TlsOptions;
use crate::identity::{
    self, Discovery, IdentityError, Orchestration, Token, TokenSource, base_url,
};

/// Where the orchestration endpoint came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointSource {
    /// The token's catalog.
    Catalog(Orchestration),
    /// `--target` or `orchestration_endpoint_override` (the catalog is not read).
    Override(String),
}

/// A cloud, authenticated.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Tokens for the project, renewed before they expire.
    pub tokens: TokenSource,
    /// The project id the token is scoped to: what goes into `/v1/{project_id}/...`.
    pub project_id: String,
    /// The base URL requests are built on (`/v1/{project_id}/software_deployments` is added).
    pub base: reqwest::Url,
    /// Where it came from.
    pub endpoint: EndpointSource,
    /// Where the identity v3 API was found.
    pub discovery: Discovery,
}

/// Authenticates to `cloud` through `client` and finds the orchestration endpoint;
/// `target` (`--target`) overrides the catalog, as `orchestration_endpoint_override` does.
pub async fn connect(
    client: &Client,
    cloud: &CloudConfig,
    target: Option<&str>,
) -> Result<Connection, IdentityError> {
    let discovery = identity::discover(client, &cloud.auth_url).await?;
    let tokens = TokenSource::start(
        client.clone(),
        discovery.v3.clone(),
        cloud.credentials.clone(),
    )
    .await?;
    let token = tokens.current().await;
    let (project_id, base, endpoint) = endpoint_of(&token, cloud, target)?;
    Ok(Connection {
        tokens,
        project_id,
        base,
        endpoint,
        discovery,
    })
}

/// The project and the endpoint for `token`.
pub fn endpoint_of(
    token: &Token,
    cloud: &CloudConfig,
    target: Option<&str>,
) -> Result<(String, reqwest::Url, EndpointSource), IdentityError> {
    let project_id = token
        .project
        .as_ref()
        .map(|p| p.id.clone())
        .ok_or(IdentityError::Unscoped)?;
    let overridden = target
        .map(str::to_owned)
        .or_else(|| cloud.endpoint_override.clone());
    if let Some(url) = overridden {
        let substituted = identity::substitute(&url, &project_id);
        let base = base_url(&substituted, &project_id)?;
        return Ok((project_id, base, EndpointSource::Override(url)));
    }
    let found = identity::orchestration(
        &token.catalog,
        &cloud.interface,
        cloud.region.as_deref(),
        &project_id,
    )?;
    Ok((
        project_id,
        found.base.clone(),
        EndpointSource::Catalog(found),
    ))
}

/// The TLS settings of a run: the command line's (`--cacert`; `--client-cert` with
/// `--client-key`) over the cloud's; insecure when either says so.
pub fn merged_tls(cloud: &TlsOptions, flags: &TlsOptions) -> TlsOptions {
    // A client certificate and its key come as a pair, from one place.
    let pair = if flags.client_cert.is_some() || flags.client_key.is_some() {
        flags
    } else {
        cloud
    };
    TlsOptions {
        cacert: flags.cacert.clone().or_else(|| cloud.cacert.clone()),
        client_cert: pair.client_cert.clone(),
        client_key: pair.client_key.clone(),
        insecure: flags.insecure || cloud.insecure,
    }
}
