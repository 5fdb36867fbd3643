//! TOML syntax errors, said with what the parser knows but does not report.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::super::diagnostic::{Diagnostic, line_col};

/// A TOML syntax error; a duplicate key also names where the key was first written, which
/// the TOML parser knows but does not report.
pub(super) fn syntax_problem(
    source: &str,
    document: &DeTable<'_>,
    error: &toml::de::Error,
) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    if error.message() != "duplicate key" {
        return Diagnostic::new(span, error.message());
    }
    let written = source.get(span.clone()).unwrap_or_default();
    let name = written.trim_matches(|c| c == '"' || c == '\'');
    let message = format!("duplicate key `{name}`");
    match first_key_before(document, name, span.start) {
        Some(first) => Diagnostic::new(span, message).hint(format!(
            "`{name}` is first set at {}: keep one of the two",
            line_col(source, first.start)
        )),
        None => Diagnostic::new(span, message).hint("keep one of the two"),
    }
}

/// The place of the last key named `name` written before `offset`: the parser keeps the first
/// of two duplicates, and the nearest earlier key of that name is the one in the same table.
fn first_key_before(table: &DeTable<'_>, name: &str, offset: usize) -> Option<Range<usize>> {
    let mut found: Option<Range<usize>> = None;
    let mut consider = |span: Range<usize>| {
        if span.start < offset && found.as_ref().is_none_or(|f| f.start < span.start) {
            found = Some(span);
        }
    };
    for (key, value) in table {
        if key.get_ref() == name {
            consider(key.span());
        }
        let nested: Vec<&DeTable<'_>> = match value.get_ref() {
            DeValue::Table(inner) => vec![inner],
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| match item.get_ref() {
                    DeValue::Table(inner) => Some(inner),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for inner in nested {
            if let Some(span) = first_key_before(inner, name, offset) {
                consider(span);
            }
        }
    }
    found
}
