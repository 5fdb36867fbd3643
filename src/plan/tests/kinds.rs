//! Every kind in the registry, each through the four things a plan can say of a resource:
//! create, update, no change, delete. The samples come from the recommended baseline, so a new
//! kind fails here until the baseline asks for it and its plan has been looked at (its
//! snapshot, `kind_<name>`, is new and needs review).

use serde_json::{Value, json};

use super::*;
use crate::model::{Kind, Observed, ResourceId, Spec};

const RECOMMENDED: &str = include_str!("../../../baseline.toml");

/// The recommended baseline over two regions, with the home region of the file.
pub(super) fn recommended() -> Baseline {
    let source = RECOMMENDED.replace(
        "regions = \"all\"",
        "regions = [\"eu-west-1\", \"us-east-1\"]",
    );
    Baseline::parse("baseline.toml", &source).expect("the recommended baseline loads")
}

/// A new account: nothing but the default VPC AWS makes in each region.
fn empty_account() -> Observed {
    Observed {
        account_id: ACCOUNT.to_owned(),
        regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
        vpcs: [
            ("eu-west-1".to_owned(), vec!["vpc-0e1f2a3b".to_owned()]),
            ("us-east-1".to_owned(), vec!["vpc-0a1b2c3d".to_owned()]),
        ]
        .into(),
        ..Observed::default()
    }
}

/// The recommended baseline for a fleet whose alerts gather on a central bus in this account,
/// for the kinds of that route, and with the optional alerts the recommended one leaves out
/// (Security Hub's findings).
fn recommended_with_central_bus() -> Baseline {
    let source = format!("{RECOMMENDED}\n[security_hub.finding_alerts]\n")
        .replace(
            "regions = \"all\"",
            "regions = [\"eu-west-1\", \"us-east-1\"]",
        )
        .replace(
            "[alerts]\n",
            &format!(
                "[accounts]\nids = [\"{ACCOUNT}\", \"444455556666\"]\n\n[alerts]\ncentral_bus = \"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/watchpost-alerts\"\n"
            ),
        );
    Baseline::parse("baseline.toml", &source).expect("the recommended baseline loads")
}

/// The first resource of `kind` the recommended baseline asks for, with its settings, or the
/// same baseline with a central bus for the kinds of that route.
fn sample(kind: Kind) -> (ResourceId, Spec) {
    desired_resources(&recommended(), &empty_account())
        .into_iter()
        .chain(desired_resources(
            &recommended_with_central_bus(),
            &empty_account(),
        ))
        .find(|desired| desired.id.kind == kind)
        .map(|desired| (desired.id, desired.spec))
        .unwrap_or_else(|| {
            panic!("the recommended baseline asks for no {kind}: add the section that does")
        })
}

/// A value unlike `value`, of the same type, or `None` where there is nothing to vary.
fn varied(value: &Value) -> Option<Value> {
    match value {
        Value::Bool(on) => Some(json!(!on)),
        Value::Number(number) => number.as_i64().map(|n| json!(n + 1)),
        Value::String(text) => Some(json!(format!("{text}-drifted"))),
        Value::Array(items) if !items.is_empty() => Some(json!(items[1..])),
        Value::Object(map) => {
            let (key, first) = map.iter().find_map(|(k, v)| varied(v).map(|v| (k, v)))?;
            let mut map = map.clone();
            map.insert(key.clone(), first);
            Some(Value::Object(map))
        }
        Value::Null | Value::Array(_) => None,
    }
}

/// The same resource as the account might hold it after someone changed it: the first
/// declared field that, varied, the planner counts as drift.
fn drifted(spec: &Spec) -> Spec {
    let tagged = serde_json::to_value(spec).expect("specs serialize");
    let (tag, fields) = tagged
        .as_object()
        .and_then(|object| object.iter().next())
        .expect("a spec is its kind's tag over its fields");
    let fields = fields.as_object().expect("a spec's fields are an object");
    fields
        .iter()
        .filter_map(|(name, value)| {
            let mut live = tagged.clone();
            live[tag][name] = varied(value)?;
            serde_json::from_value::<Spec>(live).ok()
        })
        .find(|live| !spec.changes_from(live).is_empty())
        .unwrap_or_else(|| panic!("no field of {tag} is compared: {fields:?}"))
}

