//! The account read back with the SDK, one question at a time: what most tests ask after a
//! run, so that each asks it in one line.

use aws_sdk_s3::types::{PublicAccessBlockConfiguration, ServerSideEncryptionRule};
use serde_json::Value;

use crate::Moto;

impl Moto {
    /// The GuardDuty detector ids of `region`.
    pub async fn detector_ids(&self, region: &str) -> Vec<String> {
        let listed = self.guardduty(region).await.list_detectors().send().await;
        listed.unwrap().detector_ids().to_vec()
    }

    /// The names of the AWS Config recorders of `region`, one for each.
    pub async fn recorder_names(&self, region: &str) -> Vec<String> {
        let config = self.config(region).await;
        let described = config.describe_configuration_recorders().send().await;
        let recorders = described.unwrap().configuration_recorders().to_vec();
        recorders
            .iter()
            .map(|r| r.name().unwrap_or_default().to_owned())
            .collect()
    }

    /// The names of the AWS Config rules of `region`, sorted.
    pub async fn config_rule_names(&self, region: &str) -> Vec<String> {
        let described = self
            .config(region)
            .await
            .describe_config_rules()
            .send()
            .await;
        let mut names: Vec<String> = described
            .unwrap()
            .config_rules()
            .iter()
            .map(|r| r.config_rule_name().unwrap_or_default().to_owned())
            .collect();
        names.sort();
        names
    }

    /// The names of the trails of `region` (shadow trails of other regions included, as
    /// `DescribeTrails` lists them by default).
    pub async fn trail_names(&self, region: &str) -> Vec<String> {
        let cloudtrail = aws_sdk_cloudtrail::Client::new(&self.sdk_config(region).await);
        let described = cloudtrail.describe_trails().send().await.unwrap();
        let trails = described.trail_list().iter();
        trails
            .map(|t| t.name().unwrap_or_default().to_owned())
            .collect()
    }

    /// The SNS topic ARNs of `region`.
    pub async fn topic_arns(&self, region: &str) -> Vec<String> {
        let sns = aws_sdk_sns::Client::new(&self.sdk_config(region).await);
        let listed = sns.list_topics().send().await.unwrap();
        let topics = listed.topics().iter();
        topics
            .map(|t| t.topic_arn().unwrap_or_default().to_owned())
            .collect()
    }

    /// Each SNS topic of `region` with its access policy, when it has one.
    pub async fn topic_policies(&self, region: &str) -> Vec<(String, Option<String>)> {
        let sns = aws_sdk_sns::Client::new(&self.sdk_config(region).await);
        let mut policies = Vec::new();
        for arn in self.topic_arns(region).await {
            let attributes = sns
                .get_topic_attributes()
                .topic_arn(&arn)
                .send()
                .await
                .unwrap();
            let policy = attributes
                .attributes()
                .and_then(|a| a.get("Policy"))
                .cloned();
            policies.push((arn, policy));
        }
        policies
    }

    /// The access policy of the SNS topic `topic_arn` of `region`, as JSON; panics when it has
    /// none.
    pub async fn topic_policy(&self, region: &str, topic_arn: &str) -> Value {
        let sns = aws_sdk_sns::Client::new(&self.sdk_config(region).await);
        let got = sns.get_topic_attributes().topic_arn(topic_arn).send().await;
        let policy = got
            .unwrap()
            .attributes()
            .and_then(|a| a.get("Policy"))
            .cloned();
        let policy = policy.unwrap_or_else(|| panic!("topic {topic_arn} has no policy"));
        serde_json::from_str(&policy).unwrap()
    }

    /// The endpoints (email addresses) subscribed to the SNS topic `topic_arn` of `region`,
    /// sorted.
    pub async fn subscribed_endpoints(&self, region: &str, topic_arn: &str) -> Vec<String> {
        let sns = aws_sdk_sns::Client::new(&self.sdk_config(region).await);
        let listed = sns.list_subscriptions_by_topic().topic_arn(topic_arn);
        let listed = listed.send().await.unwrap();
        let subscriptions = listed.subscriptions().iter();
        let mut endpoints: Vec<String> = subscriptions
            .filter_map(|s| s.endpoint().map(str::to_owned))
            .collect();
        endpoints.sort();
        endpoints
    }

    /// Whether S3 bucket `bucket` is there (`HeadBucket` answers).
    pub async fn bucket_exists(&self, region: &str, bucket: &str) -> bool {
        let head = self.s3(region).await.head_bucket().bucket(bucket);
        head.send().await.is_ok()
    }

    /// The public access block of S3 bucket `bucket`, when it has one.
    pub async fn public_access_block(
        &self,
        region: &str,
        bucket: &str,
    ) -> Option<PublicAccessBlockConfiguration> {
        let got = self
            .s3(region)
            .await
            .get_public_access_block()
            .bucket(bucket);
        let got = got.send().await.ok()?;
        got.public_access_block_configuration().cloned()
    }

    /// The versioning status of S3 bucket `bucket` (`Enabled`, `Suspended`), when it has one.
    pub async fn bucket_versioning(&self, region: &str, bucket: &str) -> Option<String> {
        let got = self.s3(region).await.get_bucket_versioning().bucket(bucket);
        let got = got.send().await.unwrap();
        got.status().map(|status| status.as_str().to_owned())
    }

    /// The policy of S3 bucket `bucket`, as JSON; panics when it has none.
    pub async fn bucket_policy(&self, region: &str, bucket: &str) -> Value {
        let got = self.s3(region).await.get_bucket_policy().bucket(bucket);
        let got = got.send().await.unwrap();
        serde_json::from_str(got.policy().unwrap()).unwrap()
    }

    /// The first (watchpost writes one) default-encryption rule of S3 bucket `bucket`.
    pub async fn bucket_encryption(&self, region: &str, bucket: &str) -> ServerSideEncryptionRule {
        let got = self.s3(region).await.get_bucket_encryption().bucket(bucket);
        let got = got.send().await.unwrap();
        let configuration = got.server_side_encryption_configuration().unwrap();
        configuration.rules()[0].clone()
    }

    /// The key policy of KMS key `key` (its id or ARN) in `region`, as JSON.
    pub async fn key_policy(&self, region: &str, key: &str) -> Value {
        let kms = aws_sdk_kms::Client::new(&self.sdk_config(region).await);
        let got = kms.get_key_policy().key_id(key).policy_name("default");
        let got = got.send().await.unwrap();
        serde_json::from_str(got.policy().unwrap()).unwrap()
    }

    /// The CloudWatch alarm names of `region`, sorted.
    pub async fn alarm_names(&self, region: &str) -> Vec<String> {
        let cloudwatch = aws_sdk_cloudwatch::Client::new(&self.sdk_config(region).await);
        let described = cloudwatch.describe_alarms().send().await.unwrap();
        let alarms = described.metric_alarms().iter();
        let mut names: Vec<String> = alarms
            .map(|a| a.alarm_name().unwrap_or_default().to_owned())
            .collect();
        names.sort();
        names
    }

    /// The target ARNs of the EventBridge rule `rule` of `region`.
    pub async fn rule_target_arns(&self, region: &str, rule: &str) -> Vec<String> {
        let events = aws_sdk_eventbridge::Client::new(&self.sdk_config(region).await);
        let listed = events
            .list_targets_by_rule()
            .rule(rule)
            .send()
            .await
            .unwrap();
        listed
            .targets()
            .iter()
            .map(|t| t.arn().to_owned())
            .collect()
    }
}
