//! Requests of each protocol read against botocore's real models, found as
//! [`ApiModels::from_env`] finds them (scripts/test sets `WATCHPOST_BOTOCORE_DATA`).

use std::sync::OnceLock;

use hyper::Request;
use hyper::body::Bytes;

use super::{ApiModels, Verdict};

fn models() -> &'static ApiModels {
    static MODELS: OnceLock<ApiModels> = OnceLock::new();
    MODELS.get_or_init(|| {
        ApiModels::from_env()
            .unwrap_or_else(|error| panic!("these tests read botocore's models: {error}"))
    })
}

fn signed(scope: &str, method: &str, uri: &str) -> hyper::http::request::Builder {
    Request::builder().method(method).uri(uri).header(
        "authorization",
        format!(
            "AWS4-HMAC-SHA256 Credential=testing/20261204/us-east-1/{scope}/aws4_request, \
             SignedHeaders=host, Signature=00"
        ),
    )
}

fn json(scope: &str, target: &str, body: &str) -> Request<Bytes> {
    signed(scope, "POST", "/")
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

fn form(scope: &str, body: &str) -> Request<Bytes> {
    signed(scope, "POST", "/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

fn rest(scope: &str, method: &str, uri: &str, body: &str) -> Request<Bytes> {
    signed(scope, method, uri)
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

#[track_caller]
fn assert_valid(request: Request<Bytes>) {
    match models().judge(&request) {
        Verdict::Valid => {}
        Verdict::Invalid(problems) => panic!("refused: {problems:?}"),
        Verdict::Unchecked(why) => panic!("unchecked: {why}"),
        Verdict::NotAws => panic!("not read as an AWS request"),
    }
}

/// Asserts the request is refused with exactly one problem, which says `expected`.
#[track_caller]
fn assert_refused(request: Request<Bytes>, expected: &str) {
    match models().judge(&request) {
        Verdict::Invalid(problems) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(
                problems[0].starts_with(expected),
                "{:?} does not start with {expected:?}",
                problems[0]
            );
        }
        Verdict::Valid => panic!("accepted; expected {expected:?}"),
        Verdict::Unchecked(why) => panic!("unchecked ({why}); expected {expected:?}"),
        Verdict::NotAws => panic!("not read as an AWS request"),
    }
}

#[test]
fn aws_json_requests_are_checked_against_the_operation_input() {
    let put_rule = |body: &str| json("events", "AWSEvents.PutRule", body);
    assert_valid(put_rule(r#"{"Name":"watchpost-signin","State":"ENABLED"}"#));
    assert_refused(
        put_rule(r#"{"State":"ENABLED"}"#),
        "EventBridge.PutRule: Name: is required but missing",
    );
    assert_refused(
        put_rule(&format!(r#"{{"Name":"{}"}}"#, "r".repeat(65))),
        "EventBridge.PutRule: Name: \"rrr",
    );
    assert_refused(
        put_rule(r#"{"Name":"r","State":"ON"}"#),
        "EventBridge.PutRule: State: \"ON\" is not one of ENABLED, DISABLED",
    );
    assert_refused(
        put_rule(r#"{"Name":"no spaces"}"#),
        "EventBridge.PutRule: Name: \"no spaces\" does not match the pattern",
    );
}

#[test]
fn aws_json_targets_may_name_the_service_by_the_last_part_of_its_id() {
    let create_trail = |body: &str| json("cloudtrail", "CloudTrail_20131101.CreateTrail", body);
    assert_valid(create_trail(
        r#"{"Name":"watchpost","S3BucketName":"watchpost-trail"}"#,
    ));
    assert_refused(
        create_trail(r#"{"Name":"watchpost"}"#),
        "CloudTrail.CreateTrail: S3BucketName: is required but missing",
    );
}

#[test]
fn query_requests_are_read_from_their_flattened_form_keys() {
    let create_role = |rest: &str| {
        form(
            "iam",
            &format!("Action=CreateRole&Version=2010-05-08{rest}"),
        )
    };
    let policy = "&AssumeRolePolicyDocument=%7B%7D";
    assert_valid(create_role(&format!(
        "&RoleName=watchpost{policy}&Tags.member.1.Key=owner&Tags.member.1.Value=watchpost"
    )));
    assert_refused(
        create_role("&RoleName=watchpost"),
        "IAM.CreateRole: AssumeRolePolicyDocument: is required but missing",
    );
    assert_refused(
        create_role(&format!(
            "&RoleName=watchpost{policy}&Tags.member.1.Key={}&Tags.member.1.Value=v",
            "k".repeat(129)
        )),
        "IAM.CreateRole: Tags[0].Key: \"kkk",
    );
    assert_refused(
        create_role(&format!("&RoleName=no%20spaces{policy}")),
        "IAM.CreateRole: RoleName: \"no spaces\" does not match the pattern",
    );
    assert_refused(
        form("iam", "Action=ListPolicies&Version=2010-05-08&Scope=Mine"),
        "IAM.ListPolicies: Scope: \"Mine\" is not one of All, AWS, Local",
    );
}

#[test]
fn ec2_requests_name_members_by_their_query_names() {
    let create_tags = |rest: &str| {
        form(
            "ec2",
            &format!("Action=CreateTags&Version=2016-11-15{rest}"),
        )
    };
    assert_valid(create_tags(
        "&ResourceId.1=sg-1&Tag.1.Key=Name&Tag.1.Value=watchpost",
    ));
    assert_refused(
        create_tags("&Tag.1.Key=Name&Tag.1.Value=watchpost"),
        "EC2.CreateTags: Resources: is required but missing",
    );
    assert_refused(
        form(
            "ec2",
            "Action=DescribeInstanceAttribute&Version=2016-11-15&InstanceId=i-1&Attribute=colour",
        ),
        "EC2.DescribeInstanceAttribute: Attribute: \"colour\" is not one of",
    );
}

#[test]
fn rest_json_requests_bind_members_to_the_uri_and_the_body() {
    let create_filter = |body: &str| rest("guardduty", "POST", "/detector/d-1/filter", body);
    let criteria = r#""findingCriteria":{"criterion":{"severity":{"gte":7}}}"#;
    assert_valid(create_filter(&format!(
        r#"{{"name":"high","action":"NOOP","rank":1,{criteria}}}"#
    )));
    assert_refused(
        create_filter(r#"{"name":"high"}"#),
        "GuardDuty.CreateFilter: FindingCriteria: is required but missing",
    );
    assert_refused(
        create_filter(&format!(r#"{{"name":"hi",{criteria}}}"#)),
        "GuardDuty.CreateFilter: Name: \"hi\" is 2 characters long, shorter than the minimum 3",
    );
    assert_refused(
        create_filter(&format!(r#"{{"name":"high","action":"DROP",{criteria}}}"#)),
        "GuardDuty.CreateFilter: Action: \"DROP\" is not one of NOOP, ARCHIVE",
    );
    assert_refused(
        create_filter(&format!(r#"{{"name":"high","rank":101,{criteria}}}"#)),
        "GuardDuty.CreateFilter: Rank: 101 is more than the maximum 100",
    );
}

#[test]
fn rest_xml_requests_read_the_payload_element() {
    let put_versioning = |body: &str| rest("s3", "PUT", "/watchpost-trail?versioning", body);
    let versioning = |status: &str| {
        format!(
            "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <Status>{status}</Status></VersioningConfiguration>"
        )
    };
    assert_valid(put_versioning(&versioning("Enabled")));
    assert_refused(
        put_versioning(&versioning("On")),
        "S3.PutBucketVersioning: VersioningConfiguration.Status: \"On\" is not one of",
    );
    assert_refused(
        put_versioning(""),
        "S3.PutBucketVersioning: VersioningConfiguration: is required but missing",
    );
    let put_tagging = |key: &str| {
        rest(
            "s3",
            "PUT",
            "/watchpost-trail?tagging",
            &format!(
                "<Tagging><TagSet><Tag><Key>{key}</Key><Value>v</Value></Tag></TagSet></Tagging>"
            ),
        )
    };
    assert_valid(put_tagging("owner"));
    assert_refused(
        put_tagging(""),
        "S3.PutBucketTagging: Tagging.TagSet[0].Key: \"\" is 0 characters long, shorter than the minimum 1",
    );
    // GetObject, not ListParts (which needs an uploadId), though both are GET /{Bucket}/{Key+}.
    assert_valid(rest(
        "s3",
        "GET",
        "/watchpost-trail/AWSLogs/a.json?x-id=GetObject",
        "",
    ));
    assert_valid(rest("s3", "GET", "/watchpost-trail/AWSLogs/a.json", ""));
    // S3 Control signs as s3 too.
    assert_valid(
        signed("s3", "GET", "/v20180820/configuration/publicAccessBlock")
            .header("x-amz-account-id", "123456789012")
            .body(Bytes::new())
            .unwrap(),
    );
}

#[test]
fn what_the_gate_cannot_read_is_unchecked_and_unsigned_requests_are_not_aws() {
    let cbor = signed(
        "monitoring",
        "POST",
        "/service/GraniteServiceVersion20100801/operation/PutMetricAlarm",
    )
    .header("smithy-protocol", "rpc-v2-cbor")
    .body(Bytes::from_static(b"\xa0"))
    .unwrap();
    assert!(matches!(models().judge(&cbor), Verdict::Unchecked(_)));
    let moto_api = Request::post("/moto-api/reset").body(Bytes::new()).unwrap();
    assert!(matches!(models().judge(&moto_api), Verdict::NotAws));
    // CloudWatch's credential scope is its endpoint prefix, monitoring.
    assert_refused(
        form(
            "monitoring",
            "Action=PutMetricAlarm&Version=2010-08-01&AlarmName=a&EvaluationPeriods=1\
             &ComparisonOperator=Above",
        ),
        "CloudWatch.PutMetricAlarm: ComparisonOperator: \"Above\" is not one of",
    );
}
