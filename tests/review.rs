//! Review and scheduled runs: saved plans, and the machine-readable formats.

use support::json::json_lines;
use support::{Moto, REGION, Run, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"
[guardduty]
finding_publishing_frequency = "ONE_HOUR"
[guardduty.features]
S3_DATA_EVENTS = true
[config.rules]
restricted-ssh = {}
"#;

fn temp_path(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("watchpost-{}-{name}", std::process::id()))
        .to_string_lossy()
        .into_owned()
}

/// `plan --out file` of `baseline` (which must succeed) into the temp file `name`: the run and
/// the file's path.
fn save_plan(moto: &Moto, baseline: &str, name: &str) -> (Run, String) {
    let file = temp_path(name);
    let plan = moto.watchpost(&["plan", "--baseline", baseline, "--out", &file]);
    plan.assert_success();
    (plan, file)
}

/// `apply file` of a saved plan with `baseline`: no terminal and no --auto-approve, as the saved
/// plan is the approval.
fn apply_saved(moto: &Moto, file: &str, baseline: &str) -> Run {
    moto.watchpost(&["apply", file, "--baseline", baseline])
}

#[tokio::test]
async fn a_saved_plan_is_applied_exactly_and_without_asking() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let (plan, file) = save_plan(&moto, baseline.path_str(), "saved-ok.json");
    plan.assert_stdout_has(&[&format!("watchpost apply {file}")]);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(
        !saved.contains("testing"),
        "no credential is written into a saved plan"
    );

    let apply = apply_saved(&moto, &file, baseline.path_str());
    apply.assert_success();
    apply.assert_stdout_has(&["Apply complete! Resources: 7 added"]);
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn a_saved_plan_is_refused_once_the_account_changed() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let (_, file) = save_plan(&moto, baseline.path_str(), "saved-stale-account.json");
    moto.create_detector(REGION, true).await;

    let apply = apply_saved(&moto, &file, baseline.path_str());
    apply.assert_code(1);
    apply.assert_stderr_has(&[
        "the saved plan is stale: guardduty_detector/us-east-1 appeared since it was made",
    ]);
    let detectors = moto.detector_ids(REGION).await;
    assert_eq!(detectors.len(), 1, "nothing was applied");
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn a_saved_plan_is_refused_once_the_baseline_changed() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let (_, file) = save_plan(&moto, baseline.path_str(), "saved-stale-baseline.json");
    std::fs::write(baseline.path(), BASELINE.replace("ONE_HOUR", "SIX_HOURS")).unwrap();
    let apply = apply_saved(&moto, &file, baseline.path_str());
    apply.assert_code(1);
    apply.assert_stderr_has(&[format!(
        "error: the saved plan {file} was made from {}, and that file has changed since\nhint: run `watchpost plan --baseline {} --out {file}` again",
        baseline.path_str(),
        baseline.path_str()
    )]);
    let _ = std::fs::remove_file(file);
}

#[test]
fn a_saved_plan_of_another_format_is_refused() {
    let baseline = write_baseline(BASELINE);
    let file = temp_path("saved-future.json");
    std::fs::write(
        &file,
        r#"{"format_version": "99", "watchpost_version": "9.0.0"}"#,
    )
    .unwrap();
    let run = WATCHPOST.run(
        &["apply", &file, "--baseline", baseline.path_str()],
        &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_owned())],
    );
    run.assert_code(1);
    run.assert_stderr_has(&["was written by watchpost \"9.0.0\" in plan format \"99\""]);
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn plan_json_is_one_stable_document() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let run = moto.watchpost(&["plan", "--baseline", baseline.path_str(), "--json"]);
    run.assert_success();
    let mut document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // How many calls a plan takes is checked against moto's own count in tests/fleet.rs.
    redact_counts(&mut document["api_calls"]);
    for account in document["accounts"].as_array_mut().unwrap() {
        redact_counts(&mut account["api_calls"]);
    }
    insta::assert_json_snapshot!(document);
}

