//! Proxies from the environment, where an empty variable is unset.
//!
//! reqwest (through hyper-util) takes the first of `HTTPS_PROXY`/`https_proxy`
//! that is set, even when it is empty, so a CI job that exports an empty
//! `HTTPS_PROXY` (a masked or unset secret) silently hides a good
//! `https_proxy`. The client therefore reads the variables itself, with the
//! usual names and order, skips empty ones, and gives reqwest the proxies
//! explicitly (issue 10 item 8: an empty variable is unset).
//!
//! ```text
//! HTTPS_PROXY=  https_proxy=http://proxy:3128  → https via http://proxy:3128
//! ```
//!
//! As curl and hyper-util do, `HTTP_PROXY` (upper case) is ignored when
//! `REQUEST_METHOD` is set (a CGI environment, where any client can set it).

/// The proxy settings the environment gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// For http targets.
    pub http: Option<String>,
    /// For https targets.
    pub https: Option<String>,
    /// For both, after the two above.
    pub all: Option<String>,
    /// Hosts to reach directly (`NO_PROXY` syntax).
    pub no: Option<String>,
}

impl ProxyEnv {
    /// Reads the variables through `var` (the process environment in use).
    pub fn read(var: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let first = |names: &[&str]| {
            names
                .iter()
                .filter_map(|name| var(name))
                .find(|value| !value.trim().is_empty())
        };
        let cgi = var("REQUEST_METHOD").is_some();
        let http_names: &[&str] = if cgi {
            &["http_proxy"]
        } else {
            &["HTTP_PROXY", "http_proxy"]
        };
        ProxyEnv {
            http: first(http_names),
            https: first(&["HTTPS_PROXY", "https_proxy"]),
            all: first(&["ALL_PROXY", "all_proxy"]),
            no: first(&["NO_PROXY", "no_proxy"]),
        }
    }

    /// `builder` with exactly these proxies (and no other environment look-up).
    pub fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, reqwest::Error> {
        let mut builder = builder.no_proxy();
        let no = || self.no.as_deref().and_then(reqwest::NoProxy::from_string);
        if let Some(url) = &self.http {
            builder = builder.proxy(reqwest::Proxy::http(url)?.no_proxy(no()));
        }
        if let Some(url) = &self.https {
            builder = builder.proxy(reqwest::Proxy::https(url)?.no_proxy(no()));
        }
        if let Some(url) = &self.all {
            builder = builder.proxy(reqwest::Proxy::all(url)?.no_proxy(no()));
        }
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        ProxyEnv::read(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn an_empty_variable_is_unset() {
        let table: &[(&[(&str, &str)], ProxyEnv)] = &[
            (
                &[("HTTPS_PROXY", ""), ("https_proxy", "http://p:3128")],
                ProxyEnv {
                    https: Some("http://p:3128".into()),
                    ..ProxyEnv::default()
                },
            ),
            (
                &[("HTTP_PROXY", " "), ("http_proxy", "http://q:8080")],
                ProxyEnv {
                    http: Some("http://q:8080".into()),
                    ..ProxyEnv::default()
                },
            ),
            (
                &[
                    ("ALL_PROXY", ""),
                    ("NO_PROXY", ""),
                    ("no_proxy", "localhost"),
                ],
                ProxyEnv {
                    no: Some("localhost".into()),
                    ..ProxyEnv::default()
                },
            ),
            (
                &[("HTTP_PROXY", "http://a:1"), ("http_proxy", "http://b:2")],
                ProxyEnv {
                    http: Some("http://a:1".into()),
                    ..ProxyEnv::default()
                },
            ),
            // A CGI environment: HTTP_PROXY may come from a client's `Proxy:` header.
            (
                &[("REQUEST_METHOD", "GET"), ("HTTP_PROXY", "http://evil:1")],
                ProxyEnv::default(),
            ),
        ];
        for (vars, want) in table {
            assert_eq!(&env(vars), want, "{vars:?}");
        }
    }

    #[test]
    fn a_proxy_that_is_not_a_url_is_an_error() {
        let bad = env(&[("https_proxy", "::not a url::")]);
        assert!(bad.apply(reqwest::Client::builder()).is_err());
        let good = env(&[("https_proxy", "http://p:3128"), ("no_proxy", "a,b")]);
        assert!(good.apply(reqwest::Client::builder()).is_ok());
    }
}
