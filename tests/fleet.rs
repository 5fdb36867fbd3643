//! Many accounts in one run: each reached through a role, planned and applied concurrently,
//! failing on its own, and the API calls of the run counted as the server saw them.

use std::collections::BTreeSet;

use support::json::{json_document, json_lines};
use support::{Moto, REGION, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const CALLER: &str = "123456789012";
const FIRST: &str = "111111111111";
const SECOND: &str = "222222222222";

/// GuardDuty in two regions and Config with one rule: enough to need a bucket (whose name is
/// global, which the failure test uses) without the cost of the whole recommended baseline.
fn baseline(accounts: &str) -> String {
    format!(
        r#"
[scope]
regions = ["us-east-1", "eu-west-1"]
home_region = "us-east-1"

{accounts}

[guardduty]
[guardduty.features]
S3_DATA_EVENTS = true

[config]
[config.rules]
iam-root-access-key-check = {{}}
"#
    )
}

async fn detectors_in(moto: &Moto, account: &str, region: &str) -> usize {
    let config = moto.sdk_config_in(account, region).await;
    aws_sdk_guardduty::Client::new(&config)
        .list_detectors()
        .send()
        .await
        .unwrap()
        .detector_ids()
        .len()
}

/// AWS requests in moto's log (an error answer's line is coloured, hence no closing quote),
/// leaving out the harness's own calls to /moto-api/.
fn requests_served(moto: &Moto) -> usize {
    moto.log()
        .lines()
        .filter(|line| line.contains(" HTTP/1.1") && !line.contains("/moto-api/"))
        .count()
}

#[tokio::test]
async fn every_listed_account_is_applied_through_its_role_and_then_matches() {
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        &baseline(&format!("[accounts]\nids = [\"{SECOND}\", \"{FIRST}\"]\n")),
    );
    let apply = moto.apply_approved(baseline.path_str());
    apply.assert_success();
    apply.assert_stdout_has(&[
        format!("== account {FIRST} =="),
        format!("== account {SECOND} =="),
        format!("  {FIRST}  done: 11 to add, 0 to change, 0 to destroy"),
        "Apply complete in 2 of 2 account(s).".to_owned(),
    ]);
    // In account order, whatever order the baseline lists them in.
    assert!(
        apply.stdout.find(&format!("account {FIRST}"))
            < apply.stdout.find(&format!("account {SECOND}"))
    );
    for account in [FIRST, SECOND] {
        for region in [REGION, "eu-west-1"] {
            assert_eq!(
                detectors_in(&moto, account, region).await,
                1,
                "{account} {region}"
            );
        }
    }
    // The caller's own account was not listed, so it was not touched.
    let own = moto.detector_ids(REGION).await;
    assert!(own.is_empty());

    let plan = moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--detailed-exitcode",
    ]);
    plan.assert_success();
    plan.assert_stdout_has(&[
        &format!("  {SECOND}  no changes"),
        "Plan: 0 to add, 0 to change, 0 to destroy, over 2 account(s).",
    ]);
}

#[tokio::test]
async fn one_accounts_failure_is_reported_and_the_others_are_done() {
    let moto = Moto::start(WATCHPOST);
    // Another run is working on the second account: it holds the account's lease.
    support::lease::hold_lease(
        &moto.sdk_config_in(SECOND, REGION).await,
        SECOND,
        "watchpost pid 1 on the nightly runner",
        99_999_999_999,
    )
    .await;
    let baseline = write_baseline(&baseline(""));
    let apply = moto.watchpost(&[
        "apply",
        "--baseline",
        baseline.path_str(),
        "--auto-approve",
        "--json",
        "--accounts",
        &format!("{FIRST},{SECOND}"),
        // Not the default wait of one and a half leases, for a lease that is live.
        "--lock-timeout",
        "0",
    ]);
    apply.assert_code(1);
    let lines = json_lines(&apply.stdout);
    let summary_of = |account: &str| {
        lines
            .iter()
            .find(|line| line["type"] == "account_summary" && line["account_id"] == account)
            .unwrap_or_else(|| panic!("no account_summary for {account}:\n{}", apply.stdout))
            .clone()
    };
    assert_eq!(summary_of(FIRST)["converged"], true);
    assert_eq!(detectors_in(&moto, FIRST, REGION).await, 1);
    let held = summary_of(SECOND);
    assert_eq!(held["converged"], false);
    assert!(
        held["error"].as_str().unwrap().contains(
            "another run holds account 222222222222: watchpost pid 1 on the nightly runner"
        ),
        "{held}"
    );
    // Nothing was made in the account another run holds.
    assert_eq!(detectors_in(&moto, SECOND, REGION).await, 0);
    assert!(
        !lines
            .iter()
            .any(|line| line["type"] == "change_started" && line["account_id"] == SECOND)
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["accounts"], 2);
    assert_eq!(summary["failed_accounts"], 1);
    assert_eq!(summary["converged"], false);
}

