//! The IAM policies published in docs/iam/ are enough for what they are for, checked against a
//! moto server that enforces IAM: `plan` with the read-only policy, `apply` and `destroy` with
//! the apply policy, a run over another account with the fleet caller's policy and the apply
//! policy on the role it assumes there; and `apply` with read-only credentials fails on its
//! first write, naming the permission, without leaving anything a later run cannot finish.
//!
//! moto enforces IAM once `INITIAL_NO_AUTH_ACTION_COUNT` requests have been served: the set-up
//! (the users and their policies) happens inside that window, with any credentials, and every
//! request after it is checked against the policies of the user whose access key signed it.
//!
//! What moto 5.1 can check, and how the test copes with what it cannot (each point found by
//! experiment against it):
//!
//! - **Actions.** moto checks every action of every service watchpost calls, named
//!   `<signing name>:<operation>`. For all but two services that is the IAM action. CloudWatch
//!   signs as `monitoring`, so moto checks `monitoring:PutMetricAlarm` where IAM checks
//!   `cloudwatch:PutMetricAlarm`; and moto names some S3 requests its own way (HeadBucket as
//!   `s3:HeadBucket`, the public access block, encryption and ownership requests as
//!   `s3:ListBucket` or `s3:CreateBucket`, S3 Control's account-wide public access block as
//!   `s3:GetPublicAccessBlock` and `s3:PutPublicAccessBlock`), and a DynamoDB transaction by its
//!   operation, `dynamodb:TransactWriteItems`, where AWS checks the actions inside it. [`as_moto_enforces`] adds moto's name next to the
//!   IAM one, so a missing action fails here as it would in AWS, except for those S3 requests,
//!   where moto cannot tell the actions apart.
//! - **Resources.** moto matches a statement's `Resource` against the request's resource only
//!   for S3 (the bucket's ARN), `sts:AssumeRole` (the role's ARN) and IAM requests on a role
//!   that already exists; every other request is matched as `*`, which an ARN pattern never
//!   matches. The S3 and `sts:AssumeRole` statements are kept as published, so their ARN
//!   patterns are checked; every other statement's `Resource` is widened to `*`, so for those
//!   services the test checks the actions, not the ARN patterns.
//! - **Conditions** of identity policies are not evaluated (they always hold), nor are the
//!   actions AWS checks as part of another call (`iam:PassRole`, `iam:CreateServiceLinkedRole`,
//!   the `TagResource` actions of a create with tags).
//! - **Trust policies** are checked only for a role in the caller's own account, so the member
//!   role's trust policy (docs/iam/member-role-trust.json) is not: any principal may assume a
//!   role in another account. The caller's `sts:AssumeRole` is checked, on the role's ARN.
//! - **Signatures.** moto recomputes each request's SigV4 signature, and gets it wrong for two
//!   kinds of request the Rust SDK sends: a GET without a body to a REST-JSON service (moto signs
//!   its header map as the body), which is every GuardDuty read, and a form-encoded (query
//!   protocol) request whose parameters contain a space (moto re-encodes the form with `+` where
//!   the SDK sent `%20`): `iam:CreateRole` (its description), `cloudwatch:PutMetricAlarm` with a
//!   description that has spaces, and `sns:Publish` (`apply --notify`). So the baseline here has
//!   no `[guardduty]`, its alarm's description has no space, the two roles are created in the
//!   set-up (tagged as watchpost's, with another trust policy, which `apply` then converges and
//!   `destroy` deletes) and `--notify` is not used: `guardduty:*`, `iam:CreateRole` and
//!   `sns:Publish` are not checked by this test.

