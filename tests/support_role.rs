//! The support role of `[support_role]` (CIS 2.16) end to end: the real binary and the real AWS
//! SDK against a moto server. After `apply`, the role holds AWS's `AWSSupportAccess` policy and
//! is trusted by whom the baseline names, a second plan is empty, and a policy someone else
//! attached to it is kept.

use support::json::statements;
use support::{ACCOUNT, Moto, RoleRead, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const SCOPE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"
"#;

const SUPPORT_ACCESS: &str = "arn:aws:iam::aws:policy/AWSSupportAccess";

#[tokio::test]
async fn the_support_role_holds_aws_support_access_and_trusts_the_account() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, &format!("{SCOPE}[support_role]\n"));
    moto.plan_exitcode(baseline.path_str()).assert_code(0);

    let role = moto.role("watchpost-support").await;
    assert_eq!(role.attached, [SUPPORT_ACCESS]);
    assert!(role.inline.is_empty(), "{:?}", role.inline);
    let trust = role.trust_policy_json();
    let [trusted] = statements(&trust)[..] else {
        panic!("one statement: {trust:#}")
    };
    assert_eq!(trusted["Effect"], "Allow");
    assert_eq!(trusted["Action"], "sts:AssumeRole");
    assert_eq!(
        trusted["Principal"]["AWS"],
        format!("arn:aws:iam::{ACCOUNT}:root"),
        "the account itself, so that its IAM policies decide who"
    );
}

#[tokio::test]
async fn the_principals_named_are_trusted_and_a_changed_trust_is_put_back() {
    let source = format!(
        "{SCOPE}[support_role]\nname = \"support\"\nprincipals = [\"111122223333\", \"arn:aws:iam::{ACCOUNT}:root\"]\n"
    );
    let (moto, baseline) = Moto::start_applied(WATCHPOST, &source);
    let trusted = |role: &RoleRead| {
        let trust = role.trust_policy_json();
        let mut principals: Vec<String> = statements(&trust)[0]["Principal"]["AWS"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        principals.sort();
        principals
    };
    let expected = [
        "arn:aws:iam::111122223333:root".to_owned(),
        format!("arn:aws:iam::{ACCOUNT}:root"),
    ];
    assert_eq!(trusted(&moto.role("support").await), expected);

    // Drift: someone trusts another account and attaches a policy of their own.
    let iam = aws_sdk_iam::Client::new(&moto.sdk_config("us-east-1").await);
    iam.update_assume_role_policy()
        .role_name("support")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("support")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    moto.plan_exitcode(baseline.path_str()).assert_code(2);
    moto.apply_approved(baseline.path_str()).assert_success();
    moto.plan_exitcode(baseline.path_str()).assert_code(0);

    let role = moto.role("support").await;
    assert_eq!(trusted(&role), expected);
    let mut attached = role.attached.clone();
    attached.sort();
    assert_eq!(
        attached,
        [
            "arn:aws:iam::aws:policy/AWSSupportAccess",
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        ],
        "a policy someone else attached is theirs, and stays"
    );
}
