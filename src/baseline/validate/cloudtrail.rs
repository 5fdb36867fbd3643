//! `[cloudtrail]`: the trail, its log group in CloudWatch Logs and the role that delivers to it.

use toml::Spanned;

use std::collections::BTreeSet;

use super::super::CloudTrail;
use super::super::raw::{RawCloudTrail, RawS3DataEvents};
use super::checks::Checks;
use super::kms::watchpost_key;
use super::primitives::{IAM_NAME_CHARACTERS, is_ip_address_form};
use super::sections::{Sections, Written};
use crate::model::S3DataEvents;

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    let watchpost_key = watchpost_key(&sections.kms);
    sections.cloudtrail =
        checks.declared(written, |checks, raw| checks.cloudtrail(raw, watchpost_key));
}

impl Checks<'_> {
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
        let s3_data_events = raw
            .s3_data_events
            .and_then(|events| self.s3_data_events(events));
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
            s3_data_events,
        })
    }

    fn s3_data_events(&mut self, raw: RawS3DataEvents) -> Option<S3DataEvents> {
        let before = self.problems.len();
        let (mut reads, mut writes) = (false, false);
        for access in raw.access.get_ref() {
            match access.get_ref().as_str() {
                "read" if !reads => reads = true,
                "write" if !writes => writes = true,
                "read" | "write" => self.error(
                    access.span(),
                    format!("`{}` is named twice", access.get_ref()),
                    "name each of read and write once",
                ),
                other => self.error(
                    access.span(),
                    format!("`{other}` is not an access CloudTrail logs"),
                    "write [\"write\"] (CIS 4.8), [\"read\"] (CIS 4.9) or [\"read\", \"write\"]",
                ),
            }
        }
        if raw.access.get_ref().is_empty() {
            self.error(
                raw.access.span(),
                "access names nothing to log",
                "write [\"write\"] (CIS 4.8), [\"read\"] (CIS 4.9) or [\"read\", \"write\"]; or leave [cloudtrail.s3_data_events] out to log no data events",
            );
        }
        let mut buckets = BTreeSet::new();
        for bucket in raw.buckets.unwrap_or_default() {
            self.bucket_name(
                &bucket,
                "or leave `buckets` out to log the objects of every bucket",
            );
            if !buckets.insert(bucket.get_ref().clone()) {
                self.error(
                    bucket.span(),
                    format!("the bucket `{}` is named twice", bucket.get_ref()),
                    "name each bucket once",
                );
            }
        }
        (self.problems.len() == before).then_some(S3DataEvents {
            reads,
            writes,
            buckets,
        })
    }
}

/// The retention periods CloudWatch Logs accepts.
const LOG_RETENTION_DAYS: &[i32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
