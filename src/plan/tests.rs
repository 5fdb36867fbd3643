//! The planner on data: baselines and observed accounts in, plans out.

use super::*;
use crate::model::{Gap, Kind, Live, Observed, ResourceId, Spec};

const ACCOUNT: &str = "111122223333";

fn baseline(extra: &str) -> Baseline {
    let source = format!(
        "[scope]\nregions = [\"eu-west-1\", \"us-east-1\"]\nhome_region = \"us-east-1\"\n{extra}"
    );
    Baseline::parse("baseline.toml", &source).unwrap()
}

const GUARDDUTY: &str = "[guardduty]\nfinding_publishing_frequency = \"SIX_HOURS\"\n\
    [guardduty.features]\nS3_DATA_EVENTS = true\nRUNTIME_MONITORING = false\n";
const CONFIG: &str = "[config]\n[config.rules]\nrestricted-ssh = {}\n\
    iam-root-access-key-check = {}\nacm-certificate-expiration-check = { daysToExpiration = 30 }\n";

fn empty_account() -> Observed {
    Observed {
        account_id: ACCOUNT.to_owned(),
        regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
        ..Observed::default()
    }
}

/// The account as it is after a successful apply of `baseline`.
fn converged(baseline: &Baseline) -> Observed {
    converged_in(baseline, &["eu-west-1", "us-east-1"])
}

#[test]
fn an_empty_account_gets_everything() {
    let baseline = baseline(&format!("{GUARDDUTY}{CONFIG}"));
    let plan = plan(&baseline, &empty_account());
    assert_eq!(plan.count(Action::Update), 0);
    let mut ids: Vec<String> = plan.changes.iter().map(|c| c.id.to_string()).collect();
    ids.sort();
    insta::assert_snapshot!(ids.join("\n"));
}

#[test]
fn account_wide_rules_go_to_the_home_region_only() {
    let plan = plan(&baseline(CONFIG), &empty_account());
    let rule_regions = |name: &str| -> Vec<&str> {
        plan.changes
            .iter()
            .filter(|c| c.id.kind == Kind::ConfigRule && c.id.name == name)
            .map(|c| c.id.region.as_str())
            .collect()
    };
    assert_eq!(rule_regions("iam-root-access-key-check"), ["us-east-1"]);
    assert_eq!(rule_regions("restricted-ssh"), ["eu-west-1", "us-east-1"]);
}

#[test]
fn global_resources_are_recorded_in_the_home_region_only() {
    let plan = plan(&baseline(CONFIG), &empty_account());
    for change in plan
        .changes
        .iter()
        .filter(|c| c.id.kind == Kind::ConfigRecorder)
    {
        let Spec::Recorder(recorder) = &change.spec else {
            panic!("a recorder change holds a recorder spec")
        };
        assert_eq!(
            recorder.include_global_resource_types,
            change.id.region == "us-east-1"
        );
    }
}

/// Which region's recorder records the global IAM types, and the plan's notes, for a home
/// region among those where AWS Config cannot record them.
fn global_recording(home: &str, regions: &[&str]) -> String {
    let mut sorted: Vec<&str> = regions.to_vec();
    sorted.sort_unstable();
    let quoted: Vec<String> = sorted.iter().map(|r| format!("\"{r}\"")).collect();
    let source = format!(
        "[scope]\nregions = [{}]\nhome_region = \"{home}\"\n{CONFIG}",
        quoted.join(", ")
    );
    let baseline = Baseline::parse("baseline.toml", &source).unwrap();
    let observed = Observed {
        account_id: ACCOUNT.to_owned(),
        regions: sorted.iter().map(|r| (*r).to_owned()).collect(),
        ..Observed::default()
    };
    let plan = plan(&baseline, &observed);
    let mut lines: Vec<String> = plan
        .changes
        .iter()
        .filter_map(|change| match &change.spec {
            Spec::Recorder(recorder) => Some(format!(
                "{}: include_global_resource_types = {}",
                change.id.region, recorder.include_global_resource_types
            )),
            _ => None,
        })
        .collect();
    lines.sort();
    lines.extend(
        plan.notes
            .iter()
            .filter(|note| note.contains("global IAM"))
            .map(|note| format!("note: {note}")),
    );
    lines.join("\n")
}

