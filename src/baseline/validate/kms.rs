//! `[kms]`, the key watchpost makes for the trail and the log bucket.

use super::super::Kms;
use super::super::raw::RawKms;
use super::checks::Checks;
use super::primitives::spaced;
use super::sections::{Declared, Sections, Written};

/// The alias of watchpost's key unless `[kms]` gives another.
const DEFAULT_ALIAS: &str = "alias/watchpost";

/// What KMS allows in an alias after `alias/`.
const ALIAS_CHARACTERS: &str = "/_-";

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.kms = checks.declared(written, Checks::kms);
}

/// The key of `[kms]`, by its alias, for the bucket and the trail (a placeholder when `[kms]`
/// has problems of its own, so that they do not also read as a missing key).
pub(super) fn watchpost_key(kms: &Option<Declared<Kms>>) -> Option<&str> {
    kms.as_ref().map(|kms| {
        kms.value
            .as_ref()
            .map_or(DEFAULT_ALIAS, |kms| kms.alias.as_str())
    })
}

impl Checks<'_> {
    fn kms(&mut self, raw: RawKms) -> Option<Kms> {
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
