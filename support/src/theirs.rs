//! What someone other than watchpost does to the account: what they made before watchpost runs,
//! for the tests of adopting ("Adopt, don't collide") and of leaving alone what watchpost does
//! not own; and what they undo afterwards, for the tests of drift.

use aws_sdk_config::types::{ConfigurationRecorder, RecordingGroup};

use crate::{ACCOUNT, Moto, REGION};

impl Moto {
    /// Makes the caller's account the management account of an organization with all
    /// features, and an account in it for each of `names`: the organization's id, and the ids
    /// moto chose for the accounts, in the order of `names`.
    pub async fn create_organization(&self, names: &[&str]) -> (String, Vec<String>) {
        let organizations = aws_sdk_organizations::Client::new(&self.sdk_config(REGION).await);
        let made = organizations
            .create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .unwrap();
        let id = made.organization().and_then(|o| o.id()).unwrap().to_owned();
        let mut accounts = Vec::new();
        for name in names {
            let created = organizations
                .create_account()
                .account_name(*name)
                .email(format!("{name}@example.com"))
                .send()
                .await
                .unwrap();
            let status = created.create_account_status();
            let account = status.and_then(|status| status.account_id());
            accounts.push(
                account
                    .expect("moto creates the account at once")
                    .to_owned(),
            );
        }
        (id, accounts)
    }

    /// Creates a GuardDuty detector in `region`, enabled or not, as someone else would; gives
    /// its id.
    pub async fn create_detector(&self, region: &str, enable: bool) -> String {
        let created = self
            .guardduty(region)
            .await
            .create_detector()
            .enable(enable);
        let created = created.send().await.unwrap();
        created.detector_id.expect("CreateDetector gives an id")
    }

    /// Puts an AWS Config recorder `name` in `region` as someone else would: all supported
    /// resource types, with their role `theirs`, and global resource types recorded as
    /// `include_global` says (None: not said).
    pub async fn put_recorder(&self, region: &str, name: &str, include_global: Option<bool>) {
        let group = RecordingGroup::builder()
            .all_supported(true)
            .set_include_global_resource_types(include_global)
            .build();
        let recorder = ConfigurationRecorder::builder()
            .name(name)
            .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/theirs"))
            .recording_group(group)
            .build();
        let put = self.config(region).await.put_configuration_recorder();
        put.configuration_recorder(recorder).send().await.unwrap();
    }

    /// Deletes the AWS Config rule `name` of `region`, as someone undoing watchpost's work.
    pub async fn delete_config_rule(&self, region: &str, name: &str) {
        let config = self.config(region).await;
        let deleted = config.delete_config_rule().config_rule_name(name);
        deleted.send().await.unwrap();
    }
}
