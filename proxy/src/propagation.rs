//! AWS's propagation windows, which moto lacks: for a while after a role, a role's policy, a
//! bucket policy, a key, a key policy or an alias is written, the services that check it still
//! see the old state, and refuse the calls that rely on it with the errors AWS documents for
//! them (IAM User Guide, "Changes that I make are not always immediately visible"; KMS Developer
//! Guide, "AWS KMS eventual consistency").
//!
//! With [`Behaviour::propagation`](crate::Behaviour::propagation) set, the proxy records when
//! each such write was answered 2xx, and for that long refuses, before forwarding them, the
//! calls that name what was written, as each rule below says. What is written is known by name
//! alone (a role's name, a bucket's, a key's id or alias), not by account: a write in one account
//! refuses the same name in every other for the window, which only makes a client wait longer.
//!
//! The writes recorded: IAM `CreateRole`, `PutRolePolicy`, `AttachRolePolicy`,
//! `UpdateAssumeRolePolicy` (awsQuery, read from the form body); KMS `CreateKey` (the key's id
//! read from the answer), `PutKeyPolicy`, `CreateAlias` (the alias and the key it names); S3
//! `PutBucketPolicy`, sent path style (`PUT /{bucket}/?policy`), as the SDK sends it to a custom
//! endpoint.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;

use crate::aws_error::{Protocol, aws_error_response};
use crate::credential::Credential;

/// The writes answered within the window, and what the refusals need to know besides.
pub(crate) struct Windows {
    window: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// When each thing was last written, by each write action.
    written: HashMap<(Thing, &'static str), Instant>,
    /// The role of each region's configuration recorder, by region, as last put: Config checks
    /// the delivery channel with the recorder's role.
    recorder_roles: HashMap<String, String>,
}

/// Something a write changes, by the name calls refer to it with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Thing {
    /// By name: the last part of its ARN, whatever its path.
    Role(String),
    /// By bucket name.
    BucketPolicy(String),
    /// By key id, or by alias name (`alias/...`).
    Key(String),
}

/// A write seen on its way to moto, recorded once moto has accepted it.
pub(crate) struct Pending {
    action: &'static str,
    writes: Writes,
}

enum Writes {
    Things(Vec<Thing>),
    /// `kms:CreateKey`: the key's id is in the answer.
    NewKey,
    /// `config:PutConfigurationRecorder`, whose role the delivery channel is checked with.
    RecorderRole {
        region: String,
        role: String,
    },
}

/// An error AWS answers while something a call relies on is still propagating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: &'static str,
    message: String,
}

impl Refusal {
    fn new(code: &'static str, message: String) -> Refusal {
        Refusal { code, message }
    }

    pub(crate) fn response(&self, request: &Request<Bytes>) -> Response<Full<Bytes>> {
        let service = Credential::of(request).map(|scope| scope.service);
        aws_error_response(
            Protocol::of(service, request.headers()),
            StatusCode::BAD_REQUEST,
            self.code,
            &self.message,
        )
    }
}

const ROLE_WRITES: &[&str] = &[
    "CreateRole",
    "PutRolePolicy",
    "AttachRolePolicy",
    "UpdateAssumeRolePolicy",
];
/// What a service that assumes a role checks: that it exists and trusts the service.
const ROLE_TRUST_WRITES: &[&str] = &["CreateRole", "UpdateAssumeRolePolicy"];
const KEY_WRITES: &[&str] = &["CreateKey", "PutKeyPolicy", "CreateAlias"];
const BUCKET_POLICY_WRITES: &[&str] = &["PutBucketPolicy"];

impl Windows {
    pub(crate) fn new(window: Option<Duration>) -> Windows {
        Windows {
            window,
            state: Mutex::default(),
        }
    }

    /// The refusal AWS would answer `request` with now, if any.
    pub(crate) fn refusal(&self, request: &Request<Bytes>) -> Option<Refusal> {
        self.refusal_at(request, Instant::now())
    }