#[tokio::test]
async fn the_organization_means_its_active_accounts_and_the_caller_uses_its_own_credentials() {
    let moto = Moto::start(WATCHPOST);
    let (_, members) = moto.create_organization(&["workloads", "sandbox"]).await;
    let members: BTreeSet<String> = members.into_iter().collect();
    let baseline = write_baseline(&baseline("[accounts]\norganization = true\n"));
    let plan = moto.watchpost(&["plan", "--baseline", baseline.path_str(), "--json"]);
    plan.assert_success();
    let document = json_document(&plan.stdout);
    let planned: BTreeSet<String> = document["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["account_id"].as_str().unwrap().to_owned())
        .collect();
    let mut expected = members.clone();
    expected.insert(CALLER.to_owned());
    assert_eq!(planned, expected);
    assert_eq!(document["summary"]["accounts"], 3);
    assert_eq!(document["summary"]["failed_accounts"], 0);
    // Roles are assumed in the members only; each member's first call checks where its role
    // led. The caller's account is worked on with the caller's credentials.
    for account in document["accounts"].as_array().unwrap() {
        let sts = account["api_calls"]["sts"].as_u64().unwrap_or(0);
        let expected = if account["account_id"] == CALLER {
            0
        } else {
            1
        };
        assert_eq!(sts, expected, "{}", account["api_calls"]);
    }
    // The run's own: the caller's identity, the organization's accounts, two roles assumed.
    assert_eq!(document["api_calls"]["organizations"], 1);
    assert_eq!(document["api_calls"]["sts"], 1 + 2 + 2);

    // --accounts on the command line overrides the baseline's choice; exclude still applies.
    let one = moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--json",
        "--accounts",
        members.first().unwrap(),
    ]);
    one.assert_success();
    let document = json_document(&one.stdout);
    assert_eq!(document["summary"]["accounts"], 1);
}

#[tokio::test]
async fn the_api_calls_reported_are_the_requests_the_server_received() {
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        &baseline(&format!("[accounts]\nids = [\"{FIRST}\"]\n")),
    );
    let requests_so_far = || requests_served(&moto);
    let before = requests_so_far();
    let plan = moto.watchpost(&["plan", "--baseline", baseline.path_str(), "--json"]);
    plan.assert_success();
    let document = json_document(&plan.stdout);
    let reported: u64 = document["api_calls"]
        .as_object()
        .unwrap()
        .values()
        .map(|count| count.as_u64().unwrap())
        .sum();
    // moto writes its request log line after answering; give it a moment to flush.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let received = requests_so_far() - before;
    assert_eq!(reported, received as u64, "{}", moto.log());
    // The caller's identity, the role assumed, the role's identity, the regions; then per
    // region in scope a detector and the Config setup; the bucket and role once.
    assert_eq!(document["api_calls"]["sts"], 3, "{}", document["api_calls"]);
    assert_eq!(document["api_calls"]["ec2"], 1);
}

