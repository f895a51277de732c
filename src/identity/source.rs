//! A token that stays valid for as long as a run or a fuzz campaign lasts: the
//! [`TokenSource`] knows when its token expires and authenticates again before
//! that, a margin ahead ([`renewal_margin`]: a tenth of the token's lifetime, at
//! most five minutes), so a request never carries a token that expired on the
//! way. Cloned freely and used from many tasks at once: one renewal at a time,
//! the others wait for it and take its token.
//!
//! A `401` from the target to a token that should still be valid (revoked, or an
//! identity service that shortened its life) is no proof against the target
//! either: [`TokenSource::renew_after_rejection`] authenticates once more, and
//! the caller repeats the request before blaming anyone.
//!
//! Every token issued is kept ([`TokenSource::issued`]) so that the run's
//! redaction set holds all of them, not just the last.

use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::Mutex;

use super::auth::{Authenticated, authenticate};
use super::credentials::Credentials;
use super::error::IdentityError;
use super::token::Token;
use crate::http::{Client, ExchangeSummary};
use crate::secret::Secret;

/// Longest renewal margin.
pub const MAX_RENEWAL_MARGIN: Duration = Duration::from_secs(300);

/// How long before expiry a token of this lifetime is renewed: a tenth of it,
/// at most [`MAX_RENEWAL_MARGIN`] (an hour's token: five minutes; a ten-second one: one).
pub fn renewal_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(MAX_RENEWAL_MARGIN)
}

/// When a token received at `received` (local clock) with `lifetime` left must be renewed.
pub fn renew_at(received: Instant, lifetime: Duration) -> Instant {
    let keep = lifetime.saturating_sub(renewal_margin(lifetime));
    received.checked_add(keep).unwrap_or(received)
}

/// A token the source was issued, and when it expires.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The token.
    pub token: Secret,
    /// Its `expires_at`, by the identity service's clock.
    pub expires_at: SystemTime,
    /// A local instant by which it has expired whatever the local wall clock says: when
    /// it was received plus its lifetime (`expires_at - issued_at`, the service's clock).
    pub expired_by: Instant,
    /// Its lifetime.
    pub lifetime: Duration,
}

/// A project-scoped token, renewed before it expires.
#[derive(Debug, Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: Client,
    v3: reqwest::Url,
    credentials: Credentials,
    current: Mutex<Current>,
    log: StdMutex<Log>,
}

#[derive(Debug)]
struct Current {
    token: Token,
    renew_at: Instant,
}

#[derive(Debug, Default)]
struct Log {
    /// Every token issued.
    issued: Vec<Issued>,
    exchanges: Vec<ExchangeSummary>,
    renewals: u32,
    /// 401s from the target to a token of this source, reported by callers.
    rejections: u32,
}

impl TokenSource {
    /// Authenticates once with `credentials` at the v3 API `v3`; the token must be
    /// scoped to a project.
    pub async fn start(
        client: Client,
        v3: reqwest::Url,
        credentials: Credentials,
    ) -> Result<TokenSource, IdentityError> {
        let mut log = Log::default();
        let current = fetch(&client, &v3, &credentials, &mut log).await?;
        Ok(TokenSource {
            inner: Arc::new(Inner {
                client,
                v3,
                credentials,
                current: Mutex::new(current),
                log: StdMutex::new(log),
            }),
        })
    }

    /// A token valid for at least the renewal margin: the current one, or a new one.
    pub async fn token(&self) -> Result<Secret, IdentityError> {
        let mut current = self.inner.current.lock().await;
        if Instant::now() >= current.renew_at {
            *current = self.renew().await?;
        }
        Ok(current.token.value.clone())
    }

    /// After the target refused `rejected` with a 401: a new token, unless another
    /// task already replaced `rejected` (then that one). The caller repeats its request
    /// with it before blaming the target.
    pub async fn renew_after_rejection(&self, rejected: &Secret) -> Result<Secret, IdentityError> {
        let mut current = self.inner.current.lock().await;
        self.log().rejections += 1;
        if current.token.value == *rejected {
            *current = self.renew().await?;
        }
        Ok(current.token.value.clone())
    }

    /// The current token (its project, expiry and catalog).
    pub async fn current(&self) -> Token {
        self.inner.current.lock().await.token.clone()
    }

    /// Every token issued so far, for the redaction set.
    pub fn issued(&self) -> Vec<Secret> {
        self.log().issued.iter().map(|i| i.token.clone()).collect()
    }

    /// The first token issued: the one a long run sees expire first, to check that the
    /// target refuses it then.
    pub fn first_issued(&self) -> Option<Issued> {
        self.log().issued.first().cloned()
    }

    /// Every identity exchange so far (method, URL, status, timing).
    pub fn exchanges(&self) -> Vec<ExchangeSummary> {
        self.log().exchanges.clone()
    }

    /// How many times the token was renewed after the first.
    pub fn renewals(&self) -> u32 {
        self.log().renewals
    }

    /// How many times a caller reported a 401 to one of its tokens
    /// ([`TokenSource::renew_after_rejection`]).
    pub fn rejections(&self) -> u32 {
        self.log().rejections
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        // A panic while holding the log leaves plain data behind: keep using it.
        self.inner
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn renew(&self) -> Result<Current, IdentityError> {
        let mut log = Log::default();
        let result = fetch(
            &self.inner.client,
            &self.inner.v3,
            &self.inner.credentials,
            &mut log,
        )
        .await;
        let mut shared = self.log();
        shared.issued.append(&mut log.issued);
        shared.exchanges.append(&mut log.exchanges);
        if result.is_ok() {
            shared.renewals += 1;
        }
        result
    }
}

/// One authentication, logged; the token must be project-scoped.
async fn fetch(
    client: &Client,
    v3: &reqwest::Url,
    credentials: &Credentials,
    log: &mut Log,
) -> Result<Current, IdentityError> {
    let received = Instant::now();
    match authenticate(client, v3, credentials).await {
        Ok(Authenticated { token, exchanges }) => {
            log.exchanges.extend(exchanges);
            let lifetime = token.lifetime();
            log.issued.push(Issued {
                token: token.value.clone(),
                expires_at: token.expires_at,
                expired_by: received.checked_add(lifetime).unwrap_or(received),
                lifetime,
            });
            if token.project.is_none() {
                return Err(IdentityError::Unscoped);
            }
            // By the service's own clock (issued_at to expires_at), so a skewed
            // local clock neither renews too late nor on every request.
            Ok(Current {
                renew_at: renew_at(received, token.lifetime()),
                token,
            })
        }
        Err(refusal) => {
            log.exchanges.extend(refusal.exchanges);
            Err(refusal.error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_is_a_tenth_of_the_lifetime_at_most_five_minutes() {
        let table = [
            (Duration::from_secs(3600), Duration::from_secs(300)),
            (Duration::from_secs(86_400), Duration::from_secs(300)),
            (Duration::from_secs(600), Duration::from_secs(60)),
            (Duration::from_secs(10), Duration::from_secs(1)),
            (Duration::ZERO, Duration::ZERO),
        ];
        for (lifetime, margin) in table {
            assert_eq!(renewal_margin(lifetime), margin, "{lifetime:?}");
        }
        let now = Instant::now();
        assert_eq!(
            renew_at(now, Duration::from_secs(3600)),
            now + Duration::from_secs(3300)
        );
        assert_eq!(renew_at(now, Duration::ZERO), now);
    }
}