    /// The write `request` makes, to [`record`](Windows::record) once it is answered.
    pub(crate) fn pending(&self, request: &Request<Bytes>) -> Option<Pending> {
        self.window?;
        pending(request)
    }

    /// Records a write moto has answered, if it accepted it.
    pub(crate) fn record(&self, pending: Pending, answer: &Response<Bytes>) {
        self.record_at(pending, answer, Instant::now());
    }

    fn record_at(&self, pending: Pending, answer: &Response<Bytes>, now: Instant) {
        if !answer.status().is_success() {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let things = match pending.writes {
            Writes::Things(things) => things,
            Writes::NewKey => json(answer.body())
                .and_then(|body| body["KeyMetadata"]["KeyId"].as_str().map(key_of))
                .into_iter()
                .collect(),
            Writes::RecorderRole { region, role } => {
                state.recorder_roles.insert(region, role);
                return;
            }
        };
        for thing in things {
            state.written.insert((thing, pending.action), now);
        }
    }

    fn refusal_at(&self, request: &Request<Bytes>, now: Instant) -> Option<Refusal> {
        let window = self.window?;
        let scope = Credential::of(request)?;
        let operation = target_operation(request)?;
        let body = json(request.body())?;
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let written = |thing: &Thing, actions: &[&str]| {
            actions.iter().any(|action| {
                state
                    .written
                    .get(&(thing.clone(), *action))
                    .is_some_and(|at| now.saturating_duration_since(*at) < window)
            })
        };
        match (scope.service, operation) {
            ("config", "PutConfigurationRecorder") => {
                recorder_refusal(&body["ConfigurationRecorder"], written)
            }
            ("config", "PutDeliveryChannel") => {
                let recorder_role = state.recorder_roles.get(scope.region).map(String::as_str);
                delivery_channel_refusal(&body["DeliveryChannel"], recorder_role, written)
            }
            ("cloudtrail", "CreateTrail" | "UpdateTrail") => trail_refusal(&body, written),
            ("kms", "CreateKey" | "PutKeyPolicy") => key_policy_refusal(&body, written),
            _ => None,
        }
    }
}

/// Config assumes the recorder's role when it is put, and answers `InvalidRoleException` while
/// the role, or its trust policy, has not reached it. The Config API reference documents the
/// error for a role it cannot use (PutConfigurationRecorder); Terraform's configservice package
/// does not retry it, watchpost does (docs/aws-behaviour.md, Propagation windows).
fn recorder_refusal(
    recorder: &Value,
    written: impl Fn(&Thing, &[&str]) -> bool,
) -> Option<Refusal> {
    let role_arn = recorder["roleARN"].as_str()?;
    written(&role_of(role_arn), ROLE_TRUST_WRITES).then(|| {
        Refusal::new(
            "InvalidRoleException",
            format!("Unable to assume role: {role_arn}."),
        )
    })
}

/// Config checks, with the recorder's role, that it can write to the channel's bucket (and use
/// its key) when the channel is put, and answers `InsufficientDeliveryPolicyException` until the
/// role's permissions, the bucket policy and the key policy have reached it (Config API
/// reference, PutDeliveryChannel; Terraform's configservice `delivery_channel.go` retries it).
/// The message is the one AWS gives (aws-cli issue 3516, terraform-provider-aws issue 8655).
fn delivery_channel_refusal(
    channel: &Value,
    recorder_role: Option<&str>,
    written: impl Fn(&Thing, &[&str]) -> bool,
) -> Option<Refusal> {
    let bucket = channel["s3BucketName"].as_str()?;
    let key = channel["s3KmsKeyArn"].as_str();
    let prefix = channel["s3KeyPrefix"].as_str().unwrap_or("null");
    let changed_role = recorder_role.filter(|role| written(&role_of(role), ROLE_WRITES));
    let why = if let Some(role) = changed_role {
        format!("unable to assume role: {role}")
    } else if written(
        &Thing::BucketPolicy(bucket.to_owned()),
        BUCKET_POLICY_WRITES,
    ) || key.is_some_and(|key| written(&key_of(key), KEY_WRITES))
    {
        format!(
            "unable to write to bucket, provided s3 key prefix is '{prefix}', provided kms key is '{}'",
            key.unwrap_or("null")
        )
    } else {
        return None;
    };
    Some(Refusal::new(
        "InsufficientDeliveryPolicyException",
        format!("Insufficient delivery policy to s3 bucket: {bucket}, {why}."),
    ))
}

/// CloudTrail checks the bucket policy, the key and the logs role it is given, and refuses a
/// trail while one just written has not reached it (CloudTrail API reference, CreateTrail and
/// UpdateTrail, errors): `InsufficientS3BucketPolicyException`,
/// `InsufficientEncryptionPolicyException`, and `InvalidCloudWatchLogsRoleArnException` with
/// "Access denied.", the message Terraform's cloudtrail `trail.go` retries on (as AWS words it
/// in cloudposse/terraform-aws-cloudtrail-cloudwatch-alarms issue 2). Checked in that order.
fn trail_refusal(trail: &Value, written: impl Fn(&Thing, &[&str]) -> bool) -> Option<Refusal> {
    if let Some(bucket) = trail["S3BucketName"].as_str()
        && written(
            &Thing::BucketPolicy(bucket.to_owned()),
            BUCKET_POLICY_WRITES,
        )
    {
        return Some(Refusal::new(
            "InsufficientS3BucketPolicyException",
            format!("Incorrect S3 bucket policy is detected for bucket: {bucket}"),
        ));
    }
    if let Some(key) = trail["KmsKeyId"].as_str()
        && written(&key_of(key), KEY_WRITES)
    {
        return Some(Refusal::new(
            "InsufficientEncryptionPolicyException",
            format!("Insufficient permissions to access S3 bucket or KMS key {key}."),
        ));
    }
    if let Some(role) = trail["CloudWatchLogsRoleArn"].as_str()
        && written(&role_of(role), ROLE_WRITES)
    {
        return Some(Refusal::new(
            "InvalidCloudWatchLogsRoleArnException",
            "Access denied. Check the trust relationships for your role.".to_owned(),
        ));
    }
    None
}

/// KMS refuses a key policy naming a principal it cannot see yet: "The principals in the key
/// policy must exist and be visible to KMS. When you create a new AWS principal, you might need
/// to enforce a delay before including the new principal in a key policy" (KMS API reference,
/// CreateKey and PutKeyPolicy, `Policy`). Terraform's kms `wait.go` retries
/// `MalformedPolicyDocumentException` for it.
fn key_policy_refusal(
    request: &Value,
    written: impl Fn(&Thing, &[&str]) -> bool,
) -> Option<Refusal> {
    let policy: Value = serde_json::from_str(request["Policy"].as_str()?).ok()?;
    let unseen = principal_roles(&policy).any(|role| written(&role_of(role), &["CreateRole"]));
    unseen.then(|| {
        Refusal::new(
            "MalformedPolicyDocumentException",
            "Policy contains a statement with one or more invalid principals.".to_owned(),
        )
    })
}

/// The role ARNs a policy's statements name as `Principal: {"AWS": ...}`.
fn principal_roles(policy: &Value) -> impl Iterator<Item = &str> {
    let statements = match &policy["Statement"] {
        Value::Array(all) => all.iter().collect(),
        one => vec![one],
    };
    statements
        .into_iter()
        .flat_map(|statement| match &statement["Principal"]["AWS"] {
            Value::Array(all) => all.iter().filter_map(Value::as_str).collect(),
            one => one.as_str().into_iter().collect::<Vec<_>>(),
        })
        .filter(|principal| principal.contains(":role/"))
}

/// The write `request` makes, if it is one the windows follow.
fn pending(request: &Request<Bytes>) -> Option<Pending> {
    let scope = Credential::of(request)?;
    match scope.service {
        "iam" => {
            let mut action = None;
            let mut role = None;
            for (key, value) in form_urlencoded::parse(request.body()) {
                match &*key {
                    "Action" => action = ROLE_WRITES.iter().copied().find(|known| *known == value),
                    "RoleName" => role = Some(value.into_owned()),
                    _ => {}
                }
            }
            Some(Pending {
                action: action?,
                writes: Writes::Things(vec![Thing::Role(role?)]),
            })
        }
        "kms" => {
            let operation = target_operation(request)?;
            let action = KEY_WRITES
                .iter()
                .copied()
                .find(|known| *known == operation)?;
            let body = json(request.body())?;
            let writes = match operation {
                "CreateKey" => Writes::NewKey,
                "CreateAlias" => Writes::Things(vec![
                    key_of(body["AliasName"].as_str()?),
                    key_of(body["TargetKeyId"].as_str()?),
                ]),
                _ => Writes::Things(vec![key_of(body["KeyId"].as_str()?)]),
            };
            Some(Pending { action, writes })
        }
        "s3" => {
            let is_policy = request.method() == Method::PUT
                && form_urlencoded::parse(request.uri().query()?.as_bytes())
                    .any(|(key, _)| key == "policy");
            // `/{bucket}/?policy`, as the SDK writes it.
            let bucket = request.uri().path().trim_matches('/');
            (is_policy && !bucket.is_empty() && !bucket.contains('/')).then(|| Pending {
                action: "PutBucketPolicy",
                writes: Writes::Things(vec![Thing::BucketPolicy(bucket.to_owned())]),
            })
        }
        "config" => {
            if target_operation(request)? != "PutConfigurationRecorder" {
                return None;
            }
            let body = json(request.body())?;
            Some(Pending {
                action: "PutConfigurationRecorder",
                writes: Writes::RecorderRole {
                    region: scope.region.to_owned(),
                    role: body["ConfigurationRecorder"]["roleARN"]
                        .as_str()?
                        .to_owned(),
                },
            })
        }
        _ => None,
    }
}

/// The operation of an awsJson request: `X-Amz-Target: <Service>.<Operation>`.
fn target_operation(request: &Request<Bytes>) -> Option<&str> {
    let target = request.headers().get("x-amz-target")?.to_str().ok()?;
    target.rsplit_once('.').map(|(_, operation)| operation)
}

fn json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

/// A role by the last part of its ARN (or its name, given a name).
fn role_of(arn_or_name: &str) -> Thing {
    Thing::Role(
        arn_or_name
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// A key by its id, or by its alias name, from an id, a key ARN, an alias name or an alias ARN.
fn key_of(reference: &str) -> Thing {
    let resource = reference
        .strip_prefix("arn:")
        .and_then(|arn| arn.splitn(5, ':').nth(4))
        .unwrap_or(reference);
    Thing::Key(resource.strip_prefix("key/").unwrap_or(resource).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    use hyper::header::AUTHORIZATION;

    const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/service-role/watchpost-config";
    const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const KEY_ARN: &str =
        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn signed(service: &str, region: &str) -> hyper::http::request::Builder {
        Request::post("/").header(
            AUTHORIZATION,
            format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20261204/{region}/{service}/aws4_request, \
                 SignedHeaders=host, Signature=00"
            ),
        )
    }

    fn iam(form: &str) -> Request<Bytes> {
        signed("iam", "us-east-1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from(form.to_owned()))
            .unwrap()
    }

    fn json_call(service: &str, target: &str, body: Value) -> Request<Bytes> {
        signed(service, "eu-west-1")
            .header("x-amz-target", target)
            .header("content-type", "application/x-amz-json-1.1")
            .body(Bytes::from(body.to_string()))
            .unwrap()
    }

    fn put_bucket_policy(path_and_query: &str) -> Request<Bytes> {
        signed("s3", "eu-west-1")
            .method(Method::PUT)
            .uri(path_and_query)
            .body(Bytes::from_static(b"{}"))
            .unwrap()
    }

    fn ok(body: &str) -> Response<Bytes> {
        Response::new(Bytes::from(body.to_owned()))
    }

    fn recorder(role_arn: &str) -> Request<Bytes> {
        json_call(
            "config",
            "StarlingDoveService.PutConfigurationRecorder",
            serde_json::json!({"ConfigurationRecorder": {"name": "default", "roleARN": role_arn}}),
        )
    }

    fn channel(bucket: &str) -> Request<Bytes> {
        json_call(
            "config",
            "StarlingDoveService.PutDeliveryChannel",
            serde_json::json!({"DeliveryChannel": {"name": "default", "s3BucketName": bucket}}),
        )
    }

    fn trail(body: Value) -> Request<Bytes> {
        json_call(
            "cloudtrail",
            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CreateTrail",
            body,
        )
    }

    /// Windows of `window` in which `writes` were answered 200 (`answer` for each) at `at`.
    fn written(window: Duration, at: Instant, writes: &[(Request<Bytes>, &str)]) -> Windows {
        let windows = Windows::new(Some(window));
        for (request, answer) in writes {
            let pending = windows
                .pending(request)
                .unwrap_or_else(|| panic!("not a write: {request:?}"));
            windows.record_at(pending, &ok(answer), at);
        }
        windows
    }

    fn refused(windows: &Windows, request: &Request<Bytes>, at: Instant) -> Option<&'static str> {
        windows.refusal_at(request, at).map(|refusal| refusal.code)
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_new_role_refuses_the_recorder_that_names_it_for_the_window_only() {
        let t0 = Instant::now();
        let windows = written(
            MINUTE,
            t0,
            &[(
                iam("Action=CreateRole&RoleName=watchpost-config&Path=%2Fservice-role%2F"),
                "",
            )],
        );

        let within = t0 + Duration::from_secs(59);
        assert_eq!(
            refused(&windows, &recorder(ROLE_ARN), within),
            Some("InvalidRoleException")
        );
        let other_role = "arn:aws:iam::123456789012:role/other";
        assert_eq!(refused(&windows, &recorder(other_role), within), None);
        assert_eq!(refused(&windows, &recorder(ROLE_ARN), t0 + MINUTE), None);
    }

    #[test]
    fn the_recorder_waits_on_the_trust_policy_but_not_on_the_permissions() {
        let t0 = Instant::now();
        let permissions = written(
            MINUTE,
            t0,
            &[(
                iam("Action=PutRolePolicy&RoleName=watchpost-config&PolicyName=p"),
                "",
            )],
        );
        assert_eq!(refused(&permissions, &recorder(ROLE_ARN), t0), None);
        let trust = written(
            MINUTE,
            t0,
            &[(
                iam("Action=UpdateAssumeRolePolicy&RoleName=watchpost-config"),
                "",
            )],
        );
        assert_eq!(
            refused(&trust, &recorder(ROLE_ARN), t0),
            Some("InvalidRoleException")
        );
    }

    #[test]
    fn the_delivery_channel_waits_on_the_recorders_role_and_on_the_bucket_policy() {
        let t0 = Instant::now();
        let role_changed = written(
            MINUTE,
            t0,
            &[
                (
                    iam("Action=AttachRolePolicy&RoleName=watchpost-config&PolicyArn=x"),
                    "",
                ),
                (recorder(ROLE_ARN), ""),
            ],
        );
        let refusal = role_changed.refusal_at(&channel("logs"), t0).unwrap();
        assert_eq!(refusal.code, "InsufficientDeliveryPolicyException");
        assert!(refusal.message.contains(ROLE_ARN), "{}", refusal.message);
        // The recorder is per region: another region's channel is checked with its own.
        let elsewhere = signed("config", "us-west-2")
            .header("x-amz-target", "StarlingDoveService.PutDeliveryChannel")
            .body(Bytes::from(
                r#"{"DeliveryChannel":{"name":"default","s3BucketName":"logs"}}"#,
            ))
            .unwrap();
        assert_eq!(refused(&role_changed, &elsewhere, t0), None);

        let policy_changed = written(MINUTE, t0, &[(put_bucket_policy("/logs/?policy"), "")]);
        assert_eq!(
            refused(&policy_changed, &channel("logs"), t0),
            Some("InsufficientDeliveryPolicyException")
        );
        assert_eq!(refused(&policy_changed, &channel("other"), t0), None);
    }

    #[test]
    fn the_delivery_channel_waits_on_its_key_by_arn() {
        let t0 = Instant::now();
        let windows = written(
            MINUTE,
            t0,
            &[(
                json_call(
                    "kms",
                    "TrentService.PutKeyPolicy",
                    serde_json::json!({"KeyId": KEY_ID, "PolicyName": "default", "Policy": "{}"}),
                ),
                "",
            )],
        );
        let with_key = json_call(
            "config",
            "StarlingDoveService.PutDeliveryChannel",
            serde_json::json!({"DeliveryChannel": {"s3BucketName": "logs", "s3KmsKeyArn": KEY_ARN}}),
        );
        assert_eq!(
            refused(&windows, &with_key, t0),
            Some("InsufficientDeliveryPolicyException")
        );
    }

    #[test]
    fn a_trail_waits_on_its_bucket_policy_then_its_key_then_its_logs_role() {
        let t0 = Instant::now();
        let create_key = json_call("kms", "TrentService.CreateKey", serde_json::json!({}));
        let answer = format!(r#"{{"KeyMetadata":{{"KeyId":"{KEY_ID}","Arn":"{KEY_ARN}"}}}}"#);
        let windows = written(
            MINUTE,
            t0,
            &[
                (put_bucket_policy("/logs?policy="), ""),
                (create_key, &answer),
                (iam("Action=CreateRole&RoleName=trail-logs"), ""),
            ],
        );
        let everything = serde_json::json!({
            "Name": "watchpost",
            "S3BucketName": "logs",
            "KmsKeyId": KEY_ARN,
            "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail-logs",
        });
        assert_eq!(
            refused(&windows, &trail(everything.clone()), t0),
            Some("InsufficientS3BucketPolicyException")
        );
        let mut without_bucket = everything.clone();
        without_bucket["S3BucketName"] = "older".into();
        assert_eq!(
            refused(&windows, &trail(without_bucket.clone()), t0),
            Some("InsufficientEncryptionPolicyException")
        );
        let mut by_id = without_bucket.clone();
        by_id["KmsKeyId"] = KEY_ID.into();
        assert_eq!(
            refused(&windows, &trail(by_id), t0),
            Some("InsufficientEncryptionPolicyException")
        );
        let mut role_only = without_bucket;
        role_only.as_object_mut().unwrap().remove("KmsKeyId");
        let refusal = windows.refusal_at(&trail(role_only.clone()), t0).unwrap();
        assert_eq!(refusal.code, "InvalidCloudWatchLogsRoleArnException");
        assert!(refusal.message.starts_with("Access denied."));
        assert_eq!(refused(&windows, &trail(role_only), t0 + MINUTE), None);
    }

    #[test]
    fn a_trail_waits_on_the_alias_it_names_and_the_key_an_alias_was_made_for() {
        let t0 = Instant::now();
        let windows = written(
            MINUTE,
            t0,
            &[(
                json_call(
                    "kms",
                    "TrentService.CreateAlias",
                    serde_json::json!({"AliasName": "alias/watchpost", "TargetKeyId": KEY_ID}),
                ),
                "",
            )],
        );
        for key in [
            "alias/watchpost",
            "arn:aws:kms:eu-west-1:123456789012:alias/watchpost",
            KEY_ARN,
        ] {
            let request = trail(serde_json::json!({"S3BucketName": "logs", "KmsKeyId": key}));
            assert_eq!(
                refused(&windows, &request, t0),
                Some("InsufficientEncryptionPolicyException"),
                "{key}"
            );
        }
    }

    #[test]
    fn a_key_policy_naming_a_new_role_is_malformed_until_it_propagates() {
        let t0 = Instant::now();
        let windows = written(MINUTE, t0, &[(iam("Action=CreateRole&RoleName=admin"), "")]);
        let policy = |principal: Value| {
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:*"}],
            })
            .to_string()
        };
        let new_role = serde_json::json!([
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:role/admin"
        ]);
        for operation in ["CreateKey", "PutKeyPolicy"] {
            let request = json_call(
                "kms",
                &format!("TrentService.{operation}"),
                serde_json::json!({"KeyId": KEY_ID, "Policy": policy(new_role.clone())}),
            );
            assert_eq!(
                refused(&windows, &request, t0),
                Some("MalformedPolicyDocumentException"),
                "{operation}"
            );
        }
        let account_only = json_call(
            "kms",
            "TrentService.CreateKey",
            serde_json::json!({"Policy": policy("arn:aws:iam::123456789012:root".into())}),
        );
        assert_eq!(refused(&windows, &account_only, t0), None);
    }

    #[test]
    fn only_accepted_writes_are_recorded_and_nothing_with_no_window() {
        let t0 = Instant::now();
        let windows = Windows::new(Some(MINUTE));
        let create = iam("Action=CreateRole&RoleName=watchpost-config");
        let pending = windows.pending(&create).unwrap();
        let mut refused_answer = ok("");
        *refused_answer.status_mut() = StatusCode::CONFLICT;
        windows.record_at(pending, &refused_answer, t0);
        assert_eq!(refused(&windows, &recorder(ROLE_ARN), t0), None);

        let off = Windows::new(None);
        assert!(off.pending(&create).is_none());
        assert!(off.refusal(&recorder(ROLE_ARN)).is_none());
        // Not writes: a read, another bucket subresource.
        assert!(
            windows
                .pending(&iam("Action=GetRole&RoleName=watchpost-config"))
                .is_none()
        );
        assert!(windows.pending(&put_bucket_policy("/logs?acl")).is_none());
    }

    #[test]
    fn a_refusal_is_framed_for_the_protocol_of_the_call() {
        let refusal = Refusal::new(
            "InvalidRoleException",
            "Unable to assume role: r.".to_owned(),
        );
        let response = refusal.response(&recorder(ROLE_ARN));
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "InvalidRoleException"
        );
    }

    /// Through a running proxy: the refused call never reaches the upstream, and is traced.
    #[tokio::test]
    async fn the_proxy_refuses_before_forwarding_and_traces_the_code() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        use http_body_util::BodyExt;
        use hyper::body::Incoming;
        use hyper::server::conn::http1;
        use hyper::service::service_fn;
        use hyper_util::client::legacy::Client;
        use hyper_util::rt::{TokioExecutor, TokioIo};
        use tokio::net::TcpListener;

        let received = Arc::new(AtomicUsize::new(0));
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let upstream = listener.local_addr().unwrap();
        let counter = Arc::clone(&received);
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let service = service_fn(move |_: Request<Incoming>| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        async { Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::new()))) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        let behaviour = crate::Behaviour {
            propagation: Some(MINUTE),
            ..crate::Behaviour::delayed(Duration::ZERO)
        };
        let proxy = crate::Proxy::start(&format!("http://{upstream}"), behaviour).unwrap();
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let send = |request: Request<Bytes>| {
            let (mut head, body) = request.into_parts();
            head.uri = format!("{}/", proxy.endpoint()).parse().unwrap();
            let request = Request::from_parts(head, Full::new(body));
            let client = client.clone();
            async move {
                let response = client.request(request).await.unwrap();
                let status = response.status();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                (status, String::from_utf8(body.to_vec()).unwrap())
            }
        };

        let (status, _) = send(iam("Action=CreateRole&RoleName=watchpost-config")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = send(recorder(ROLE_ARN)).await;

        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body.contains(r#""__type":"InvalidRoleException""#),
            "{body}"
        );
        assert_eq!(received.load(Ordering::SeqCst), 1);
        let refused: Vec<_> = proxy
            .trace()
            .exchanges()
            .iter()
            .map(|exchange| exchange.refused)
            .collect();
        assert_eq!(refused, [None, Some("InvalidRoleException")]);
    }
}
