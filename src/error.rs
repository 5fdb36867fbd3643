//! Errors the user can act on: what went wrong, and apart from it what to do about it. The
//! hint is kept out of the message so that it is printed once, last, after every `caused by:`
//! line (as cargo and uv print theirs), and so that a message quoted elsewhere (a gap's reason,
//! another error's text) does not drag a hint into the middle of a sentence.

use std::fmt;

use crate::aws::AwsError;

/// An error with the fix: `message` says what went wrong, `hint` what the user can do.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Hinted {
    pub message: String,
    pub hint: String,
}

impl Hinted {
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Hinted {
        Hinted {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// The hint of the outermost error in `error`'s chain that has one.
pub fn hint(error: &anyhow::Error) -> Option<String> {
    error.chain().find_map(|cause| {
        if let Some(hinted) = cause.downcast_ref::<Hinted>() {
            return Some(hinted.hint.clone());
        }
        cause.downcast_ref::<AwsError>().and_then(AwsError::hint)
    })
}

/// `text`, then `hint` on a line of its own: an error where output has one string for it (a
/// JSON field, a failed change's line, the alert about a repair).
pub fn with_hint(text: impl fmt::Display, hint: Option<String>) -> String {
    match hint {
        Some(hint) => format!("{text}\nhint: {hint}"),
        None => text.to_string(),
    }
}

/// `error` and its causes on one line, as anyhow's `{:#}` gives them, then its hint.
pub fn explained(error: &anyhow::Error) -> String {
    with_hint(format_args!("{error:#}"), hint(error))
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn the_hint_is_found_under_context_and_said_after_the_causes() {
        let error = Err::<(), _>(Hinted::new("the lease lapsed", "run again"))
            .context("cannot apply in account 111111111111")
            .unwrap_err();
        assert_eq!(hint(&error).as_deref(), Some("run again"));
        assert_eq!(
            explained(&error),
            "cannot apply in account 111111111111: the lease lapsed\nhint: run again"
        );
        assert_eq!(explained(&anyhow::anyhow!("no hint here")), "no hint here");
    }
}
