//! The account settings sections: `[password_policy]`, `[account_public_access_block]`,
//! `[ebs_encryption]` and `[access_analyzer]`.

use std::collections::BTreeMap;

use toml::Spanned;

use super::super::raw::{
    RawAccessAnalyzer, RawAccountPublicAccessBlock, RawEbsEncryption, RawPasswordPolicy,
};
use super::super::{
    AccessAnalyzer, AccountPublicAccessBlock, EbsEncryption, PasswordPolicy, RegionSelection, Scope,
};
use super::checks::Checks;
use super::primitives::is_kms_key_arn;
use super::sections::{Sections, Written};

pub(super) fn read_password_policy(
    checks: &mut Checks<'_>,
    written: Written<'_>,
    sections: &mut Sections,
) {
    sections.password_policy = checks.declared(written, Checks::password_policy);
}

pub(super) fn read_account_public_access_block(
    checks: &mut Checks<'_>,
    written: Written<'_>,
    sections: &mut Sections,
) {
    sections.account_public_access_block = checks.declared(written, |checks, raw| {
        Some(checks.account_public_access_block(raw))
    });
}

pub(super) fn read_ebs_encryption(
    checks: &mut Checks<'_>,
    written: Written<'_>,
    sections: &mut Sections,
) {
    let scope = sections.scope.as_ref();
    sections.ebs_encryption =
        checks.declared(written, |checks, raw| checks.ebs_encryption(raw, scope));
}

pub(super) fn read_access_analyzer(
    checks: &mut Checks<'_>,
    written: Written<'_>,
    sections: &mut Sections,
) {
    sections.access_analyzer = checks.declared(written, Checks::access_analyzer);
}

