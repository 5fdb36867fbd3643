//! A trail's event selectors, as watchpost reads and writes them: whether they take every
//! management event, watchpost's own selector for S3 data events, and the selectors of others,
//! which are kept whenever watchpost writes its own.

use std::collections::BTreeSet;

use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType,
};

use crate::model::{S3_DATA_EVENTS_SELECTOR, S3DataEvents, TrailSpec};

/// Whether one of the trail's selectors takes every management event, read and write, from
/// every source. AWS documents that a trail made without selectors does; AWS answers for such a
/// trail with the one basic selector that says so, and moto with no selector at all.
pub fn logs_every_management_event(selectors: &GetEventSelectorsOutput) -> bool {
    let basic = selectors.event_selectors();
    let advanced = selectors.advanced_event_selectors();
    if basic.is_empty() && advanced.is_empty() {
        return true;
    }
    let every_basic = basic.iter().any(|selector| {
        selector.include_management_events() != Some(false)
            && matches!(selector.read_write_type(), None | Some(ReadWriteType::All))
            && selector.exclude_management_event_sources().is_empty()
    });
    every_basic || advanced.iter().any(takes_every_management_event)
}

/// Whether any of the trail's selectors, of whoever's, takes data events.
pub fn logs_data_events(selectors: &GetEventSelectorsOutput) -> bool {
    let basic = selectors
        .event_selectors()
        .iter()
        .any(|selector| !selector.data_resources().is_empty());
    let advanced = selectors.advanced_event_selectors().iter().any(|selector| {
        selector.field_selectors().iter().any(|field| {
            field.field() == "eventCategory" && field.equals().iter().any(|value| value == "Data")
        })
    });
    basic || advanced
}

fn takes_every_management_event(selector: &AdvancedEventSelector) -> bool {
    let fields = selector.field_selectors();
    fields.len() == 1
        && fields[0].field() == "eventCategory"
        && fields[0].equals() == ["Management"]
}

/// watchpost's own selector, by its name, read back into what the baseline says. A selector of
/// that name that says something else (edited by hand) reads as logging nothing, so that the
/// plan puts it right.
pub fn watchpost_s3_data_events(advanced: &[AdvancedEventSelector]) -> Option<S3DataEvents> {
    let selector = advanced
        .iter()
        .find(|selector| selector.name() == Some(S3_DATA_EVENTS_SELECTOR))?;
    let (mut reads, mut writes) = (true, true);
    let mut buckets = BTreeSet::new();
    let mut understood = true;
    let mut of_objects = false;
    for field in selector.field_selectors() {
        // watchpost writes only Equals and StartsWith: any other operator is someone's edit.
        let excludes = !(field.not_equals().is_empty()
            && field.ends_with().is_empty()
            && field.not_starts_with().is_empty()
            && field.not_ends_with().is_empty());
        if excludes {
            understood = false;
        }
        let equals: Vec<&str> = field.equals().iter().map(String::as_str).collect();
        match (field.field(), equals.as_slice(), field.starts_with()) {
            ("eventCategory", ["Data"], []) => {}
            ("resources.type", ["AWS::S3::Object"], []) => of_objects = true,
            ("readOnly", ["true"], []) => writes = false,
            ("readOnly", ["false"], []) => reads = false,
            ("resources.ARN", [], prefixes) => {
                for prefix in prefixes {
                    match bucket_of_prefix(prefix) {
                        Some(bucket) => {
                            buckets.insert(bucket.to_owned());
                        }
                        None => understood = false,
                    }
                }
            }
            _ => understood = false,
        }
    }
    Some(if understood && of_objects {
        S3DataEvents {
            reads,
            writes,
            buckets,
        }
    } else {
        S3DataEvents {
            reads: false,
            writes: false,
            buckets: BTreeSet::new(),
        }
    })
}

/// `bucket` of `arn:<partition>:s3:::bucket/`, the prefix of every object of a bucket.
fn bucket_of_prefix(prefix: &str) -> Option<&str> {
    let (_, rest) = prefix.split_once(":s3:::")?;
    let bucket = rest.strip_suffix('/')?;
    (!bucket.is_empty() && !bucket.contains('/')).then_some(bucket)
}

