//! The regions a baseline leaves out are read only where watchpost may have left something:
//! where the record of the regions it covered says so, every enabled region without a record or
//! with `--refresh-retired`. The project's proxy between watchpost and moto traces the region
//! each request was signed for.

use std::collections::BTreeSet;
use std::time::Duration;

use support::{ACCOUNT, Moto, REGION, TempBaseline, Watchpost, write_baseline};
use watchpost_proxy::{Behaviour, Proxy};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = REGION;
const OTHER: &str = "eu-west-1";

/// GuardDuty alone: a detector in each region in scope, which goes with a region taken out.
fn baseline(regions: &[&str]) -> TempBaseline {
    let listed: Vec<String> = regions.iter().map(|region| format!("{region:?}")).collect();
    write_baseline(&format!(
        "[scope]\nregions = [{}]\nhome_region = \"{HOME}\"\n[guardduty]\n",
        listed.join(", ")
    ))
}

/// `watchpost ARGS` through a tracing proxy: its exit code, stdout, and the regions its
/// requests went to.
fn traced(moto: &Moto, args: &[&str]) -> (i32, String, BTreeSet<String>) {
    let proxy = Proxy::start(&moto.endpoint(), Behaviour::delayed(Duration::ZERO))
        .expect("the proxy starts");
    let run = moto.watchpost_with_env(args, &[("AWS_ENDPOINT_URL", &proxy.endpoint())]);
    let regions = proxy
        .trace()
        .exchanges()
        .iter()
        .map(|exchange| exchange.call.region.clone())
        .collect();
    (run.code, run.stdout, regions)
}

fn plan<'a>(baseline: &'a TempBaseline, flags: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "plan",
        "--baseline",
        baseline.path_str(),
        "--detailed-exitcode",
    ];
    args.extend_from_slice(flags);
    args
}

/// The regions the account has enabled, in its own partition.
async fn enabled_regions(moto: &Moto) -> BTreeSet<String> {
    aws_sdk_ec2::Client::new(&moto.sdk_config(REGION).await)
        .describe_regions()
        .send()
        .await
        .unwrap()
        .regions()
        .iter()
        .filter(|region| region.opt_in_status() != Some("not-opted-in"))
        .filter_map(|region| region.region_name())
        .filter(|name| !name.starts_with("cn-") && !name.starts_with("us-gov-"))
        .map(str::to_owned)
        .collect()
}

fn only(regions: &[&str]) -> BTreeSet<String> {
    regions.iter().map(|region| (*region).to_owned()).collect()
}

#[tokio::test]
async fn after_apply_a_plan_reads_only_the_regions_in_scope() {
    let moto = Moto::start(WATCHPOST);
    let one = baseline(&[HOME]);
    // No record yet: the first plan reads every enabled region.
    let (code, _, first) = traced(&moto, &plan(&one, &[]));
    assert_eq!(code, 2);
    assert_eq!(first, enabled_regions(&moto).await);

    moto.apply_approved(one.path_str()).assert_success();
    let (code, stdout, regions) = traced(&moto, &plan(&one, &[]));
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(regions, only(&[HOME]));
}

#[tokio::test]
async fn a_region_taken_out_is_read_until_what_watchpost_made_there_is_gone() {
    let moto = Moto::start(WATCHPOST);
    let two = baseline(&[HOME, OTHER]);
    moto.apply_approved(two.path_str()).assert_success();
    let (code, _, regions) = traced(&moto, &plan(&two, &[]));
    assert_eq!(code, 0);
    assert_eq!(regions, only(&[HOME, OTHER]));

    let one = baseline(&[HOME]);
    let (code, stdout, regions) = traced(&moto, &plan(&one, &[]));
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains(&format!("- guardduty_detector/{OTHER}")),
        "{stdout}"
    );
    assert_eq!(regions, only(&[HOME, OTHER]));

    moto.apply_approved(one.path_str()).assert_success();
    assert!(moto.detector_ids(OTHER).await.is_empty());
    let (code, stdout, regions) = traced(&moto, &plan(&one, &[]));
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(regions, only(&[HOME]));
}

#[tokio::test]
async fn refresh_retired_reads_every_enabled_region() {
    let moto = Moto::start(WATCHPOST);
    let one = baseline(&[HOME]);
    moto.apply_approved(one.path_str()).assert_success();
    let (code, _, regions) = traced(&moto, &plan(&one, &["--refresh-retired"]));
    assert_eq!(code, 0);
    assert_eq!(regions, enabled_regions(&moto).await);
}

#[tokio::test]
async fn without_a_record_a_plan_reads_every_enabled_region_and_writes_none() {
    let moto = Moto::start(WATCHPOST);
    let one = baseline(&[HOME]);
    moto.apply_approved(one.path_str()).assert_success();
    delete_record(&moto).await;
    let enabled = enabled_regions(&moto).await;
    for _ in 0..2 {
        let (code, _, regions) = traced(&moto, &plan(&one, &[]));
        assert_eq!(code, 0);
        assert_eq!(regions, enabled);
    }
}

/// Removes the record of the regions watchpost covered, as an account set up by a watchpost
/// that kept none would be.
async fn delete_record(moto: &Moto) {
    aws_sdk_dynamodb::Client::new(&moto.sdk_config(HOME).await)
        .delete_item()
        .table_name("watchpost-lease")
        .key(
            "account",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("{ACCOUNT}#regions-covered")),
        )
        .condition_expression("attribute_exists(account)")
        .send()
        .await
        .expect("apply recorded the regions it covered");
}