impl Checks<'_> {
    fn password_policy(&mut self, raw: RawPasswordPolicy) -> Option<PasswordPolicy> {
        let before = self.problems.len();
        let minimum_password_length = self.count(
            raw.minimum_password_length,
            "minimum_password_length",
            6..=128,
            "IAM takes a minimum password length from 6 to 128 characters; the CIS benchmark asks for 14 or more",
        );
        let max_password_age = self.count(
            raw.max_password_age.clone(),
            "max_password_age",
            0..=1095,
            "give a number of days from 1 to 1095, or 0 for passwords that never expire",
        );
        let password_reuse_prevention = self.count(
            raw.password_reuse_prevention,
            "password_reuse_prevention",
            0..=24,
            "IAM remembers from 1 to 24 previous passwords (0: none); the CIS benchmark asks for 24",
        );
        if let (Some(hard_expiry), Some(0)) = (&raw.hard_expiry, max_password_age)
            && *hard_expiry.get_ref()
        {
            self.error(
                hard_expiry.span(),
                "hard_expiry = true with passwords that never expire",
                "hard expiry stops a user whose password has expired from choosing a new one: set max_password_age to a number of days, or remove hard_expiry",
            );
        }
        (self.problems.len() == before).then(|| PasswordPolicy {
            minimum_password_length,
            require_symbols: raw.require_symbols,
            require_numbers: raw.require_numbers,
            require_uppercase_characters: raw.require_uppercase_characters,
            require_lowercase_characters: raw.require_lowercase_characters,
            allow_users_to_change_password: raw.allow_users_to_change_password,
            max_password_age,
            password_reuse_prevention,
            hard_expiry: raw.hard_expiry.map(Spanned::into_inner),
        })
    }

    /// A whole number in `range`, or an error at its place with `hint`.
    fn count(
        &mut self,
        value: Option<Spanned<i64>>,
        what: &str,
        range: std::ops::RangeInclusive<i32>,
        hint: &str,
    ) -> Option<i32> {
        let value = value?;
        match i32::try_from(*value.get_ref()) {
            Ok(number) if range.contains(&number) => Some(number),
            _ => {
                self.error(
                    value.span(),
                    format!("{what} = {} is out of range", value.get_ref()),
                    hint,
                );
                None
            }
        }
    }

    fn account_public_access_block(
        &mut self,
        raw: RawAccountPublicAccessBlock,
    ) -> AccountPublicAccessBlock {
        AccountPublicAccessBlock {
            block_public_acls: raw.block_public_acls.unwrap_or(true),
            ignore_public_acls: raw.ignore_public_acls.unwrap_or(true),
            block_public_policy: raw.block_public_policy.unwrap_or(true),
            restrict_public_buckets: raw.restrict_public_buckets.unwrap_or(true),
        }
    }

    /// Each key of `kms_key_ids` a region in scope, each value a key ARN of that region.
    fn ebs_encryption(
        &mut self,
        raw: RawEbsEncryption,
        scope: Option<&Scope>,
    ) -> Option<EbsEncryption> {
        let before = self.problems.len();
        let mut kms_key_ids = BTreeMap::new();
        for (region, key) in raw.kms_key_ids {
            if !self.known_region(region.get_ref(), region.span()) {
                continue;
            }
            if let Some(Scope {
                regions: RegionSelection::Listed(listed),
                ..
            }) = scope
                && !listed.contains(region.get_ref())
            {
                self.error(
                    region.span(),
                    format!("region `{}` is not in scope", region.get_ref()),
                    "name a key only for a region of scope.regions, or add the region there",
                );
            }
            let text = key.get_ref();
            if !is_kms_key_arn(text) {
                self.error(
                    key.span(),
                    format!("`{text}` is not a KMS key ARN"),
                    "give the key's ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID: EBS reports the default key by its ARN, so that is what is compared",
                );
            } else if text.split(':').nth(3) != Some(region.get_ref().as_str()) {
                self.error(
                    key.span(),
                    format!("the key for `{}` is in another region", region.get_ref()),
                    format!(
                        "EBS in {} can use only a key of that region (a multi-Region key's replica there has an ARN of that region)",
                        region.get_ref()
                    ),
                );
            }
            kms_key_ids.insert(region.into_inner(), key.into_inner());
        }
        (self.problems.len() == before).then_some(EbsEncryption { kms_key_ids })
    }

    fn access_analyzer(&mut self, raw: RawAccessAnalyzer) -> Option<AccessAnalyzer> {
        let Some(name) = raw.name else {
            return Some(AccessAnalyzer {
                name: "watchpost".to_owned(),
            });
        };
        let text = name.get_ref();
        let valid = text.len() <= 255
            && text.starts_with(|c: char| c.is_ascii_alphabetic())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !valid {
            self.error(
                name.span(),
                format!("`{text}` is not a valid analyzer name"),
                "use 1 to 255 letters, digits and . _ -, starting with a letter",
            );
        }
        valid.then(|| AccessAnalyzer {
            name: name.into_inner(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    const SCOPE: &str =
        "[scope]\nregions = [\"us-east-1\", \"eu-west-1\"]\nhome_region = \"us-east-1\"\n";

    /// Each problem as `line:col message (hint)`.
    fn problems(extra: &str) -> Vec<String> {
        let source = format!("{SCOPE}{extra}");
        parse(&source)
            .expect_err("the baseline should be rejected")
            .into_iter()
            .map(|problem| {
                let line = source[..problem.span.start].matches('\n').count() + 1;
                let column = problem.span.start
                    - source[..problem.span.start]
                        .rfind('\n')
                        .map_or(0, |newline| newline + 1)
                    + 1;
                format!(
                    "{line}:{column} {} ({})",
                    problem.message,
                    problem.hint.unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn empty_sections_mean_the_cis_settings() {
        let baseline = parse(&format!(
            "{SCOPE}[password_policy]\n[account_public_access_block]\n[ebs_encryption]\n[access_analyzer]\n"
        ))
        .unwrap();
        let policy = baseline.password_policy.unwrap();
        assert_eq!(policy, Default::default(), "nothing declared");
        let block = baseline.account_public_access_block.unwrap();
        assert!(
            block.block_public_acls
                && block.ignore_public_acls
                && block.block_public_policy
                && block.restrict_public_buckets
        );
        assert!(baseline.ebs_encryption.unwrap().kms_key_ids.is_empty());
        assert_eq!(baseline.access_analyzer.unwrap().name, "watchpost");
    }

    #[test]
    fn every_password_policy_field_is_settable() {
        let baseline = parse(&format!(
            "{SCOPE}[password_policy]\nminimum_password_length = 20\nrequire_symbols = true\n\
             require_numbers = true\nrequire_uppercase_characters = false\n\
             require_lowercase_characters = true\nallow_users_to_change_password = true\n\
             max_password_age = 90\npassword_reuse_prevention = 5\nhard_expiry = false\n"
        ))
        .unwrap();
        let policy = baseline.password_policy.unwrap();
        assert_eq!(policy.minimum_password_length, Some(20));
        assert_eq!(policy.require_uppercase_characters, Some(false));
        assert_eq!(policy.max_password_age, Some(90));
        assert_eq!(policy.password_reuse_prevention, Some(5));
        assert_eq!(policy.hard_expiry, Some(false));
    }

    #[test]
    fn out_of_range_values_are_placed_with_the_range() {
        assert_eq!(
            problems(
                "[password_policy]\nminimum_password_length = 4\nmax_password_age = 2000\n\
                 password_reuse_prevention = 25\n"
            ),
            [
                "5:27 minimum_password_length = 4 is out of range (IAM takes a minimum password length from 6 to 128 characters; the CIS benchmark asks for 14 or more)",
                "6:20 max_password_age = 2000 is out of range (give a number of days from 1 to 1095, or 0 for passwords that never expire)",
                "7:29 password_reuse_prevention = 25 is out of range (IAM remembers from 1 to 24 previous passwords (0: none); the CIS benchmark asks for 24)",
            ]
        );
        assert_eq!(
            problems("[password_policy]\nmax_password_age = 0\nhard_expiry = true\n"),
            [
                "6:15 hard_expiry = true with passwords that never expire (hard expiry stops a user whose password has expired from choosing a new one: set max_password_age to a number of days, or remove hard_expiry)"
            ]
        );
    }

    #[test]
    fn wrong_types_and_unknown_keys_are_reported() {
        assert_eq!(
            problems("[account_public_access_block]\nblock_public_acl = true\n"),
            [
                "5:1 unknown key `account_public_access_block.block_public_acl` (did you mean \"block_public_acls\"?)"
            ]
        );
        let found = problems("[password_policy]\nrequire_symbols = \"yes\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0],
            "5:19 `password_policy.require_symbols`: expected a boolean, found a string \"yes\" ()"
        );
        assert_eq!(
            problems("[password_policy]\nrequire_symbols = \"true\"\n"),
            [
                "5:19 `password_policy.require_symbols`: expected a boolean, found a string \"true\"; write true without quotes ()"
            ]
        );
        assert_eq!(
            problems("[passwordpolicy]\n"),
            ["4:2 unknown section `passwordpolicy` (did you mean \"password_policy\"?)"]
        );
    }

    #[test]
    fn ebs_keys_are_key_arns_of_their_region_in_scope() {
        const KEY: &str = "key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let baseline = parse(&format!(
            "{SCOPE}[ebs_encryption.kms_key_ids]\n\"eu-west-1\" = \"arn:aws:kms:eu-west-1:123456789012:{KEY}\"\n"
        ))
        .unwrap();
        assert_eq!(
            baseline.ebs_encryption.unwrap().kms_key_ids["eu-west-1"],
            format!("arn:aws:kms:eu-west-1:123456789012:{KEY}")
        );
        assert_eq!(
            problems(&format!(
                "[ebs_encryption.kms_key_ids]\n\
                 \"eu-west-1\" = \"arn:aws:kms:us-east-1:123456789012:{KEY}\"\n\
                 \"us-east-1\" = \"alias/ebs\"\n\
                 \"eu-west-2\" = \"arn:aws:kms:eu-west-2:123456789012:{KEY}\"\n\
                 \"eu-wset-1\" = \"arn:aws:kms:eu-west-1:123456789012:{KEY}\"\n"
            )),
            [
                "5:15 the key for `eu-west-1` is in another region (EBS in eu-west-1 can use only a key of that region (a multi-Region key's replica there has an ARN of that region))",
                "6:15 `alias/ebs` is not a KMS key ARN (give the key's ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID: EBS reports the default key by its ARN, so that is what is compared)",
                "7:1 region `eu-west-2` is not in scope (name a key only for a region of scope.regions, or add the region there)",
                "8:1 unknown region `eu-wset-1` (did you mean \"eu-west-1\"?)",
            ]
        );
    }

    #[test]
    fn analyzer_names_follow_access_analyzer_rules() {
        assert_eq!(
            problems("[access_analyzer]\nname = \"1st analyzer\"\n"),
            [
                "5:8 `1st analyzer` is not a valid analyzer name (use 1 to 255 letters, digits and . _ -, starting with a letter)"
            ]
        );
    }
}
