//! `[log_bucket]`: the bucket the trail and Config deliver to, also made when the section is left
//! out.

use toml::Spanned;

use super::super::raw::RawLogBucket;
use super::super::{AccessLogs, LogBucket};
use super::checks::Checks;
use super::kms::watchpost_key;
use super::primitives::is_ip_address_form;
use super::sections::{Sections, Written};
use crate::model::Encryption;

const DEFAULT_EXPIRY_DAYS: i32 = 365;

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    let watchpost_key = watchpost_key(&sections.kms);
    sections.log_bucket = match written.value {
        Some(value) => checks
            .section::<RawLogBucket>(written.name, value)
            .map(|raw| checks.log_bucket(raw, watchpost_key)),
        None => Some(LogBucket {
            name: None,
            encryption: match watchpost_key {
                Some(alias) => Encryption::Kms {
                    kms_key_id: alias.to_owned(),
                },
                None => Encryption::S3Managed,
            },
            expire_after_days: DEFAULT_EXPIRY_DAYS,
            access_logs: None,
        }),
    };
}

impl Checks<'_> {
    fn log_bucket(&mut self, raw: RawLogBucket, watchpost_key: Option<&str>) -> LogBucket {
        if let Some(name) = &raw.name {
            self.bucket_name(
                name,
                "or leave `name` out to derive one from the account id",
            );
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
        let expire_after_days = self.expiry_days(raw.expire_after_days);
        let access_logs = raw.access_logs.map(|logs| {
            if let Some(name) = &logs.bucket_name {
                self.bucket_name(name, "or leave `bucket_name` out to derive one from the account id");
                if raw.name.as_ref().is_some_and(|log_bucket| log_bucket.get_ref() == name.get_ref()) {
                    self.error(
                        name.span(),
                        format!("`{}` is the log bucket itself", name.get_ref()),
                        "S3 would log each write of a log record, without end: give the access logs a bucket of their own, or leave bucket_name out",
                    );
                }
            }
            AccessLogs {
                bucket_name: logs.bucket_name.map(Spanned::into_inner),
                expire_after_days: self.expiry_days(logs.expire_after_days),
            }
        });
        LogBucket {
            name: raw.name.map(Spanned::into_inner),
            encryption,
            expire_after_days,
            access_logs,
        }
    }

    fn expiry_days(&mut self, days: Option<Spanned<i64>>) -> i32 {
        match days {
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
        }
    }

    /// `otherwise`: the other way out the hint offers, after the rules of a bucket name.
    pub(super) fn bucket_name(&mut self, name: &Spanned<String>, otherwise: &str) {
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
                format!("use 3 to 63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit; {otherwise}"),
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
}

/// Bucket name beginnings and endings S3 keeps for its own kinds of names.
const BUCKET_RESERVED_PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
const BUCKET_RESERVED_SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
