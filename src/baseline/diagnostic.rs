//! Baseline errors that point at the file, line and column, rendered like a compiler's.

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::NoColor};

/// One problem in the baseline: where, what, and what is accepted instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Every problem found in one baseline file.
#[derive(Debug)]
pub struct BaselineErrors {
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for BaselineErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = SimpleFile::new(&self.path, &self.source);
        let config = term::Config::default();
        let mut out = NoColor::new(Vec::new());
        for diagnostic in &self.diagnostics {
            let end = diagnostic.span.end.min(self.source.len());
            let start = diagnostic.span.start.min(end);
            let mut report = Report::error()
                .with_message(&diagnostic.message)
                .with_labels(vec![Label::primary((), start..end)]);
            if let Some(hint) = &diagnostic.hint {
                report = report.with_notes(vec![format!("hint: {hint}")]);
            }
            term::emit(&mut out, &config, &file, &report).map_err(|_| std::fmt::Error)?;
        }
        let count = self.diagnostics.len();
        let plural = if count == 1 { "" } else { "s" };
        f.write_str(&String::from_utf8_lossy(&out.into_inner()))?;
        write!(f, "{count} problem{plural} in {}", self.path)
    }
}

impl std::error::Error for BaselineErrors {}

/// "did you mean ...?" for a misspelt name, or the full list of accepted names.
pub fn suggest<'a>(given: &str, accepted: impl IntoIterator<Item = &'a str>) -> String {
    let accepted: Vec<&str> = accepted.into_iter().collect();
    let close = closest(given, accepted.iter().copied()).filter(|(score, _)| *score > 0.85);
    match close {
        Some((_, candidate)) => format!("did you mean \"{candidate}\"?"),
        None => format!("accepted: {}", accepted.join(", ")),
    }
}

/// The accepted name nearest to `given`, with its Jaro-Winkler similarity (1.0 is equal).
pub fn closest<'a>(
    given: &str,
    accepted: impl IntoIterator<Item = &'a str>,
) -> Option<(f64, &'a str)> {
    accepted
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(given, candidate), candidate))
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// `line:col` of a byte offset, both counted from 1 as editors and codespan count them.
pub fn line_col(source: &str, offset: usize) -> String {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    format!("{line}:{col}")
}
