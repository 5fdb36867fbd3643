//! Account settings: each call sets the whole setting, so repeating one is harmless.

use aws_sdk_account::types::AlternateContactType;

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AwsError, Context};
use crate::model::{
    AnalyzerSpec, EbsEncryptionSpec, PasswordPolicySpec, PublicAccessBlockSpec, SecurityContactSpec,
};
use crate::plan::{Action, Change};

impl Converge for PasswordPolicySpec {
    /// `UpdateAccountPasswordPolicy` replaces the whole policy, and a field left out goes back to
    /// AWS's default; the plan's spec carries the live value of every field the baseline leaves
    /// to the account, so all of them are sent. 0 (no expiry, no reuse prevention) is sent as the
    /// field left out, which is how the API says none.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let home_region = at.home_region;
        let positive = |value: Option<i32>| value.filter(|days| *days > 0);
        at.session
            .iam(home_region)
            .update_account_password_policy()
            .set_minimum_password_length(self.minimum_password_length)
            .set_require_symbols(self.require_symbols)
            .set_require_numbers(self.require_numbers)
            .set_require_uppercase_characters(self.require_uppercase_characters)
            .set_require_lowercase_characters(self.require_lowercase_characters)
            .set_allow_users_to_change_password(self.allow_users_to_change_password)
            .set_max_password_age(positive(self.max_password_age))
            .set_password_reuse_prevention(positive(self.password_reuse_prevention))
            .set_hard_expiry(self.hard_expiry)
            .send()
            .await
            .call("iam:UpdateAccountPasswordPolicy", &change.id)
            .map(drop)
    }

    /// Account settings are never planned for removal: watchpost cannot tell whether it set
    /// them, and turning one off would weaken the account.
    async fn remove(&self, _: &Account<'_>, _: &Change) -> Result<(), AwsError> {
        Ok(())
    }
}

impl Converge for PublicAccessBlockSpec {
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let home_region = at.home_region;
        let configuration = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
            .block_public_acls(self.block_public_acls)
            .ignore_public_acls(self.ignore_public_acls)
            .block_public_policy(self.block_public_policy)
            .restrict_public_buckets(self.restrict_public_buckets)
            .build();
        at.session
            .s3control(home_region)
            .put_public_access_block()
            .account_id(at.id)
            .public_access_block_configuration(configuration)
            .send()
            .await
            .call("s3:PutAccountPublicAccessBlock", &change.id)
            .map(drop)
    }

    /// Account settings are never planned for removal: watchpost cannot tell whether it set
    /// them, and turning one off would weaken the account.
    async fn remove(&self, _: &Account<'_>, _: &Change) -> Result<(), AwsError> {
        Ok(())
    }
}

impl Converge for EbsEncryptionSpec {
    /// Turns encryption by default on and sets the default key, each only when it differs.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.ec2(&change.id.region);
        if self.enabled && change.changes_field("enabled") {
            client
                .enable_ebs_encryption_by_default()
                .send()
                .await
                .call("ec2:EnableEbsEncryptionByDefault", &change.id)?;
        }
        if let Some(key) = &self.kms_key_id
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

    /// Account settings are never planned for removal: watchpost cannot tell whether it set
    /// them, and turning one off would weaken the account.
    async fn remove(&self, _: &Account<'_>, _: &Change) -> Result<(), AwsError> {
        Ok(())
    }
}

impl Converge for AnalyzerSpec {
    /// An analyzer has nothing to update: the plan only ever creates one. One made in the meantime
    /// under the same name (`ConflictException`) is the one wanted.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        if change.action != Action::Create {
            return Ok(());
        }
        match at
            .session
            .accessanalyzer(&change.id.region)
            .create_analyzer()
            .analyzer_name(&self.name)
            .r#type(aws_sdk_accessanalyzer::types::Type::from(
                self.analyzer_type.as_str(),
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

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let Some(name) = &change.live_id else {
            return Ok(());
        };
        at.session
            .accessanalyzer(&change.id.region)
            .delete_analyzer()
            .analyzer_name(name)
            .send()
            .await
            .call("access-analyzer:DeleteAnalyzer", &change.id)
            .map(drop)
    }
}

impl Converge for SecurityContactSpec {
    /// `PutAlternateContact` sets the whole contact, so it both creates and updates. It is
    /// called without `AccountId`: the run works inside the account it changes, which needs no
    /// trusted access between Account Management and Organizations.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        at.session
            .account(at.home_region)
            .put_alternate_contact()
            .alternate_contact_type(AlternateContactType::Security)
            .name(&self.name)
            .title(&self.title)
            .email_address(&self.email_address)
            .phone_number(&self.phone_number)
            .send()
            .await
            .call("account:PutAlternateContact", &change.id)
            .map(drop)
    }

    /// Never planned: removing the contact would leave AWS no one but the root address to
    /// write to about a security matter.
    async fn remove(&self, _: &Account<'_>, _: &Change) -> Result<(), AwsError> {
        Ok(())
    }
}