fn change(id: &ResourceId, action: Action, spec: &Spec, before: Option<&Spec>) -> Change {
    Change {
        id: id.clone(),
        action,
        spec: spec.clone(),
        before: before.cloned(),
        live_id: None,
        fields: before
            .map(|live| spec.changes_from(live))
            .unwrap_or_default(),
        depends_on: Vec::new(),
    }
}

fn rendered(change: Change) -> String {
    let plan = Plan {
        account_id: ACCOUNT.to_owned(),
        home_region: "us-east-1".to_owned(),
        regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
        changes: vec![change],
        unchanged: Vec::new(),
        gaps: Vec::new(),
        notes: Vec::new(),
    };
    render_full(&plan, false)
}

#[test]
fn every_kind_is_created_updated_left_and_deleted_as_a_reviewer_reads_it() {
    for kind in Kind::all() {
        let (id, spec) = sample(kind);
        assert!(spec.fits(kind), "{id} is described by a {:?}", spec.kinds());
        assert_eq!(
            spec.changes_from(&spec),
            Vec::new(),
            "{id}: a resource that matches has no changes"
        );
        // A kind with nothing to set (the central bus: that it exists is all watchpost
        // manages of it) has no update to show.
        let (live, update) = if spec.field_values().is_empty() {
            (spec.clone(), None)
        } else {
            let live = drifted(&spec);
            let update = change(&id, Action::Update, &spec, Some(&live));
            assert!(!update.fields.is_empty(), "{id}");
            (live, Some(update))
        };
        let shown = [
            Some(("create", rendered(change(&id, Action::Create, &spec, None)))),
            update.map(|update| ("update", rendered(update))),
            Some((
                "delete",
                rendered(change(&id, Action::Delete, &live, Some(&live))),
            )),
        ]
        .into_iter()
        .flatten()
        .map(|(action, text)| format!("--- {action}\n{text}"))
        .collect::<Vec<_>>()
        .join("\n");
        insta::assert_snapshot!(format!("kind_{kind}"), shown);
    }
}

/// What a successful apply of `plan` leaves in `observed`: each created or updated resource
/// as the plan gave it, marked as watchpost's, and each deleted one gone.
fn applied(plan: &Plan, observed: &Observed) -> Observed {
    let mut after = observed.clone();
    for change in &plan.changes {
        match change.action {
            Action::Create | Action::Update => {
                let live_id = change.live_id.clone().or_else(|| match &change.spec {
                    Spec::Detector(_) => Some("d3t3ct0r".to_owned()),
                    Spec::Recorder(spec) => Some(spec.name.clone()),
                    Spec::DeliveryChannel(spec) => Some(spec.name.clone()),
                    _ => None,
                });
                after.resources.insert(
                    change.id.clone(),
                    Live {
                        spec: change.spec.clone(),
                        live_id,
                        owned: true,
                    },
                );
            }
            Action::Delete => {
                after.resources.remove(&change.id);
            }
        }
    }
    after
}

/// Applies the plan for `observed` and plans again: a converging planner finds nothing left
/// to do. On failure, the second plan is shown in full.
#[track_caller]
pub(super) fn assert_replan_is_empty(baseline: &Baseline, observed: &Observed) {
    let first = plan(baseline, observed);
    let after = applied(&first, observed);
    let second = plan(baseline, &after);
    assert!(
        second.is_empty(),
        "after applying a plan of {} change(s), planning again still finds:\n{}",
        first.changes.len(),
        render_full(&second, false)
    );
}

#[test]
fn applying_the_recommended_plan_leaves_nothing_to_do() {
    let baseline = recommended();
    assert_replan_is_empty(&baseline, &empty_account());
    // From an account that drifted on every kind at once.
    let converged = applied(&plan(&baseline, &empty_account()), &empty_account());
    let mut drifted_account = converged.clone();
    for live in drifted_account.resources.values_mut() {
        live.spec = drifted(&live.spec);
    }
    assert!(!plan(&baseline, &drifted_account).is_empty());
    assert_replan_is_empty(&baseline, &drifted_account);
}
