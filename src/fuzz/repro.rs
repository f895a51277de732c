//! The one-line `curl` command that reproduces a fuzz finding.
//!
//! The URL is the one sent, query and all, single-quoted for a POSIX shell; `-g` keeps curl
//! from reading `[]{}` as globs; the token is `$SDCONFORM_TOKEN`, never its value, so the
//! command can be pasted into a report, a ticket or a chat:
//!
//! ```
//! use sdconform::fuzz::repro;
//!
//! let url = "http://127.0.0.1:8004/v1/p/software_deployments?server_id=%27";
//! assert_eq!(
//!     repro::curl(url, true),
//!     "curl -sS -g -H \"X-Auth-Token: $SDCONFORM_TOKEN\" 'http://127.0.0.1:8004/v1/p/software_deployments?server_id=%27'"
//! );
//! assert_eq!(repro::shell_quote("it's"), "'it'\\''s'");
//! ```

/// The environment variable the command reads the token from.
pub const TOKEN_VARIABLE: &str = "SDCONFORM_TOKEN";

/// `curl` for `url`, with `X-Auth-Token: $SDCONFORM_TOKEN` when the run sent a token.
pub fn curl(url: &str, authenticated: bool) -> String {
    let header = if authenticated {
        format!("-H \"X-Auth-Token: ${TOKEN_VARIABLE}\" ")
    } else {
        String::new()
    };
    format!("curl -sS -g {header}{}", shell_quote(url))
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
            curl("http://h/x?a=%27", false),
            "curl -sS -g 'http://h/x?a=%27'"
        );
        assert_eq!(shell_quote("a'b'"), "'a'\\''b'\\'''");
        assert!(curl("http://h/", true).contains("$SDCONFORM_TOKEN"));
    }
}