use serde_json::{Value, json};
use support::{Moto, Run, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const PLAN_POLICY: &str = include_str!("../docs/iam/plan.json");
const APPLY_POLICY: &str = include_str!("../docs/iam/apply.json");
const FLEET_CALLER_POLICY: &str = include_str!("../docs/iam/fleet-caller.json");
const MEMBER_ROLE_TRUST: &str = include_str!("../docs/iam/member-role-trust.json");

/// One region keeps the run short; the others are still read, for what watchpost may have made
/// there (AWS Config in a region the baseline dropped).
const BASELINE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"

[log_bucket]

[kms]

[config]
[config.rules]
restricted-ssh = {}

[cloudtrail]

[alerts]
emails = ["security@example.com"]

[signin_notification]

[password_policy]

[account_public_access_block]

[ebs_encryption]

[alarms]
[alarms.filters]
root-account-use = { description = "root-account-use" }
"#;

/// The roles watchpost would make, made ahead of it (moto cannot check `iam:CreateRole` from
/// the Rust SDK, see above) the way watchpost tags what it makes, trusting another service.
const ROLES: [&str; 3] = [
    "watchpost-config",
    "watchpost-cloudtrail-logs",
    "watchpost-alert-forwarding",
];

/// Keys of an IAM user.
struct User {
    name: &'static str,
    key_id: String,
    secret: String,
}

impl User {
    fn run(&self, moto: &Moto, args: &[&str]) -> Run {
        moto.watchpost_with_env(
            args,
            &[
                ("AWS_ACCESS_KEY_ID", self.key_id.as_str()),
                ("AWS_SECRET_ACCESS_KEY", self.secret.as_str()),
            ],
        )
    }
}

/// The actions, as a list, of a statement whose `Action` is a string or a list.
fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(action) => vec![action.clone()],
        Value::Array(list) => list
            .iter()
            .map(|a| a.as_str().expect("an action is a string").to_owned())
            .collect(),
        other => panic!("a statement without actions: {other}"),
    }
}

/// The name moto gives the request that IAM authorises with `action`, where it differs.
fn moto_name(action: &str) -> Option<String> {
    if let Some(operation) = action.strip_prefix("cloudwatch:") {
        return Some(format!("monitoring:{operation}"));
    }
    let name = match action {
        "s3:ListBucket" => "s3:HeadBucket",
        "s3:GetBucketPublicAccessBlock"
        | "s3:GetEncryptionConfiguration"
        | "s3:GetBucketOwnershipControls" => "s3:ListBucket",
        "s3:PutBucketPublicAccessBlock"
        | "s3:PutEncryptionConfiguration"
        | "s3:PutBucketOwnershipControls" => "s3:CreateBucket",
        // S3 Control signs as S3, and moto names its requests after the operation.
        "s3:GetAccountPublicAccessBlock" => "s3:GetPublicAccessBlock",
        "s3:PutAccountPublicAccessBlock" => "s3:PutPublicAccessBlock",
        // AWS authorizes a transaction's actions as PutItem and DeleteItem; moto checks the
        // operation's own name. The lease's transaction puts the record and deletes the lease.
        "dynamodb:DeleteItem" => "dynamodb:TransactWriteItems",
        _ => return None,
    };
    Some(name.to_owned())
}

/// A published policy as moto can enforce it: moto's names added to the actions, and every
/// statement but those on S3 buckets and on roles to assume widened to every resource (see the
/// top of this file).
fn as_moto_enforces(policy: &str) -> String {
    let mut policy: Value = serde_json::from_str(policy).expect("the policy is JSON");
    for statement in policy["Statement"]
        .as_array_mut()
        .expect("Statement is a list")
    {
        let published = actions(statement);
        let mut enforced = published.clone();
        enforced.extend(published.iter().filter_map(|a| moto_name(a)));
        statement["Action"] = json!(enforced);
        let named = |a: &String| a.starts_with("s3:") || a == "sts:AssumeRole";
        if !published.iter().all(named) {
            statement["Resource"] = json!("*");
        }
    }
    policy.to_string()
}

/// `policy` without `action`, which must be in it.
fn without(policy: &str, action: &str) -> String {
    let mut policy: Value = serde_json::from_str(policy).expect("the policy is JSON");
    let mut found = false;
    for statement in policy["Statement"]
        .as_array_mut()
        .expect("Statement is a list")
    {
        let kept: Vec<String> = actions(statement)
            .into_iter()
            .filter(|a| a != action)
            .collect();
        found |= kept.len() < actions(statement).len();
        statement["Action"] = json!(kept);
    }
    assert!(found, "{action} is not in the policy");
    policy.to_string()
}

