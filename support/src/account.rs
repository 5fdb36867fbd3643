//! The account read back with the SDK, for tests that check a run left nothing duplicated and
//! nothing half made.

use std::collections::BTreeMap;

use crate::Moto;

/// The account as a test reads it back: per kind and region, what is there, described by name
/// and settings (never by generated id), so that a duplicate or a half-made resource shows as a
/// difference from a clean apply.
pub type AccountState = BTreeMap<String, Vec<String>>;

/// Each of `items` described.
fn each<T>(items: &[T], describe: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(describe).collect()
}

/// Sorted, so that the order AWS lists things in is no difference.
fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}

pub async fn account_state(moto: &Moto, home: &str, others: &[&str]) -> AccountState {
    let mut state = AccountState::new();
    for region in std::iter::once(home).chain(others.iter().copied()) {
        let config = moto.sdk_config(region).await;
        let mut put = |kind: &str, items: Vec<String>| {
            state.insert(format!("{kind} in {region}"), sorted(items));
        };

        let guardduty = aws_sdk_guardduty::Client::new(&config);
        let mut detectors = Vec::new();
        let ids = guardduty.list_detectors().send().await.unwrap();
        for id in ids.detector_ids() {
            let detector = guardduty.get_detector().detector_id(id);
            let detector = detector.send().await.unwrap();
            let status = detector.status().map(|s| s.as_str().to_owned());
            detectors.push(format!("{status:?}, tags {:?}", detector.tags()));
        }
        put("detectors", detectors);

        let awsconfig = aws_sdk_config::Client::new(&config);
        let recorders = awsconfig.describe_configuration_recorders().send().await;
        put(
            "recorders",
            each(recorders.unwrap().configuration_recorders(), |r| {
                format!("{:?} with role {:?}", r.name(), r.role_arn())
            }),
        );
        let statuses = awsconfig
            .describe_configuration_recorder_status()
            .send()
            .await;
        put(
            "recording",
            each(statuses.unwrap().configuration_recorders_status(), |s| {
                format!("{:?} recording {}", s.name(), s.recording())
            }),
        );
        let channels = awsconfig.describe_delivery_channels().send().await;
        put(
            "delivery channels",
            each(channels.unwrap().delivery_channels(), |c| {
                format!("{:?} to {:?}", c.name(), c.s3_bucket_name())
            }),
        );
        let rules = awsconfig.describe_config_rules().send().await;
        put(
            "config rules",
            each(rules.unwrap().config_rules(), |r| {
                format!("{:?}", r.config_rule_name())
            }),
        );

        let cloudtrail = aws_sdk_cloudtrail::Client::new(&config);
        let trails = cloudtrail.describe_trails().include_shadow_trails(false);
        let mut described = Vec::new();
        for trail in trails.send().await.unwrap().trail_list() {
            let name = trail.name().unwrap();
            let status = cloudtrail.get_trail_status().name(name).send().await;
            described.push(format!(
                "{name} to {:?} and {:?}, logging {:?}",
                trail.s3_bucket_name(),
                trail.cloud_watch_logs_log_group_arn(),
                status.unwrap().is_logging()
            ));
        }
        put("trails", described);

        let sns = aws_sdk_sns::Client::new(&config);
        let mut described = Vec::new();
        for (arn, policy) in moto.topic_policies(region).await {
            let policy = policy.unwrap_or_else(|| panic!("topic {arn} has a policy"));
            let policy: serde_json::Value = serde_json::from_str(&policy).unwrap();
            described.push(format!("{arn} with policy {policy}"));
        }
        put("topics", described);
        let subscriptions = sns.list_subscriptions().send().await;
        put(
            "subscriptions",
            each(subscriptions.unwrap().subscriptions(), |s| {
                format!(
                    "{:?} {:?} to {:?}",
                    s.topic_arn(),
                    s.protocol(),
                    s.endpoint()
                )
            }),
        );

        let events = aws_sdk_eventbridge::Client::new(&config);
        let mut described = Vec::new();
        for rule in events.list_rules().send().await.unwrap().rules() {
            let name = rule.name().unwrap();
            let targets = events.list_targets_by_rule().rule(name).send().await;
            let targets = each(targets.unwrap().targets(), |t| t.arn().to_owned());
            described.push(format!("{name} {:?} to {targets:?}", rule.state()));
        }
        put("event rules", described);

        let cloudwatch = aws_sdk_cloudwatch::Client::new(&config);
        let alarms = cloudwatch.describe_alarms().send().await;
        put(
            "alarms",
            each(alarms.unwrap().metric_alarms(), |a| {
                let (name, metric) = (a.alarm_name(), a.metric_name());
                format!("{name:?} on {metric:?} to {:?}", a.alarm_actions())
            }),
        );

        let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
        let groups = logs.describe_log_groups().send().await;
        put(
            "log groups",
            each(groups.unwrap().log_groups(), |g| {
                format!(
                    "{:?} kept {:?} days",
                    g.log_group_name(),
                    g.retention_in_days()
                )
            }),
        );
        let filters = logs.describe_metric_filters().send().await;
        put(
            "metric filters",
            each(filters.unwrap().metric_filters(), |f| {
                format!("{:?} on {:?}", f.filter_name(), f.log_group_name())
            }),
        );
    }

    // Keys by what names them, never by id: a key made twice shows as a second entry.
    let kms = aws_sdk_kms::Client::new(&moto.sdk_config(home).await);
    let mut keys = Vec::new();
    for key in kms.list_keys().send().await.unwrap().keys() {
        let id = key.key_id().unwrap();
        let tags = kms.list_resource_tags().key_id(id).send().await.unwrap();
        if !tags.tags().iter().any(|t| t.tag_key() == "managed-by") {
            continue;
        }
        let aliases = kms.list_aliases().key_id(id).send().await.unwrap();
        let state = kms.describe_key().key_id(id).send().await.unwrap();
        let rotation = kms.get_key_rotation_status().key_id(id).send().await;
        keys.push(format!(
            "{:?}: {:?}, rotation {}",
            each(aliases.aliases(), |a| format!("{:?}", a.alias_name())),
            state.key_metadata().and_then(|k| k.key_state()),
            rotation.unwrap().key_rotation_enabled()
        ));
    }
    state.insert("kms keys".to_owned(), sorted(keys));

    let s3 = moto.s3(home).await;
    let mut buckets = Vec::new();
    for bucket in s3.list_buckets().send().await.unwrap().buckets() {
        let name = bucket.name().unwrap();
        let block = moto.public_access_block(home, name).await;
        let versioning = moto.bucket_versioning(home, name).await;
        let encryption = s3.get_bucket_encryption().bucket(name).send().await.is_ok();
        let policy = s3.get_bucket_policy().bucket(name).send().await.is_ok();
        buckets.push(format!(
            "{name}: public access block {block:?}, versioning {versioning:?}, \
             encrypted {encryption}, policy {policy}"
        ));
    }
    state.insert("buckets".to_owned(), sorted(buckets));

    let roles = each(&moto.roles().await, |role| {
        let inline: Vec<&str> = role.inline.iter().map(|(name, _)| name.as_str()).collect();
        format!(
            "{}: attached {:?}, inline {inline:?}",
            role.name, role.attached
        )
    });
    state.insert("roles".to_owned(), sorted(roles));

    let leases = aws_sdk_dynamodb::Client::new(&moto.sdk_config(home).await)
        .scan()
        .table_name("watchpost-lease")
        .send()
        .await
        .unwrap();
    // The leases held and the record of the regions watchpost covered, each item's attributes
    // in order.
    state.insert(
        "watchpost-lease items".to_owned(),
        each(leases.items(), |item| {
            format!("{:?}", item.iter().collect::<BTreeMap<_, _>>())
        }),
    );
    state
}
