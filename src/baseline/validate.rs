//! From TOML text to a [`Baseline`], collecting every problem instead of stopping at the first.
//! Each top-level section is deserialized on its own, so a wrong type in `[guardduty]` does not
//! hide a misspelt rule in `[config]`; unknown keys are collected rather than refused one by one.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::{DeserializeOwned, IntoDeserializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::catalog::{self, ParamType};
use super::diagnostic::{Diagnostic, closest, line_col, suggest};
use super::is_account_id;
use super::raw::RawKms;
use super::raw::{
    RawAccessAnalyzer, RawAccountPublicAccessBlock, RawEbsEncryption, RawPasswordPolicy,
};
use super::raw::{
    RawAccounts, RawAlarmSettings, RawAlarms, RawAlerts, RawCloudTrail, RawConfig,
    RawFindingAlerts, RawGuardDuty, RawLogBucket, RawRegions, RawRuleParameters, RawScope,
    RawSigninNotification,
};
use super::{
    AccountRole, AccountSelection, Accounts, AlarmFilter, Alarms, Alerts, Baseline, CloudTrail,
    Config, ConfigRule, GuardDuty, LogBucket, RegionSelection, Scope, SigninEvents,
    SigninNotification,
};
use crate::model::{Encryption, partition};

pub(super) const SECTIONS: &[&str] = &[
    "scope",
    "accounts",
    "guardduty",
    "log_bucket",
    "config",
    "cloudtrail",
    "alerts",
    "signin_notification",
    "alarms",
    "kms",
    "password_policy",
    "account_public_access_block",
    "ebs_encryption",
    "access_analyzer",
];

