//! The plan for machines: one JSON document in a versioned format (docs/json-output.md), in
//! the shape Terraform's `show -json` gives for each account, so that review tooling can read
//! it.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Action, Estimate, Plan, cost_json};
use crate::model::{ApiCallCounts, Gap, Kind, ResourceId, Spec, sum_calls};

/// Raised when a field is removed or changes meaning; adding a field keeps it.
pub const FORMAT_VERSION: &str = "2";

/// One account's part of a run: its plan, or why there is none.
pub struct AccountReport<'a> {
    pub account_id: &'a str,
    pub plan: Result<&'a Plan, String>,
    pub api_calls: &'a ApiCallCounts,
    /// The cost estimate `plan` ends with; `apply` gives none.
    pub cost: Option<&'a Estimate>,
}

#[derive(Serialize)]
struct Document {
    format_version: &'static str,
    watchpost_version: &'static str,
    accounts: Vec<Value>,
    summary: FleetSummary,
    api_calls: ApiCallCounts,
}

#[derive(Serialize)]
struct FleetSummary {
    add: usize,
    change: usize,
    destroy: usize,
    accounts: usize,
    failed_accounts: usize,
}

#[derive(Serialize)]
struct AccountDocument<'a> {
    account_id: &'a str,
    home_region: &'a str,
    regions: &'a [String],
    resource_changes: Vec<ResourceChange<'a>>,
    summary: Summary,
    notes: &'a [String],
    gaps: &'a [Gap],
    error: Option<&'a str>,
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
    /// What must be made first; apply orders changes by it.
    depends_on: Vec<Address<'a>>,
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

/// The whole run's document: every account, the totals, and the API calls made, those of
/// every account and `run_calls`, made for the run as a whole (identity, roles assumed).
pub fn render_json(accounts: &[AccountReport<'_>], run_calls: &ApiCallCounts) -> Value {
    let planned = || {
        accounts
            .iter()
            .filter_map(|report| report.plan.as_ref().ok())
    };
    let document = Document {
        format_version: FORMAT_VERSION,
        watchpost_version: env!("CARGO_PKG_VERSION"),
        accounts: accounts.iter().map(account_json).collect(),
        summary: FleetSummary {
            add: planned().map(|plan| plan.count(Action::Create)).sum(),
            change: planned().map(|plan| plan.count(Action::Update)).sum(),
            destroy: planned().map(|plan| plan.count(Action::Delete)).sum(),
            accounts: accounts.len(),
            failed_accounts: accounts.iter().filter(|r| r.plan.is_err()).count(),
        },
        api_calls: sum_calls(
            accounts
                .iter()
                .map(|report| report.api_calls)
                .chain([run_calls]),
        ),
    };
    serde_json::to_value(document).expect("the plan serializes")
}

/// One account's part: its plan in full, or the error that left it without one.
pub fn account_json(report: &AccountReport<'_>) -> Value {
    let mut document = match &report.plan {
        Ok(plan) => plan_json(plan),
        Err(error) => serde_json::json!({
            "account_id": report.account_id,
            "error": error,
        }),
    };
    document["api_calls"] = serde_json::to_value(report.api_calls).expect("counts serialize");
    if let (Ok(_), Some(cost)) = (&report.plan, report.cost) {
        document["cost"] = cost_json(cost);
    }
    document
}

fn plan_json(plan: &Plan) -> Value {
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
                depends_on: change.depends_on.iter().map(address).collect(),
            }
        })
        .chain(plan.unchanged.iter().map(|(id, spec)| ResourceChange {
            address: address(id),
            actions: &["no-op"],
            before: Some(spec.field_values()),
            after: Some(spec.field_values()),
            depends_on: Vec::new(),
        }))
        .collect();
    resource_changes.sort_by(|a, b| {
        (a.address.kind, a.address.region, a.address.name).cmp(&(
            b.address.kind,
            b.address.region,
            b.address.name,
        ))
    });
    let document = AccountDocument {
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
        error: None,
    };
    serde_json::to_value(document).expect("the plan serializes")
}
