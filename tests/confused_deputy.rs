//! Every policy watchpost writes that lets an AWS service in says for which account (or which
//! of its resources) the service acts, so that no other account can make it act for them (the
//! confused-deputy problem). Read back from the account after apply.
//!
//! One exemption: the trust policy of the role through which CloudTrail writes to CloudWatch
//! Logs. CloudTrail sends neither aws:SourceAccount nor aws:SourceArn when it assumes that
//! role (Prowler issue #4714), so a condition on them breaks delivery; AWS documents that
//! trust policy without them (CloudTrail User Guide, "Sending events to CloudWatch Logs").

use support::json::statements;
use support::{ACCOUNT, Moto, REGION, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

/// The trail's CloudWatch Logs role, whose trust AWS documents without a source condition.
const TRAIL_LOGS_ROLE: &str = "watchpost-cloudtrail-logs";

/// The statements of `policy` that let an AWS service principal in.
fn service_grants(policy: &serde_json::Value) -> Vec<serde_json::Value> {
    statements(policy)
        .into_iter()
        .filter(|statement| statement["Effect"] == "Allow")
        .filter(|statement| !statement["Principal"]["Service"].is_null())
        .cloned()
        .collect()
}

/// The service grants of `policy` that do not name the source account or resource.
fn unscoped_service_grants(policy: &serde_json::Value) -> Vec<serde_json::Value> {
    service_grants(policy)
        .into_iter()
        .filter(|statement| {
            let conditions = statement["Condition"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            !conditions.values().any(|keys| {
                keys.get("aws:SourceAccount").is_some_and(|v| v == ACCOUNT)
                    || keys
                        .get("aws:SourceArn")
                        .and_then(|v| v.as_str())
                        .is_some_and(|arn| arn.contains(&format!(":{ACCOUNT}:")))
            })
        })
        .collect()
}

#[tokio::test]
async fn every_service_grant_watchpost_writes_names_its_source() {
    let (moto, _baseline) = Moto::start_applied(
        WATCHPOST,
        "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n\
         [config]\n[config.rules]\nrestricted-ssh = {}\n\
         [cloudtrail]\n[alerts]\nemails = [\"security@example.com\"]\n\
         [signin_notification]\n[alarms]\n[alarms.filters]\nroot-account-use = {}\n\
         [kms]\n[log_bucket.access_logs]\n\
         [tamper_alerts]\n[tamper_alerts.repair]\ncluster = \"watchpost\"\n\
         task_definition = \"watchpost-apply\"\nsubnets = [\"subnet-0123456789abcdef0\"]\n",
    );

    let mut policies: Vec<(String, serde_json::Value)> = Vec::new();
    for bucket in [
        format!("watchpost-logs-{ACCOUNT}-{REGION}"),
        format!("watchpost-access-logs-{ACCOUNT}-{REGION}"),
    ] {
        policies.push((
            format!("the policy of bucket {bucket}"),
            moto.bucket_policy(REGION, &bucket).await,
        ));
    }
    let topics = moto.topic_policies(REGION).await;
    assert!(!topics.is_empty());
    for (arn, policy) in topics {
        let policy = policy.unwrap_or_else(|| panic!("topic {arn} has a policy"));
        policies.push((
            format!("the policy of topic {arn}"),
            serde_json::from_str(&policy).unwrap(),
        ));
    }
    let kms = aws_sdk_kms::Client::new(&moto.sdk_config(REGION).await);
    let key = kms
        .describe_key()
        .key_id("alias/watchpost")
        .send()
        .await
        .unwrap();
    let key_id = key.key_metadata().unwrap().key_id();
    policies.push((
        "the key policy of alias/watchpost".to_owned(),
        moto.key_policy(REGION, key_id).await,
    ));
    let watchpost_roles: Vec<_> = moto
        .roles()
        .await
        .into_iter()
        .filter(|role| role.name.starts_with("watchpost"))
        .collect();
    assert_eq!(
        watchpost_roles.len(),
        4,
        "the Config role, the trail's role, the role that forwards alerts to the home region and the role that starts the repairer"
    );
    for role in watchpost_roles {
        policies.push((
            format!("the trust policy of role {}", role.name),
            role.trust_policy_json(),
        ));
    }

    let exempt = format!("the trust policy of role {TRAIL_LOGS_ROLE}");
    for (place, policy) in &policies {
        if *place == exempt {
            let grants = service_grants(policy);
            assert_eq!(
                grants.len(),
                1,
                "{place} lets in only CloudTrail: {policy:#}"
            );
            assert_eq!(
                grants[0]["Principal"]["Service"],
                "cloudtrail.amazonaws.com"
            );
            assert!(
                grants[0]["Condition"].is_null(),
                "{place} carries a condition CloudTrail does not satisfy: {policy:#}"
            );
            continue;
        }
        assert!(
            !service_grants(policy).is_empty(),
            "{place} has no service grant to check: {policy:#}"
        );
        let unscoped = unscoped_service_grants(policy);
        assert!(
            unscoped.is_empty(),
            "{place} lets a service in for any account: {unscoped:#?}"
        );
    }
    // Each kind was read: the test looks at every policy it promises to.
    let grants = |prefix: &str| {
        policies
            .iter()
            .filter(|(place, _)| place.starts_with(prefix))
            .count()
    };
    assert_eq!(grants("the policy of bucket"), 2);
    assert_eq!(grants("the key policy"), 1);
    assert!(grants("the policy of topic") >= 1);
    assert_eq!(grants("the trust policy of role"), 4);
}