/// AWS Config cannot record the global IAM types in regions it added after February 2022: a
/// home region among them has them recorded elsewhere, us-east-1 first, and the plan says so.
#[test]
fn global_iam_types_are_recorded_where_aws_config_can_record_them() {
    insta::assert_snapshot!(
        "home_can_record",
        global_recording("eu-west-1", &["eu-west-1", "us-east-1"])
    );
    insta::assert_snapshot!(
        "home_cannot_us_east_1_in_scope",
        global_recording("ap-south-2", &["ap-south-2", "eu-west-1", "us-east-1"])
    );
    insta::assert_snapshot!(
        "home_cannot_first_that_can",
        global_recording(
            "eu-central-2",
            &["eu-central-2", "eu-west-1", "eu-central-1"]
        )
    );
    insta::assert_snapshot!(
        "no_region_can",
        global_recording("ca-west-1", &["ca-west-1", "me-central-1"])
    );
}

#[test]
fn the_create_plan_renders_for_review() {
    let baseline = baseline(&format!("{GUARDDUTY}{CONFIG}"));
    insta::assert_snapshot!(render_full(&plan(&baseline, &empty_account()), false));
}

#[test]
fn a_converged_account_has_no_changes() {
    let baseline = baseline(&format!("{GUARDDUTY}{CONFIG}"));
    let plan = plan(&baseline, &converged(&baseline));
    assert!(plan.is_empty(), "{plan:#?}");
    assert_eq!(plan.unchanged.len(), 1 + 1 + 2 * 4 + 2 + 2 + 1);
    insta::assert_snapshot!(render_full(&plan, false));
}

#[test]
fn drift_becomes_updates_that_name_each_field() {
    let baseline = baseline(&format!("{GUARDDUTY}{CONFIG}"));
    let mut observed = converged(&baseline);
    let mut edit = |kind: Kind, region: &str, change: &dyn Fn(&mut Spec)| {
        let live = observed
            .resources
            .get_mut(&ResourceId::singleton(kind, region))
            .unwrap();
        change(&mut live.spec);
    };
    edit(Kind::GuarddutyDetector, "eu-west-1", &|spec| {
        if let Spec::Detector(detector) = spec {
            detector.status = "DISABLED".into();
            detector.features.remove("S3_DATA_EVENTS");
            // A feature the baseline does not name is not drift.
            detector
                .features
                .insert("DNS_LOGS".into(), "DISABLED".into());
        }
    });
    edit(Kind::ConfigRecording, "us-east-1", &|spec| {
        if let Spec::Recording(recording) = spec {
            recording.recording = false;
        }
    });
    let bucket = ResourceId::new(
        Kind::LogBucket,
        "us-east-1",
        &format!("watchpost-logs-{ACCOUNT}-us-east-1"),
    );
    if let Some(Live {
        spec: Spec::Bucket(live),
        ..
    }) = observed.resources.get_mut(&bucket)
    {
        live.block_public_access = false;
    }
    observed.resources.remove(&ResourceId::new(
        Kind::ConfigRule,
        "eu-west-1",
        "restricted-ssh",
    ));

    let plan = plan(&baseline, &observed);
    assert_eq!(plan.count(Action::Update), 3);
    assert_eq!(plan.count(Action::Create), 1);
    let detector = plan
        .changes
        .iter()
        .find(|c| c.id.kind == Kind::GuarddutyDetector)
        .unwrap();
    assert_eq!(detector.live_id.as_deref(), Some("d3t3ct0r"));
    insta::assert_snapshot!(render_full(&plan, false));
}

