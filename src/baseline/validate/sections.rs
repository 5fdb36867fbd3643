//! The table of top-level sections: each one's name and how it is read, written once, and what
//! the sections of one document declare once read.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::super::diagnostic::{Diagnostic, suggest};
use super::super::{
    AccessAnalyzer, AccountPublicAccessBlock, Accounts, Alarms, Alerts, Baseline, CloudTrail,
    Config, EbsEncryption, GuardDuty, Kms, LogBucket, PasswordPolicy, Scope, SecurityContact,
    SecurityHub, SigninNotification, SupportRole, TamperAlerts, VpcFlowLogs,
};
use super::checks::Checks;
use super::{
    account_settings, accounts, alarms, alerts, cloudtrail, config, guardduty, kms, log_bucket,
    scope, security_contact, security_hub, signin_notification, support_role, tamper_alerts,
    vpc_flow_logs,
};

/// Every top-level section, in the order the hint for an unknown section lists them.
pub(in crate::baseline) const SECTIONS: &[Section] = &[
    Section::new("scope", scope::read).read_first(),
    Section::new("accounts", accounts::read),
    Section::new("guardduty", guardduty::read),
    Section::new("log_bucket", log_bucket::read),
    Section::new("config", config::read),
    Section::new("cloudtrail", cloudtrail::read),
    Section::new("alerts", alerts::read),
    Section::new("signin_notification", signin_notification::read),
    Section::new("alarms", alarms::read),
    Section::new("tamper_alerts", tamper_alerts::read),
    Section::new("kms", kms::read).read_first(),
    Section::new("password_policy", account_settings::read_password_policy),
    Section::new(
        "account_public_access_block",
        account_settings::read_account_public_access_block,
    ),
    Section::new("ebs_encryption", account_settings::read_ebs_encryption),
    Section::new("access_analyzer", account_settings::read_access_analyzer),
    Section::new("security_contact", security_contact::read),
    Section::new("support_role", support_role::read),
    Section::new("vpc_flow_logs", vpc_flow_logs::read),
    Section::new("security_hub", security_hub::read),
];

/// A top-level section as the document writes it, under the name the table gives it.
pub(super) struct Written<'de> {
    pub(super) name: &'static str,
    /// `None` when the document leaves the section out.
    pub(super) value: Option<Spanned<DeValue<'de>>>,
}

/// Checks a section as written and records what it declares.
type Read = fn(&mut Checks<'_>, Written<'_>, &mut Sections);

pub(in crate::baseline) struct Section {
    pub(in crate::baseline) name: &'static str,
    /// Read before the sections that are not, because others build on what it declares:
    /// `[scope]` gives the home region and the regions, `[kms]` the key the bucket and the trail
    /// use unless they name their own.
    read_first: bool,
    read: Read,
}

impl Section {
    const fn new(name: &'static str, read: Read) -> Self {
        Section {
            name,
            read_first: false,
            read,
        }
    }

    const fn read_first(self) -> Self {
        Section {
            read_first: true,
            ..self
        }
    }
}

/// A section the document declares: where it is written, and what it declares once checked
/// (`None` when it has problems, which the checks between sections do not judge again).
pub(super) struct Declared<T> {
    pub(super) span: Range<usize>,
    pub(super) value: Option<T>,
}

/// What a valid section declares; `None` also for a section left out.
pub(super) fn valid<T>(section: &Option<Declared<T>>) -> Option<&T> {
    section.as_ref()?.value.as_ref()
}