async fn user(iam: &aws_sdk_iam::Client, name: &'static str, policy: &str) -> User {
    iam.create_user().user_name(name).send().await.unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("watchpost")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let key = key.access_key().expect("a new access key");
    User {
        name,
        key_id: key.access_key_id().to_owned(),
        secret: key.secret_access_key().to_owned(),
    }
}

/// Makes watchpost's three roles ahead of it, tagged as its own and trusting another service:
/// three requests.
async fn make_watchpost_roles(iam: &aws_sdk_iam::Client) {
    let ec2_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    for role in ROLES {
        let tag = aws_sdk_iam::types::Tag::builder()
            .key("managed-by")
            .value("watchpost")
            .build()
            .unwrap();
        iam.create_role()
            .role_name(role)
            .assume_role_policy_document(ec2_trust)
            .tags(tag)
            .send()
            .await
            .unwrap();
    }
}

/// Once the window has closed, the test's own credentials, which belong to no user, are
/// refused.
async fn assert_enforced(moto: &Moto, set_up_requests: &str) {
    let refused = moto.iam().await.list_users().send().await;
    assert!(
        refused.is_err(),
        "moto still serves unauthenticated requests: the set-up made fewer than {set_up_requests}"
    );
}

#[track_caller]
fn assert_no_gaps(run: &Run) {
    assert!(
        !run.stdout.contains("could not read") && !run.stderr.contains("incomplete"),
        "`watchpost {}` could not read part of the account\n--- stdout ---\n{}\n--- stderr ---\n{}",
        run.args.join(" "),
        run.stdout,
        run.stderr
    );
}

/// Nothing was refused for want of a permission: not a gap, nor a part of `status` or of the
/// cost estimate, which say "not available" or "could not read" and carry on.
#[track_caller]
fn assert_not_denied(run: &Run) {
    let output = format!("{}\n{}", run.stdout, run.stderr);
    assert!(
        !output.contains("AccessDenied") && !output.contains("the caller needs the permission"),
        "`watchpost {}` was refused a permission\n--- stdout ---\n{}\n--- stderr ---\n{}",
        run.args.join(" "),
        run.stdout,
        run.stderr
    );
}

#[track_caller]
fn assert_names(run: &Run, permission: &str) {
    let output = format!("{}\n{}", run.stdout, run.stderr);
    assert!(
        output.contains(&format!(
            "hint: the caller needs the permission {permission}"
        )),
        "`watchpost {}` does not name the permission {permission}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        run.args.join(" "),
        run.stdout,
        run.stderr
    );
}