fn redact_counts(calls: &mut serde_json::Value) {
    for count in calls.as_object_mut().unwrap().values_mut() {
        *count = serde_json::json!("[count]");
    }
}

#[tokio::test]
async fn apply_json_streams_one_object_per_line() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let run = moto.watchpost(&[
        "apply",
        "--baseline",
        baseline.path_str(),
        "--auto-approve",
        "--json",
    ]);
    run.assert_success();
    let events = json_lines(&run.stdout);
    assert_eq!(events[0]["type"], "start");
    assert_eq!(events[0]["account_id"], "123456789012");
    assert_eq!(events[0]["plan"]["summary"]["add"], 7);
    let started = events
        .iter()
        .filter(|e| e["type"] == "change_started")
        .count();
    let finished = events
        .iter()
        .filter(|e| e["type"] == "change_finished")
        .count();
    assert_eq!((started, finished), (7, 7));
    let summary = events.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["converged"], true);
    assert_eq!(summary["added"], 7);
}

#[tokio::test]
async fn colour_only_when_asked_or_on_a_terminal() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let plain = moto.watchpost(&["plan", "--baseline", baseline.path_str()]);
    assert!(!plain.stdout.contains('\u{1b}'), "no colour into a pipe");
    plain.assert_stdout_has(&["  + guardduty_detector  "]);
    let forced = moto.watchpost_with_env(
        &[
            "plan",
            "--baseline",
            baseline.path_str(),
            "--color",
            "always",
        ],
        &[("NO_COLOR", "")],
    );
    assert!(
        forced
            .stdout
            .contains("\u{1b}[32m+\u{1b}[0m guardduty_detector  "),
        "{:?}",
        forced.stdout
    );
}

#[tokio::test]
async fn only_narrows_a_run_to_part_of_the_baseline_with_a_warning() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let only = [
        "--baseline",
        baseline.path_str(),
        "--only",
        "guardduty_detector/us-east-1",
    ];
    let plan = moto.watchpost(&[&["plan"][..], &only[..]].concat());
    plan.assert_success();
    plan.assert_stderr_has(&["warning: only guardduty_detector/us-east-1 is planned"]);
    plan.assert_stdout_has(&["Plan: 1 to add, 0 to change, 0 to destroy."]);

    moto.watchpost(&[&["apply", "--auto-approve"][..], &only[..]].concat())
        .assert_success();
    let full = moto.watchpost(&["plan", "--baseline", baseline.path_str()]);
    full.assert_stdout_has(&["Plan: 6 to add, 0 to change, 0 to destroy."]);
    assert!(!full.stdout.contains("guardduty_detector"));

    let unknown = moto.watchpost(&[
        "plan",
        "--baseline",
        baseline.path_str(),
        "--only",
        "detector",
    ]);
    unknown.assert_code(1);
    unknown.assert_stderr_has(&["`detector` is neither a resource kind nor a baseline section"]);
}

#[tokio::test]
async fn only_that_matches_nothing_is_an_error_and_a_section_selects_its_kinds() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let plan =
        |only: &str| moto.watchpost(&["plan", "--baseline", baseline.path_str(), "--only", only]);
    let nothing = plan("guardduty_detector/eu-west-9");
    nothing.assert_code(1);
    nothing.assert_stderr_has(&[
        "error: --only guardduty_detector/eu-west-9 matches nothing in the plan of account 123456789012\nhint: guardduty_detector is planned in us-east-1; the plan has config_delivery_channel, config_recorder, config_recording, config_rule, guardduty_detector, iam_role, log_bucket in us-east-1",
    ]);
    assert!(!nothing.stdout.contains("No changes"), "{}", nothing.stdout);
    plan("config_rule/us-east-1/eip-attached")
        .assert_code(1)
        .assert_stderr_has(&["hint: config_rule in us-east-1 is named restricted-ssh;"]);

    plan("guardduty")
        .assert_success()
        .assert_stdout_has(&["Plan: 1 to add, 0 to change, 0 to destroy."]);
    plan("config")
        .assert_success()
        .assert_stdout_has(&["Plan: 4 to add, 0 to change, 0 to destroy."]);

    // destroy --only removes the part it names, and leaves the rest and the lease table.
    moto.apply_approved(baseline.path_str()).assert_success();
    moto.destroy_approved(baseline.path_str(), &["--only", "config_rule"])
        .assert_success()
        .assert_stdout_has(&["Destroy complete! Resources: 1 destroyed."]);
    moto.watchpost(&["plan", "--baseline", baseline.path_str()])
        .assert_success()
        .assert_stdout_has(&["Plan: 1 to add, 0 to change, 0 to destroy."]);
    let tables = aws_sdk_dynamodb::Client::new(&moto.sdk_config(REGION).await)
        .list_tables()
        .send()
        .await
        .unwrap();
    assert_eq!(tables.table_names(), ["watchpost-lease"]);
}