/// The advanced selectors to put on the trail for `spec`, given those it has (`live`; `None`
/// for a trail just made, which has AWS's default). Others' selectors are kept, basic ones
/// rewritten in the advanced form that logs the same events, since a trail has one form or the
/// other; a selector taking every management event is added if none does; watchpost's own is
/// replaced, or removed when the baseline has no S3 data events.
pub fn to_put(
    live: Option<&GetEventSelectorsOutput>,
    spec: &TrailSpec,
    partition: &str,
) -> Vec<AdvancedEventSelector> {
    let mut selectors: Vec<AdvancedEventSelector> = match live {
        Some(live) if !live.advanced_event_selectors().is_empty() => live
            .advanced_event_selectors()
            .iter()
            .filter(|selector| selector.name() != Some(S3_DATA_EVENTS_SELECTOR))
            .cloned()
            .collect(),
        Some(live) => live
            .event_selectors()
            .iter()
            .flat_map(advanced_form)
            .collect(),
        None => Vec::new(),
    };
    if spec.management_events && !selectors.iter().any(takes_every_management_event) {
        selectors.insert(
            0,
            selector(
                "Management events",
                vec![field("eventCategory", &["Management"], &[])],
            ),
        );
    }
    if let Some(events) = &spec.s3_data_events {
        selectors.push(s3_data_events(events, partition));
    }
    selectors
}

fn s3_data_events(events: &S3DataEvents, partition: &str) -> AdvancedEventSelector {
    let mut fields = vec![
        field("eventCategory", &["Data"], &[]),
        field("resources.type", &["AWS::S3::Object"], &[]),
    ];
    match (events.reads, events.writes) {
        (true, false) => fields.push(field("readOnly", &["true"], &[])),
        (false, true) => fields.push(field("readOnly", &["false"], &[])),
        _ => {}
    }
    if !events.buckets.is_empty() {
        let prefixes: Vec<String> = events
            .buckets
            .iter()
            .map(|bucket| format!("arn:{partition}:s3:::{bucket}/"))
            .collect();
        let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        fields.push(field("resources.ARN", &[], &prefixes));
    }
    selector(S3_DATA_EVENTS_SELECTOR, fields)
}

/// A basic selector as advanced ones that log the same events: one for its management events,
/// one per kind of data resource it names.
fn advanced_form(basic: &EventSelector) -> Vec<AdvancedEventSelector> {
    let read_only: &[&str] = match basic.read_write_type() {
        Some(ReadWriteType::ReadOnly) => &["true"],
        Some(ReadWriteType::WriteOnly) => &["false"],
        _ => &[],
    };
    let with_access = |mut fields: Vec<AdvancedFieldSelector>| {
        if !read_only.is_empty() {
            fields.push(field("readOnly", read_only, &[]));
        }
        fields
    };
    let mut selectors = Vec::new();
    if basic.include_management_events() != Some(false) {
        let mut fields = with_access(vec![field("eventCategory", &["Management"], &[])]);
        if !basic.exclude_management_event_sources().is_empty() {
            let mut sources = AdvancedFieldSelector::builder().field("eventSource");
            for source in basic.exclude_management_event_sources() {
                sources = sources.not_equals(source);
            }
            fields.push(sources.build().expect("field is set"));
        }
        selectors.push(selector("Management events", fields));
    }
    for resource in basic.data_resources() {
        let Some(kind) = resource.r#type() else {
            continue;
        };
        let mut fields = with_access(vec![
            field("eventCategory", &["Data"], &[]),
            field("resources.type", &[kind], &[]),
        ]);
        // `arn:aws:s3` or `arn:aws:s3:::` names every resource of the kind: no ARN condition.
        let prefixes: Vec<&str> = resource
            .values()
            .iter()
            .map(String::as_str)
            .filter(|value| {
                value
                    .splitn(6, ':')
                    .nth(5)
                    .is_some_and(|rest| !rest.is_empty())
            })
            .collect();
        if !prefixes.is_empty() {
            fields.push(field("resources.ARN", &[], &prefixes));
        }
        selectors.push(selector(&format!("Data events: {kind}"), fields));
    }
    selectors
}

