//! The cost estimate `plan` ends with, through the real binary against moto: in the text plan
//! and in `plan --json`, without changing what `--detailed-exitcode` says. moto has no
//! GetDiscoveredResourceCounts, so once Config records, the estimate says it could not count
//! and assumes the count instead.

use serde_json::Value;
use support::{Moto, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = r#"
[scope]
regions = ["eu-west-1", "us-east-1"]
home_region = "us-east-1"

[guardduty]
[guardduty.features]
S3_DATA_EVENTS = true

[config]
[config.rules]
restricted-ssh = {}

[cloudtrail]

[alerts]
emails = ["security@example.com"]

[alarms]
[alarms.filters]
root-account-use = {}
"#;

#[tokio::test]
async fn the_plan_ends_with_an_estimate_and_keeps_its_exit_codes() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();

    let before = moto.watchpost(&["plan", "--baseline", path, "--detailed-exitcode"]);
    before.assert_code(2);
    let last = before
        .stdout
        .trim_end()
        .lines()
        .rev()
        .take(8)
        .collect::<Vec<_>>();
    assert!(
        last.iter()
            .any(|line| line.starts_with("Estimated cost: $")),
        "the estimate ends the plan, just above its summary line:\n{}",
        before.stdout
    );
    before.assert_stdout_has(&[
        "Cost estimate, per month (an estimate, not a quote):",
        "AWS Config: first recording",
        "CloudTrail: management events: no other trail records here",
        "GuardDuty: S3 protection (S3_DATA_EVENTS) in 2 region(s)",
        "$0.00 and up",
        "read on 2026-11-29 (docs/costs.md names their sources)",
    ]);

    moto.apply_approved(path).assert_success();
    let after = moto.watchpost(&["plan", "--baseline", path, "--detailed-exitcode"]);
    after.assert_code(0);
    after.assert_stdout_has(&["note: the estimate assumes the resources AWS Config records in eu-west-1, us-east-1:\n      config:GetDiscoveredResourceCounts failed: HTTP 500"]);
    assert!(
        !after.stdout.contains("first recording"),
        "Config records in both regions now:\n{}",
        after.stdout
    );

    let json = moto.watchpost(&["plan", "--baseline", path, "--json", "--detailed-exitcode"]);
    json.assert_code(0);
    let document: Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    let cost = &document["accounts"][0]["cost"];
    assert_eq!(cost["currency"], "USD");
    assert_eq!(cost["unbounded_lines"], 1);
    let items: Vec<&str> = cost["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|line| line["item"].as_str())
        .collect();
    for item in [
        "config_items",
        "config_rule_evaluations",
        "trail_management_events",
        "trail_data_events",
        "log_ingestion",
        "guardduty_management_events",
        "guardduty_flow_and_dns_logs",
        "alarms",
    ] {
        assert!(items.contains(&item), "{item} in {items:?}");
    }
    assert!(cost["monthly"]["low"].as_f64().unwrap() <= cost["monthly"]["high"].as_f64().unwrap());
    assert_eq!(
        cost["not_read"][0]["what"], "the resources AWS Config records in eu-west-1, us-east-1",
        "one note for the call that failed in both regions: {}",
        cost["not_read"]
    );
    assert_eq!(
        cost["not_read"][0]["call"],
        "config:GetDiscoveredResourceCounts"
    );
}
