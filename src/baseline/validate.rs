//! From TOML text to a [`Baseline`], collecting every problem instead of stopping at the first.
//! Each top-level section is deserialized on its own, so a wrong type in `[guardduty]` does not
//! hide a misspelt rule in `[config]`; unknown keys are collected rather than refused one by one.
//!
//! The sections are read through one table, [`sections::SECTIONS`], each by its own module;
//! what more than one section checks is in `primitives`, and what is checked between sections,
//! once all are read, in `cross_section`.

use toml::de::{DeTable, DeValue};

use super::Baseline;
use super::diagnostic::Diagnostic;
use checks::Checks;
use sections::Sections;

/// For the schema's test that it names every section the loader reads.
#[cfg(test)]
pub(super) use sections::SECTIONS;

pub fn parse(source: &str) -> Result<Baseline, Vec<Diagnostic>> {
    let (document, syntax_errors) = DeTable::parse_recoverable(source);
    let mut problems: Vec<Diagnostic> = syntax_errors
        .iter()
        .map(|error| syntax::syntax_problem(source, document.get_ref(), error))
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut checks = Checks {
        problems: &mut problems,
        document_start: document.span().start,
        home_region: None,
    };
    let sections = Sections::read(document.into_inner(), &mut checks);
    cross_section::check(&mut checks, &sections);
    match sections.into_baseline() {
        Some(baseline) if problems.is_empty() => Ok(baseline),
        _ => {
            problems.sort_by_key(|problem| problem.span.start);
            Err(problems)
        }
    }
}

/// What a valid baseline may still hold by mistake: an alert or security-contact address of a
/// domain reserved for examples (RFC 2606 and RFC 6761), such as the `security@example.com` of
/// the docs. AWS takes it, and what is sent to it then reaches no one.
pub fn warnings(source: &str) -> Vec<Diagnostic> {
    let (document, _) = DeTable::parse_recoverable(source);
    fn entry<'a>(table: &DeTable<'a>, name: &str) -> Option<DeValue<'a>> {
        table
            .iter()
            .find(|(key, _)| key.get_ref() == name)
            .map(|(_, value)| value.get_ref().clone())
    }
    let section = |name: &str| match entry(document.get_ref(), name) {
        Some(DeValue::Table(table)) => Some(table),
        _ => None,
    };
    let alert_emails = match section("alerts").and_then(|alerts| entry(&alerts, "emails")) {
        Some(DeValue::Array(emails)) => emails.into_iter().collect(),
        _ => Vec::new(),
    };
    let contact_email = section("security_contact")
        .and_then(|contact| contact.get("email").cloned())
        .into_iter()
        .collect::<Vec<_>>();
    fn placeholders(
        emails: Vec<toml::Spanned<DeValue<'_>>>,
        what: &str,
        fix: &str,
    ) -> Vec<Diagnostic> {
        emails
            .into_iter()
            .filter_map(|email| match email.get_ref() {
                DeValue::String(address) if is_placeholder_address(address) => Some(
                    Diagnostic::new(
                        email.span(),
                        format!(
                            "`{address}` is a placeholder: its domain is reserved for examples (RFC 2606) and receives no mail, so {what} sent to it reach no one"
                        ),
                    )
                    .hint(fix),
                ),
                _ => None,
            })
            .collect()
    }
    let mut found = placeholders(
        alert_emails,
        "alerts",
        "put the address of whoever answers security alerts in [alerts] emails",
    );
    found.extend(placeholders(
        contact_email,
        "AWS's security notices",
        "put your security team's address in [security_contact] email",
    ));
    found
}

/// An address at example.com, .net or .org (or under them), or under a top-level domain kept
/// for tests and documentation.
fn is_placeholder_address(address: &str) -> bool {
    let Some((_, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.rsplit('.').collect();
    matches!(
        labels.as_slice(),
        ["example" | "test" | "invalid" | "localhost", ..] | ["com" | "net" | "org", "example", ..]
    )
}

mod account_settings;
mod accounts;
mod alarms;
mod alerts;
mod checks;
mod cloudtrail;
mod config;
mod cross_section;
mod guardduty;
mod kms;
mod log_bucket;
mod primitives;
mod scope;
mod sections;
mod security_contact;
mod security_hub;
mod signin_notification;
mod support_role;
mod syntax;
mod tamper_alerts;
mod vpc_flow_logs;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
