//! Property tests of the loader: whatever the text, `parse` returns (no panic, within a bound on
//! time), gives the same answer twice, and every rejection is a list of problems (in file order
//! once the text is valid TOML), each with a message and a place inside the text that
//! `file:line:col` can be printed for.
//!
//! The inputs are arbitrary text, TOML-looking token soup, and (the most useful) the recommended
//! baseline mutated: lines deleted, duplicated, swapped, inserted, truncated, tokens dropped in,
//! values replaced by random strings, numbers, arrays and tables. A fixed number of cases keeps
//! the run bounded; failures are not persisted to files.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseError};
use toml::de::DeTable;

use super::parse;
use crate::baseline::Baseline;

const RECOMMENDED: &str = include_str!("../../../baseline.toml");

/// The longest one parse may take. It takes milliseconds in a debug build; the margin is for a
/// slow machine shared with other builds.
const PARSE_LIMIT: Duration = Duration::from_secs(2);

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Every key the baseline knows, for lines put in at random.
const KEYS: &[&str] = &[
    "regions",
    "home_region",
    "account_id",
    "ids",
    "organization",
    "exclude",
    "role_name",
    "external_id",
    "session_name",
    "finding_publishing_frequency",
    "features",
    "name",
    "encryption",
    "kms_key_id",
    "expire_after_days",
    "recorder_name",
    "delivery_channel_name",
    "s3_key_prefix",
    "snapshot_delivery_frequency",
    "rules",
    "log_group_name",
    "log_retention_days",
    "topic_name",
    "emails",
    "rule_name",
    "events",
    "metric_namespace",
    "threshold",
    "period_seconds",
    "evaluation_periods",
    "filters",
    "pattern",
    "description",
    "S3_DATA_EVENTS",
    "restricted-ssh",
    "root-account-use",
    "daysToExpiration",
];

const HEADERS: &[&str] = &[
    "[scope]",
    "[accounts]",
    "[guardduty]",
    "[guardduty.features]",
    "[log_bucket]",
    "[config]",
    "[config.rules]",
    "[cloudtrail]",
    "[alerts]",
    "[signin_notification]",
    "[alarms]",
    "[alarms.filters]",
    "[[alarms]]",
    "[unknown]",
    "[scope.regions]",
];

/// Strings that sit on the edge of some check.
const EDGE_STRINGS: &[&str] = &[
    "",
    " ",
    "all",
    "us-east-1",
    "cn-north-1",
    "us-gov-west-1",
    "123456789012",
    "SSE-KMS",
    "SSE-S3",
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:us-east-1:123456789012:alias/x",
    "arn:aws:kms:::key/",
    "alias/logs",
    "192.168.5.4",
    "xn--logs",
    "logs-s3alias",
    "aws/logs",
    "AWS/Logs",
    "a..b",
    "a//b",
    "/config",
    "AWSLogs",
    "security@example.com",
    "Name <a@example.com>",
    "a@[127.0.0.1]",
    "{ $.eventName = X }",
    "{ ($.a = \"}\") }",
    "{",
    "}",
    "\"",
    "\\",
    "\u{0}",
    "\u{7f}",
    "\t",
    "\r\n",
    "\u{feff}",
    "é",
    "💥",
    "\u{202e}",
];

/// Pieces of TOML and of the baseline's own words.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "=",
    " = ",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "{",
    "}",
    "{}",
    ",",
    ".",
    "#",
    "\\",
    "\\u",
    "\\U0010FFFF",
    "scope",
    "regions",
    "home_region",
    "\"all\"",
    "\"us-east-1\"",
    "accounts",
    "alarms",
    "filters",
    "config",
    "rules",
    "cloudtrail",
    "alerts",
    "emails",
    "log_bucket",
    "guardduty",
    "features",
    "signin_notification",
    "1",
    "-0",
    "+1",
    "1_000",
    "1e400",
    "nan",
    "-inf",
    "0x1F",
    "0o7",
    "0b1",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "true",
    "false",
    "é",
    "💥",
    "\u{0}",
    "\u{feff}",
];

/// A TOML string (any text, an edge case of some check, or a long run of one character),
/// quoted as TOML quotes it.
fn toml_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        select(EDGE_STRINGS).prop_map(str::to_owned),
        (
            0usize..1400,
            select(&['a', '-', '.', '/', '9', 'é', ' '][..])
        )
            .prop_map(|(length, c)| c.to_string().repeat(length)),
    ]
    .prop_map(|text| toml::Value::String(text).to_string())
}

/// A TOML integer, often one on the edge of a range the baseline checks.
fn toml_integer() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>(),
        -100i64..100_000,
        select(
            &[
                0, 1, 59, 60, 100, 101, 1024, 1025, 3600, 36_500, 36_501, 86_400, 604_800
            ][..]
        ),
    ]
    .prop_map(|n| n.to_string())
}

/// A TOML value, written as TOML: a number, a boolean, a string, an array or an inline table.
fn toml_value() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        toml_integer(),
        any::<f64>().prop_map(|f| toml::Value::Float(f).to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        toml_string(),
    ];
    scalar.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec((select(KEYS), inner), 0..3).prop_map(|entries| {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(key, value)| format!("{key} = {value}"))
                    .collect();
                format!("{{ {} }}", entries.join(", "))
            }),
        ]
    })
}

/// A line to insert: a key and value, a section header, or a random scrap of tokens.
fn toml_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (select(KEYS), toml_value()).prop_map(|(key, value)| format!("{key} = {value}")),
        1 => select(HEADERS).prop_map(str::to_owned),
        1 => token_soup(0..8),
    ]
}

