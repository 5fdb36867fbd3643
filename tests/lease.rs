//! The account's lease while a run works: a heartbeat renews it, a run whose heartbeat cannot
//! renew it starts no new change and says why, and `force-unlock` removes a lease by hand only
//! as far as it is told to.

use std::io::{BufRead, BufReader, Read};
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use support::{ACCOUNT, Moto, Watchpost, every_kind_baseline, write_baseline};
use watchpost_proxy::{Behaviour, Fault, Faults, Proxy};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const HOME: &str = "us-east-1";
const LEASE_TABLE: &str = "watchpost-lease";
const HOLDER: &str = "watchpost pid 4242 on repair-host-1";

async fn dynamodb(moto: &Moto) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&moto.sdk_config(HOME).await)
}

/// The account's lease item as (holder, expires_at), if there is one.
async fn lease(moto: &Moto) -> Option<(String, u64)> {
    let read = dynamodb(moto)
        .await
        .get_item()
        .table_name(LEASE_TABLE)
        .key("account", AttributeValue::S(ACCOUNT.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .ok()?;
    let item = read.item()?;
    match (item.get("holder"), item.get("expires_at")) {
        (Some(AttributeValue::S(holder)), Some(AttributeValue::N(expires_at))) => {
            Some((holder.clone(), expires_at.parse().unwrap()))
        }
        other => panic!("a lease without a holder or an expiry: {other:?}"),
    }
}

/// The lease table as apply makes it, and a lease in it held by [`HOLDER`] until `expires_at`
/// (epoch seconds).
async fn hold_lease(moto: &Moto, expires_at: u64) {
    let client = dynamodb(moto).await;
    let exists = client
        .describe_table()
        .table_name(LEASE_TABLE)
        .send()
        .await
        .is_ok();
    if !exists {
        client
            .create_table()
            .table_name(LEASE_TABLE)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("account")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("account")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    client
        .put_item()
        .table_name(LEASE_TABLE)
        .item("account", AttributeValue::S(ACCOUNT.to_owned()))
        .item("holder", AttributeValue::S(HOLDER.to_owned()))
        .item("expires_at", AttributeValue::N(expires_at.to_string()))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn force_unlock_removes_a_dead_lease_and_a_live_one_only_when_forced() {
    let moto = Moto::start(WATCHPOST);
    let baseline = write_baseline(&format!(
        "[scope]\nregions = [\"{HOME}\"]\nhome_region = \"{HOME}\"\n[guardduty]\n"
    ));
    let unlock = |extra: &[&str]| {
        let mut args = vec!["force-unlock", ACCOUNT, "--baseline", baseline.path_str()];
        args.extend_from_slice(extra);
        moto.watchpost(&args)
    };

    // No run has ever held the account: there is no table.
    unlock(&[])
        .assert_success()
        .assert_stdout_has(&["Account 123456789012: no run holds the lease: nothing to remove."]);

    // A lease that lapsed is removed without asking.
    hold_lease(&moto, 1).await;
    unlock(&[]).assert_success().assert_stdout_has(&[format!(
        "Account 123456789012: removed the lease of {HOLDER}, which had lapsed"
    )]);
    assert_eq!(lease(&moto).await, None);
    unlock(&[])
        .assert_success()
        .assert_stdout_has(&["no run holds the lease: nothing to remove."]);

    // A live one is refused, naming who holds it and how to remove it all the same.
    hold_lease(&moto, 99_999_999_999).await;
    unlock(&[]).assert_code(1).assert_stderr_has(&[
        format!("error: the lease on account 123456789012 is live: {HOLDER} holds it"),
        format!(
            "hint: if that run is dead, wait for its lease to lapse, or remove it now with `watchpost force-unlock 123456789012 --holder '{HOLDER}' --force`"
        ),
    ]);
    // Another holder named is refused, forced or not: it may be a run that took the lease since.
    unlock(&["--holder", "watchpost pid 1 on another-host", "--force"])
        .assert_code(1)
        .assert_stderr_has(&[format!(
            "error: the lease on account 123456789012 is held by {HOLDER}, not by watchpost pid 1 on another-host; nothing was removed"
        )]);
    assert_eq!(
        lease(&moto).await,
        Some((HOLDER.to_owned(), 99_999_999_999))
    );

    unlock(&["--holder", HOLDER, "--force"])
        .assert_success()
        .assert_stdout_has(&[format!(
            "Account 123456789012: removed the live lease of {HOLDER}, which had"
        )]);
    assert_eq!(lease(&moto).await, None);
}

#[tokio::test]
async fn a_run_whose_lease_cannot_be_renewed_starts_no_new_change_and_says_why() {
    let (moto, baseline) =
        Moto::start_with_baseline(WATCHPOST, &every_kind_baseline(HOME, "eu-west-1"));
    // The Config recorder, refused for a while after its role is made as AWS refuses it, waits
    // that long before it is made, and what depends on it longer: changes are still to begin
    // when the lease is found lost.
    let behaviour = Behaviour {
        propagation: Some(Duration::from_secs(30)),
        ..Behaviour::delayed(Duration::ZERO)
    };
    let proxy = Proxy::start(&moto.endpoint(), behaviour).expect("the proxy starts");
    let apply = [
        "apply",
        "--baseline",
        baseline.path_str(),
        "--auto-approve",
        "--json",
        // Short, so that it is lost within the recorder's wait; long enough that a renewal
        // answered slowly by a busy moto keeps it.
        "--lease-seconds",
        "15",
    ];
    let mut child = WATCHPOST
        .command(&proxy.endpoint(), &apply)
        .env("WATCHPOST_PROPAGATION_TIMEOUT_SECONDS", "60")
        .spawn()
        .expect("watchpost starts");
    let mut lines: Vec<serde_json::Value> = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        if line["type"] == "change_started" && !lines.iter().any(|l| l["type"] == "change_started")
        {
            // From the first change on, DynamoDB fails every renewal the heartbeat sends.
            proxy.set_faults(Faults::every_call_of(
                "dynamodb",
                "PutItem",
                Fault::InternalError,
            ));
        }
        lines.push(line);
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");

    let renewals_failed = proxy
        .trace()
        .exchanges()
        .iter()
        .filter(|exchange| exchange.call.operation == "PutItem" && exchange.fault.is_some())
        .count();
    assert!(
        renewals_failed > 0,
        "no renewal was sent once faults began\n{stderr}\n{lines:#?}"
    );
    let of_type = |kind: &str| -> Vec<&serde_json::Value> {
        lines.iter().filter(|line| line["type"] == kind).collect()
    };
    let not_started = of_type("change_not_started");
    assert!(!not_started.is_empty(), "{lines:#?}");
    assert!(
        not_started
            .iter()
            .all(|line| line["reason"] == "lease_lost"),
        "{not_started:#?}"
    );
    // What had begun was let finish.
    let ended = ["change_finished", "change_failed", "change_skipped"]
        .map(|kind| of_type(kind).len())
        .iter()
        .sum::<usize>();
    assert_eq!(of_type("change_started").len(), ended, "{lines:#?}");
    let summary = of_type("account_summary")[0];
    assert_eq!(summary["converged"], false);
    let why = summary["lease_lost"].as_str().expect("lease_lost says why");
    assert!(why.starts_with("it could not be renewed"), "{why}");
    assert!(
        stderr.contains(
            "error: apply stopped: the account's lease was lost (it could not be renewed"
        ),
        "{stderr}"
    );
    // DynamoDB answers everything else: the lease was given back with the record of regions.
    assert_eq!(lease(&moto).await, None);

    // With DynamoDB answering again, the next apply finishes the job.
    drop(proxy);
    moto.watchpost(&apply[..4]).assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);
}