#[tokio::test]
async fn apply_json_stream_is_stable() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    // One change, so that the order of events is fixed; durations vary and are left out.
    let run = moto.watchpost(&[
        "apply",
        "--baseline",
        baseline.path_str(),
        "--auto-approve",
        "--json",
        "--only",
        "guardduty_detector",
    ]);
    run.assert_success();
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|line| {
            let mut event: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Some(seconds) = event.get_mut("seconds") {
                *seconds = serde_json::json!("[duration]");
            }
            if let Some(plan) = event.get_mut("plan") {
                *plan = serde_json::json!("[the plan document, as plan --json prints it]");
            }
            if let Some(calls) = event.get_mut("api_calls") {
                redact_counts(calls);
            }
            event
        })
        .collect();
    insta::assert_json_snapshot!(events);
}

#[tokio::test]
async fn the_default_plan_counts_what_is_added_and_ends_with_the_summary() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let compact = moto.watchpost(&["plan", "--baseline", baseline.path_str()]);
    compact.assert_success();
    assert!(
        compact.stdout.lines().any(|line| {
            line.starts_with("  + guardduty_detector ") && line.ends_with(" 1  us-east-1")
        }),
        "{}",
        compact.stdout
    );
    assert!(!compact.stdout.contains("finding_publishing_frequency"));
    let last = compact.stdout.trim_end().lines().last().unwrap();
    assert_eq!(last, "Plan: 7 to add, 0 to change, 0 to destroy.");
    assert!(compact.stdout.find("Estimated cost:") < compact.stdout.find("Plan: "));
    let longest = compact.stdout.lines().map(|l| l.chars().count()).max();
    assert!(longest <= Some(120), "{}", compact.stdout);

    let full = moto.watchpost(&["plan", "--baseline", baseline.path_str(), "--full"]);
    full.assert_success();
    assert!(
        full.stdout
            .contains("  + guardduty_detector/us-east-1\n      features                     = ")
            && full
                .stdout
                .contains("      finding_publishing_frequency = \"ONE_HOUR\"\n"),
        "{}",
        full.stdout
    );
    assert!(full.stdout.find("Plan: ") < full.stdout.find("Cost estimate"));
}

#[tokio::test]
async fn the_markdown_plan_is_a_pull_request_comment() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let plan = |format: &[&str]| {
        let run =
            moto.watchpost(&[&["plan", "--baseline", baseline.path_str()][..], format].concat());
        run.assert_success();
        run.stdout
    };
    let markdown = plan(&["--format", "markdown"]);
    assert!(
        markdown.starts_with(
            "### watchpost plan for account `123456789012`\n\n**Plan: 7 to add, 0 to change, 0 to destroy.**\n"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "<details><summary>+ guardduty_detector: 1 to add, us-east-1</summary>\n\n```diff\n+ guardduty_detector/us-east-1\n"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("\nEstimated cost: $"), "{markdown}");
    assert_eq!(plan(&["--json"]), plan(&["--format", "json"]));
}