fn token_soup(count: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(select(TOKENS), count).prop_map(|tokens| tokens.concat())
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Insert(Index, String),
    /// Puts a token at a place within a line.
    Token(Index, Index, &'static str),
    /// Gives the value of a `key = value` line another value, mostly of the same kind, so that
    /// the text gets past the types to the checks of the values themselves.
    Value(Index, Replacement),
    Truncate(Index),
}

#[derive(Debug, Clone)]
struct Replacement {
    same_kind: bool,
    string: String,
    integer: String,
    any: String,
}

impl Replacement {
    /// The value to put where `old` is.
    fn for_value(&self, old: &str) -> String {
        match old.trim_start().chars().next() {
            _ if !self.same_kind => self.any.clone(),
            Some('"' | '\'') => self.string.clone(),
            Some('[') => format!("[{}]", self.string),
            Some(c) if c.is_ascii_digit() || c == '-' => self.integer.clone(),
            _ => self.any.clone(),
        }
    }
}

fn replacement() -> impl Strategy<Value = Replacement> {
    (
        prop::bool::weighted(0.8),
        toml_string(),
        toml_integer(),
        toml_value(),
    )
        .prop_map(|(same_kind, string, integer, any)| Replacement {
            same_kind,
            string,
            integer,
            any,
        })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        2 => (any::<Index>(), toml_line()).prop_map(|(at, line)| Mutation::Insert(at, line)),
        2 => (any::<Index>(), any::<Index>(), select(TOKENS))
            .prop_map(|(line, at, token)| Mutation::Token(line, at, token)),
        6 => (any::<Index>(), replacement())
            .prop_map(|(line, value)| Mutation::Value(line, value)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// The recommended baseline with the mutations applied in turn.
fn mutate(mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = RECOMMENDED.lines().map(str::to_owned).collect();
    for mutation in mutations {
        let count = lines.len().max(1);
        match mutation {
            Mutation::Delete(at) if !lines.is_empty() => {
                lines.remove(at.index(count));
            }
            Mutation::Duplicate(at) if !lines.is_empty() => {
                let line = lines[at.index(count)].clone();
                lines.insert(at.index(count), line);
            }
            Mutation::Swap(a, b) if !lines.is_empty() => lines.swap(a.index(count), b.index(count)),
            Mutation::Insert(at, line) => lines.insert(at.index(lines.len() + 1), line.clone()),
            Mutation::Token(line, at, token) if !lines.is_empty() => {
                let line = &mut lines[line.index(count)];
                let boundaries: Vec<usize> = line
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([line.len()])
                    .collect();
                line.insert_str(boundaries[at.index(boundaries.len())], token);
            }
            Mutation::Value(line, value) if !lines.is_empty() => {
                let line = &mut lines[line.index(count)];
                if let Some(equals) = line.find('=') {
                    let value = value.for_value(&line[equals + 1..]);
                    line.replace_range(equals + 1.., &format!(" {value}"));
                }
            }
            Mutation::Truncate(at) => {
                let mut text = lines.join("\n");
                let mut cut = at.index(text.len() + 1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                lines = text.lines().map(str::to_owned).collect();
            }
            _ => {}
        }
    }
    lines.join("\n") + "\n"
}

/// Line and column (from 1, columns in characters) of a byte offset, as `file:line:col` shows it.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// What must hold whatever the input.
fn check(source: &str) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let outcome = parse(source);
    let took = started.elapsed();
    prop_assert!(took < PARSE_LIMIT, "parse took {took:?}");
    prop_assert_eq!(&outcome, &parse(source), "a second parse differs");
    let Err(problems) = outcome else {
        return Ok(());
    };
    prop_assert!(!problems.is_empty(), "rejected without a problem");
    for problem in &problems {
        let span = &problem.span;
        prop_assert!(!problem.message.trim().is_empty(), "{problem:?}");
        prop_assert!(
            problem
                .hint
                .as_ref()
                .is_none_or(|hint| !hint.trim().is_empty()),
            "{problem:?}"
        );
        prop_assert!(
            span.start <= span.end && span.end <= source.len(),
            "{problem:?} is outside the {} bytes of the source",
            source.len()
        );
        prop_assert!(
            source.is_char_boundary(span.start) && source.is_char_boundary(span.end),
            "{problem:?} cuts a character"
        );
    }
    // Syntax errors come in the order the TOML parser meets them, which is not always file
    // order (it reports a line's key after what follows it); every other problem is in order.
    if DeTable::parse_recoverable(source).1.is_empty() {
        prop_assert!(
            problems.is_sorted_by_key(|problem| problem.span.start),
            "problems out of file order: {problems:?}"
        );
    }
    let report = Baseline::parse("baseline.toml", source)
        .expect_err("rejected above")
        .to_string();
    for problem in &problems {
        let (line, column) = line_column(source, problem.span.start);
        let place = format!("baseline.toml:{line}:{column}");
        prop_assert!(report.contains(&place), "no {place} in:\n{report}");
    }
    let count = problems.len();
    let plural = if count == 1 { "" } else { "s" };
    let summary = format!("{count} problem{plural} in baseline.toml");
    prop_assert!(report.ends_with(&summary), "{report}");
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_text_gets_an_answer(source in any::<String>()) {
        check(&source)?;
    }

    #[test]
    fn any_bytes_read_as_text_get_an_answer(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        check(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn toml_token_soup_gets_an_answer(source in token_soup(0..80)) {
        check(&source)?;
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn a_mutated_recommended_baseline_gets_an_answer(
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        check(&mutate(&mutations))?;
    }
}

#[test]
fn the_unmutated_recommended_baseline_is_accepted() {
    assert!(parse(&mutate(&[])).is_ok());
}
