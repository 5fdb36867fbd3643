//! CloudTrail data events for S3 objects (`[cloudtrail.s3_data_events]`, CIS 4.8 and 4.9) end
//! to end: the real binary and the real AWS SDK against a moto server. The trail's advanced
//! event selectors are read back after each apply: every management event, watchpost's own
//! selector as the baseline says it, and a selector someone else put on the trail, kept through
//! a change of watchpost's and through turning the data events off.

use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};
use support::{Moto, Watchpost, write_baseline};

const WATCHPOST: Watchpost = Watchpost::new(env!("CARGO_BIN_EXE_watchpost"));

const SCOPE: &str = r#"
[scope]
regions = ["us-east-1"]
home_region = "us-east-1"

[cloudtrail]
"#;

const OURS: &str = "watchpost: S3 data events";

/// Each selector of the trail as `name: field=values; ...`, in the trail's order.
async fn selectors(moto: &Moto) -> Vec<String> {
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&moto.sdk_config("us-east-1").await);
    let answer = cloudtrail
        .get_event_selectors()
        .trail_name("watchpost")
        .send()
        .await
        .unwrap();
    assert!(
        answer.event_selectors().is_empty(),
        "a trail has basic or advanced selectors, not both"
    );
    answer
        .advanced_event_selectors()
        .iter()
        .map(|selector| {
            let fields: Vec<String> = selector
                .field_selectors()
                .iter()
                .map(|field| {
                    let (operator, values) = if field.starts_with().is_empty() {
                        ("=", field.equals())
                    } else {
                        (" starts with ", field.starts_with())
                    };
                    format!("{}{operator}{}", field.field(), values.join(","))
                })
                .collect();
            format!("{}: {}", selector.name().unwrap_or(""), fields.join("; "))
        })
        .collect()
}

#[tokio::test]
async fn data_events_are_logged_as_the_baseline_says_and_others_selectors_are_kept() {
    let writes_of_payroll =
        format!("{SCOPE}s3_data_events = {{ access = [\"write\"], buckets = [\"payroll\"] }}\n");
    let (moto, baseline) = Moto::start_applied(WATCHPOST, &writes_of_payroll);
    moto.assert_no_changes(baseline.path_str());
    assert_eq!(
        selectors(&moto).await,
        [
            "Management events: eventCategory=Management".to_owned(),
            format!(
                "{OURS}: eventCategory=Data; resources.type=AWS::S3::Object; readOnly=false; resources.ARN starts with arn:aws:s3:::payroll/"
            ),
        ]
    );

    // Someone logs their functions' invocations on the same trail.
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&moto.sdk_config("us-east-1").await);
    let live = cloudtrail
        .get_event_selectors()
        .trail_name("watchpost")
        .send()
        .await
        .unwrap();
    let theirs = AdvancedEventSelector::builder()
        .name("Lambda invocations")
        .field_selectors(field("eventCategory", "Data"))
        .field_selectors(field("resources.type", "AWS::Lambda::Function"))
        .build()
        .unwrap();
    let mut with_theirs = live.advanced_event_selectors().to_vec();
    with_theirs.push(theirs);
    cloudtrail
        .put_event_selectors()
        .trail_name("watchpost")
        .set_advanced_event_selectors(Some(with_theirs))
        .send()
        .await
        .unwrap();
    moto.assert_no_changes(baseline.path_str());

    // Reads and writes of every bucket: watchpost's selector changes, theirs stays.
    let every_bucket = write_baseline(&format!(
        "{SCOPE}s3_data_events = {{ access = [\"read\", \"write\"] }}\n"
    ));
    moto.plan_changes(every_bucket.path_str())
        .assert_stdout_has(&["~ cloudtrail_trail", "s3_data_events"]);
    moto.assert_apply_converges(every_bucket.path_str());
    let lambda = "Lambda invocations: eventCategory=Data; resources.type=AWS::Lambda::Function";
    assert_eq!(
        selectors(&moto).await,
        [
            "Management events: eventCategory=Management".to_owned(),
            lambda.to_owned(),
            format!("{OURS}: eventCategory=Data; resources.type=AWS::S3::Object"),
        ]
    );

    // Off: watchpost's selector goes, and only it.
    let off = write_baseline(SCOPE);
    moto.assert_apply_converges(off.path_str());
    assert_eq!(
        selectors(&moto).await,
        [
            "Management events: eventCategory=Management".to_owned(),
            lambda.to_owned(),
        ]
    );
}

#[tokio::test]
async fn a_trail_without_data_events_keeps_the_selectors_aws_gives_it() {
    let (moto, baseline) = Moto::start_applied(WATCHPOST, SCOPE);
    moto.assert_no_changes(baseline.path_str());
    assert!(
        selectors(&moto).await.is_empty(),
        "no selector is written where AWS's default (every management event) is what the baseline wants"
    );
}

fn field(name: &str, equals: &str) -> AdvancedFieldSelector {
    AdvancedFieldSelector::builder()
        .field(name)
        .equals(equals)
        .build()
        .unwrap()
}