fn field(name: &str, equals: &[&str], starts_with: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector::builder()
        .field(name)
        .set_equals((!equals.is_empty()).then(|| equals.iter().map(|v| (*v).to_owned()).collect()))
        .set_starts_with(
            (!starts_with.is_empty())
                .then(|| starts_with.iter().map(|v| (*v).to_owned()).collect()),
        )
        .build()
        .expect("field is set")
}

fn selector(name: &str, fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
    AdvancedEventSelector::builder()
        .name(name)
        .set_field_selectors(Some(fields))
        .build()
        .expect("fields are set")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_to_two_buckets_read_back_as_the_baseline_says_them() {
        let ours = selector(
            S3_DATA_EVENTS_SELECTOR,
            vec![
                field("eventCategory", &["Data"], &[]),
                field("resources.type", &["AWS::S3::Object"], &[]),
                field("readOnly", &["false"], &[]),
                field(
                    "resources.ARN",
                    &[],
                    &["arn:aws:s3:::payroll/", "arn:aws:s3:::secrets/"],
                ),
            ],
        );
        let theirs = selector(
            "Lambda invocations",
            vec![
                field("eventCategory", &["Data"], &[]),
                field("resources.type", &["AWS::Lambda::Function"], &[]),
            ],
        );
        assert_eq!(
            watchpost_s3_data_events(&[theirs, ours]),
            Some(S3DataEvents {
                reads: false,
                writes: true,
                buckets: ["payroll".to_owned(), "secrets".to_owned()].into(),
            })
        );
    }

    #[test]
    fn a_selector_of_watchposts_name_edited_by_hand_reads_as_logging_nothing() {
        let edited = selector(
            S3_DATA_EVENTS_SELECTOR,
            vec![
                field("eventCategory", &["Data"], &[]),
                field("resources.type", &["AWS::DynamoDB::Table"], &[]),
            ],
        );
        let read = watchpost_s3_data_events(&[edited]).expect("the selector is there");
        assert!(!read.reads && !read.writes);
        let narrowed = selector(
            S3_DATA_EVENTS_SELECTOR,
            vec![
                field("eventCategory", &["Data"], &[]),
                field("resources.type", &["AWS::S3::Object"], &[]),
                AdvancedFieldSelector::builder()
                    .field("resources.ARN")
                    .starts_with("arn:aws:s3:::payroll/")
                    .not_starts_with("arn:aws:s3:::payroll/tmp/")
                    .build()
                    .expect("field is set"),
            ],
        );
        let read = watchpost_s3_data_events(&[narrowed]).expect("the selector is there");
        assert!(
            !read.reads && !read.writes,
            "an operator watchpost never writes"
        );
        assert_eq!(watchpost_s3_data_events(&[]), None);
    }

    #[test]
    fn management_events_are_every_one_only_when_a_selector_takes_them_all() {
        let output = |basic: Vec<EventSelector>, advanced: Vec<AdvancedEventSelector>| {
            GetEventSelectorsOutput::builder()
                .set_event_selectors(Some(basic))
                .set_advanced_event_selectors(Some(advanced))
                .build()
        };
        let basic = |kind: ReadWriteType, excluded: &[&str]| {
            EventSelector::builder()
                .read_write_type(kind)
                .include_management_events(true)
                .set_exclude_management_event_sources(Some(
                    excluded.iter().map(|s| (*s).to_owned()).collect(),
                ))
                .build()
        };
        assert!(logs_every_management_event(&output(vec![], vec![])));
        assert!(logs_every_management_event(&output(
            vec![basic(ReadWriteType::All, &[])],
            vec![]
        )));
        assert!(!logs_every_management_event(&output(
            vec![basic(ReadWriteType::WriteOnly, &[])],
            vec![]
        )));
        assert!(!logs_every_management_event(&output(
            vec![basic(ReadWriteType::All, &["kms.amazonaws.com"])],
            vec![]
        )));
        let management = |fields| selector("Management events", fields);
        assert!(logs_every_management_event(&output(
            vec![],
            vec![management(vec![field(
                "eventCategory",
                &["Management"],
                &[]
            )])]
        )));
        assert!(!logs_every_management_event(&output(
            vec![],
            vec![management(vec![
                field("eventCategory", &["Management"], &[]),
                field("readOnly", &["true"], &[]),
            ])]
        )));
    }
}

