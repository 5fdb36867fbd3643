//! The account read back with the SDK, one question at a time: what most tests ask after a
//! run, so that each asks it in one line.

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