#[tokio::test]
async fn regions_the_account_has_not_enabled_are_skipped_and_named() {
    let moto = Moto::start(WATCHPOST);
    let baseline =
        write_baseline("[scope]\nregions = \"all\"\nhome_region = \"us-east-1\"\n[guardduty]\n");
    let plan = moto.watchpost(&["plan", "--baseline", baseline.path_str(), "--json"]);
    plan.assert_success();
    let document = json_document(&plan.stdout);
    let account = &document["accounts"][0];
    let regions: Vec<&str> = account["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    // moto marks me-south-1 (like AWS) as an opt-in region no account has enabled.
    assert!(!regions.contains(&"me-south-1"), "{regions:?}");
    let note = account["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|note| note.as_str())
        .find(|note| note.starts_with("skips "))
        .unwrap_or_else(|| panic!("no note on skipped regions: {account}"));
    assert!(note.contains("me-south-1"), "{note}");
    assert!(note.contains("has not enabled"), "{note}");
}

#[tokio::test]
async fn bad_account_options_are_refused_before_any_aws_call() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, &baseline(""));
    let run = moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--accounts",
        "12345,111111111111",
    ]);
    run.assert_code(1);
    run.assert_stderr_has(&["`12345` is not an account id"]);
    let run = moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--assume-role",
        "Audit",
    ]);
    run.assert_code(1);
    run.assert_stderr_has(&["--assume-role and --external-id need accounts"]);
    assert_eq!(requests_served(&moto), 0, "{}", moto.log());
}