#[test]
fn an_existing_recorder_is_adopted_under_its_own_name() {
    let baseline = baseline(CONFIG);
    let mut observed = empty_account();
    let mut recorder = converged(&baseline).resources
        [&ResourceId::singleton(Kind::ConfigRecorder, "eu-west-1")]
        .clone();
    if let Spec::Recorder(spec) = &mut recorder.spec {
        spec.name = "their-recorder".into();
        spec.all_supported = false;
    }
    recorder.live_id = Some("their-recorder".into());
    observed.resources.insert(
        ResourceId::singleton(Kind::ConfigRecorder, "eu-west-1"),
        recorder,
    );

    let plan = plan(&baseline, &observed);
    let names: Vec<(&str, &str)> = plan
        .changes
        .iter()
        .filter(|c| c.id.region == "eu-west-1")
        .filter_map(|c| match &c.spec {
            Spec::Recorder(spec) => Some(("recorder", spec.name.as_str())),
            Spec::Recording(spec) => Some(("recording", spec.recorder_name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        [
            ("recorder", "their-recorder"),
            ("recording", "their-recorder")
        ]
    );
    let recorder_change = plan
        .changes
        .iter()
        .find(|c| c.id == ResourceId::singleton(Kind::ConfigRecorder, "eu-west-1"))
        .unwrap();
    assert_eq!(recorder_change.action, Action::Update);
    assert_eq!(recorder_change.fields.len(), 1);
    assert_eq!(recorder_change.fields[0].field, "all_supported");
}

/// PutConfigurationRecorder replaces the whole recorder: what watchpost does not manage on an
/// adopted one (its recordingMode) is sent back as it is, and changes nothing in the plan.
#[test]
fn an_adopted_recorder_keeps_its_recording_mode() {
    let baseline = baseline(CONFIG);
    let mut observed = empty_account();
    let id = ResourceId::singleton(Kind::ConfigRecorder, "eu-west-1");
    let mut recorder = converged(&baseline).resources[&id].clone();
    let mode = crate::model::RecordingMode {
        recording_frequency: "DAILY".into(),
        overrides: vec![crate::model::RecordingModeOverride {
            description: Some("instances as they change".into()),
            resource_types: vec!["AWS::EC2::Instance".into()],
            recording_frequency: "CONTINUOUS".into(),
        }],
    };
    if let Spec::Recorder(spec) = &mut recorder.spec {
        spec.all_supported = false;
        spec.recording_mode = Some(mode.clone());
    }
    observed.resources.insert(id.clone(), recorder);

    let plan = plan(&baseline, &observed);
    let change = plan.changes.iter().find(|c| c.id == id).unwrap();
    assert_eq!(change.action, Action::Update);
    let Spec::Recorder(spec) = &change.spec else {
        panic!("a recorder")
    };
    assert_eq!(spec.recording_mode.as_ref(), Some(&mode));
    let fields: Vec<&str> = change.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["all_supported"]);
}

#[test]
fn plans_are_deterministic() {
    let baseline = baseline(&format!("{GUARDDUTY}{CONFIG}"));
    let first = render_full(&plan(&baseline, &empty_account()), false);
    let second = render_full(&plan(&baseline, &empty_account()), false);
    assert_eq!(first, second);
}

#[test]
fn what_could_not_be_read_is_left_out_and_said() {
    let baseline = baseline(GUARDDUTY);
    let mut observed = empty_account();
    observed.gaps.push(Gap {
        place: "guardduty_detector/eu-west-1".into(),
        call: "guardduty:ListDetectors".into(),
        reason: "AccessDeniedException: not authorized".into(),
        hint: Some("the caller needs the permission guardduty:ListDetectors".into()),
    });
    let plan = plan(&baseline, &observed);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].id.region, "us-east-1");
    // The hint follows the sentence that quotes the reason, never inside it.
    let said = "! guardduty_detector/eu-west-1: could not read (guardduty:ListDetectors): \
                AccessDeniedException: not authorized; its resources are left out of this plan\n  \
                hint: the caller needs the permission guardduty:ListDetectors\n";
    assert!(render_full(&plan, false).starts_with(said));
    let compact = render_compact(&plan, false);
    assert!(
        compact.contains("\n  hint: the caller needs the permission guardduty:ListDetectors\n"),
        "{compact}"
    );
    let report = AccountReport {
        account_id: &plan.account_id,
        plan: Ok(&plan),
        api_calls: &Default::default(),
        cost: None,
    };
    assert_eq!(
        account_json(&report)["gaps"][0]["hint"],
        "the caller needs the permission guardduty:ListDetectors"
    );
}

