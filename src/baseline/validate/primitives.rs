//! Checks that more than one section makes: account ids, regions, names AWS accepts, key
//! prefixes and KMS key ARNs.

use std::ops::Range;

use toml::Spanned;

use super::super::catalog;
use super::super::diagnostic::{closest, suggest};
use super::super::is_account_id;
use super::checks::Checks;
use crate::model::partition;

impl Checks<'_> {
    pub(super) fn account_id(&mut self, id: &Spanned<String>) -> bool {
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

    pub(super) fn known_region(&mut self, region: &str, span: Range<usize>) -> bool {
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

    pub(super) fn one_of(
        &mut self,
        value: &Spanned<String>,
        what: &str,
        accepted: &[&str],
    ) -> bool {
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

    /// Refuses a name that starts with what AWS keeps for the names of its own services.
    pub(super) fn not_reserved(
        &mut self,
        value: Option<&Spanned<String>>,
        reserved: &str,
        what: &str,
    ) {
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
    pub(super) fn aws_name(
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

    pub(super) fn key_prefix(&mut self, value: Option<Spanned<String>>, default: &str) -> String {
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

    /// A key ARN, not an alias or bare id: the Config role's policy must name the key itself.
    pub(super) fn kms_key(&mut self, key: &Spanned<String>) {
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

    /// A KMS key ARN named for the log bucket or the trail must be in the home region: S3 and
    /// CloudTrail use only a key of the bucket's and the trail's own region.
    fn key_in_home_region(&mut self, key: &Spanned<String>) {
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
}

/// Characters IAM allows in role names besides letters and digits.
pub(super) const IAM_NAME_CHARACTERS: &str = "+=,.@_-";

/// An address SNS can send to: `local@domain.tld`, at most 254 characters, without a display
/// name (`Name <a@example.com>`) or an address literal (`a@[192.0.2.1]`).
pub(super) fn is_email_address(text: &str) -> bool {
    let options = email_address::Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    text.len() <= 254 && email_address::EmailAddress::parse_with_options(text, options).is_ok()
}

/// `"._-"` as `. _ -`, for a hint listing accepted characters.
pub(super) fn spaced(characters: &str) -> String {
    characters
        .chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Written like an IPv4 address (`192.168.5.4`), which S3 and CloudTrail refuse as a name.
pub(super) fn is_ip_address_form(text: &str) -> bool {
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

/// A KMS key ARN: `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID`, in a known region of that
/// partition, with a key id as KMS makes them (a UUID, or `mrk-` and 32 hex digits).
pub(super) fn is_kms_key_arn(text: &str) -> bool {
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