/// What the sections of one document declare, each read in turn.
#[derive(Default)]
pub(super) struct Sections {
    /// `None` when `[scope]` is missing or has problems.
    pub(super) scope: Option<Scope>,
    pub(super) accounts: Option<Declared<Accounts>>,
    pub(super) guardduty: Option<Declared<GuardDuty>>,
    /// Where `[guardduty.finding_alerts]` is written, for the checks between it and the sections
    /// it builds on.
    pub(super) finding_alerts_span: Option<Range<usize>>,
    /// The bucket the document declares or, without `[log_bucket]`, the default one; `None` when
    /// `[log_bucket]` cannot be read at all.
    pub(super) log_bucket: Option<LogBucket>,
    pub(super) config: Option<Declared<Config>>,
    pub(super) cloudtrail: Option<Declared<CloudTrail>>,
    pub(super) alerts: Option<Declared<Alerts>>,
    /// Where `[alerts] central_bus` is written, for the checks between it and `[accounts]`.
    pub(super) central_bus_span: Option<Range<usize>>,
    pub(super) signin_notification: Option<Declared<SigninNotification>>,
    pub(super) alarms: Option<Declared<Alarms>>,
    pub(super) tamper_alerts: Option<Declared<TamperAlerts>>,
    pub(super) kms: Option<Declared<Kms>>,
    pub(super) password_policy: Option<Declared<PasswordPolicy>>,
    pub(super) account_public_access_block: Option<Declared<AccountPublicAccessBlock>>,
    pub(super) ebs_encryption: Option<Declared<EbsEncryption>>,
    pub(super) access_analyzer: Option<Declared<AccessAnalyzer>>,
    pub(super) security_contact: Option<Declared<SecurityContact>>,
    pub(super) support_role: Option<Declared<SupportRole>>,
    pub(super) vpc_flow_logs: Option<Declared<VpcFlowLogs>>,
    pub(super) security_hub: Option<Declared<SecurityHub>>,
    /// Where `[security_hub.finding_alerts]` is written, for the check that [alerts] is there.
    pub(super) hub_finding_alerts_span: Option<Range<usize>>,
}

impl Sections {
    /// Reads every section of `document`, each known one through its entry of [`SECTIONS`];
    /// a key that names no section is reported.
    pub(super) fn read(document: DeTable<'_>, checks: &mut Checks<'_>) -> Sections {
        let mut by_name: BTreeMap<&str, Spanned<DeValue<'_>>> = BTreeMap::new();
        for (key, value) in document {
            match SECTIONS
                .iter()
                .find(|section| section.name == key.get_ref().as_ref())
            {
                Some(section) => {
                    by_name.insert(section.name, value);
                }
                None => checks.problems.push(
                    Diagnostic::new(key.span(), format!("unknown section `{}`", key.get_ref()))
                        .hint(suggest(
                            key.get_ref(),
                            SECTIONS.iter().map(|section| section.name),
                        )),
                ),
            }
        }
        let mut sections = Sections::default();
        let (first, then): (Vec<&Section>, Vec<&Section>) =
            SECTIONS.iter().partition(|section| section.read_first);
        for section in first.into_iter().chain(then) {
            let written = Written {
                name: section.name,
                value: by_name.remove(section.name),
            };
            (section.read)(checks, written, &mut sections);
        }
        sections
    }

    /// The baseline the sections declare, when each one written is valid.
    pub(super) fn into_baseline(self) -> Option<Baseline> {
        /// `Some(None)` for a section left out, `None` for one with problems.
        fn checked<T>(section: Option<Declared<T>>) -> Option<Option<T>> {
            match section {
                None => Some(None),
                Some(declared) => declared.value.map(Some),
            }
        }
        Some(Baseline {
            scope: self.scope?,
            accounts: checked(self.accounts)?,
            guardduty: checked(self.guardduty)?,
            log_bucket: self.log_bucket?,
            config: checked(self.config)?,
            cloudtrail: checked(self.cloudtrail)?,
            alerts: checked(self.alerts)?,
            signin_notification: checked(self.signin_notification)?,
            alarms: checked(self.alarms)?,
            tamper_alerts: checked(self.tamper_alerts)?,
            kms: checked(self.kms)?,
            password_policy: checked(self.password_policy)?,
            account_public_access_block: checked(self.account_public_access_block)?,
            ebs_encryption: checked(self.ebs_encryption)?,
            access_analyzer: checked(self.access_analyzer)?,
            security_contact: checked(self.security_contact)?,
            support_role: checked(self.support_role)?,
            vpc_flow_logs: checked(self.vpc_flow_logs)?,
            security_hub: checked(self.security_hub)?,
        })
    }
}