#[test]
fn what_needs_an_unread_resource_is_held_back_with_all_that_needs_it() {
    let baseline = baseline(CONFIG);
    let mut observed = empty_account();
    observed.gaps.push(Gap {
        place: "iam_role/global/watchpost-config".into(),
        call: "iam:GetRole".into(),
        reason: "AccessDenied: not authorized".into(),
        hint: None,
    });
    let plan = plan(&baseline, &observed);
    let planned: BTreeSet<Kind> = plan.changes.iter().map(|c| c.id.kind).collect();
    // The recorders need the role; the channels, the recording and the rules need a recorder.
    assert_eq!(planned, BTreeSet::from([Kind::LogBucket]), "{plan:#?}");
    let held: Vec<&String> = plan
        .notes
        .iter()
        .filter(|note| note.contains("is held back"))
        .collect();
    assert_eq!(held.len(), 11, "{held:#?}");
    assert!(held.contains(&&"config_recorder/eu-west-1 is held back: it needs iam_role/global/watchpost-config, which could not be read".to_owned()));
    assert!(held.contains(&&"config_recording/us-east-1 is held back: it needs config_delivery_channel/us-east-1, which is held back".to_owned()));
}

#[test]
fn dependencies_order_the_levels() {
    let plan = plan(&baseline(CONFIG), &empty_account());
    let levels = levels(&plan.changes);
    let level_of = |kind: Kind| {
        levels
            .iter()
            .position(|level| level.iter().any(|&i| plan.changes[i].id.kind == kind))
            .unwrap()
    };
    assert!(level_of(Kind::IamRole) < level_of(Kind::ConfigRecorder));
    assert!(level_of(Kind::ConfigRecorder) < level_of(Kind::ConfigDeliveryChannel));
    assert!(level_of(Kind::LogBucket) < level_of(Kind::ConfigDeliveryChannel));
    assert!(level_of(Kind::ConfigDeliveryChannel) < level_of(Kind::ConfigRecording));
    assert!(level_of(Kind::ConfigRecorder) < level_of(Kind::ConfigRule));
}

fn live_bucket(observed: &mut Observed) -> &mut crate::model::BucketSpec {
    let id = ResourceId::new(
        Kind::LogBucket,
        "us-east-1",
        &format!("watchpost-logs-{ACCOUNT}-us-east-1"),
    );
    match observed.resources.get_mut(&id) {
        Some(Live {
            spec: Spec::Bucket(bucket),
            ..
        }) => bucket,
        other => panic!("no live bucket: {other:?}"),
    }
}

#[test]
fn bucket_policy_statements_someone_else_added_are_kept_and_not_drift() {
    let baseline = baseline(CONFIG);
    let mut observed = converged(&baseline);
    let theirs = serde_json::json!({
        "Sid": "TheirAuditorReads",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "s3:GetObject",
        "Resource": "*"
    });
    let bucket = live_bucket(&mut observed);
    let policy = bucket.policy.as_mut().unwrap();
    policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(theirs.clone());
    // As observe reads it: canonical.
    *policy = crate::model::policy::canonical(policy);
    assert!(plan(&baseline, &observed).is_empty());

    // Our statement drifts: the repaired policy still holds theirs.
    let statements = live_bucket(&mut observed).policy.as_mut().unwrap()["Statement"]
        .as_array_mut()
        .unwrap();
    statements.retain(|s| s["Sid"] != "DenyInsecureTransport");
    let plan = plan(&baseline, &observed);
    let Spec::Bucket(desired) = &plan.changes[0].spec else {
        panic!("the bucket is what changes")
    };
    let kept = desired.policy.as_ref().unwrap()["Statement"]
        .as_array()
        .unwrap();
    assert!(kept.contains(&theirs));
    assert!(kept.iter().any(|s| s["Sid"] == "DenyInsecureTransport"));
}

#[test]
fn an_adopted_channel_keeps_its_topic_and_key() {
    let baseline = baseline(CONFIG);
    let mut observed = converged(&baseline);
    let id = ResourceId::singleton(Kind::ConfigDeliveryChannel, "eu-west-1");
    let Some(Live {
        spec: Spec::DeliveryChannel(channel),
        ..
    }) = observed.resources.get_mut(&id)
    else {
        panic!("no channel")
    };
    channel.sns_topic_arn = Some("arn:aws:sns:eu-west-1:111122223333:config-news".into());
    channel.s3_key_prefix = Some("elsewhere".into());
    let plan = plan(&baseline, &observed);
    assert_eq!(plan.changes.len(), 1);
    let Spec::DeliveryChannel(desired) = &plan.changes[0].spec else {
        panic!("the channel is what changes")
    };
    assert_eq!(desired.s3_key_prefix.as_deref(), Some("config"));
    assert_eq!(
        desired.sns_topic_arn.as_deref(),
        Some("arn:aws:sns:eu-west-1:111122223333:config-news")
    );
}

