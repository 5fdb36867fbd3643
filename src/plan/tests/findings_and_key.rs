//! GuardDuty finding alerts and the KMS key of `[kms]`, on data.

use super::*;
use crate::model::{EventRuleSpec, KeySpec};

const FINDINGS: &str = "[guardduty]\n[guardduty.finding_alerts]\nmin_severity = 7\n\
    [alerts]\nemails = [\"sec@example.com\"]\n";
const KEY: &str = "[kms]\n[config]\n[cloudtrail]\n";
const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn change<'p>(plan: &'p Plan, id: &str) -> &'p Change {
    plan.changes
        .iter()
        .find(|change| change.id.to_string() == id)
        .unwrap_or_else(|| panic!("no change to {id} in {plan:#?}"))
}

fn rule_mut<'o>(observed: &'o mut Observed, region: &str) -> &'o mut EventRuleSpec {
    let id = ResourceId::new(Kind::FindingRule, region, "watchpost-guardduty-findings");
    match observed.resources.get_mut(&id) {
        Some(Live {
            spec: Spec::EventRule(rule),
            ..
        }) => rule,
        _ => panic!("no finding rule in {region}"),
    }
}

fn key_id() -> ResourceId {
    ResourceId::new(Kind::KmsKey, "us-east-1", "alias/watchpost")
}

fn key_mut(observed: &mut Observed) -> &mut KeySpec {
    match observed.resources.get_mut(&key_id()) {
        Some(Live {
            spec: Spec::Key(key),
            ..
        }) => key,
        _ => panic!("no key"),
    }
}

/// The account after an apply of `baseline` that made the key: the key read back with its ARN,
/// and the rest as the baseline then asks for it.
fn converged_with_key(baseline: &Baseline) -> Observed {
    let mut observed = empty_account();
    let made = Live {
        spec: Spec::Key(KeySpec {
            key_state: "Enabled".into(),
            rotation: true,
            policy: serde_json::Value::Null,
        }),
        live_id: Some(KEY_ARN.into()),
        owned: true,
    };
    observed.resources.insert(key_id(), made);
    let desired = desired_resources(baseline, &observed);
    observed
        .resources
        .extend(desired.into_iter().map(|desired| {
            let live_id = (desired.id == key_id()).then(|| KEY_ARN.to_owned());
            let spec = desired.spec;
            (
                desired.id,
                Live {
                    spec,
                    live_id,
                    owned: true,
                },
            )
        }));
    observed
}

#[test]
fn the_finding_rule_create_plan_renders_for_review() {
    let baseline = baseline_at_home("us-east-1", FINDINGS);
    let selector: Selector = "finding_rule/eu-west-1".parse().unwrap();
    let plan = plan(&baseline, &empty_account()).only(&[selector]).unwrap();
    insta::assert_snapshot!(render_full(&plan, false));
}

#[test]
fn a_finding_rule_changed_by_hand_is_an_update_of_that_field() {
    let baseline = baseline_at_home("us-east-1", FINDINGS);
    let mut observed = converged(&baseline);
    rule_mut(&mut observed, "eu-west-1").event_pattern["detail"]["severity"] =
        serde_json::json!([{"numeric": [">=", 4]}]);
    rule_mut(&mut observed, "us-east-1").state = "DISABLED".into();
    let plan = plan(&baseline, &observed);
    assert_eq!(plan.count(Action::Update), 2);
    assert_eq!(plan.count(Action::Create) + plan.count(Action::Delete), 0);
    insta::assert_snapshot!(render_full(&plan, false));
}

#[test]
fn a_finding_rule_in_a_region_out_of_scope_goes_if_watchpost_made_it() {
    let baseline = baseline_at_home("us-east-1", FINDINGS);
    let mut observed = converged(&baseline);
    let rule = observed.resources[&ResourceId::new(
        Kind::FindingRule,
        "eu-west-1",
        "watchpost-guardduty-findings",
    )]
        .clone();
    for (region, owned) in [("ap-south-1", true), ("sa-east-1", false)] {
        observed.resources.insert(
            ResourceId::new(Kind::FindingRule, region, "watchpost-guardduty-findings"),
            Live {
                owned,
                ..rule.clone()
            },
        );
    }
    let plan = plan(&baseline, &observed);
    assert_eq!(
        plan.changes
            .iter()
            .map(|c| (c.id.to_string(), c.action))
            .collect::<Vec<_>>(),
        [(
            "finding_rule/ap-south-1/watchpost-guardduty-findings".to_owned(),
            Action::Delete
        )]
    );
    assert!(
        plan.notes.iter().any(|note| note.starts_with(
            "finding_rule/sa-east-1/watchpost-guardduty-findings stays: watchpost adopted it"
        )),
        "{:#?}",
        plan.notes
    );
}