pub fn parse(source: &str) -> Result<Baseline, Vec<Diagnostic>> {
    let (document, syntax_errors) = DeTable::parse_recoverable(source);
    let mut problems: Vec<Diagnostic> = syntax_errors
        .iter()
        .map(|error| syntax_problem(source, document.get_ref(), error))
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let document_span = document.span();
    let mut sections: BTreeMap<&str, Spanned<DeValue<'_>>> = BTreeMap::new();
    for (key, value) in document.into_inner() {
        match SECTIONS
            .iter()
            .find(|section| **section == key.get_ref().as_ref())
        {
            Some(section) => {
                sections.insert(section, value);
            }
            None => problems.push(
                Diagnostic::new(key.span(), format!("unknown section `{}`", key.get_ref()))
                    .hint(suggest(key.get_ref(), SECTIONS.iter().copied())),
            ),
        }
    }

    let mut checks = Checks {
        problems: &mut problems,
        home_region: None,
    };
    let scope = match sections.remove("scope") {
        Some(value) => checks
            .section::<RawScope>("scope", value)
            .and_then(|raw| checks.scope(raw)),
        None => {
            checks.problems.push(
                Diagnostic::new(document_span.start..document_span.start, "missing [scope]")
                    .hint("add [scope] with `regions` (\"all\" or a list) and `home_region`"),
            );
            None
        }
    };
    checks.home_region = scope.as_ref().map(|scope| scope.home_region.clone());
    let accounts_span = sections.get("accounts").map(Spanned::span);
    let accounts = sections.remove("accounts").map(|value| {
        checks
            .section::<RawAccounts>("accounts", value)
            .and_then(|raw| checks.accounts(raw, accounts_span.clone().unwrap_or_default()))
    });
    if let (Some(scope), Some(span)) = (&scope, accounts_span)
        && scope.account_id.is_some()
    {
        checks.error(
            span,
            "[accounts] and scope.account_id both say which accounts to cover",
            "scope.account_id pins one account and [accounts] names several: keep one of them",
        );
    }
    let finding_alerts_span = kms::subtable_span(sections.get("guardduty"), "finding_alerts");
    let guardduty = sections.remove("guardduty").map(|value| {
        checks
            .section::<RawGuardDuty>("guardduty", value)
            .and_then(|raw| checks.guardduty(raw))
    });
    let kms_span = sections.get("kms").map(Spanned::span);
    let kms = sections.remove("kms").map(|value| {
        checks
            .section::<RawKms>("kms", value)
            .and_then(|raw| checks.kms(raw))
    });
    // The key of [kms], by its alias, for the bucket and the trail (a placeholder when [kms]
    // has problems of its own, so that they do not also read as a missing key).
    let watchpost_key: Option<String> = kms.as_ref().map(|kms| {
        kms.as_ref()
            .map_or(kms::DEFAULT_ALIAS, |kms| kms.alias.as_str())
            .to_owned()
    });
    let log_bucket = match sections.remove("log_bucket") {
        Some(value) => checks
            .section::<RawLogBucket>("log_bucket", value)
            .map(|raw| checks.log_bucket(raw, watchpost_key.as_deref())),
        None => Some(LogBucket {
            name: None,
            encryption: match &watchpost_key {
                Some(alias) => Encryption::Kms {
                    kms_key_id: alias.clone(),
                },
                None => Encryption::S3Managed,
            },
            expire_after_days: DEFAULT_EXPIRY_DAYS,
        }),
    };
    let config = sections.remove("config").map(|value| {
        checks
            .section::<RawConfig>("config", value)
            .and_then(|raw| checks.config(raw))
    });

    let cloudtrail_span = sections.get("cloudtrail").map(Spanned::span);
    let cloudtrail = sections.remove("cloudtrail").map(|value| {
        checks
            .section::<RawCloudTrail>("cloudtrail", value)
            .and_then(|raw| checks.cloudtrail(raw, watchpost_key.as_deref()))
    });
    let alerts_span = sections.get("alerts").map(Spanned::span);
    let alerts = sections.remove("alerts").map(|value| {
        checks
            .section::<RawAlerts>("alerts", value)
            .and_then(|raw| checks.alerts(raw))
    });
    let signin_span = sections.get("signin_notification").map(Spanned::span);
    let signin_notification = sections.remove("signin_notification").map(|value| {
        checks
            .section::<RawSigninNotification>("signin_notification", value)
            .and_then(|raw| checks.signin_notification(raw))
    });
    let alarms_span = sections.get("alarms").map(Spanned::span);
    let alarms = sections.remove("alarms").map(|value| {
        checks
            .section::<RawAlarms>("alarms", value)
            .and_then(|raw| checks.alarms(raw))
    });
    let password_policy = sections.remove("password_policy").map(|value| {
        checks
            .section::<RawPasswordPolicy>("password_policy", value)
            .and_then(|raw| checks.password_policy(raw))
    });
    let account_public_access_block = sections.remove("account_public_access_block").map(|value| {
        checks
            .section::<RawAccountPublicAccessBlock>("account_public_access_block", value)
            .map(|raw| checks.account_public_access_block(raw))
    });
    let ebs_encryption = sections.remove("ebs_encryption").map(|value| {
        checks
            .section::<RawEbsEncryption>("ebs_encryption", value)
            .and_then(|raw| checks.ebs_encryption(raw, scope.as_ref()))
    });
    let access_analyzer = sections.remove("access_analyzer").map(|value| {
        checks
            .section::<RawAccessAnalyzer>("access_analyzer", value)
            .and_then(|raw| checks.access_analyzer(raw))
    });
    // Sections that build on others: an alarm needs the trail's log group and a topic to
    // notify; the sign-in notification needs the topic.
    if let (Some(span), None) = (alarms_span.clone(), &cloudtrail) {
        checks.error(
            span,
            "[alarms] needs [cloudtrail]",
            "alarms watch the trail's log group: add a [cloudtrail] section",
        );
    }
    for (span, section) in [
        (alarms_span, "[alarms]"),
        (signin_span.clone(), "[signin_notification]"),
    ] {
        if let (Some(span), None) = (span, &alerts) {
            checks.error(
                span,
                format!("{section} needs [alerts]"),
                "add [alerts] with emails = [\"security@example.com\"]: it is where notifications go",
            );
        }
    }

    if let (Some(Some(trail)), Some(Some(config)), Some(span)) =
        (&cloudtrail, &config, cloudtrail_span)
        && trail.role_name.eq_ignore_ascii_case(&config.role_name)
    {
        checks.error(
            span,
            format!(
                "[cloudtrail] and [config] both name the role `{}`",
                trail.role_name
            ),
            "each service needs its own role, and IAM does not tell role names apart by case: give [cloudtrail] a different role_name",
        );
    }
    if let (Some(Some(alerts)), Some(span)) = (&alerts, alerts_span) {
        let other_roles = [
            cloudtrail
                .as_ref()
                .and_then(Option::as_ref)
                .map(|t| ("[cloudtrail]", &t.role_name)),
            config
                .as_ref()
                .and_then(Option::as_ref)
                .map(|c| ("[config]", &c.role_name)),
        ];
        for (section, role_name) in other_roles.into_iter().flatten() {
            if alerts.forward_role_name.eq_ignore_ascii_case(role_name) {
                checks.error(
                    span.clone(),
                    format!("[alerts] and {section} both name the role `{role_name}`"),
                    "each role serves one service, and IAM does not tell role names apart by case: give [alerts] a different forward_role_name",
                );
            }
        }
    }
    if let (Some(span), Some(scope)) = (signin_span, &scope)
        && partition(&scope.home_region) != "aws"
    {
        checks.error(
            span,
            format!("[signin_notification] is not available in the partition of `{}`", scope.home_region),
            "watchpost places sign-in rules where the CloudTrail User Guide says the commercial partition records console sign-ins, and knows no such list for other partitions; remove the section",
        );
    }
    checks.key_and_finding_alerts(&kms::Uses {
        kms_span,
        kms: &kms,
        finding_alerts_span,
        guardduty: &guardduty,
        log_bucket: log_bucket.as_ref(),
        config_present: config.is_some(),
        cloudtrail: &cloudtrail,
        alerts_present: alerts.is_some(),
        signin_notification: &signin_notification,
    });
    let all_complete = complete(&accounts)
        && complete(&guardduty)
        && complete(&config)
        && complete(&cloudtrail)
        && complete(&alerts)
        && complete(&signin_notification)
        && complete(&alarms)
        && complete(&kms)
        && complete(&password_policy)
        && complete(&account_public_access_block)
        && complete(&ebs_encryption)
        && complete(&access_analyzer);
    match (scope, log_bucket) {
        (Some(scope), Some(log_bucket)) if problems.is_empty() && all_complete => Ok(Baseline {
            scope,
            accounts: accounts.flatten(),
            guardduty: guardduty.flatten(),
            log_bucket,
            config: config.flatten(),
            cloudtrail: cloudtrail.flatten(),
            alerts: alerts.flatten(),
            signin_notification: signin_notification.flatten(),
            alarms: alarms.flatten(),
            kms: kms.flatten(),
            password_policy: password_policy.flatten(),
            account_public_access_block: account_public_access_block.flatten(),
            ebs_encryption: ebs_encryption.flatten(),
            access_analyzer: access_analyzer.flatten(),
        }),
        _ => {
            problems.sort_by_key(|problem| problem.span.start);
            Err(problems)
        }
    }
}

/// What a valid baseline may still hold by mistake: an alert address of a domain reserved for
/// examples (RFC 2606 and RFC 6761), such as the `security@example.com` of the docs. SNS takes
/// it, and the alerts then reach no one.
pub fn warnings(source: &str) -> Vec<Diagnostic> {
    let (document, _) = DeTable::parse_recoverable(source);
    fn entry<'a>(table: &DeTable<'a>, name: &str) -> Option<DeValue<'a>> {
        table
            .iter()
            .find(|(key, _)| key.get_ref() == name)
            .map(|(_, value)| value.get_ref().clone())
    }
    let Some(DeValue::Table(alerts)) = entry(document.get_ref(), "alerts") else {
        return Vec::new();
    };
    let Some(DeValue::Array(emails)) = entry(&alerts, "emails") else {
        return Vec::new();
    };
    emails
        .iter()
        .filter_map(|email| match email.get_ref() {
            DeValue::String(address) if is_placeholder_address(address) => Some(
                Diagnostic::new(
                    email.span(),
                    format!(
                        "`{address}` is a placeholder: its domain is reserved for examples (RFC 2606) and receives no mail, so alerts sent to it reach no one"
                    ),
                )
                .hint("put the address of whoever answers security alerts in [alerts] emails"),
            ),
            _ => None,
        })
        .collect()
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

