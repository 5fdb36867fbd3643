//! Account settings: each call sets the whole setting, so repeating one is harmless.

use super::MANAGED_TAG;
use crate::aws::{AwsError, Context, Session};
use crate::model::{AnalyzerSpec, EbsEncryptionSpec, PasswordPolicySpec, PublicAccessBlockSpec};
use crate::plan::{Action, Change};

/// `UpdateAccountPasswordPolicy` replaces the whole policy, and a field left out goes back to
/// AWS's default; the plan's spec carries the live value of every field the baseline leaves
/// to the account, so all of them are sent. 0 (no expiry, no reuse prevention) is sent as the
/// field left out, which is how the API says none.
pub async fn password_policy(
    session: &Session,
    home_region: &str,
    change: &Change,
    spec: &PasswordPolicySpec,
) -> Result<(), AwsError> {
    let positive = |value: Option<i32>| value.filter(|days| *days > 0);
    session
        .iam(home_region)
        .update_account_password_policy()
        .set_minimum_password_length(spec.minimum_password_length)
        .set_require_symbols(spec.require_symbols)
        .set_require_numbers(spec.require_numbers)
        .set_require_uppercase_characters(spec.require_uppercase_characters)
        .set_require_lowercase_characters(spec.require_lowercase_characters)
        .set_allow_users_to_change_password(spec.allow_users_to_change_password)
        .set_max_password_age(positive(spec.max_password_age))
        .set_password_reuse_prevention(positive(spec.password_reuse_prevention))
        .set_hard_expiry(spec.hard_expiry)
        .send()
        .await
        .call("iam:UpdateAccountPasswordPolicy", &change.id)
        .map(drop)
}

pub async fn public_access_block(
    session: &Session,
    home_region: &str,
    account: &str,
    change: &Change,
    spec: &PublicAccessBlockSpec,
) -> Result<(), AwsError> {
    let configuration = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(spec.block_public_acls)
        .ignore_public_acls(spec.ignore_public_acls)
        .block_public_policy(spec.block_public_policy)
        .restrict_public_buckets(spec.restrict_public_buckets)
        .build();
    session
        .s3control(home_region)
        .put_public_access_block()
        .account_id(account)
        .public_access_block_configuration(configuration)
        .send()
        .await
        .call("s3:PutAccountPublicAccessBlock", &change.id)
        .map(drop)
}

/// Turns encryption by default on and sets the default key, each only when it differs.
pub async fn ebs_encryption(
    session: &Session,
    change: &Change,
    spec: &EbsEncryptionSpec,
) -> Result<(), AwsError> {
    let client = session.ec2(&change.id.region);
    if spec.enabled && change.changes_field("enabled") {
        client
            .enable_ebs_encryption_by_default()
            .send()
            .await
            .call("ec2:EnableEbsEncryptionByDefault", &change.id)?;
    }
    if let Some(key) = &spec.kms_key_id
        && change.changes_field("kms_key_id")
    {
        client
            .modify_ebs_default_kms_key_id()
            .kms_key_id(key)
            .send()
            .await
            .call("ec2:ModifyEbsDefaultKmsKeyId", &change.id)?;
    }
    Ok(())
}

/// An analyzer has nothing to update: the plan only ever creates one. One made in the meantime
/// under the same name (`ConflictException`) is the one wanted.
pub async fn access_analyzer(
    session: &Session,
    change: &Change,
    spec: &AnalyzerSpec,
) -> Result<(), AwsError> {
    if change.action != Action::Create {
        return Ok(());
    }
    match session
        .accessanalyzer(&change.id.region)
        .create_analyzer()
        .analyzer_name(&spec.name)
        .r#type(aws_sdk_accessanalyzer::types::Type::from(
            spec.analyzer_type.as_str(),
        ))
        .tags(MANAGED_TAG.0, MANAGED_TAG.1)
        .send()
        .await
        .call("access-analyzer:CreateAnalyzer", &change.id)
    {
        Ok(_) => Ok(()),
        Err(error) if error.code.as_deref() == Some("ConflictException") => Ok(()),
        Err(error) => Err(error),
    }
}

pub async fn delete_access_analyzer(session: &Session, change: &Change) -> Result<(), AwsError> {
    let Some(name) = &change.live_id else {
        return Ok(());
    };
    session
        .accessanalyzer(&change.id.region)
        .delete_analyzer()
        .analyzer_name(name)
        .send()
        .await
        .call("access-analyzer:DeleteAnalyzer", &change.id)
        .map(drop)
}
