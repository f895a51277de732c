//! The preflight: one request before the suite (and before `fuzz`), the unfiltered
//! list with the run's token, that tells a setup mistake from a contract finding
//! (issue 10 item 10).
//!
//! A wrong or missing token, a wrong project id, or a catalog URL given as the
//! base (`.../v1/<project>`) would otherwise make every case fail with
//! `SD-CODE-200 expected 200, got 401/404`: findings against a target whose only
//! fault is the harness's configuration. Instead the run stops before any case,
//! with one run-wide error and a hint (exit 3, never a clause):
//!
//! ```text
//! error in preflight: the target refuses our credentials: GET http://h/v1/p/software_deployments answered 401 to the run's token; check the token and where it came from (...)
//! ```
//!
//! Where the decision is made ([`decide`]) is pure and table-tested; [`preflight`]
//! sends the request through `http`. A status the suite can judge (200, 400, a
//! 5xx, an undocumented code) goes on to the suite: those are the target's
//! answers, not setup mistakes. A request that gets no answer at all stops the
//! run too, with one message instead of one per case.

use crate::http::{self, Auth};
use crate::model::{CaseResult, Outcome};

use super::{Target, response_record};

/// The id of the preflight's case result, when it stops the run.
pub const CASE_ID: &str = "preflight";

const TITLE: &str = "Before the suite: the target takes the run's token and has the project (a setup check, no clause)";
const SOURCE: &str = "built-in (src/runner/preflight.rs)";

/// Where the token comes from, as the hint names it.
const TOKEN_SOURCES: &str = "--token, else SDCONFORM_TOKEN, else OS_AUTH_TOKEN";

/// What the preflight's answer means for the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Run the suite: the target took the token and has the project, or answered
    /// something the suite judges (a 5xx, 400 or undocumented code is a finding).
    Proceed,
    /// Stop before any case: a setup mistake, said with a hint.
    Stop(String),
}

/// What the preflight asked: the URL (without credentials), and whether it sent a token.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// The URL of the unfiltered list, as shown to the user.
    pub url: &'a str,
    /// The target's base URL (`--target`).
    pub base: &'a reqwest::Url,
    /// `--project-id`.
    pub project_id: &'a str,
    /// Whether the request carried the run's token.
    pub authenticated: bool,
}

/// What the preflight's `status` means (pure).
pub fn decide(status: u16, asked: &Asked<'_>) -> Decision {
    let url = asked.url;
    let project = asked.project_id;
    match (status, asked.authenticated) {
        (401 | 403, false) => Decision::Stop(format!(
            "the target wants credentials: GET {url} answered {status} to a request without a token; pass one ({TOKEN_SOURCES})"
        )),
        (401, true) => Decision::Stop(format!(
            "the target refuses our credentials: GET {url} answered 401 to the run's token; check the token and where it came from ({TOKEN_SOURCES}): it may be expired, mistyped, or issued by another cloud's identity service"
        )),
        (403, true) => Decision::Stop(format!(
            "the target refuses our credentials on their own project: GET {url} answered 403 to the run's token; check the token and where it came from ({TOKEN_SOURCES}): it must be scoped to project {project}, with a role that may list its software deployments"
        )),
        (404, _) => Decision::Stop(match catalog_suffix(asked.base) {
            Some((suffix, base)) => format!(
                "this project or base URL does not exist: GET {url} answered 404; --target already ends in {suffix}: drop that suffix (--target {base}), sdconform adds /v1/{{project_id}}/software_deployments itself"
            ),
            None => format!(
                "this project or base URL does not exist: GET {url} answered 404; check --project-id ({project}) and that --target is the orchestration service's base URL"
            ),
        }),
        _ => Decision::Proceed,
    }
}

/// The `/v1/<something>` (or `/v1`) that ends `base`'s path, and `base` without it:
/// a service catalog's orchestration URL names the project already.
fn catalog_suffix(base: &reqwest::Url) -> Option<(String, String)> {
    let segments: Vec<&str> = base
        .path_segments()?
        .filter(|segment| !segment.is_empty())
        .collect();
    let cut = match segments.as_slice() {
        [.., "v1", _] => segments.len() - 2,
        [.., "v1"] => segments.len() - 1,
        _ => return None,
    };
    let suffix = format!("/{}", segments.get(cut..)?.join("/"));
    let mut trimmed = base.clone();
    trimmed.set_path(&segments.get(..cut)?.join("/"));
    Some((
        suffix,
        http::without_userinfo(&trimmed)
            .trim_end_matches('/')
            .to_owned(),
    ))
}