#[cfg(test)]
mod writing {
    use aws_sdk_cloudtrail::types::DataResource;

    use super::*;

    fn spec(s3_data_events: Option<S3DataEvents>) -> TrailSpec {
        TrailSpec {
            s3_bucket_name: "logs".to_owned(),
            s3_key_prefix: None,
            multi_region: true,
            include_global_service_events: true,
            log_file_validation: true,
            cloud_watch_logs_log_group_arn: None,
            cloud_watch_logs_role_arn: None,
            kms_key_id: None,
            logging: true,
            management_events: true,
            s3_data_events,
            logs_data_events: false,
        }
    }

    fn writes(buckets: &[&str]) -> S3DataEvents {
        S3DataEvents {
            reads: false,
            writes: true,
            buckets: buckets.iter().map(|b| (*b).to_owned()).collect(),
        }
    }

    fn live(
        basic: Vec<EventSelector>,
        advanced: Vec<AdvancedEventSelector>,
    ) -> GetEventSelectorsOutput {
        GetEventSelectorsOutput::builder()
            .set_event_selectors(Some(basic))
            .set_advanced_event_selectors(Some(advanced))
            .build()
    }

    /// What a reader of the written selectors finds: the management events and watchpost's own.
    fn read_back(selectors: Vec<AdvancedEventSelector>) -> (bool, Option<S3DataEvents>) {
        let output = live(vec![], selectors.clone());
        (
            logs_every_management_event(&output),
            watchpost_s3_data_events(&selectors),
        )
    }

    #[test]
    fn a_new_trail_gets_every_management_event_and_watchposts_selector() {
        let events = writes(&["payroll"]);
        let put = to_put(None, &spec(Some(events.clone())), "aws");
        assert_eq!(put.len(), 2);
        assert_eq!(read_back(put), (true, Some(events)));
    }

    #[test]
    fn others_advanced_selectors_are_kept_and_watchposts_replaced() {
        let theirs = selector(
            "Lambda invocations",
            vec![
                field("eventCategory", &["Data"], &[]),
                field("resources.type", &["AWS::Lambda::Function"], &[]),
            ],
        );
        let management = selector(
            "Management events",
            vec![field("eventCategory", &["Management"], &[])],
        );
        let old = s3_data_events(&writes(&[]), "aws");
        let now = live(vec![], vec![management.clone(), theirs.clone(), old]);
        let put = to_put(Some(&now), &spec(Some(writes(&["payroll"]))), "aws");
        assert_eq!(put[..2], [management.clone(), theirs.clone()]);
        assert_eq!(read_back(put).1, Some(writes(&["payroll"])));

        let off = to_put(Some(&now), &spec(None), "aws");
        assert_eq!(
            off,
            [management, theirs],
            "turning the data events off removes only watchpost's selector"
        );
    }

    #[test]
    fn basic_selectors_are_kept_in_their_advanced_form() {
        let basic = EventSelector::builder()
            .read_write_type(ReadWriteType::WriteOnly)
            .include_management_events(true)
            .data_resources(
                DataResource::builder()
                    .r#type("AWS::Lambda::Function")
                    .values("arn:aws:lambda")
                    .build(),
            )
            .data_resources(
                DataResource::builder()
                    .r#type("AWS::DynamoDB::Table")
                    .values("arn:aws:dynamodb:us-east-1:111122223333:table/orders")
                    .build(),
            )
            .build();
        let put = to_put(Some(&live(vec![basic], vec![])), &spec(None), "aws");
        let names: Vec<_> = put.iter().filter_map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "Management events",
                "Management events",
                "Data events: AWS::Lambda::Function",
                "Data events: AWS::DynamoDB::Table"
            ],
            "their write-only management events are kept, and every one added"
        );
        assert_eq!(
            put[1].field_selectors()[1],
            field("readOnly", &["false"], &[])
        );
        assert_eq!(
            put[2].field_selectors().len(),
            3,
            "every function: no ARN condition"
        );
        assert_eq!(
            put[3].field_selectors()[3],
            field(
                "resources.ARN",
                &[],
                &["arn:aws:dynamodb:us-east-1:111122223333:table/orders"]
            )
        );
    }
}
