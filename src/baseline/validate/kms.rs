//! `[kms]`, the key watchpost makes for the trail and the log bucket; `[guardduty.finding_alerts]`;
//! and the check that a key the baseline names is in the home region.

use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

use super::super::raw::{RawFindingAlerts, RawKms};
use super::super::{CloudTrail, FindingAlerts, GuardDuty, Kms, LogBucket, SigninNotification};
use super::{Checks, spaced};
use crate::model::Encryption;

/// The place of `key` in a section as written, for an error about it as a whole.
pub(super) fn subtable_span(
    section: Option<&Spanned<DeValue<'_>>>,
    key: &str,
) -> Option<Range<usize>> {
    match section?.get_ref() {
        DeValue::Table(table) => table
            .iter()
            .find(|(name, _)| name.get_ref() == key)
            .map(|(_, value)| value.span()),
        _ => None,
    }
}

/// What the checks between `[kms]`, `[guardduty.finding_alerts]` and the sections they serve
/// look at; `Some(None)` is a section with problems of its own, which is not judged again.
pub(super) struct Uses<'a> {
    pub kms_span: Option<Range<usize>>,
    pub kms: &'a Option<Option<Kms>>,
    pub finding_alerts_span: Option<Range<usize>>,
    pub guardduty: &'a Option<Option<GuardDuty>>,
    pub log_bucket: Option<&'a LogBucket>,
    pub config_present: bool,
    pub cloudtrail: &'a Option<Option<CloudTrail>>,
    pub alerts_present: bool,
    pub signin_notification: &'a Option<Option<SigninNotification>>,
}

/// The alias of watchpost's key unless `[kms]` gives another.
pub(super) const DEFAULT_ALIAS: &str = "alias/watchpost";

/// What KMS allows in an alias after `alias/`.
const ALIAS_CHARACTERS: &str = "/_-";

/// GuardDuty's severity scale: low 1 to 3.9, medium 4 to 6.9, high 7 to 8.9, critical 9 to 10.
const SEVERITY_BANDS: &str = "GuardDuty rates findings from 1 to 10: low 1 to 3.9, medium 4 to 6.9, high 7 to 8.9, critical 9 to 10";