/// A TOML syntax error; a duplicate key also names where the key was first written, which
/// the TOML parser knows but does not report.
fn syntax_problem(source: &str, document: &DeTable<'_>, error: &toml::de::Error) -> Diagnostic {
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

/// A section is complete when it is absent or valid; `Some(None)` is one with problems.
fn complete<T>(section: &Option<Option<T>>) -> bool {
    section.as_ref().is_none_or(Option::is_some)
}

const DEFAULT_EXPIRY_DAYS: i32 = 365;

struct Checks<'p> {
    problems: &'p mut Vec<Diagnostic>,
    /// Once `[scope]` is read: the home region, where named keys must be.
    home_region: Option<String>,
}

impl Checks<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) {
        self.problems
            .push(Diagnostic::new(span, message).hint(hint.into()));
    }

    /// Deserializes one section. Unknown keys are reported (all of them) and set aside first,
    /// so that the first type error, if any, is reported too.
    fn section<T: DeserializeOwned>(
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

    fn scope(&mut self, raw: RawScope) -> Option<Scope> {
        let regions = self.regions(&raw.regions);
        let home = raw.home_region.get_ref();
        let home_ok = self.known_region(home, raw.home_region.span());
        if let (Some(RegionSelection::Listed(listed)), true) = (&regions, home_ok)
            && !listed.contains(home)
        {
            self.error(
                raw.home_region.span(),
                format!("home region `{home}` is not one of `regions`"),
                "add it to `regions`: the home region holds the log bucket and global recording",
            );
        }
        if let (RawRegions::List(items), true) = (raw.regions.get_ref(), home_ok) {
            let home_partition = partition(home);
            for item in items
                .iter()
                .filter(|item| partition(item.get_ref()) != home_partition)
            {
                self.error(
                    item.span(),
                    format!(
                        "region `{}` is in another AWS partition than the home region `{home}`",
                        item.get_ref()
                    ),
                    "credentials work in one partition (aws, aws-cn or aws-us-gov): run watchpost once per partition",
                );
            }
        }
        if let Some(account) = &raw.account_id {
            self.account_id(account);
        }
        Some(Scope {
            regions: regions?,
            home_region: home.clone(),
            account_id: raw.account_id.map(Spanned::into_inner),
        })
    }

    fn account_id(&mut self, id: &Spanned<String>) -> bool {
        let valid = is_account_id(id.get_ref());
        if !valid {
            self.error(
                id.span(),
                format!("`{}` is not an AWS account id", id.get_ref()),
                "an account id is 12 digits, e.g. \"123456789012\", written as a string",
            );
        }
        valid
    }

    fn accounts(&mut self, raw: RawAccounts, section: Range<usize>) -> Option<Accounts> {
        let before = self.problems.len();
        let organization = raw
            .organization
            .as_ref()
            .is_some_and(|flag| *flag.get_ref());
        let selection = match (raw.ids, organization) {
            (Some(ids), true) => {
                self.error(
                    ids.span(),
                    "`ids` and `organization = true` both say which accounts to cover",
                    "keep one: a list of account ids, or every account of the organization",
                );
                None
            }
            (Some(ids), false) => {
                if ids.get_ref().is_empty() {
                    self.error(
                        ids.span(),
                        "`ids` is empty: the run would cover no account",
                        "list account ids, e.g. ids = [\"123456789012\"], or remove [accounts] to cover the caller's own account",
                    );
                }
                Some(AccountSelection::Listed(self.account_ids(ids.into_inner())))
            }
            (None, true) => Some(AccountSelection::Organization),
            (None, false) => {
                let span = raw.organization.map_or(section, |flag| flag.span());
                self.error(
                    span,
                    "[accounts] names no accounts",
                    "add ids = [\"123456789012\", ...] or organization = true (every active account of the organization)",
                );
                None
            }
        };
        let exclude = self.account_ids(raw.exclude);
        let defaults = AccountRole::default();
        let role = AccountRole {
            name: self.aws_name(
                raw.role_name,
                &defaults.name,
                "IAM role name",
                64,
                "+=,.@_-",
            ),
            external_id: raw.external_id.map(|id| {
                let text = id.get_ref();
                let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c);
                if !(2..=1224).contains(&text.len()) || !text.chars().all(allowed) {
                    self.error(
                        id.span(),
                        "`external_id` is not one STS accepts",
                        "use 2 to 1224 letters, digits and + = , . @ : / _ -",
                    );
                }
                id.into_inner()
            }),
            session_name: match raw.session_name {
                Some(name) if name.get_ref().len() < 2 => {
                    self.error(
                        name.span(),
                        "`session_name` is too short",
                        "STS needs 2 to 64 characters",
                    );
                    name.into_inner()
                }
                name => self.aws_name(
                    name,
                    &defaults.session_name,
                    "role session name",
                    64,
                    "+=,.@_-",
                ),
            },
        };
        (self.problems.len() == before).then(|| Accounts {
            selection: selection.expect("no problem means a selection"),
            exclude,
            role,
        })
    }

    /// Valid, distinct account ids, each problem reported where it is.
    fn account_ids(&mut self, ids: Vec<Spanned<String>>) -> Vec<String> {
        let mut valid: Vec<String> = Vec::new();
        for id in ids {
            if !self.account_id(&id) {
                continue;
            }
            if valid.contains(id.get_ref()) {
                self.error(
                    id.span(),
                    format!("account `{}` is listed twice", id.get_ref()),
                    "list each account once",
                );
            } else {
                valid.push(id.into_inner());
            }
        }
        valid
    }

    fn regions(&mut self, value: &Spanned<RawRegions>) -> Option<RegionSelection> {
        let hint = "write regions = \"all\" or a list such as [\"us-east-1\", \"eu-west-1\"]";
        match value.get_ref() {
            RawRegions::Keyword(all) if all == "all" => Some(RegionSelection::All),
            RawRegions::List(items) if !items.is_empty() => {
                let mut listed: Vec<String> = Vec::new();
                let mut valid = true;
                for item in items {
                    let region = item.get_ref();
                    if listed.contains(region) {
                        valid = false;
                        self.error(
                            item.span(),
                            format!("region `{region}` is listed twice"),
                            "list each region once",
                        );
                    } else {
                        valid &= self.known_region(region, item.span());
                        listed.push(region.clone());
                    }
                }
                valid.then_some(RegionSelection::Listed(listed))
            }
            RawRegions::List(_) => {
                self.error(value.span(), "`regions` is an empty list", hint);
                None
            }
            RawRegions::Keyword(other) => {
                self.error(
                    value.span(),
                    format!("`regions = \"{other}\"` is not accepted"),
                    hint,
                );
                None
            }
        }
    }

    fn known_region(&mut self, region: &str, span: Range<usize>) -> bool {
        let known = catalog::KNOWN_REGIONS.contains(&region);
        if !known {
            let lower = region.to_ascii_lowercase();
            let hint = if catalog::KNOWN_REGIONS.contains(&lower.as_str()) {
                format!("regions are lower case: {lower}")
            } else {
                // The nearest one, however far: the whole list of regions on one line helps
                // no one find theirs.
                match closest(region, catalog::KNOWN_REGIONS.iter().copied()) {
                    Some((_, nearest)) => format!("did you mean \"{nearest}\"?"),
                    None => "see `aws account list-regions` for the region names".to_owned(),
                }
            };
            self.error(span, format!("unknown region `{region}`"), hint);
        }
        known
    }

    fn one_of(&mut self, value: &Spanned<String>, what: &str, accepted: &[&str]) -> bool {
        let found = accepted.contains(&value.get_ref().as_str());
        if !found {
            self.error(
                value.span(),
                format!("unknown {what} `{}`", value.get_ref()),
                suggest(value.get_ref(), accepted.iter().copied()),
            );
        }
        found
    }

    fn guardduty(&mut self, raw: RawGuardDuty) -> Option<GuardDuty> {
        let mut valid = true;
        let frequency = match &raw.finding_publishing_frequency {
            Some(value) => {
                valid &= self.one_of(
                    value,
                    "finding publishing frequency",
                    catalog::FINDING_PUBLISHING_FREQUENCIES,
                );
                value.get_ref().clone()
            }
            None => "FIFTEEN_MINUTES".to_owned(),
        };
        let mut features = BTreeMap::new();
        for (name, enabled) in raw.features {
            let (included, includer) = catalog::RUNTIME_MONITORING_INCLUDES;
            if name.get_ref() == included {
                self.error(
                    name.span(),
                    format!("GuardDuty feature `{included}` is part of `{includer}`"),
                    format!(
                        "name `{includer}`: it covers EKS, ECS and EC2, and GuardDuty refuses the two in one call"
                    ),
                );
                valid = false;
                continue;
            }
            valid &= self.one_of(&name, "GuardDuty feature", catalog::GUARDDUTY_FEATURES);
            features.insert(name.into_inner(), enabled);
        }
        let before = self.problems.len();
        let finding_alerts = raw.finding_alerts.and_then(|raw| self.finding_alerts(raw));
        valid &= self.problems.len() == before;
        valid.then_some(GuardDuty {
            finding_publishing_frequency: frequency,
            features,
            finding_alerts,
        })
    }

    fn log_bucket(&mut self, raw: RawLogBucket, watchpost_key: Option<&str>) -> LogBucket {
        if let Some(name) = &raw.name {
            self.bucket_name(name);
        }
        let kms = raw.kms_key_id.as_ref().map(|key| {
            self.kms_key(key);
            key.get_ref().clone()
        });
        let encryption_span = raw.encryption.as_ref().map(Spanned::span);
        // With [kms], the bucket is encrypted with its key unless it says otherwise.
        let default_kind = match (watchpost_key, &kms) {
            (Some(_), None) => "SSE-KMS",
            _ => "SSE-S3",
        };
        let kind = raw
            .encryption
            .as_ref()
            .map_or(default_kind, |kind| kind.get_ref().as_str());
        let encryption = match (kind, kms) {
            ("SSE-KMS", Some(kms_key_id)) => Encryption::Kms { kms_key_id },
            ("SSE-KMS", None) => match watchpost_key {
                Some(alias) => Encryption::Kms {
                    kms_key_id: alias.to_owned(),
                },
                None => {
                    self.error(
                        encryption_span.unwrap_or_default(),
                        "SSE-KMS needs a key",
                        "add kms_key_id = \"arn:aws:kms:REGION:ACCOUNT:key/KEY-ID\", or a [kms] section for a key watchpost makes",
                    );
                    Encryption::S3Managed
                }
            },
            ("SSE-S3", Some(_)) => {
                let span = raw
                    .kms_key_id
                    .as_ref()
                    .map(Spanned::span)
                    .unwrap_or_default();
                self.error(
                    span,
                    "kms_key_id is set but encryption is SSE-S3",
                    "set encryption = \"SSE-KMS\" to use the key, or remove kms_key_id",
                );
                Encryption::S3Managed
            }
            ("SSE-S3", None) => Encryption::S3Managed,
            (_, _) => {
                if let Some(kind) = &raw.encryption {
                    self.one_of(kind, "encryption", &["SSE-S3", "SSE-KMS"]);
                }
                Encryption::S3Managed
            }
        };
        let expire_after_days = match raw.expire_after_days {
            Some(days) => match i32::try_from(*days.get_ref()) {
                Ok(value) if (1..=36_500).contains(&value) => value,
                _ => {
                    self.error(
                        days.span(),
                        format!("expire_after_days = {} is out of range", days.get_ref()),
                        "give a number of days from 1 to 36500",
                    );
                    DEFAULT_EXPIRY_DAYS
                }
            },
            None => DEFAULT_EXPIRY_DAYS,
        };
        LogBucket {
            name: raw.name.map(Spanned::into_inner),
            encryption,
            expire_after_days,
        }
    }

    fn bucket_name(&mut self, name: &Spanned<String>) {
        let text = name.get_ref();
        let allowed =
            |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.';
        let edges_ok = text
            .bytes()
            .next()
            .zip(text.bytes().last())
            .is_some_and(|(first, last)| {
                first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric()
            });
        if !(3..=63).contains(&text.len())
            || !text.bytes().all(allowed)
            || !edges_ok
            || text.contains("..")
        {
            self.error(
                name.span(),
                format!("`{text}` is not a valid S3 bucket name"),
                "use 3 to 63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit; or leave `name` out to derive one from the account id",
            );
        } else if is_ip_address_form(text)
            || BUCKET_RESERVED_PREFIXES.iter().any(|p| text.starts_with(p))
            || BUCKET_RESERVED_SUFFIXES.iter().any(|s| text.ends_with(s))
        {
            self.error(
                name.span(),
                format!("`{text}` is a form of S3 bucket name that AWS reserves"),
                format!(
                    "S3 refuses names written like an IP address, names that start with {} and names that end with {}",
                    BUCKET_RESERVED_PREFIXES.join(", "),
                    BUCKET_RESERVED_SUFFIXES.join(", ")
                ),
            );
        }
    }

    /// A key ARN, not an alias or bare id: the Config role's policy must name the key itself.
    fn kms_key(&mut self, key: &Spanned<String>) {
        let text = key.get_ref();
        if !is_kms_key_arn(text) {
            self.error(
                key.span(),
                format!("`{text}` is not a KMS key ARN"),
                "give the key's ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID: IAM policies can only name a key by its ARN",
            );
        } else {
            self.key_in_home_region(key);
        }
    }

    fn config(&mut self, raw: RawConfig) -> Option<Config> {
        let before = self.problems.len();
        let role_name = self.aws_name(
            raw.role_name,
            "watchpost-config",
            "IAM role name",
            64,
            IAM_NAME_CHARACTERS,
        );
        let recorder_name = self.aws_name(
            raw.recorder_name,
            "watchpost",
            "recorder name",
            256,
            IAM_NAME_CHARACTERS,
        );
        let delivery_channel_name = self.aws_name(
            raw.delivery_channel_name,
            "watchpost",
            "delivery channel name",
            256,
            IAM_NAME_CHARACTERS,
        );
        let s3_key_prefix = self.key_prefix(raw.s3_key_prefix, "config");
        let snapshot_delivery_frequency = match raw.snapshot_delivery_frequency {
            Some(value) => {
                self.one_of(
                    &value,
                    "snapshot delivery frequency",
                    catalog::SNAPSHOT_DELIVERY_FREQUENCIES,
                );
                value.into_inner()
            }
            None => "TwentyFour_Hours".to_owned(),
        };
        let mut rules = BTreeMap::new();
        for (name, parameters) in raw.rules {
            if let Some(rule) = self.rule(&name, parameters) {
                rules.insert(name.into_inner(), rule);
            }
        }
        (self.problems.len() == before).then_some(Config {
            role_name,
            recorder_name,
            delivery_channel_name,
            s3_key_prefix,
            snapshot_delivery_frequency,
            rules,
        })
    }

    fn rule(
        &mut self,
        name: &Spanned<String>,
        parameters: RawRuleParameters,
    ) -> Option<ConfigRule> {
        let Some(known) = catalog::managed_rule(name.get_ref()) else {
            self.error(
                name.span(),
                format!("unknown Config rule `{}`", name.get_ref()),
                suggest(name.get_ref(), catalog::rule_names()),
            );
            return None;
        };
        let mut input_parameters = BTreeMap::new();
        for (param_name, value) in &parameters {
            let Some(param) = known.params.iter().find(|p| p.name == param_name.get_ref()) else {
                let accepted: Vec<&str> = known.params.iter().map(|p| p.name).collect();
                let hint = if accepted.is_empty() {
                    format!("`{}` takes no parameters", known.name)
                } else {
                    suggest(param_name.get_ref(), accepted)
                };
                self.error(
                    param_name.span(),
                    format!(
                        "`{}` has no parameter `{}`",
                        known.name,
                        param_name.get_ref()
                    ),
                    hint,
                );
                continue;
            };
            match parameter_text(param.kind, value.get_ref()) {
                Some(text) => {
                    input_parameters.insert(param.name.to_owned(), text);
                }
                None => self.error(
                    value.span(),
                    format!(
                        "parameter `{}` of `{}` must be {}",
                        param.name,
                        known.name,
                        param.kind.describe()
                    ),
                    format!("for example {}", example(param.kind)),
                ),
            }
        }
        let sent = serde_json::to_string(&input_parameters).expect("strings serialize");
        if sent.chars().count() > RULE_PARAMETERS_MAX {
            self.error(
                name.span(),
                format!(
                    "the parameters of `{}` are {} characters long as AWS Config receives them",
                    known.name,
                    sent.chars().count()
                ),
                format!("AWS Config takes at most {RULE_PARAMETERS_MAX} characters of parameters (as a JSON object) per rule: shorten the values"),
            );
        }
        for param in known.params.iter().filter(|p| p.required) {
            if input_parameters.contains_key(param.name) {
                continue;
            }
            // Sent with AWS's default, so that what AWS stores is what the plan shows.
            match param.default {
                Some(default) => {
                    input_parameters.insert(param.name.to_owned(), default.to_owned());
                }
                None => self.error(
                    name.span(),
                    format!("`{}` needs the parameter `{}`", known.name, param.name),
                    format!("add {} = {}", param.name, example(param.kind)),
                ),
            }
        }
        Some(ConfigRule {
            source_identifier: known.source_identifier.to_owned(),
            scope: known.scope,
            availability: known.availability,
            input_parameters,
        })
    }
}

