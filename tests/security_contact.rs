//! The account's security contact end to end: the real binary and the real AWS SDK against a
//! moto server, read back with `GetAlternateContact` as a user would check it.

use aws_sdk_account::types::AlternateContactType;
use support::{Moto, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const BASELINE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"

[security_contact]
name = "Security team"
title = "Security operations"
email = "security@corp.io"
phone = "+1 206 555 0100"
"#;

async fn account(moto: &Moto) -> aws_sdk_account::Client {
    aws_sdk_account::Client::new(&moto.sdk_config("us-east-1").await)
}

/// (name, title, email, phone) of the account's contact of `kind`, if it has one.
async fn contact(moto: &Moto, kind: AlternateContactType) -> Option<[String; 4]> {
    let answer = account(moto)
        .await
        .get_alternate_contact()
        .alternate_contact_type(kind)
        .send()
        .await
        .ok()?;
    let contact = answer.alternate_contact()?;
    let text = |field: Option<&str>| field.unwrap_or_default().to_owned();
    Some([
        text(contact.name()),
        text(contact.title()),
        text(contact.email_address()),
        text(contact.phone_number()),
    ])
}

async fn put_contact(moto: &Moto, kind: AlternateContactType, fields: [&str; 4]) {
    account(moto)
        .await
        .put_alternate_contact()
        .alternate_contact_type(kind)
        .name(fields[0])
        .title(fields[1])
        .email_address(fields[2])
        .phone_number(fields[3])
        .send()
        .await
        .unwrap();
}

fn wanted() -> Option<[String; 4]> {
    Some(
        [
            "Security team",
            "Security operations",
            "security@corp.io",
            "+1 206 555 0100",
        ]
        .map(str::to_owned),
    )
}

#[tokio::test]
async fn apply_sets_the_security_contact_and_leaves_the_others() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();
    let billing = [
        "Finance",
        "Controller",
        "billing@corp.io",
        "+1 206 555 0199",
    ];
    put_contact(&moto, AlternateContactType::Billing, billing).await;
    assert_eq!(contact(&moto, AlternateContactType::Security).await, None);

    moto.plan_changes(path)
        .assert_stdout_has(&["+ security_contact/global", "Plan: 1 to add"]);
    moto.assert_apply_converges(path);

    assert_eq!(
        contact(&moto, AlternateContactType::Security).await,
        wanted()
    );
    assert_eq!(
        contact(&moto, AlternateContactType::Billing).await,
        Some(billing.map(str::to_owned)),
        "the billing contact is not watchpost's"
    );
}

#[tokio::test]
async fn a_changed_contact_is_put_back_and_destroy_leaves_it() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, BASELINE);
    let path = baseline.path_str();
    put_contact(
        &moto,
        AlternateContactType::Security,
        [
            "Security team",
            "Security operations",
            "security@corp.io",
            "+1 206 555 0142",
        ],
    )
    .await;

    moto.plan_changes(path).assert_stdout_has(&[
        "~ security_contact/global\n      phone_number: \"+1 206 555 0142\" → \"+1 206 555 0100\"\n",
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ]);
    moto.assert_apply_converges(path);
    assert_eq!(
        contact(&moto, AlternateContactType::Security).await,
        wanted()
    );

    moto.destroy_approved(path, &[]).assert_success();
    assert_eq!(
        contact(&moto, AlternateContactType::Security).await,
        wanted(),
        "an account setting is never removed"
    );
}

#[test]
fn a_phone_number_aws_refuses_is_refused_with_its_place() {
    let baseline = write_baseline(&BASELINE.replace("+1 206 555 0100", "ext. 42"));
    let run = WATCHPOST.run(&["validate", "--baseline", baseline.path_str()], &[]);
    run.assert_code(1)
        .assert_stderr_has(&["`ext. 42` is not a phone number AWS accepts", ".toml:10:9"]);
}
