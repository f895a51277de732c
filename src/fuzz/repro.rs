//! The one-line `curl` command that reproduces a fuzz finding.
//!
//! The URL is the one sent, query and all, without its `user:password@`, single-quoted for a
//! POSIX shell; `-g` keeps curl from reading `[]{}` as globs; `-w` prints the status code after
//! the body (the finding is often about the status). The token is never its value: the command
//! names the environment variable it came from (`$OS_AUTH_TOKEN`), or a neutral `$TOKEN` with a
//! comment that says what to set it to when it came from `--token`, so the command can be pasted
//! into a report, a ticket or a chat:
//!
//! ```
//! use sdconform::fuzz::repro;
//! use sdconform::secret::TokenSource;
//!
//! let url = "http://127.0.0.1:8004/v1/p/software_deployments?server_id=%27";
//! assert_eq!(
//!     repro::curl(url, Some(&TokenSource::Env("OS_AUTH_TOKEN".into()))),
//!     "curl -sS -g -H \"X-Auth-Token: $OS_AUTH_TOKEN\" -w '\\nHTTP %{http_code}\\n' 'http://127.0.0.1:8004/v1/p/software_deployments?server_id=%27'"
//! );
//! assert!(repro::curl(url, Some(&TokenSource::Flag)).ends_with(
//!     "'  # set TOKEN to the token given with --token"
//! ));
//! assert_eq!(repro::shell_quote("it's"), "'it'\\''s'");
//! ```

use crate::http;
use crate::secret::TokenSource;

/// The neutral variable a command names when the token came from no variable.
pub const TOKEN_VARIABLE: &str = "TOKEN";

/// The variable a command names for the `user:password` of a target URL.
pub const USERINFO_VARIABLE: &str = "TARGET_USERINFO";

/// What `-w` prints after the body: the status code on a line of its own.
const STATUS: &str = "-w '\\nHTTP %{http_code}\\n'";

/// `curl` for `url`, with `X-Auth-Token` read from where `token` came from when the run
/// sent one (`None`: it sent none).
pub fn curl(url: &str, token: Option<&TokenSource>) -> String {
    let mut options = String::new();
    let mut set = Vec::new();
    let url = match reqwest::Url::parse(url) {
        Ok(parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            options.push_str(&format!("-u \"${USERINFO_VARIABLE}\" "));
            set.push(format!(
                "set {USERINFO_VARIABLE} to the user:password of --target"
            ));
            http::without_userinfo(&parsed)
        }
        _ => url.to_owned(),
    };
    if let Some(source) = token {
        let variable = match source {
            TokenSource::Env(name) if is_shell_name(name) => name.as_str(),
            TokenSource::Env(_) | TokenSource::Flag => {
                set.push(format!(
                    "set {TOKEN_VARIABLE} to the token given with --token"
                ));
                TOKEN_VARIABLE
            }
            TokenSource::Embedded => {
                set.push(format!(
                    "set {TOKEN_VARIABLE} to the embedded reference target's token"
                ));
                TOKEN_VARIABLE
            }
        };
        options.push_str(&format!("-H \"X-Auth-Token: ${variable}\" "));
    }
    let mut command = format!("curl -sS -g {options}{STATUS} {}", shell_quote(&url));
    if !set.is_empty() {
        command.push_str("  # ");
        command.push_str(&set.join("; "));
    }
    command
}

/// Whether `name` can follow a `$` in a POSIX shell as a whole variable name.
fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `text` as one single-quoted POSIX shell word.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_quote_and_never_hold_a_token() {
        assert_eq!(
            curl("http://h/x?a=%27", None),
            "curl -sS -g -w '\\nHTTP %{http_code}\\n' 'http://h/x?a=%27'"
        );
        assert_eq!(shell_quote("a'b'"), "'a'\\''b'\\'''");
    }

    /// Issue 10 item 8: the command names the variable the token came from, or `$TOKEN`
    /// with a comment, and shows the status code.
    #[test]
    fn the_token_is_named_by_where_it_came_from() {
        let env = |name: &str| TokenSource::Env(name.to_owned());
        let url = "http://h/v1/p/software_deployments?server_id=x";
        let os = curl(url, Some(&env("OS_AUTH_TOKEN")));
        assert!(os.contains("-H \"X-Auth-Token: $OS_AUTH_TOKEN\" "), "{os}");
        assert!(!os.contains('#'), "nothing to explain: {os}");
        let sd = curl(url, Some(&env("SDCONFORM_TOKEN")));
        assert!(sd.contains("$SDCONFORM_TOKEN\""), "{sd}");
        for source in [TokenSource::Flag, env("not a name"), TokenSource::Embedded] {
            let command = curl(url, Some(&source));
            assert!(
                command.contains("-H \"X-Auth-Token: $TOKEN\" "),
                "{command}"
            );
            assert!(command.contains("  # set TOKEN to the "), "{command}");
        }
        for command in [os, sd] {
            assert!(command.contains("%{http_code}"), "{command}");
        }
    }

    /// Issue 10 item 6: a target URL's `user:password@` is never in the command.
    #[test]
    fn the_userinfo_of_the_target_is_a_variable_too() {
        let command = curl(
            "http://admin:hunter2@h:8004/v1/p/software_deployments?server_id=x",
            Some(&TokenSource::Flag),
        );
        assert!(
            !command.contains("hunter2") && !command.contains("admin"),
            "{command}"
        );
        assert!(
            command.contains("-u \"$TARGET_USERINFO\" ")
                && command.contains("'http://h:8004/v1/p/software_deployments?server_id=x'")
                && command.ends_with(
                    "# set TARGET_USERINFO to the user:password of --target; set TOKEN to the token given with --token"
                ),
            "{command}"
        );
    }
}