const MONITORING: &str = "[cloudtrail]\n[alerts]\nemails = [\"sec@example.com\"]\n\
    [signin_notification]\nevents = \"root\"\n\
    [alarms.filters]\nroot-account-use = {}\n";

fn baseline_at_home(home: &str, extra: &str) -> Baseline {
    let source = format!(
        "[scope]\nregions = [\"eu-west-1\", \"us-east-1\"]\nhome_region = \"{home}\"\n{extra}"
    );
    Baseline::parse("baseline.toml", &source).unwrap()
}

fn ids_of(plan: &Plan, kind: Kind) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| c.id.kind == kind)
        .map(|c| c.id.to_string())
        .collect()
}

#[test]
fn the_monitoring_create_plan_renders_for_review() {
    let baseline = baseline_at_home("eu-west-1", MONITORING);
    insta::assert_snapshot!(render_full(&plan(&baseline, &empty_account()), false));
}

#[test]
fn trail_and_alarm_dependencies_come_first() {
    let plan = plan(&baseline_at_home("eu-west-1", MONITORING), &empty_account());
    let levels = levels(&plan.changes);
    let level_of = |kind: Kind| {
        levels
            .iter()
            .position(|level| level.iter().any(|&i| plan.changes[i].id.kind == kind))
            .unwrap()
    };
    for before_trail in [Kind::LogBucket, Kind::LogGroup, Kind::IamRole] {
        assert!(level_of(before_trail) < level_of(Kind::CloudtrailTrail));
    }
    assert!(level_of(Kind::AlertTopic) < level_of(Kind::SigninRule));
    assert!(level_of(Kind::AlertTopic) < level_of(Kind::MetricAlarm));
    assert!(level_of(Kind::MetricFilter) < level_of(Kind::MetricAlarm));
    assert!(level_of(Kind::AlertTopic) < level_of(Kind::AlertSubscription));
}

#[test]
fn a_subscription_waiting_for_its_recipient_is_noted_not_changed() {
    let baseline = baseline_at_home("us-east-1", MONITORING);
    let mut observed = converged(&baseline);
    let id = ResourceId::new(Kind::AlertSubscription, "us-east-1", "sec@example.com");
    if let Some(Live {
        spec: Spec::Subscription(subscription),
        ..
    }) = observed.resources.get_mut(&id)
    {
        subscription.pending_confirmation = true;
    }
    let plan = plan(&baseline, &observed);
    assert!(plan.is_empty());
    let rendered = render_full(&plan, false);
    assert!(
        rendered.starts_with(
            "note: alert_subscription/us-east-1/sec@example.com still waits for its recipient to confirm"
        ),
        "{rendered}"
    );
}

#[test]
fn a_removed_rule_target_is_drift_but_another_target_is_not() {
    let baseline = baseline_at_home("us-east-1", MONITORING);
    let mut observed = converged(&baseline);
    let id = ResourceId::new(Kind::SigninRule, "us-east-1", "watchpost-console-signin");
    let Some(Live {
        spec: Spec::EventRule(rule),
        ..
    }) = observed.resources.get_mut(&id)
    else {
        panic!("no rule")
    };
    let ours = rule.targets.remove("watchpost-alert-topic").unwrap();
    rule.targets.insert("their-pager".into(), ours);
    let plan = plan(&baseline, &observed);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(
        plan.changes[0].fields[0].field,
        "targets.watchpost-alert-topic"
    );
    assert_eq!(plan.changes[0].fields[0].before, None);
}

#[test]
fn opt_in_regions_not_enabled_are_named_as_skipped() {
    let baseline = baseline("");
    let mut observed = converged(&baseline);
    observed.regions_not_enabled = vec!["af-south-1".to_owned(), "me-south-1".to_owned()];
    let plan = plan(&baseline, &observed);
    assert!(plan.is_empty());
    assert_eq!(
        plan.notes,
        [
            "skips 2 opt-in region(s) this account has not enabled: af-south-1, me-south-1; enable one for the account and the next plan covers it"
        ]
    );
}