#[tokio::test]
async fn the_published_policies_are_enough_and_a_read_only_apply_changes_nothing() {
    // Three requests per user, three for the roles.
    let set_up_requests = "12";
    let moto = Moto::start_with_env(
        WATCHPOST,
        &[("INITIAL_NO_AUTH_ACTION_COUNT", set_up_requests)],
    );
    let iam = moto.iam().await;
    let reader = user(&iam, "watchpost-plan", &as_moto_enforces(PLAN_POLICY)).await;
    let writer = user(&iam, "watchpost-apply", &as_moto_enforces(APPLY_POLICY)).await;
    let no_topic = user(
        &iam,
        "watchpost-apply-without-sns-create-topic",
        &as_moto_enforces(&without(APPLY_POLICY, "sns:CreateTopic")),
    )
    .await;
    make_watchpost_roles(&iam).await;
    assert_enforced(&moto, set_up_requests).await;

    let baseline = write_baseline(BASELINE);
    let path = baseline.path_str();
    let plan = ["plan", "--baseline", path, "--detailed-exitcode"];
    let plan_json = ["plan", "--baseline", path, "--json"];
    let apply = ["apply", "--baseline", path, "--auto-approve"];

    // Read-only: the whole account can be read, and the plan has changes.
    let first = reader.run(&moto, &plan);
    first.assert_code(2);
    assert_no_gaps(&first);
    let before = reader.run(&moto, &plan_json);
    before.assert_success();

    // Read-only apply stops at its first write, the lease, before anything is changed.
    let refused = reader.run(&moto, &apply);
    refused.assert_code(1);
    assert_names(&refused, "dynamodb:DescribeTable");
    let after = reader.run(&moto, &plan_json);
    after.assert_success();
    assert_eq!(
        before.stdout, after.stdout,
        "a refused apply by {} changed the account",
        reader.name
    );

    // Without one write permission, apply makes what does not need it, names what it lacked,
    // and leaves the rest to a run that has it.
    let partial = no_topic.run(&moto, &apply);
    partial.assert_code(1);
    assert_names(&partial, "sns:CreateTopic");

    // The apply policy finishes the job, and the read-only policy sees it done.
    writer.run(&moto, &apply).assert_success();
    let converged = reader.run(&moto, &plan);
    converged.assert_success();
    assert_no_gaps(&converged);
    // Its cost estimate read Config's counts and the other trails: moto lacks the
    // first, so the estimate assumes the count, but only after IAM allowed the call.
    assert_not_denied(&converged);
    // `status` reads with the read-only policy too.
    let status = reader.run(&moto, &["status", "--baseline", path]);
    status.assert_success();
    assert_not_denied(&status);

    // The apply policy removes everything again, the logs too, and the lease table last.
    writer
        .run(
            &moto,
            &[
                "destroy",
                "--baseline",
                path,
                "--auto-approve",
                "--delete-logs",
            ],
        )
        .assert_success();
    let emptied = reader.run(&moto, &plan);
    emptied.assert_code(2);
    assert_no_gaps(&emptied);
    // The plan counts what is to be made again, a line per kind.
    for made in ["log_bucket", "iam_role", "alert_topic", "metric_alarm"] {
        assert!(
            emptied.stdout.contains(&format!("+ {made} ")),
            "destroy left {made}\n{}",
            emptied.stdout
        );
    }
}

#[tokio::test]
async fn a_fleet_caller_needs_only_to_assume_the_member_role() {
    // Three requests for the caller, one to reach the member account, five there.
    let set_up_requests = "9";
    let moto = Moto::start_with_env(
        WATCHPOST,
        &[("INITIAL_NO_AUTH_ACTION_COUNT", set_up_requests)],
    );
    let member = "111111111111";
    let external_id = "watchpost-test-7d1c0b";
    let caller = user(
        &moto.iam().await,
        "watchpost-runner",
        &as_moto_enforces(FLEET_CALLER_POLICY),
    )
    .await;
    let iam = aws_sdk_iam::Client::new(&moto.sdk_config_in(member, support::REGION).await);
    // As published, for this caller; moto does not evaluate it (see the top of this file).
    let trust = MEMBER_ROLE_TRUST
        .replace(
            "arn:aws:iam::123456789012:role/watchpost-runner",
            &format!("arn:aws:iam::123456789012:user/{}", caller.name),
        )
        .replace("replace-with-your-external-id", external_id);
    iam.create_role()
        .role_name("watchpost-member")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("watchpost-member")
        .policy_name("watchpost")
        .policy_document(as_moto_enforces(APPLY_POLICY))
        .send()
        .await
        .unwrap();
    make_watchpost_roles(&iam).await;
    assert_enforced(&moto, set_up_requests).await;

    let baseline = write_baseline(BASELINE);
    let path = baseline.path_str();
    let fleet = [
        "--baseline",
        path,
        "--accounts",
        member,
        "--assume-role",
        "watchpost-member",
        "--external-id",
        external_id,
    ];
    let with = |command: &[&'static str]| -> Vec<&str> {
        command
            .iter()
            .copied()
            .chain(fleet.iter().copied())
            .collect()
    };

    // A role the caller's policy does not name cannot be assumed.
    let elsewhere = caller.run(&moto, &["plan", "--baseline", path, "--accounts", member]);
    elsewhere.assert_code(1);
    assert_names(&elsewhere, "sts:AssumeRole");

    caller
        .run(&moto, &with(&["apply", "--auto-approve"]))
        .assert_success();
    let converged = caller.run(&moto, &with(&["plan", "--detailed-exitcode"]));
    converged.assert_success();
    assert_no_gaps(&converged);
}