/// Sends the preflight request to `target`; `Ok` to run the suite, or the run-wide
/// error as a case result (`preflight`, outcome `error`) with what was sent and
/// what came back.
pub async fn preflight(client: &http::Client, target: &Target) -> Result<(), Box<CaseResult>> {
    let path = format!(
        "/v1/{}/software_deployments",
        http::encode(&target.project_id)
    );
    let stopped = |why: String| {
        Box::new(CaseResult::new(
            CASE_ID,
            TITLE,
            SOURCE.to_owned(),
            Outcome::Error(why),
        ))
    };
    let url =
        http::build_url(&target.base, &path, &[]).map_err(|e| stopped(format!("failed to {e}")))?;
    // A token the identity service issued is taken as the run's requests take it (and
    // renewed once after a 401); a raw token's 401 is the preflight's to read.
    let target = &super::bearer::at_send(target)
        .await
        .map_err(|e| stopped(format!("failed to {e}")))?;
    let prepared = http::Prepared {
        url,
        auth: target.token.clone().map_or(Auth::None, Auth::Token),
    };
    let shown = http::without_userinfo(&prepared.url);
    let sent = if target.tokens.is_some() {
        super::bearer::send(client, target, &prepared, true)
            .await
            .map(|sent| sent.exchange)
    } else {
        client.send(&prepared).await
    };
    let exchange = sent.map_err(|e| match e {
        // Interrupted (issue 10 item 2): said as a case that never ran, not as an error.
        http::HttpError::Stopped(_) => {
            let mut result = CaseResult::new(CASE_ID, TITLE, SOURCE.to_owned(), Outcome::Skipped);
            result.notes.push(super::ABANDONED.to_owned());
            Box::new(result)
        }
        e => stopped(format!(
            "the target could not be reached (GET {shown}): failed to {e}"
        )),
    })?;
    let asked = Asked {
        url: &shown,
        base: &target.base,
        project_id: &target.project_id,
        authenticated: target.token.is_some(),
    };
    match decide(exchange.status, &asked) {
        Decision::Proceed => Ok(()),
        Decision::Stop(why) => {
            let mut result = stopped(why);
            result.request = Some(exchange.request.clone());
            result.response = Some(response_record(&exchange));
            Err(result)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decided(status: u16, base: &str, authenticated: bool) -> Decision {
        let base = reqwest::Url::parse(base).unwrap_or_else(|e| panic!("{base}: {e}"));
        decide(
            status,
            &Asked {
                url: "http://h/v1/p/software_deployments",
                base: &base,
                project_id: "p",
                authenticated,
            },
        )
    }

    /// Issue 10 item 10: which answers are setup mistakes, and the hint each gets.
    #[test]
    fn setup_mistakes_stop_with_a_hint_and_the_targets_answers_go_on() {
        // (status, base URL, token sent, None: proceed | Some(fragments of the hint))
        let table: &[(u16, &str, bool, Option<&[&str]>)] = &[
            (200, "http://h:8004", true, None),
            (200, "http://h:8004", false, None),
            (400, "http://h:8004", true, None),
            (500, "http://h:8004", true, None),
            (503, "http://h:8004", true, None),
            (418, "http://h:8004", true, None),
            (302, "http://h:8004", true, None),
            (
                401,
                "http://h:8004",
                true,
                Some(&[
                    "refuses our credentials",
                    "check the token and where it came from",
                    "SDCONFORM_TOKEN",
                ]),
            ),
            (
                403,
                "http://h:8004",
                true,
                Some(&[
                    "refuses our credentials on their own project",
                    "scoped to project p",
                ]),
            ),
            (
                401,
                "http://h:8004",
                false,
                Some(&["without a token", "--token"]),
            ),
            (403, "http://h:8004", false, Some(&["without a token"])),
            (
                404,
                "http://h:8004",
                true,
                Some(&["does not exist", "check --project-id (p)"]),
            ),
            (
                404,
                "http://h:8004/orchestration",
                true,
                Some(&["check --project-id (p)"]),
            ),
            (
                404,
                "http://h:8004/v1/95d02433133a4c0a87ba6967474a2ad3",
                true,
                Some(&[
                    "--target already ends in /v1/95d02433133a4c0a87ba6967474a2ad3",
                    "drop that suffix (--target http://h:8004)",
                ]),
            ),
            (
                404,
                "https://cloud.example/heat-api/v1/abc/",
                false,
                Some(&[
                    "ends in /v1/abc",
                    "(--target https://cloud.example/heat-api)",
                ]),
            ),
            (
                404,
                "http://h:8004/v1",
                true,
                Some(&["ends in /v1:", "(--target http://h:8004)"]),
            ),
        ];
        for (status, base, token, want) in table {
            match (decided(*status, base, *token), want) {
                (Decision::Proceed, None) => {}
                (Decision::Stop(why), Some(fragments)) => {
                    for fragment in *fragments {
                        assert!(
                            why.contains(fragment),
                            "{status} {base}: {why:?} lacks {fragment:?}"
                        );
                    }
                }
                (other, _) => panic!("{status} {base} {token}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_suffix_is_never_shown_with_credentials() {
        let base =
            reqwest::Url::parse("http://admin:hunter2@h/v1/p").unwrap_or_else(|e| panic!("{e}"));
        let (suffix, trimmed) = catalog_suffix(&base).unwrap_or_default();
        assert_eq!((suffix.as_str(), trimmed.as_str()), ("/v1/p", "http://h"));
    }
}
