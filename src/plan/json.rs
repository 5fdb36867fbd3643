//! The plan for machines: one JSON document in a versioned format (docs/json-output.md), in
//! the shape Terraform's `show -json` gives, so that review tooling can read it.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Action, Plan};
use crate::model::{Gap, Kind, ResourceId, Spec};

/// Raised when a field is removed or changes meaning; adding a field keeps it.
pub const FORMAT_VERSION: &str = "1";

#[derive(Serialize)]
struct Document<'a> {
    format_version: &'static str,
    watchpost_version: &'static str,
    account_id: &'a str,
    home_region: &'a str,
    regions: &'a [String],
    resource_changes: Vec<ResourceChange<'a>>,
    summary: Summary,
    notes: &'a [String],
    gaps: &'a [Gap],
}

#[derive(Serialize)]
struct Address<'a> {
    kind: Kind,
    region: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct ResourceChange<'a> {
    address: Address<'a>,
    actions: &'static [&'static str],
    before: Option<Map<String, Value>>,
    after: Option<Map<String, Value>>,
}

#[derive(Serialize)]
struct Summary {
    add: usize,
    change: usize,
    destroy: usize,
}

fn address(id: &ResourceId) -> Address<'_> {
    Address {
        kind: id.kind,
        region: &id.region,
        name: &id.name,
    }
}

pub fn render_json(plan: &Plan) -> Value {
    let mut resource_changes: Vec<ResourceChange<'_>> = plan
        .changes
        .iter()
        .map(|change| {
            let (actions, after): (&'static [&'static str], _) = match change.action {
                Action::Create => (&["create"], Some(change.spec.field_values())),
                Action::Update => (&["update"], Some(change.spec.field_values())),
                Action::Delete => (&["delete"], None),
            };
            ResourceChange {
                address: address(&change.id),
                actions,
                before: change.before.as_ref().map(Spec::field_values),
                after,
            }
        })
        .chain(plan.unchanged.iter().map(|(id, spec)| ResourceChange {
            address: address(id),
            actions: &["no-op"],
            before: Some(spec.field_values()),
            after: Some(spec.field_values()),
        }))
        .collect();
    resource_changes.sort_by(|a, b| {
        (a.address.kind, a.address.region, a.address.name).cmp(&(
            b.address.kind,
            b.address.region,
            b.address.name,
        ))
    });
    let document = Document {
        format_version: FORMAT_VERSION,
        watchpost_version: env!("CARGO_PKG_VERSION"),
        account_id: &plan.account_id,
        home_region: &plan.home_region,
        regions: &plan.regions,
        resource_changes,
        summary: Summary {
            add: plan.count(Action::Create),
            change: plan.count(Action::Update),
            destroy: plan.count(Action::Delete),
        },
        notes: &plan.notes,
        gaps: &plan.gaps,
    };
    serde_json::to_value(document).expect("the plan serializes")
}
