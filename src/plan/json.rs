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

/// What follows the accounts in the run's document.
#[derive(Serialize)]
struct Ending<'a> {
    format_version: &'static str,
    watchpost_version: &'static str,
    /// The shard of a fleet the run was, so that `report merge` can tell the shards apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<&'a str>,
    summary: &'a FleetSummary,
    api_calls: ApiCallCounts,
}

#[derive(Default, Serialize)]
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

/// The whole run's document (every account, the totals, the API calls made), written an
/// account at a time, as each is planned, so that a run over many accounts holds none of their
/// plans once written. The bytes are those of the whole document pretty-printed at once: the
/// accounts come first since the keys are in order, and each is indented as it would be there.
pub struct DocumentWriter {
    summary: FleetSummary,
    api_calls: ApiCallCounts,
}

/// Where an account's document sits: inside the run's object, inside its `accounts` list.
const ACCOUNT_INDENT: &str = "    ";

impl DocumentWriter {
    /// The writer, with the document's opening.
    pub fn begin() -> (Self, String) {
        let writer = DocumentWriter {
            summary: FleetSummary::default(),
            api_calls: ApiCallCounts::new(),
        };
        (writer, "{\n  \"accounts\": [".to_owned())
    }

    /// One account's part, counted into the totals.
    pub fn account(&mut self, report: &AccountReport<'_>) -> String {
        let separator = if self.summary.accounts == 0 {
            "\n"
        } else {
            ",\n"
        };
        let summary = &mut self.summary;
        summary.accounts += 1;
        match report.plan {
            Ok(plan) => {
                summary.add += plan.count(Action::Create);
                summary.change += plan.count(Action::Update);
                summary.destroy += plan.count(Action::Delete);
            }
            Err(_) => summary.failed_accounts += 1,
        }
        self.api_calls = sum_calls([&self.api_calls, report.api_calls]);
        let pretty = format!("{:#}", account_json(report));
        let mut text = separator.to_owned();
        for (index, line) in pretty.lines().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            text.push_str(ACCOUNT_INDENT);
            text.push_str(line);
        }
        text
    }

    /// The rest of the document: the totals, with `run_calls`, the calls made for the run as a
    /// whole (identity, roles assumed), and the shard the run was, if it was one.
    pub fn finish(self, run_calls: &ApiCallCounts, shard: Option<&str>) -> String {
        let ending = Ending {
            format_version: FORMAT_VERSION,
            watchpost_version: env!("CARGO_PKG_VERSION"),
            shard,
            summary: &self.summary,
            api_calls: sum_calls([&self.api_calls, run_calls]),
        };
        let ending = serde_json::to_value(ending).expect("the totals serialize");
        let ending = format!("{ending:#}");
        let close = if self.summary.accounts == 0 {
            "]"
        } else {
            "\n  ]"
        };
        // The ending's own `{` is the document's, opened by `begin`.
        let rest = ending.strip_prefix("{\n").expect("an object");
        format!("{close},\n{rest}\n")
    }
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