impl Checks<'_> {
    pub(super) fn kms(&mut self, raw: RawKms) -> Option<Kms> {
        let before = self.problems.len();
        let alias = match raw.alias {
            None => DEFAULT_ALIAS.to_owned(),
            Some(alias) => {
                let text = alias.get_ref();
                let name = text.strip_prefix("alias/").unwrap_or_default();
                let allowed = |c: char| c.is_ascii_alphanumeric() || ALIAS_CHARACTERS.contains(c);
                if name.is_empty() || text.len() > 256 || !name.chars().all(allowed) {
                    self.error(
                        alias.span(),
                        format!("`{text}` is not a KMS alias"),
                        format!(
                            "write alias/ and a name of letters, digits and {}, at most 256 characters in all, e.g. \"{DEFAULT_ALIAS}\"",
                            spaced(ALIAS_CHARACTERS)
                        ),
                    );
                } else if name.starts_with("aws/") {
                    self.error(
                        alias.span(),
                        format!("`{text}` is an alias AWS keeps for its own keys"),
                        "AWS managed keys (alias/aws/...) cannot be given a key policy: choose another name",
                    );
                }
                alias.into_inner()
            }
        };
        (self.problems.len() == before).then_some(Kms { alias })
    }

    /// A KMS key ARN named for the log bucket or the trail must be in the home region: S3 and
    /// CloudTrail use only a key of the bucket's and the trail's own region.
    pub(super) fn key_in_home_region(&mut self, key: &Spanned<String>) {
        let Some(home) = self.home_region.clone() else {
            return;
        };
        let region = key.get_ref().split(':').nth(3).unwrap_or_default();
        if region != home {
            self.error(
                key.span(),
                format!("the key is in `{region}`, not the home region `{home}`"),
                format!(
                    "S3 and CloudTrail use a key of their own region only, and the log bucket and the trail are in {home}: name a key of {home}, or remove kms_key_id and add [kms] for a key watchpost makes there"
                ),
            );
        }
    }

    pub(super) fn finding_alerts(&mut self, raw: RawFindingAlerts) -> Option<FindingAlerts> {
        let before = self.problems.len();
        let rule_name = self.aws_name(
            raw.rule_name,
            "watchpost-guardduty-findings",
            "EventBridge rule name",
            64,
            "._-",
        );
        let min_severity = match raw.min_severity {
            None => 7.0,
            Some(value) => {
                let severity = *value.get_ref();
                if !(1.0..=10.0).contains(&severity) {
                    self.error(
                        value.span(),
                        format!("min_severity = {severity} is not a GuardDuty severity"),
                        format!("{SEVERITY_BANDS}; 7 sends high and critical findings"),
                    );
                }
                severity
            }
        };
        (self.problems.len() == before).then_some(FindingAlerts {
            rule_name,
            min_severity,
        })
    }

    /// `[kms]` present, yet neither the bucket nor the trail uses its key.
    pub(super) fn unused_key(&mut self, span: Range<usize>) {
        self.error(
            span,
            "[kms] makes a key that nothing uses",
            "the key encrypts the trail's log files and the log bucket unless they name a key of their own: add [cloudtrail] (or [config], for the bucket), drop kms_key_id or encryption = \"SSE-S3\" where one should use it, or remove [kms]",
        );
    }

    /// Finding alerts go to the alert topics, under a rule name of their own; the key of
    /// `[kms]` must be used by the bucket or the trail.
    pub(super) fn key_and_finding_alerts(&mut self, uses: &Uses<'_>) {
        if let Some(span) = uses.finding_alerts_span.clone() {
            if !uses.alerts_present {
                self.error(
                    span.clone(),
                    "[guardduty.finding_alerts] needs [alerts]",
                    "add [alerts] with emails = [\"security@example.com\"]: it is where the findings go",
                );
            }
            let finding_rule = match uses.guardduty {
                Some(Some(guardduty)) => guardduty.finding_alerts.as_ref(),
                _ => None,
            };
            if let (Some(findings), Some(Some(signin))) = (finding_rule, uses.signin_notification)
                && findings.rule_name == signin.rule_name
            {
                self.error(
                    span,
                    format!(
                        "[guardduty.finding_alerts] and [signin_notification] both name the rule `{}`",
                        findings.rule_name
                    ),
                    "both rules live in every region in scope: give finding_alerts a rule_name of its own",
                );
            }
        }
        let (Some(span), Some(Some(kms))) = (uses.kms_span.clone(), uses.kms) else {
            return;
        };
        let ours = Encryption::Kms {
            kms_key_id: kms.alias.clone(),
        };
        let bucket_exists = uses.config_present || uses.cloudtrail.is_some();
        let bucket_uses = match uses.log_bucket {
            Some(bucket) => bucket_exists && bucket.encryption == ours,
            None => true,
        };
        let trail_uses = match uses.cloudtrail {
            Some(Some(trail)) => trail.kms_key_id.as_deref() == Some(kms.alias.as_str()),
            Some(None) => true,
            None => false,
        };
        if !bucket_uses && !trail_uses {
            self.unused_key(span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use crate::model::Encryption;

    const SCOPE: &str = "[scope]\nregions = [\"eu-west-1\"]\nhome_region = \"eu-west-1\"\n";
    const KEY_ARN: &str =
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn messages(source: &str) -> Vec<String> {
        parse(source)
            .expect_err("the baseline should be rejected")
            .into_iter()
            .map(|problem| format!("{} ({})", problem.message, problem.hint.unwrap_or_default()))
            .collect()
    }

    fn alias(key: &str) -> Encryption {
        Encryption::Kms {
            kms_key_id: key.to_owned(),
        }
    }

    #[test]
    fn the_key_of_kms_is_what_the_bucket_and_the_trail_use_unless_they_say_otherwise() {
        let baseline = parse(&format!("{SCOPE}[kms]\n[cloudtrail]\n")).unwrap();
        assert_eq!(baseline.kms.unwrap().alias, "alias/watchpost");
        assert_eq!(baseline.log_bucket.encryption, alias("alias/watchpost"));
        assert_eq!(
            baseline.cloudtrail.unwrap().kms_key_id.as_deref(),
            Some("alias/watchpost")
        );

        let own = parse(&format!(
            "{SCOPE}[kms]\nalias = \"alias/logs\"\n[cloudtrail]\nkms_key_id = \"{KEY_ARN}\"\n\
             [log_bucket]\nencryption = \"SSE-KMS\"\n"
        ))
        .unwrap();
        assert_eq!(own.log_bucket.encryption, alias("alias/logs"));
        assert_eq!(own.cloudtrail.unwrap().kms_key_id.as_deref(), Some(KEY_ARN));

        let s3 = parse(&format!(
            "{SCOPE}[kms]\n[cloudtrail]\n[log_bucket]\nencryption = \"SSE-S3\"\n"
        ))
        .unwrap();
        assert_eq!(s3.log_bucket.encryption, Encryption::S3Managed);

        let without = parse(&format!("{SCOPE}[cloudtrail]\n")).unwrap();
        assert_eq!(without.log_bucket.encryption, Encryption::S3Managed);
        assert_eq!(without.cloudtrail.unwrap().kms_key_id, None);
    }

    #[test]
    fn a_key_nothing_uses_and_a_bad_alias_are_refused() {
        assert_eq!(
            messages(&format!("{SCOPE}[kms]\n")),
            [
                "[kms] makes a key that nothing uses (the key encrypts the trail's log files and the log bucket unless they name a key of their own: add [cloudtrail] (or [config], for the bucket), drop kms_key_id or encryption = \"SSE-S3\" where one should use it, or remove [kms])"
            ]
        );
        for bad in ["watchpost", "alias/", "alias/with space", "alias/aws/logs"] {
            let found = messages(&format!("{SCOPE}[kms]\nalias = \"{bad}\"\n[cloudtrail]\n"));
            assert_eq!(found.len(), 1, "{bad}: {found:?}");
            assert!(found[0].starts_with(&format!("`{bad}` ")), "{found:?}");
        }
        assert!(
            messages(&format!("{SCOPE}[log_bucket]\nencryption = \"SSE-KMS\"\n"))[0]
                .contains("or a [kms] section for a key watchpost makes"),
        );
    }

    #[test]
    fn finding_alerts_default_to_high_and_critical_and_need_alerts() {
        let baseline = parse(&format!(
            "{SCOPE}[guardduty.finding_alerts]\n[alerts]\nemails = [\"a@example.com\"]\n"
        ))
        .unwrap();
        let alerts = baseline.guardduty.unwrap().finding_alerts.unwrap();
        assert_eq!(alerts.min_severity, 7.0);
        assert_eq!(alerts.rule_name, "watchpost-guardduty-findings");

        let fraction = parse(&format!(
            "{SCOPE}[guardduty.finding_alerts]\nmin_severity = 4.5\n[alerts]\nemails = [\"a@example.com\"]\n"
        ))
        .unwrap();
        assert_eq!(
            fraction
                .guardduty
                .unwrap()
                .finding_alerts
                .unwrap()
                .min_severity,
            4.5
        );

        let found = messages(&format!(
            "{SCOPE}[guardduty.finding_alerts]\nmin_severity = 0.5\n"
        ));
        assert_eq!(found.len(), 2, "{found:?}");
        for expected in [
            "[guardduty.finding_alerts] needs [alerts]",
            "min_severity = 0.5 is not a GuardDuty severity",
        ] {
            assert!(found.iter().any(|f| f.starts_with(expected)), "{found:?}");
        }
    }
}