impl Checks<'_> {
    /// Refuses a name that starts with what AWS keeps for the names of its own services.
    fn not_reserved(&mut self, value: Option<&Spanned<String>>, reserved: &str, what: &str) {
        if let Some(value) = value
            && value.get_ref().starts_with(reserved)
        {
            self.error(
                value.span(),
                format!("`{}` starts with `{reserved}`", value.get_ref()),
                format!("AWS keeps {what} names that start with {reserved} for its own services: choose another name"),
            );
        }
    }

    /// A name AWS accepts: 1 to `max` characters from `extra` besides letters and digits.
    fn aws_name(
        &mut self,
        value: Option<Spanned<String>>,
        default: &str,
        what: &str,
        max: usize,
        extra: &str,
    ) -> String {
        let Some(value) = value else {
            return default.to_owned();
        };
        let text = value.get_ref();
        let allowed = |c: char| c.is_ascii_alphanumeric() || extra.contains(c);
        if text.is_empty() || text.len() > max || !text.chars().all(allowed) {
            self.error(
                value.span(),
                format!("`{text}` is not a valid {what}"),
                format!("use 1 to {max} letters, digits and {}", spaced(extra)),
            );
        }
        value.into_inner()
    }

    fn days(
        &mut self,
        value: Option<Spanned<i64>>,
        default: i32,
        accepted: &[i32],
        what: &str,
    ) -> i32 {
        let Some(days) = value else {
            return default;
        };
        match i32::try_from(*days.get_ref()) {
            Ok(value) if accepted.contains(&value) => value,
            _ => {
                let list: Vec<String> = accepted.iter().map(i32::to_string).collect();
                self.error(
                    days.span(),
                    format!("{what} = {} is not accepted", days.get_ref()),
                    format!(
                        "CloudWatch Logs keeps logs for one of: {} days",
                        list.join(", ")
                    ),
                );
                default
            }
        }
    }

    fn cloudtrail(
        &mut self,
        raw: RawCloudTrail,
        watchpost_key: Option<&str>,
    ) -> Option<CloudTrail> {
        let before = self.problems.len();
        let name_span = raw.name.as_ref().map(Spanned::span);
        let name = self.aws_name(raw.name, "watchpost", "trail name", 128, "._-");
        let edges_alphanumeric = name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric());
        let separators_apart = !name
            .as_bytes()
            .windows(2)
            .any(|pair| pair.iter().all(|b| b".-_".contains(b)));
        if let (Some(span), false) = (
            name_span.clone(),
            name.len() >= 3 && edges_alphanumeric && separators_apart,
        ) {
            self.error(
                span,
                format!("`{name}` is not a valid trail name"),
                "CloudTrail wants 3 to 128 characters that start and end with a letter or digit, with no two of . _ - side by side",
            );
        } else if let (Some(span), true) = (name_span, is_ip_address_form(&name)) {
            self.error(
                span,
                format!("`{name}` is written like an IP address"),
                "CloudTrail refuses trail names in the form of an IP address: use letters in the name",
            );
        }
        let s3_key_prefix = self.key_prefix(raw.s3_key_prefix, "cloudtrail");
        if let Some(key) = &raw.kms_key_id {
            self.kms_key(key);
        }
        self.not_reserved(raw.log_group_name.as_ref(), "aws/", "log group");
        let log_group_name = self.aws_name(
            raw.log_group_name,
            "watchpost-cloudtrail",
            "log group name",
            512,
            "._-/#",
        );
        let log_retention_days = self.days(
            raw.log_retention_days,
            365,
            LOG_RETENTION_DAYS,
            "log_retention_days",
        );
        let role_name = self.aws_name(
            raw.role_name,
            "watchpost-cloudtrail-logs",
            "IAM role name",
            64,
            IAM_NAME_CHARACTERS,
        );
        (self.problems.len() == before).then(|| CloudTrail {
            name,
            s3_key_prefix,
            // Without a key of its own, the trail uses the key of [kms], if there is one.
            kms_key_id: raw
                .kms_key_id
                .map(Spanned::into_inner)
                .or_else(|| watchpost_key.map(str::to_owned)),
            log_group_name,
            log_retention_days,
            role_name,
        })
    }

    fn key_prefix(&mut self, value: Option<Spanned<String>>, default: &str) -> String {
        let Some(prefix) = value else {
            return default.to_owned();
        };
        let text = prefix.get_ref();
        if text.is_empty()
            || text.starts_with('/')
            || text.ends_with('/')
            || text.contains("AWSLogs")
        {
            self.error(
                prefix.span(),
                format!("`{text}` is not a usable key prefix"),
                format!("give a prefix without leading or trailing slashes that does not contain AWSLogs, e.g. \"{default}\""),
            );
        } else if text.len() > KEY_PREFIX_MAX
            || text.contains("//")
            || !text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || KEY_PREFIX_CHARACTERS.contains(c))
        {
            self.error(
                prefix.span(),
                format!("`{text}` is not a usable key prefix"),
                format!(
                    "use at most {KEY_PREFIX_MAX} letters, digits and {}, with no empty part between slashes",
                    spaced(KEY_PREFIX_CHARACTERS)
                ),
            );
        }
        prefix.into_inner()
    }

    fn alerts(&mut self, raw: RawAlerts) -> Option<Alerts> {
        let before = self.problems.len();
        let topic_name = self.aws_name(
            raw.topic_name,
            "watchpost-security-alerts",
            "SNS topic name",
            256,
            "_-",
        );
        if raw.emails.get_ref().is_empty() {
            self.error(
                raw.emails.span(),
                "`emails` is empty: alerts would reach no one",
                "list at least one address, e.g. emails = [\"security@example.com\"]",
            );
        }
        let forward_role_name = self.aws_name(
            raw.forward_role_name,
            "watchpost-alert-forwarding",
            "IAM role name",
            64,
            IAM_NAME_CHARACTERS,
        );
        let mut emails: Vec<String> = Vec::new();
        for email in raw.emails.into_inner() {
            let text = email.get_ref();
            if !is_email_address(text) {
                self.error(
                    email.span(),
                    format!("`{text}` is not an email address"),
                    "write a plain address such as \"security@example.com\": at most 254 characters, no display name, no address in brackets",
                );
            } else if emails.iter().any(|seen| seen.eq_ignore_ascii_case(text)) {
                self.error(
                    email.span(),
                    format!("`{text}` is listed twice"),
                    "list each address once",
                );
            } else {
                emails.push(email.into_inner());
            }
        }
        (self.problems.len() == before).then_some(Alerts {
            topic_name,
            emails,
            forward_role_name,
        })
    }

    fn signin_notification(&mut self, raw: RawSigninNotification) -> Option<SigninNotification> {
        let before = self.problems.len();
        let rule_name = self.aws_name(
            raw.rule_name,
            "watchpost-console-signin",
            "EventBridge rule name",
            64,
            "._-",
        );
        let events = match &raw.events {
            None => SigninEvents::All,
            Some(value) => match value.get_ref().as_str() {
                "all" => SigninEvents::All,
                "failures" => SigninEvents::Failures,
                "root" => SigninEvents::Root,
                _ => {
                    self.one_of(value, "sign-in event option", &["all", "failures", "root"]);
                    SigninEvents::All
                }
            },
        };
        (self.problems.len() == before).then_some(SigninNotification { rule_name, events })
    }

    fn alarms(&mut self, raw: RawAlarms) -> Option<Alarms> {
        let before = self.problems.len();
        self.not_reserved(raw.metric_namespace.as_ref(), "AWS/", "metric namespace");
        // No `:`: CloudWatch itself would take one, but a metric filter's namespace may not.
        let metric_namespace = self.aws_name(
            raw.metric_namespace,
            "Watchpost",
            "metric namespace",
            255,
            "._-/#",
        );
        let defaults = AlarmDefaults {
            threshold: self.threshold(raw.threshold).unwrap_or(1.0),
            period_seconds: self.period(raw.period_seconds).unwrap_or(300),
            evaluation_periods: self.evaluation_periods(raw.evaluation_periods).unwrap_or(1),
        };
        let mut filters = BTreeMap::new();
        for (name, settings) in raw.filters {
            let filter = self.alarm_filter(&name, settings, &defaults);
            filters.insert(name.into_inner(), filter);
        }
        (self.problems.len() == before).then_some(Alarms {
            metric_namespace,
            filters,
        })
    }

    fn alarm_filter(
        &mut self,
        name: &Spanned<String>,
        raw: RawAlarmSettings,
        defaults: &AlarmDefaults,
    ) -> AlarmFilter {
        let known = catalog::known_filter(name.get_ref());
        self.aws_name(Some(name.clone()), "", "metric filter name", 255, "._-/#");
        let pattern = match (&raw.pattern, known) {
            (Some(pattern), _) => {
                if let Err(problem) = check_filter_pattern(pattern.get_ref()) {
                    self.error(
                        pattern.span(),
                        format!("invalid filter pattern: {problem}"),
                        "see the CloudWatch Logs filter pattern syntax, e.g. { ($.eventName = DeleteTrail) }",
                    );
                }
                pattern.get_ref().clone()
            }
            (None, Some(known)) => known.pattern.to_owned(),
            (None, None) => {
                let known: Vec<&str> = catalog::METRIC_FILTERS.iter().map(|f| f.name).collect();
                self.error(
                    name.span(),
                    format!(
                        "`{}` is not a known metric filter and has no `pattern`",
                        name.get_ref()
                    ),
                    format!(
                        "{}; or give your own: pattern = '{{ $.eventName = DeleteTrail }}'",
                        suggest(name.get_ref(), known)
                    ),
                );
                String::new()
            }
        };
        if let Some(text) = &raw.description
            && text.get_ref().chars().count() > ALARM_DESCRIPTION_MAX
        {
            self.error(
                text.span(),
                format!(
                    "the description of `{}` is {} characters long",
                    name.get_ref(),
                    text.get_ref().chars().count()
                ),
                format!("CloudWatch takes at most {ALARM_DESCRIPTION_MAX} characters for an alarm's description"),
            );
        }
        let description = match (raw.description, known) {
            (Some(text), _) => text.into_inner(),
            (None, Some(known)) => known.alarm_description(),
            (None, None) => format!("Events matching the metric filter {}", name.get_ref()),
        };
        let before = self.problems.len();
        let period_seconds = self
            .period(raw.period_seconds)
            .unwrap_or(defaults.period_seconds);
        let evaluation_periods = self
            .evaluation_periods(raw.evaluation_periods)
            .unwrap_or(defaults.evaluation_periods);
        let window = i64::from(period_seconds) * i64::from(evaluation_periods);
        if self.problems.len() == before && window > evaluation_window_max(period_seconds) {
            self.error(
                name.span(),
                format!(
                    "the alarm `{}` would evaluate {evaluation_periods} periods of {period_seconds} seconds, {window} seconds in all",
                    name.get_ref()
                ),
                "CloudWatch evaluates at most 86400 seconds (one day) with a period under 3600, and 604800 (seven days) otherwise: lower period_seconds or evaluation_periods",
            );
        }
        AlarmFilter {
            pattern,
            description,
            threshold: self.threshold(raw.threshold).unwrap_or(defaults.threshold),
            period_seconds,
            evaluation_periods,
        }
    }

    fn threshold(&mut self, value: Option<Spanned<f64>>) -> Option<f64> {
        let value = value?;
        let threshold = *value.get_ref();
        if !(threshold.is_finite() && threshold >= 1.0) {
            self.error(
                value.span(),
                format!("threshold = {threshold} is not accepted"),
                "give a count of events, 1 or more",
            );
            return None;
        }
        Some(threshold)
    }

    fn period(&mut self, value: Option<Spanned<i64>>) -> Option<i32> {
        let value = value?;
        match i32::try_from(*value.get_ref()) {
            Ok(seconds) if seconds >= 60 && seconds % 60 == 0 && seconds <= 86_400 => Some(seconds),
            _ => {
                self.error(
                    value.span(),
                    format!("period_seconds = {} is not accepted", value.get_ref()),
                    "give a multiple of 60 from 60 to 86400",
                );
                None
            }
        }
    }

    fn evaluation_periods(&mut self, value: Option<Spanned<i64>>) -> Option<i32> {
        let value = value?;
        match i32::try_from(*value.get_ref()) {
            Ok(count) if (1..=100).contains(&count) => Some(count),
            _ => {
                self.error(
                    value.span(),
                    format!("evaluation_periods = {} is not accepted", value.get_ref()),
                    "give a count from 1 to 100",
                );
                None
            }
        }
    }
}