#[tokio::test]
async fn a_saved_plan_is_for_one_account_whichever_way_it_is_named() {
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        &baseline(&format!("[accounts]\nids = [\"{FIRST}\"]\n")),
    );
    let dir = std::env::temp_dir().join(format!("watchpost-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("first.plan.json");
    let file = file.to_str().unwrap();
    let both = format!("{FIRST},{SECOND}");
    let run = moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--accounts",
        &both,
        "--out",
        file,
    ]);
    run.assert_code(1);
    run.assert_stderr_has(&["--out saves the plan of one account, and this run covers 2"]);
    assert!(!std::path::Path::new(file).exists());

    // One account named in [accounts] is one account: its plan is saved and applied exactly.
    moto.watchpost(&["plan", "--baseline", baseline.path_str(), "--out", file])
        .assert_success();
    let refused = moto.watchpost(&[
        "apply",
        "--baseline",
        baseline.path_str(),
        "--accounts",
        &both,
        file,
    ]);
    refused.assert_code(1);
    refused.assert_stderr_has(&["a saved plan is for one account"]);
    moto.watchpost(&["apply", "--baseline", baseline.path_str(), file])
        .assert_success();
    assert_eq!(detectors_in(&moto, FIRST, REGION).await, 1);
    assert_eq!(detectors_in(&moto, SECOND, REGION).await, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The account ids a `plan --json` covered.
fn planned_accounts(run: &support::Run) -> BTreeSet<String> {
    json_document(&run.stdout)["accounts"]
        .as_array()
        .expect("the plan lists its accounts")
        .iter()
        .map(|account| account["account_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn shards_split_the_accounts_selected_each_to_exactly_one_worker() {
    let ids: Vec<String> = (1..=7).map(|n| format!("{n}{n}{n}{n}00000000")).collect();
    let listed = ids
        .iter()
        .map(|id| format!("\"{id}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        &baseline(&format!("[accounts]\nids = [{listed}]\n")),
    );
    let outputs = tempfile::tempdir().unwrap();
    // Shard `index` of 3 runs `verb` with --json, which must succeed; its output is kept in a
    // file named after the shard, for the merge.
    let run_shard = |verb: &[&str], index: usize| {
        let shard = format!("{index}/3");
        let mut args = verb.to_vec();
        args.extend([
            "--baseline",
            baseline.path_str(),
            "--json",
            "--shard",
            &shard,
        ]);
        let run = moto.watchpost(&args);
        run.assert_success();
        let file = outputs.path().join(format!("{}-{index}.json", verb[0]));
        std::fs::write(&file, &run.stdout).unwrap();
        (shard, run, file.display().to_string())
    };
    let mut covered: Vec<String> = Vec::new();
    let mut plans = Vec::new();
    for index in 1..=3 {
        let (shard, run, file) = run_shard(&["plan"], index);
        let accounts = planned_accounts(&run);
        run.assert_stderr_has(&[format!(
            "shard {shard}: {} of the 7 account(s) selected",
            accounts.len()
        )]);
        assert_eq!(json_document(&run.stdout)["shard"], shard.as_str());
        covered.extend(accounts);
        plans.push(file);
    }
    covered.sort();
    assert_eq!(covered, ids, "each account in exactly one of 3 shards");

    // The shards merged say what one run over the whole fleet says, with its exit code.
    let whole = moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--json",
        "--detailed-exitcode",
    ]);
    whole.assert_code(2);
    let mut merge = vec!["report", "merge", "--detailed-exitcode"];
    merge.extend(plans.iter().map(String::as_str));
    let merged = moto.watchpost(&merge);
    merged.assert_code(2);
    let (merged_document, whole_document) =
        (json_document(&merged.stdout), json_document(&whole.stdout));
    assert_eq!(merged_document["summary"], whole_document["summary"]);
    assert_eq!(planned_accounts(&merged), planned_accounts(&whole));
    assert_eq!(
        merged_document["shards"],
        serde_json::json!(["1/3", "2/3", "3/3"])
    );
    let without_second = [&merge[..3], &[plans[0].as_str(), plans[2].as_str()]].concat();
    moto.watchpost(&without_second)
        .assert_code(1)
        .assert_stderr_has(&["error: shard 2/3 is missing", "hint: add its output"]);

    // Applied shard by shard, the merged verdict is the fleet's: every account converged.
    let applies: Vec<String> = (1..=3)
        .map(|index| run_shard(&["apply", "--auto-approve"], index).2)
        .collect();
    let mut merge = vec!["report", "merge"];
    merge.extend(applies.iter().map(String::as_str));
    let merged = moto.watchpost(&merge);
    merged.assert_success();
    let lines = json_lines(&merged.stdout);
    let summary = lines.last().unwrap();
    assert_eq!(summary["accounts"], 7);
    assert_eq!(summary["converged"], true);
    assert_eq!(
        lines
            .iter()
            .filter(|line| line["type"] == "account_summary")
            .count(),
        7
    );
    moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--detailed-exitcode",
    ])
    .assert_success();

    // One account over 7 shards: six workers find nothing to do, and say so, without failing.
    let only = [FIRST];
    let mut empty = Vec::new();
    for index in 1..=7 {
        let shard = format!("{index}/7");
        let run = moto.watchpost(&[
            "plan",
            "--baseline",
            baseline.path_str(),
            "--accounts",
            only[0],
            "--json",
            "--shard",
            &shard,
        ]);
        run.assert_success();
        if planned_accounts(&run).is_empty() {
            run.assert_stderr_has(&[format!("shard {shard}: 0 of the 1 account(s) selected")]);
            empty.push(shard);
        }
    }
    assert_eq!(empty.len(), 6, "{empty:?}");
    for (verb, ending) in [
        (&["plan"][..], "over 0 account(s)"),
        (
            &["apply", "--auto-approve"],
            "Apply complete in 0 of 0 account(s).",
        ),
    ] {
        let mut args = verb.to_vec();
        args.extend(["--baseline", baseline.path_str(), "--accounts", FIRST]);
        args.extend(["--shard", &empty[0]]);
        moto.watchpost(&args)
            .assert_success()
            .assert_stdout_has(&[ending]);
    }
}

#[tokio::test]
async fn one_request_in_flight_at_a_time_plans_the_same() {
    let (moto, baseline) = Moto::start_with_baseline(
        WATCHPOST,
        &baseline(&format!("[accounts]\nids = [\"{FIRST}\", \"{SECOND}\"]\n")),
    );
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "--baseline", baseline.path_str(), "--json"];
        args.extend_from_slice(extra);
        let run = moto.watchpost(&args);
        run.assert_success();
        json_document(&run.stdout)
    };
    let (bounded, unbounded) = (plan(&["--requests-in-flight", "1"]), plan(&[]));
    assert_eq!(bounded["summary"], unbounded["summary"]);
    // The calls are not compared: every attempt counts, and a request the SDK retried (moto
    // answering slowly under load) counts twice.
    let changes = |document: &serde_json::Value| -> Vec<serde_json::Value> {
        document["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|account| account["resource_changes"].clone())
            .collect()
    };
    assert_eq!(changes(&bounded), changes(&unbounded));
    moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--requests-in-flight",
        "0",
    ])
    .assert_code(1)
    .assert_stderr_has(&["--requests-in-flight"]);
}
