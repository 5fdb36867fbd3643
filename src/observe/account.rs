//! Account settings: the password policy and S3 Block Public Access (account-wide, read once),
//! EBS encryption by default and the IAM Access Analyzer (per region).

use super::{Read, global, unknown};
use crate::aws::{AbsentIfNotFound, Context, Session};
use crate::model::{
    AnalyzerSpec, EbsEncryptionSpec, Kind, Live, PasswordPolicySpec, PublicAccessBlockSpec,
    ResourceId, SecurityContactSpec, Spec, is_managed_tag,
};
use aws_sdk_account::types::AlternateContactType;

/// The account's password policy; none is there until someone sets one.
pub async fn password_policy(session: &Session, home: &str) -> Read {
    let id = global(Kind::PasswordPolicy, "");
    let Some(answer) = session
        .iam(home)
        .get_account_password_policy()
        .send()
        .await
        .call("iam:GetAccountPasswordPolicy", &id)
        .absent_if_not_found()
        .map_err(|error| (vec![id.clone()], error))?
    else {
        return Ok(Vec::new());
    };
    let Some(policy) = answer.password_policy() else {
        return Ok(Vec::new());
    };
    // An absent age or reuse count is AWS's way of saying none: passwords never expire, any
    // old one may be used again. Both are written as 0, which is what the API takes for none.
    let spec = PasswordPolicySpec {
        minimum_password_length: policy.minimum_password_length(),
        require_symbols: Some(policy.require_symbols()),
        require_numbers: Some(policy.require_numbers()),
        require_uppercase_characters: Some(policy.require_uppercase_characters()),
        require_lowercase_characters: Some(policy.require_lowercase_characters()),
        allow_users_to_change_password: Some(policy.allow_users_to_change_password()),
        max_password_age: Some(policy.max_password_age().unwrap_or(0)),
        password_reuse_prevention: Some(policy.password_reuse_prevention().unwrap_or(0)),
        hard_expiry: Some(policy.hard_expiry().unwrap_or(false)),
    };
    Ok(vec![(id, setting(Spec::PasswordPolicy(spec)))])
}

/// S3 Block Public Access of the whole account, through S3 Control in the home region.
pub async fn public_access_block(session: &Session, home: &str, account_id: &str) -> Read {
    let id = global(Kind::AccountPublicAccessBlock, "");
    let Some(answer) = session
        .s3control(home)
        .get_public_access_block()
        .account_id(account_id)
        .send()
        .await
        .call("s3:GetAccountPublicAccessBlock", &id)
        .absent_if_not_found()
        .map_err(|error| (vec![id.clone()], error))?
    else {
        return Ok(Vec::new());
    };
    let Some(block) = answer.public_access_block_configuration() else {
        return Ok(Vec::new());
    };
    let spec = PublicAccessBlockSpec {
        block_public_acls: block.block_public_acls().unwrap_or(false),
        ignore_public_acls: block.ignore_public_acls().unwrap_or(false),
        block_public_policy: block.block_public_policy().unwrap_or(false),
        restrict_public_buckets: block.restrict_public_buckets().unwrap_or(false),
    };
    Ok(vec![(id, setting(Spec::PublicAccessBlock(spec)))])
}

/// Whether new EBS volumes of the region are encrypted, and, when the baseline names a key for
/// the region (`read_key`), which KMS key they get.
pub async fn ebs_encryption(session: &Session, region: &str, read_key: bool) -> Read {
    let id = ResourceId::singleton(Kind::EbsEncryption, region);
    let failed = |error| (vec![id.clone()], error);
    let client = session.ec2(region);
    let (enabled, kms_key_id) = tokio::join!(
        async {
            client
                .get_ebs_encryption_by_default()
                .send()
                .await
                .call("ec2:GetEbsEncryptionByDefault", &id)
                .map(|answer| answer.ebs_encryption_by_default().unwrap_or(false))
        },
        async {
            if !read_key {
                return Ok(None);
            }
            client
                .get_ebs_default_kms_key_id()
                .send()
                .await
                .call("ec2:GetEbsDefaultKmsKeyId", &id)
                .map(|answer| answer.kms_key_id().map(str::to_owned))
        }
    );
    let (enabled, kms_key_id) = (enabled.map_err(failed)?, kms_key_id.map_err(failed)?);
    Ok(vec![(
        id,
        setting(Spec::EbsEncryption(EbsEncryptionSpec {
            enabled,
            kms_key_id,
        })),
    )])
}

/// The region's analyzer whose zone of trust is the account, if any: the one of the
/// baseline's name when there is one, else the first by name (AWS allows one).
pub async fn access_analyzer(session: &Session, region: &str, name: &str) -> Read {
    let id = ResourceId::singleton(Kind::AccessAnalyzer, region);
    let failed = |error| (unknown(&[Kind::AccessAnalyzer], region), error);
    let mut pages = session
        .accessanalyzer(region)
        .list_analyzers()
        .r#type(aws_sdk_accessanalyzer::types::Type::Account)
        .into_paginator()
        .send();
    let mut analyzers = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page
            .call("access-analyzer:ListAnalyzers", &id)
            .map_err(failed)?;
        analyzers.extend(page.analyzers().iter().cloned());
    }
    analyzers.sort_by(|a, b| (a.name() != name, a.name()).cmp(&(b.name() != name, b.name())));
    let Some(analyzer) = analyzers.first() else {
        return Ok(Vec::new());
    };
    let owned = analyzer.tags().is_some_and(|tags| {
        tags.iter()
            .any(|(key, value)| is_managed_tag(key.as_str(), value.as_str()))
    });
    Ok(vec![(
        id,
        Live {
            spec: Spec::Analyzer(AnalyzerSpec {
                name: analyzer.name().to_owned(),
                analyzer_type: analyzer.r#type().as_str().to_owned(),
                status: Some(analyzer.status().as_str().to_owned()),
            }),
            live_id: Some(analyzer.name().to_owned()),
            owned,
        },
    )])
}

/// The account's security contact; none is there until someone sets one. The Account
/// Management API is global, reached through the home region.
pub async fn security_contact(session: &Session, home: &str) -> Read {
    let id = global(Kind::SecurityContact, "");
    let Some(answer) = session
        .account(home)
        .get_alternate_contact()
        .alternate_contact_type(AlternateContactType::Security)
        .send()
        .await
        .call("account:GetAlternateContact", &id)
        .absent_if_not_found()
        .map_err(|error| (vec![id.clone()], error))?
    else {
        return Ok(Vec::new());
    };
    let Some(contact) = answer.alternate_contact() else {
        return Ok(Vec::new());
    };
    let text = |field: Option<&str>| field.unwrap_or_default().to_owned();
    let spec = SecurityContactSpec {
        name: text(contact.name()),
        title: text(contact.title()),
        email_address: text(contact.email_address()),
        phone_number: text(contact.phone_number()),
    };
    Ok(vec![(id, setting(Spec::SecurityContact(spec)))])
}

/// An account setting: there is nothing to own, so nothing `destroy` may take away.
fn setting(spec: Spec) -> Live {
    Live {
        spec,
        live_id: None,
        owned: false,
    }
}