struct AlarmDefaults {
    threshold: f64,
    period_seconds: i32,
    evaluation_periods: i32,
}

/// Characters IAM allows in role names besides letters and digits.
const IAM_NAME_CHARACTERS: &str = "+=,.@_-";

/// `"._-"` as `. _ -`, for a hint listing accepted characters.
fn spaced(characters: &str) -> String {
    characters
        .chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Bucket name beginnings and endings S3 keeps for its own kinds of names.
const BUCKET_RESERVED_PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
const BUCKET_RESERVED_SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/// Written like an IPv4 address (`192.168.5.4`), which S3 and CloudTrail refuse as a name.
fn is_ip_address_form(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|part| (1..=3).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
}

/// The most a key prefix may hold: CloudTrail's limit, which also leaves room under S3's
/// 1024-byte keys for what Config writes below its prefix.
const KEY_PREFIX_MAX: usize = 200;

/// Characters of a key prefix besides letters and digits: S3's "safe" characters without `*`,
/// which in the bucket policy's resource ARN would be a wildcard.
const KEY_PREFIX_CHARACTERS: &str = "!-_.'()/";

/// The most text CloudWatch takes for an alarm's description.
const ALARM_DESCRIPTION_MAX: usize = 1024;

/// The longest an alarm may evaluate: one day for periods under an hour, seven days otherwise.
fn evaluation_window_max(period_seconds: i32) -> i64 {
    if period_seconds < 3600 {
        86_400
    } else {
        604_800
    }
}

/// The most text AWS Config takes for a rule's parameters, written as the JSON object sent.
const RULE_PARAMETERS_MAX: usize = 1024;

/// A KMS key ARN: `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID`, in a known region of that
/// partition, with a key id as KMS makes them (a UUID, or `mrk-` and 32 hex digits).
fn is_kms_key_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, partition_name, service, region, account, resource] = parts[..] else {
        return false;
    };
    let key_id = resource.strip_prefix("key/").unwrap_or_default();
    let hex =
        |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_hexdigit());
    let uuid = {
        let groups: Vec<&str> = key_id.split('-').collect();
        groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, len)| hex(g, len))
    };
    let multi_region = key_id.strip_prefix("mrk-").is_some_and(|id| hex(id, 32));
    arn == "arn"
        && service == "kms"
        && catalog::KNOWN_REGIONS.contains(&region)
        && partition(region) == partition_name
        && is_account_id(account)
        && (uuid || multi_region)
}

