//! `plan --json` over a fleet: the document written an account at a time is the document a
//! reader parses, byte for byte what printing it whole would give.

use serde_json::Value;

use super::views::{drifted, recommended};
use super::*;
use crate::model::{ApiCallCounts, Usage};

fn written(reports: &[AccountReport<'_>], shard: Option<&str>) -> String {
    let (mut writer, mut text) = DocumentWriter::begin();
    for report in reports {
        text.push_str(&writer.account(report));
    }
    let run_calls = ApiCallCounts::from([("sts", 2)]);
    text.push_str(&writer.finish(&run_calls, shard));
    text
}

/// The same document, pretty-printed whole from its parsed value: what the writer must equal.
fn printed_whole(text: &str) -> String {
    let document: Value = serde_json::from_str(text).expect("the document is JSON");
    format!("{document:#}\n")
}

#[test]
fn a_document_written_account_by_account_is_the_whole_document() {
    let (baseline, observed) = drifted();
    let drifted_plan = plan(&baseline, &observed);
    let cost = estimate(&baseline, &observed, &Usage::default());
    let mut other = plan(&recommended(), &observed);
    other.account_id = "444455556666".to_owned();
    let calls = ApiCallCounts::from([("guardduty", 3), ("sts", 1)]);
    let reports = [
        AccountReport {
            account_id: &drifted_plan.account_id,
            plan: Ok(&drifted_plan),
            api_calls: &calls,
            cost: Some(&cost),
        },
        AccountReport {
            account_id: "222233334444",
            plan: Err("AccessDenied: sts:AssumeRole".to_owned()),
            api_calls: &calls,
            cost: None,
        },
        AccountReport {
            account_id: &other.account_id,
            plan: Ok(&other),
            api_calls: &calls,
            cost: None,
        },
    ];
    for shard in [None, Some("2/3")] {
        for count in 0..=reports.len() {
            let text = written(&reports[..count], shard);
            assert_eq!(
                text,
                printed_whole(&text),
                "{count} account(s), shard {shard:?}"
            );
        }
    }

    let document: Value = serde_json::from_str(&written(&reports, Some("2/3"))).unwrap();
    let added = drifted_plan.count(Action::Create) + other.count(Action::Create);
    assert_eq!(document["summary"]["accounts"], 3);
    assert_eq!(document["summary"]["failed_accounts"], 1);
    assert_eq!(document["summary"]["add"], added);
    assert_eq!(document["api_calls"]["guardduty"], 9);
    assert_eq!(document["api_calls"]["sts"], 5);
    assert_eq!(document["shard"], "2/3");
    assert_eq!(
        document["accounts"][1]["error"],
        "AccessDenied: sts:AssumeRole"
    );
}
