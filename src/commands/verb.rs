//! What a run that changes accounts does: apply a baseline, or destroy what watchpost made.
//! Its words in messages, progress and prompts come from here, so no code tests a string.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verb {
    Apply,
    Destroy,
}

impl Verb {
    fn as_str(self) -> &'static str {
        match self {
            Verb::Apply => "apply",
            Verb::Destroy => "destroy",
        }
    }

    /// At the start of a sentence: "Apply complete ...".
    pub fn capitalized(self) -> &'static str {
        match self {
            Verb::Apply => "Apply",
            Verb::Destroy => "Destroy",
        }
    }

    /// What the progress display says an account's changes are doing.
    pub fn in_progress(self) -> &'static str {
        match self {
            Verb::Apply => "changing",
            Verb::Destroy => "destroying in",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