/// An account in `regions` as it is after a successful apply of `baseline`.
fn converged_in(baseline: &Baseline, regions: &[&str]) -> Observed {
    let mut observed = Observed {
        account_id: ACCOUNT.to_owned(),
        regions: regions.iter().map(|r| (*r).to_owned()).collect(),
        ..Observed::default()
    };
    for desired in desired_resources(baseline, &observed.clone()) {
        let live_id = match &desired.spec {
            Spec::Detector(_) => Some("d3t3ct0r".to_owned()),
            Spec::Recorder(spec) => Some(spec.name.clone()),
            Spec::DeliveryChannel(spec) => Some(spec.name.clone()),
            _ => None,
        };
        let live = Live {
            spec: desired.spec,
            live_id,
            owned: false,
        };
        observed.resources.insert(desired.id, live);
    }
    observed
}

#[test]
fn a_rule_aws_does_not_offer_in_a_region_is_skipped_there_with_a_note() {
    // AWS Config offers neither encrypted-volumes nor access-keys-rotated in mx-central-1.
    let regions = ["mx-central-1", "us-east-1"];
    let rules = "[config]\n[config.rules]\nencrypted-volumes = {}\nrestricted-ssh = {}\n\
        access-keys-rotated = {}\n";
    let source = format!(
        "[scope]\nregions = [\"mx-central-1\", \"us-east-1\"]\nhome_region = \"us-east-1\"\n{rules}"
    );
    let baseline = Baseline::parse("baseline.toml", &source).unwrap();
    let empty = Observed {
        account_id: ACCOUNT.to_owned(),
        regions: regions.map(str::to_owned).to_vec(),
        ..Observed::default()
    };
    let plan = plan(&baseline, &empty);
    assert_eq!(
        ids_of(&plan, Kind::ConfigRule),
        [
            "config_rule/mx-central-1/restricted-ssh",
            "config_rule/us-east-1/access-keys-rotated",
            "config_rule/us-east-1/encrypted-volumes",
            "config_rule/us-east-1/restricted-ssh",
        ]
    );
    // The region is still recorded; only the rule is left out.
    assert!(
        ids_of(&plan, Kind::ConfigRecorder).contains(&"config_recorder/mx-central-1".to_owned())
    );
    assert_eq!(
        plan.notes,
        [
            "config rule encrypted-volumes is skipped in 1 region(s) where AWS Config does not offer it: mx-central-1"
        ]
    );
    let again = super::plan(&baseline, &converged_in(&baseline, &regions));
    assert!(again.is_empty(), "{again:#?}");
    assert_eq!(again.notes, plan.notes);

    // A rule that judges the whole account goes to the home region only; where AWS does not
    // offer it there, it goes nowhere, and the note says so.
    let source = format!(
        "[scope]\nregions = [\"mx-central-1\", \"us-east-1\"]\nhome_region = \"mx-central-1\"\n{rules}"
    );
    let baseline = Baseline::parse("baseline.toml", &source).unwrap();
    let plan = super::plan(&baseline, &empty);
    assert!(
        !ids_of(&plan, Kind::ConfigRule)
            .iter()
            .any(|id| id.ends_with("/access-keys-rotated")),
        "{:#?}",
        ids_of(&plan, Kind::ConfigRule)
    );
    assert_eq!(
        plan.notes,
        [
            "config rule access-keys-rotated is skipped: AWS Config does not offer it in the home region mx-central-1, the one region where a rule that judges the whole account is placed, so nothing checks what it checks; the regions that lack it are listed in docs/baseline-reference.md",
            "config rule encrypted-volumes is skipped in 1 region(s) where AWS Config does not offer it: mx-central-1",
            // mx-central-1 cannot record the global IAM types either.
            "config records the global IAM resource types (users, groups, roles, policies) in us-east-1, not in the home region mx-central-1: AWS Config cannot record them in regions it added after February 2022",
        ]
    );
}

mod alert_route;
mod central_bus;
mod compact;
mod findings_and_key;
mod json_document;
mod kinds;
mod live_account;
mod markdown;
mod views;
