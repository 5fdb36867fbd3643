//! VPC flow logs (`[vpc_flow_logs]`, CIS 4.7) end to end: the real binary and the real AWS SDK
//! against a moto server. After `apply`, every VPC of every region in scope has watchpost's flow
//! log, rejected traffic to the log bucket under its prefix, and the bucket policy lets the log
//! delivery service write for this account only. A VPC made later is covered by the next run, a
//! changed setting replaces the flow log, and another's flow log on the same VPC is kept through
//! all of it, and through `destroy --only vpc_flow_logs`.

use aws_sdk_ec2::types::{
    FlowLog, FlowLogsResourceType, LogDestinationType, ResourceType, Tag, TagSpecification,
    TrafficType,
};
use support::json::statements;
use support::{ACCOUNT, Moto, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1", "eu-west-1"]
home_region = "us-east-1"

[cloudtrail]
"#;

fn bucket() -> String {
    format!("watchpost-logs-{ACCOUNT}-us-east-1")
}

async fn ec2(moto: &Moto, region: &str) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&moto.sdk_config(region).await)
}

async fn vpcs(moto: &Moto, region: &str) -> Vec<String> {
    let answer = ec2(moto, region)
        .await
        .describe_vpcs()
        .send()
        .await
        .unwrap();
    let mut vpcs: Vec<String> = answer
        .vpcs()
        .iter()
        .map(|vpc| vpc.vpc_id().unwrap().to_owned())
        .collect();
    vpcs.sort();
    vpcs
}

async fn flow_logs(moto: &Moto, region: &str) -> Vec<FlowLog> {
    let answer = ec2(moto, region)
        .await
        .describe_flow_logs()
        .send()
        .await
        .unwrap();
    answer.flow_logs().to_vec()
}

fn is_watchposts(flow_log: &FlowLog) -> bool {
    flow_log
        .tags()
        .iter()
        .any(|tag| tag.key() == Some("managed-by") && tag.value() == Some("watchpost"))
}

/// The VPCs that have a flow log of watchpost's, and what each of those says.
async fn watchposts(moto: &Moto, region: &str) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = flow_logs(moto, region)
        .await
        .iter()
        .filter(|flow_log| is_watchposts(flow_log))
        .map(|flow_log| {
            (
                flow_log.resource_id().unwrap().to_owned(),
                flow_log.traffic_type().unwrap().as_str().to_owned(),
                flow_log.log_destination().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn every_vpc_is_logged_to_the_bucket_and_a_new_one_by_the_next_run() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, &format!("{BASELINE}[vpc_flow_logs]\n"));
    moto.assert_no_changes(baseline.path_str());
    let destination = format!("arn:aws:s3:::{}/vpc-flow-logs", bucket());
    for region in REGIONS {
        let expected: Vec<(String, String, String)> = vpcs(&moto, region)
            .await
            .into_iter()
            .map(|vpc| (vpc, "REJECT".to_owned(), destination.clone()))
            .collect();
        assert!(!expected.is_empty(), "moto has a default VPC in {region}");
        assert_eq!(watchposts(&moto, region).await, expected, "{region}");
    }

    // The log delivery service may write under the prefix, for this account's flow logs only.
    let s3 = moto.s3("us-east-1").await;
    let policy = s3
        .get_bucket_policy()
        .bucket(bucket())
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let write = statements(&policy)
        .into_iter()
        .find(|statement| statement["Sid"] == "AWSLogDeliveryWrite")
        .expect("the delivery statement");
    assert_eq!(write["Principal"]["Service"], "delivery.logs.amazonaws.com");
    assert_eq!(
        write["Resource"],
        format!(
            "arn:aws:s3:::{}/vpc-flow-logs/AWSLogs/{ACCOUNT}/*",
            bucket()
        )
    );
    assert_eq!(
        write["Condition"]["StringEquals"]["aws:SourceAccount"],
        ACCOUNT
    );
    assert_eq!(
        write["Condition"]["ArnLike"]["aws:SourceArn"],
        format!("arn:aws:logs:*:{ACCOUNT}:*")
    );

    // A VPC made after the run: the next plan shows its flow log, and apply makes it.
    let client = ec2(&moto, "eu-west-1").await;
    let vpc = client
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .unwrap()
        .vpc()
        .and_then(|vpc| vpc.vpc_id())
        .unwrap()
        .to_owned();
    moto.plan_changes(baseline.path_str())
        .assert_stdout_has(&[&format!("+ flow_log/eu-west-1/{vpc}")]);
    moto.assert_apply_converges(baseline.path_str());
    assert!(
        watchposts(&moto, "eu-west-1")
            .await
            .iter()
            .any(|(logged, _, _)| *logged == vpc)
    );
}

#[tokio::test]
async fn a_changed_setting_replaces_watchposts_flow_log_and_anothers_is_kept() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, &format!("{BASELINE}[vpc_flow_logs]\n"));
    let vpc = vpcs(&moto, "us-east-1").await.remove(0);
    // Someone's own flow log on the same VPC, to a bucket of theirs.
    moto.s3("us-east-1")
        .await
        .create_bucket()
        .bucket("network-team-logs")
        .send()
        .await
        .unwrap();
    ec2(&moto, "us-east-1")
        .await
        .create_flow_logs()
        .resource_type(FlowLogsResourceType::Vpc)
        .resource_ids(&vpc)
        .traffic_type(TrafficType::All)
        .log_destination_type(LogDestinationType::S3)
        .log_destination("arn:aws:s3:::network-team-logs")
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::VpcFlowLog)
                .tags(Tag::builder().key("team").value("network").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    moto.assert_no_changes(baseline.path_str());
    let theirs = |flow_logs: Vec<FlowLog>| -> Vec<String> {
        flow_logs
            .iter()
            .filter(|flow_log| !is_watchposts(flow_log))
            .map(|flow_log| flow_log.log_destination().unwrap().to_owned())
            .collect()
    };
    let their_destination = vec!["arn:aws:s3:::network-team-logs".to_owned()];

    let all_traffic = write_baseline(&format!(
        "{BASELINE}[vpc_flow_logs]\ntraffic_type = \"ALL\"\n"
    ));
    moto.plan_changes(all_traffic.path_str())
        .assert_stdout_has(&[
            &format!("~ flow_log/us-east-1/{vpc}"),
            "traffic_type",
            "is replaced: EC2 changes nothing of a flow log once made",
        ]);
    moto.assert_apply_converges(all_traffic.path_str());
    let ours = watchposts(&moto, "us-east-1").await;
    assert_eq!(ours.len(), 1, "replaced, not doubled: {ours:?}");
    assert_eq!(ours[0].1, "ALL");
    assert_eq!(
        theirs(flow_logs(&moto, "us-east-1").await),
        their_destination
    );

    // destroy --only vpc_flow_logs: watchpost's flow logs go, and only they.
    moto.destroy_approved(all_traffic.path_str(), &["--only", "vpc_flow_logs"])
        .assert_success();
    for region in REGIONS {
        assert!(watchposts(&moto, region).await.is_empty(), "{region}");
    }
    assert_eq!(
        theirs(flow_logs(&moto, "us-east-1").await),
        their_destination
    );
}
