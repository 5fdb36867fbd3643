//! The Config rule catalog against moto: rules with required parameters, rules AWS does not
//! offer in a region, and the plan's note about them, through the real binary. moto checks the
//! source identifier against AWS's list and refuses a rule without its required parameters,
//! so an identifier or a required parameter the catalog got wrong fails here.

use std::collections::BTreeMap;

use support::{Moto, Watchpost};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

/// AWS Config does not offer `elb-acm-certificate-required` in ap-northeast-3 (a region every
/// account has, unlike the newer opt-in regions that lack more rules); the home region offers
/// every rule listed.
const BASELINE: &str = r#"
[scope]
regions = ["us-east-1", "ap-northeast-3"]
home_region = "us-east-1"

[config]

[config.rules]
access-keys-rotated = {}
iam-customer-policy-blocked-kms-actions = { blockedActionsPatterns = ["kms:Decrypt", "kms:ReEncryptFrom"] }
iam-password-policy = { MinimumPasswordLength = 14, PasswordReusePrevention = 24 }
elb-acm-certificate-required = {}
restricted-common-ports = { blockedPort1 = 22 }
vpc-default-security-group-closed = {}
"#;

const SKIPPED: &str = "note: config rule elb-acm-certificate-required is skipped in 1 region(s) where AWS Config does not offer it: ap-northeast-3";

/// The rules of a region, each with its parameters as AWS stores them.
async fn rules(moto: &Moto, region: &str) -> BTreeMap<String, serde_json::Value> {
    let answer = moto
        .config(region)
        .await
        .describe_config_rules()
        .send()
        .await
        .unwrap();
    answer
        .config_rules()
        .iter()
        .map(|rule| {
            let parameters = rule.input_parameters().unwrap_or("{}");
            (
                rule.config_rule_name().unwrap().to_owned(),
                serde_json::from_str(parameters).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn rules_go_where_aws_offers_them_with_their_parameters_and_converge() {
    let (moto, baseline) = Moto::start_with_baseline(WATCHPOST, BASELINE);
    let path = baseline.path_str();
    let plan = || moto.plan_exitcode(path);

    let before = plan();
    before.assert_code(2);
    before.assert_stdout_has(&[SKIPPED]);
    moto.apply_approved(path).assert_success();

    let home = rules(&moto, "us-east-1").await;
    assert_eq!(
        home.keys().collect::<Vec<_>>(),
        [
            "access-keys-rotated",
            "elb-acm-certificate-required",
            "iam-customer-policy-blocked-kms-actions",
            "iam-password-policy",
            "restricted-common-ports",
            "vpc-default-security-group-closed",
        ]
    );
    // Left out of the baseline, the required parameter goes with AWS's default.
    assert_eq!(
        home["access-keys-rotated"],
        serde_json::json!({"maxAccessKeyAge": "90"})
    );
    assert_eq!(
        home["iam-customer-policy-blocked-kms-actions"],
        serde_json::json!({"blockedActionsPatterns": "kms:Decrypt,kms:ReEncryptFrom"})
    );
    assert_eq!(
        rules(&moto, "ap-northeast-3")
            .await
            .keys()
            .collect::<Vec<_>>(),
        [
            "restricted-common-ports",
            "vpc-default-security-group-closed"
        ]
    );

    let after = plan();
    after.assert_code(0);
    after.assert_stdout_has(&[SKIPPED]);
}