#[test]
fn until_the_key_exists_the_bucket_and_the_trail_name_it_by_its_alias_and_wait_for_it() {
    let baseline = baseline(KEY);
    let plan = plan(&baseline, &empty_account());
    let alias_arn = "arn:aws:kms:us-east-1:111122223333:alias/watchpost";
    let bucket = change(
        &plan,
        "log_bucket/us-east-1/watchpost-logs-111122223333-us-east-1",
    );
    let Spec::Bucket(spec) = &bucket.spec else {
        panic!("a bucket")
    };
    assert_eq!(
        spec.encryption,
        Some(crate::model::Encryption::Kms {
            kms_key_id: alias_arn.into()
        })
    );
    let trail = change(&plan, "cloudtrail_trail/us-east-1/watchpost");
    let Spec::Trail(spec) = &trail.spec else {
        panic!("a trail")
    };
    assert_eq!(spec.kms_key_id.as_deref(), Some(alias_arn));
    for waits in [bucket, trail] {
        assert!(waits.depends_on.contains(&key_id()), "{waits:#?}");
    }
    // The Config role's grant names the key, never its alias (kms:ResourceAliases, which
    // takes minutes to authorize after the alias is made): by the alias's ARN until the key
    // exists, which apply resolves, and the role waits for the key.
    let role = change(&plan, "iam_role/global/watchpost-config");
    assert!(role.depends_on.contains(&key_id()), "{role:#?}");
    let Spec::Role(role) = &role.spec else {
        panic!("a role")
    };
    let delivery = role.inline_policies["watchpost-config-delivery"].to_string();
    assert!(!delivery.contains("kms:ResourceAliases"), "{delivery}");
    assert!(
        delivery.contains(&format!(r#""Resource":"{alias_arn}""#)),
        "{delivery}"
    );
    let selector: Selector = "kms_key".parse().unwrap();
    insta::assert_snapshot!(render_full(&plan.only(&[selector]).unwrap(), false));
}

#[test]
fn once_the_key_exists_the_bucket_and_the_trail_name_its_arn() {
    let baseline = baseline(KEY);
    let observed = converged_with_key(&baseline);
    let bucket = ResourceId::new(
        Kind::LogBucket,
        "us-east-1",
        "watchpost-logs-111122223333-us-east-1",
    );
    let Some(Live {
        spec: Spec::Bucket(spec),
        ..
    }) = observed.resources.get(&bucket)
    else {
        panic!("a bucket")
    };
    assert_eq!(
        spec.encryption,
        Some(crate::model::Encryption::Kms {
            kms_key_id: KEY_ARN.into()
        })
    );
    let plan = plan(&baseline, &observed);
    assert!(plan.is_empty(), "{plan:#?}");
}

#[test]
fn a_key_disabled_or_waiting_for_deletion_is_brought_back() {
    let baseline = baseline(KEY);
    let mut observed = converged_with_key(&baseline);
    let key = key_mut(&mut observed);
    key.key_state = "PendingDeletion".into();
    key.rotation = false;
    let plan = plan(&baseline, &observed);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].live_id.as_deref(), Some(KEY_ARN));
    insta::assert_snapshot!(render_full(&plan, false));
}

#[test]
fn key_policy_statements_someone_added_are_kept_and_not_drift() {
    let baseline = baseline(KEY);
    let mut observed = converged_with_key(&baseline);
    let key = key_mut(&mut observed);
    key.policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Sid": "AuditorsRead", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/auditor"}
        }));
    assert!(plan(&baseline, &observed).is_empty());

    // One of watchpost's own statements gone: the policy written back keeps the auditor's.
    let key = key_mut(&mut observed);
    key.policy["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|statement| statement["Sid"] != "ConfigUsesKey");
    let plan = plan(&baseline, &observed);
    let Spec::Key(desired) = &plan.changes[0].spec else {
        panic!("the key changes")
    };
    let sids: Vec<&str> = desired.policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|statement| statement["Sid"].as_str())
        .collect();
    assert_eq!(
        sids,
        [
            "AccountAdministersKey",
            // The log bucket's S3 Bucket Key is made with this key.
            "CloudTrailUsesBucketKey",
            "AuditorsRead",
            "CloudTrailDescribesKey",
            "CloudTrailEncryptsLogs",
            "ConfigUsesKey"
        ]
    );
}

#[test]
fn destroy_keeps_the_key_with_the_logs_or_removes_it_after_what_it_encrypts() {
    let baseline = baseline(KEY);
    let observed = converged_with_key(&baseline);
    let kept = destroy(&baseline, &observed, false);
    assert!(kept.changes.iter().all(|c| c.id.kind != Kind::KmsKey));
    assert!(
        kept.notes.contains(&"kms_key/us-east-1/alias/watchpost stays: the logs it encrypts cannot be read without it; pass --delete-logs to schedule its deletion (30 days ahead) with them".to_owned()),
        "{:#?}",
        kept.notes
    );

    let removed = destroy(&baseline, &observed, true);
    let levels = levels(&removed.changes);
    let level_of = |kind: Kind| {
        levels
            .iter()
            .position(|level| level.iter().any(|&i| removed.changes[i].id.kind == kind))
            .unwrap()
    };
    assert!(level_of(Kind::KmsKey) > level_of(Kind::LogBucket));
    assert!(level_of(Kind::KmsKey) > level_of(Kind::CloudtrailTrail));

    let mut scheduled = observed.clone();
    key_mut(&mut scheduled).key_state = "PendingDeletion".into();
    let again = destroy(&baseline, &scheduled, true);
    assert!(again.changes.iter().all(|c| c.id.kind != Kind::KmsKey));
    assert!(
        again.notes.contains(
            &"kms_key/us-east-1/alias/watchpost stays until KMS deletes it: its deletion is already scheduled".to_owned()
        ),
        "{:#?}",
        again.notes
    );
}
