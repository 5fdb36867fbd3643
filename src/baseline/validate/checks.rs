//! The collector every check reports to, and the reading of one section into its raw type: every
//! unknown key reported, and serde's errors said in the baseline's terms.

use std::ops::Range;

use serde::de::{DeserializeOwned, IntoDeserializer};
use toml::Spanned;
use toml::de::DeValue;

use super::super::diagnostic::{Diagnostic, closest, suggest};
use super::super::raw::RawFindingAlerts;
use super::sections::{Declared, Written};

pub(super) struct Checks<'p> {
    pub(super) problems: &'p mut Vec<Diagnostic>,
    /// Where the document starts: the place of a problem that has none of its own, such as a
    /// missing section.
    pub(super) document_start: usize,
    /// Once `[scope]` is read: the home region, where named keys must be.
    pub(super) home_region: Option<String>,
}

impl Checks<'_> {
    pub(super) fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.problems
            .push(Diagnostic::new(span, message).hint(hint.into()));
    }

    /// Deserializes one section. Unknown keys are reported (all of them) and set aside first,
    /// so that the first type error, if any, is reported too.
    pub(super) fn section<T: DeserializeOwned>(
        &mut self,
        name: &str,
        mut value: Spanned<DeValue<'_>>,
    ) -> Option<T> {
        let accepted = serde_aux::serde_introspection::serde_introspect::<T>();
        if let DeValue::Table(table) = value.get_mut() {
            for (key, entry) in std::mem::take(table) {
                if accepted.contains(&key.get_ref().as_ref()) {
                    table.insert(key, entry);
                } else {
                    let hint = match belongs_in_subtable(name, key.get_ref()) {
                        Some(hint) => hint,
                        None => suggest(key.get_ref(), accepted.iter().copied()),
                    };
                    self.problems.push(
                        Diagnostic::new(
                            key.span(),
                            format!("unknown key `{name}.{}`", key.get_ref()),
                        )
                        .hint(hint),
                    );
                }
            }
        }
        let span = value.span();
        let mut keys = Vec::new();
        key_paths(name, value.get_ref(), &mut keys);
        match T::deserialize(value.into_deserializer()) {
            Ok(section) => Some(section),
            Err(error) => {
                let error: toml::de::Error = error;
                self.problems.push(deserialize_problem(
                    name,
                    error.message(),
                    error.span().unwrap_or(span),
                    &keys,
                ));
                None
            }
        }
    }

    /// Reads a section the document may leave out: `None` when it does, else where it is written
    /// and what `check` makes of it.
    pub(super) fn declared<R: DeserializeOwned, T>(
        &mut self,
        written: Written<'_>,
        check: impl FnOnce(&mut Self, R) -> Option<T>,
    ) -> Option<Declared<T>> {
        let value = written.value?;
        let span = value.span();
        let value = self
            .section::<R>(written.name, value)
            .and_then(|raw| check(self, raw));
        Some(Declared { span, value })
    }
}

/// For a key unknown in a section that is (nearly) a key of one of its tables, such as
/// `min_severity` written under [guardduty] rather than [guardduty.finding_alerts]: where it goes.
fn belongs_in_subtable(section: &str, key: &str) -> Option<String> {
    let subtables: &[(&str, &str, &[&str])] = &[(
        "guardduty",
        "finding_alerts",
        serde_aux::serde_introspection::serde_introspect::<RawFindingAlerts>(),
    )];
    subtables
        .iter()
        .filter(|(of, _, _)| *of == section)
        .find_map(|(_, table, fields)| {
            let (score, field) = closest(key, fields.iter().copied())?;
            (score > 0.85).then(|| format!("`{field}` belongs in [{section}.{table}]"))
        })
}

/// Every key of a section with its dotted path and the span of its value, for naming the key
/// that a deserialization error (which knows only a span) is about.
fn key_paths(path: &str, value: &DeValue<'_>, into: &mut Vec<KeyPath>) {
    let DeValue::Table(table) = value else {
        return;
    };
    for (key, entry) in table {
        let dotted = format!("{path}.{}", key.get_ref());
        key_paths(&dotted, entry.get_ref(), into);
        into.push(KeyPath {
            path: dotted,
            key: key.span(),
            value: entry.span(),
        });
    }
}

struct KeyPath {
    path: String,
    key: Range<usize>,
    value: Range<usize>,
}

/// serde's wording of a deserialization error, said in the baseline's terms. serde reports an
/// unknown field and a wrong type only as text, so the text is what is read here.
fn deserialize_problem(
    section: &str,
    message: &str,
    span: Range<usize>,
    keys: &[KeyPath],
) -> Diagnostic {
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once('`')
        && let Some(key) = keys.iter().find(|key| key.key == span)
    {
        // `expected `a` or `b``, `expected one of `a`, `b``: the names are the quoted words.
        let accepted: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let table = key
            .path
            .rsplit_once('.')
            .map_or(section, |(table, _)| table);
        let hint = match accepted.is_empty() {
            true => format!("[{table}] takes no keys"),
            false => suggest(field, accepted),
        };
        return Diagnostic::new(span, format!("unknown key `{}`", key.path)).hint(hint);
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.rsplit_once(", expected ")
    {
        let place = keys.iter().find(|key| key.value == span).map_or_else(
            || format!("in [{section}]"),
            |key| format!("`{}`", key.path),
        );
        let number = matches!(
            expected,
            "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64"
        );
        let expected = if number { "a number" } else { expected };
        let quoted = found
            .strip_prefix("string \"")
            .and_then(|text| text.strip_suffix('"'));
        let unquote = match quoted {
            Some(text) if number && text.trim().parse::<f64>().is_ok() => Some(text.trim()),
            Some(text) if expected == "a boolean" && matches!(text, "true" | "false") => Some(text),
            _ => None,
        };
        let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let mut text = format!("{place}: expected {expected}, found {article} {found}");
        if let Some(value) = unquote {
            text.push_str(&format!("; write {value} without quotes"));
        }
        return Diagnostic::new(span, text);
    }
    Diagnostic::new(span, format!("in [{section}]: {}", message.trim_end()))
}