/// The retention periods CloudWatch Logs accepts.
const LOG_RETENTION_DAYS: &[i32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// What can be checked of a filter pattern without AWS: its length, that quotes and brackets
/// close, and that a JSON pattern (`{ ... }`) names a field with `$.`.
fn check_filter_pattern(pattern: &str) -> Result<(), String> {
    let trimmed = pattern.trim();
    if trimmed.is_empty() {
        return Err("it is empty".to_owned());
    }
    let length = pattern.chars().count();
    if length > 1024 {
        return Err(format!("it is {length} characters long; AWS accepts 1024"));
    }
    let mut open: Vec<char> = Vec::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in trimmed.chars() {
        if quoted {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' | '{' | '[' => open.push(c),
            ')' | '}' | ']' => {
                let expected = match c {
                    ')' => '(',
                    '}' => '{',
                    _ => '[',
                };
                if open.pop() != Some(expected) {
                    return Err(format!("`{c}` closes nothing"));
                }
            }
            c if c.is_control() && !c.is_whitespace() => {
                return Err("it holds a control character".to_owned());
            }
            _ => {}
        }
    }
    if quoted {
        return Err("a quoted string is not closed".to_owned());
    }
    if let Some(c) = open.pop() {
        return Err(format!("`{c}` is not closed"));
    }
    if trimmed.starts_with('{') && !(trimmed.ends_with('}') && trimmed.contains("$.")) {
        return Err("a JSON pattern is `{ $.field = value }`, wrapped whole in braces".to_owned());
    }
    Ok(())
}

/// An address SNS can send to: `local@domain.tld`, at most 254 characters, without a display
/// name (`Name <a@example.com>`) or an address literal (`a@[192.0.2.1]`).
fn is_email_address(text: &str) -> bool {
    let options = email_address::Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    text.len() <= 254 && email_address::EmailAddress::parse_with_options(text, options).is_ok()
}

/// AWS Config takes every parameter value as a string; this checks the type the rule expects
/// and writes the value the way AWS stores it.
fn parameter_text(kind: ParamType, value: &toml::Value) -> Option<String> {
    match (kind, value) {
        (ParamType::String, toml::Value::String(text)) if !text.is_empty() => Some(text.clone()),
        (ParamType::Int, toml::Value::Integer(number)) => Some(number.to_string()),
        (ParamType::Boolean, toml::Value::Boolean(flag)) => Some(flag.to_string()),
        (ParamType::Csv, toml::Value::String(text)) if !text.is_empty() => Some(text.clone()),
        (ParamType::Csv, toml::Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        _ => None,
    }
}

fn example(kind: ParamType) -> &'static str {
    match kind {
        ParamType::String => "\"value\"",
        ParamType::Int => "30",
        ParamType::Boolean => "true",
        ParamType::Csv => "[\"a\", \"b\"]",
    }
}

mod account;
mod kms;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
