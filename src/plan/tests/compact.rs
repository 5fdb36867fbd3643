//! The compact plan shown by default: what is added counted, the rest in full, repeats said
//! once.

use super::views::{ENABLED_REGIONS, drifted, empty_in, recommended};
use super::*;

#[test]
fn the_compact_plan_counts_what_is_added_and_says_each_repeat_once() {
    let (baseline, observed) = drifted();
    let plan = plan(&baseline, &observed);
    assert_eq!(plan.count(Action::Update), 2);
    assert_eq!(plan.count(Action::Delete), 2);
    insta::assert_snapshot!(format!(
        "{}{}",
        render_compact(&plan, false),
        summary_line(&plan)
    ));
}

#[test]
fn a_compact_destroy_plan_says_once_what_stays_in_every_region() {
    let baseline = baseline(&format!("{GUARDDUTY}{CONFIG}"));
    let plan = destroy(&baseline, &converged(&baseline), false);
    let rendered = render_compact(&plan, false);
    assert!(
        rendered.contains("note: guardduty_detector/* stays: watchpost adopted it"),
        "{rendered}"
    );
    assert_eq!(
        rendered.matches("guardduty_detector").count(),
        1,
        "{rendered}"
    );
    insta::assert_snapshot!(rendered);
}

/// The recommended baseline over a fresh account of 20 regions: thousands of lines in full,
/// a screenful compact, and no line a terminal has to wrap.
#[test]
fn the_recommended_baseline_plans_in_a_screenful() {
    let plan = plan(&recommended(), &empty_in(&ENABLED_REGIONS));
    let full = render_full(&plan, false);
    let compact = render_compact(&plan, false);
    assert!(full.lines().count() > 3000, "{}", full.lines().count());
    assert!(compact.lines().count() < 60, "{compact}");
    let longest = compact.lines().map(|line| line.chars().count()).max();
    assert!(longest <= Some(120), "{compact}");
    assert!(
        !compact.contains("Plan: "),
        "the summary line is the caller's to print last"
    );
    assert!(compact.contains(&format!(
        "  + guardduty_detector            {}  one in each region\n",
        ENABLED_REGIONS.len()
    )));
}

#[test]
fn what_a_run_left_to_do_is_counted_not_planned_again() {
    let (baseline, observed) = drifted();
    insta::assert_snapshot!(render_remaining(&plan(&baseline, &observed), false));
}
