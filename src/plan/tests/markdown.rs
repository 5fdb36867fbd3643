//! `plan --format markdown`: a pull-request comment within GitHub's limit.

use super::views::{ENABLED_REGIONS, drifted, empty_in, recommended, retired_rule};
use super::*;
use crate::model::{ApiCallCounts, Usage};
use crate::plan::markdown::{COMMENT_LIMIT, render_within};

fn report<'a>(plan: &'a Plan, cost: Option<&'a Estimate>) -> AccountReport<'a> {
    static NO_CALLS: ApiCallCounts = ApiCallCounts::new();
    AccountReport {
        account_id: &plan.account_id,
        plan: Ok(plan),
        api_calls: &NO_CALLS,
        cost,
    }
}

#[test]
fn the_markdown_plan_leads_with_the_summary_and_folds_each_kind() {
    let (baseline, observed) = drifted();
    let plan = plan(&baseline, &observed);
    let cost = estimate(&baseline, &observed, &Usage::default());
    let comment = render_markdown(&[report(&plan, Some(&cost))]);
    insta::assert_snapshot!(comment);
}

#[test]
fn a_comment_too_long_with_settings_lists_what_is_added_by_address() {
    let plan = plan(&recommended(), &empty_in(&ENABLED_REGIONS));
    let whole = render_within(&[report(&plan, None)], usize::MAX);
    assert!(
        whole.chars().count() > COMMENT_LIMIT,
        "the fixture must exceed the limit"
    );
    let comment = render_markdown(&[report(&plan, None)]);
    assert!(comment.chars().count() <= COMMENT_LIMIT);
    assert!(
        comment.contains("listed by address, without its settings"),
        "{comment}"
    );
    let listed = comment
        .lines()
        .filter(|line| line.starts_with("+ "))
        .count();
    assert_eq!(listed, plan.count(Action::Create));
    assert!(!comment.contains("is cut here"));
}

/// Thousands of rules to delete do not fit even one line each: the comment stops at a
/// section's end and says how many changes it leaves out.
#[test]
fn a_comment_too_long_by_address_is_cut_with_a_note() {
    let baseline = recommended();
    let mut observed = empty_in(&ENABLED_REGIONS);
    for region in ENABLED_REGIONS {
        for at in 0..150 {
            retired_rule(&mut observed, region, &format!("retired-rule-{at:03}"));
        }
    }
    let plan = plan(&baseline, &observed);
    let total = plan.changes.len();
    let comment = render_markdown(&[report(&plan, None)]);
    assert!(
        comment.chars().count() <= COMMENT_LIMIT,
        "{}",
        comment.chars().count()
    );
    assert!(comment.starts_with(&format!(
        "### watchpost plan for account `{ACCOUNT}`\n\n**Plan: {} to add, 0 to change, {} to destroy.**",
        plan.count(Action::Create),
        plan.count(Action::Delete)
    )));
    assert!(comment.contains("> - and 2950 more, in the sections below"));
    let shown = comment
        .lines()
        .filter(|line| line.starts_with("- ") || line.starts_with("+ "))
        .count();
    let note = comment.lines().last().unwrap();
    assert_eq!(
        note,
        format!(
            "> **The plan is cut here** to stay within GitHub's limit of 65536 characters for a comment: {} of its {total} change(s) are not shown. `watchpost plan --full` shows all of them.",
            total - shown
        )
    );
    assert!(shown > 0 && shown < total, "{comment}");
    assert_eq!(
        comment.matches("<details>").count(),
        comment.matches("</details>").count()
    );
}
