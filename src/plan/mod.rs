//! From the baseline and the observed account to a plan: pure, synchronous and deterministic.
//! Nothing here talks to AWS; the executor carries out what this decides, and nothing more.

mod cost;
mod desired;
mod destroy;
mod json;
mod markdown;
mod only;
mod order;
mod render;
mod saved;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use cost::{CostTotal, Estimate, cost_json, cost_line, estimate, render_cost};
pub use desired::{Desired, desired_resources};
pub use destroy::destroy;
pub use json::{AccountReport, DocumentWriter, FORMAT_VERSION, account_json};
pub use markdown::render_markdown;
pub use only::Selector;
pub use order::levels;
pub use render::{render_compact, render_full, render_remaining, summary_line};
pub use saved::{SAVED_FORMAT_VERSION, SavedPlan};

use crate::baseline::Baseline;
use crate::model::{
    AnalyzerSpec, FieldChange, Gap, Kind, Observed, ResourceId, SIGNIN_RECORDING_REGIONS, Spec,
    SubscriptionSpec,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
}

/// One resource to change. The spec is the full desired state; `fields` lists what differs for
/// an update, so the executor touches only those settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: ResourceId,
    pub action: Action,
    pub spec: Spec,
    /// The live resource as read, for an update or a delete.
    pub before: Option<Spec>,
    pub live_id: Option<String>,
    pub fields: Vec<FieldChange>,
    pub depends_on: Vec<ResourceId>,
}

impl Change {
    pub fn changes_field(&self, name: &str) -> bool {
        self.action == Action::Create
            || self
                .fields
                .iter()
                .any(|field| field.field == name || field.field.starts_with(&format!("{name}.")))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub account_id: String,
    pub home_region: String,
    pub regions: Vec<String>,
    pub changes: Vec<Change>,
    /// Resources that already match, with their declared settings.
    pub unchanged: Vec<(ResourceId, Spec)>,
    pub gaps: Vec<Gap>,
    /// What a reviewer should know that is not a change: a subscription awaiting its
    /// recipient, a resource placed outside the home region on purpose.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// Compares what the baseline wants with what the account has. Resources behind a gap (a read
/// that failed) are not planned: planning blind could create a second detector or recorder.
pub fn plan(baseline: &Baseline, observed: &Observed) -> Plan {
    let mut changes = Vec::new();
    let mut unchanged = Vec::new();
    let mut notes = Vec::new();
    let desired = desired_resources(baseline, observed);
    let wanted: BTreeSet<&ResourceId> = desired.iter().map(|d| &d.id).collect();
    let unread: BTreeSet<ResourceId> = desired
        .iter()
        .filter(|d| behind_gap(&observed.gaps, &d.id))
        .map(|d| d.id.clone())
        .collect();
    let mut left_alone: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    if !observed.regions_not_enabled.is_empty() {
        notes.push(format!(
            "skips {} opt-in region(s) this account has not enabled: {}; enable one for the account and the next plan covers it",
            observed.regions_not_enabled.len(),
            observed.regions_not_enabled.join(", ")
        ));
    }
    notes.extend(desired::skipped_rule_notes(baseline, observed));
    notes.extend(desired::global_recording_notes(baseline, observed));
    notes.extend(desired::route_notes(baseline, observed));
    notes.extend(desired::security_hub_notes(baseline, observed));
    let (retired_changes, retired_notes) = destroy::retired_region_changes(baseline, observed);
    changes.extend(retired_changes);
    notes.extend(retired_notes);
    for (id, live) in &observed.resources {
        if wanted.contains(id)
            || behind_gap(&observed.gaps, id)
            || destroy::in_retired_region(&baseline.scope.home_region, observed, id)
        {
            continue;
        }
        let pending = matches!(
            live.spec,
            Spec::Subscription(SubscriptionSpec {
                pending_confirmation: true,
                ..
            })
        );
        if pending {
            notes.push(format!(
                "{id} is no longer in the baseline but still waits for confirmation, so it cannot be removed; AWS deletes unconfirmed subscriptions after 48 hours"
            ));
        } else if live.owned {
            changes.push(Change {
                id: id.clone(),
                action: Action::Delete,
                spec: live.spec.clone(),
                before: Some(live.spec.clone()),
                live_id: live.live_id.clone(),
                fields: Vec::new(),
                depends_on: Vec::new(),
            });
        } else {
            left_alone
                .entry(ResourceId::singleton(id.kind, &id.region).to_string())
                .or_default()
                .push(&id.name);
        }
    }
    for (place, names) in left_alone {
        notes.push(format!(
            "{place}: leaves alone {} that watchpost did not make: {}",
            names.len(),
            names.join(", ")
        ));
    }
    for Desired {
        id,
        spec,
        depends_on,
    } in desired
    {
        if behind_gap(&observed.gaps, &id) {
            continue;
        }
        match observed.resources.get(&id) {
            None => {
                notes.extend(note_on_create(observed, &id));
                changes.push(Change {
                    id,
                    action: Action::Create,
                    spec,
                    before: None,
                    live_id: None,
                    fields: Vec::new(),
                    depends_on,
                });
            }
            Some(live) => {
                if let Spec::Subscription(SubscriptionSpec {
                    pending_confirmation: true,
                    ..
                }) = live.spec
                {
                    notes.push(format!(
                        "{id} still waits for its recipient to confirm: no alert reaches {} until they follow the link in AWS's email (check spam)",
                        id.name
                    ));
                }
                if let Spec::Analyzer(AnalyzerSpec {
                    status: Some(status),
                    ..
                }) = &live.spec
                    && status != "ACTIVE"
                {
                    notes.push(format!(
                        "{id}: the analyzer is {status}, not ACTIVE, and finds nothing while it is; see its status reason in the IAM Access Analyzer console"
                    ));
                }
                let fields = spec.changes_from(&live.spec);
                if fields.is_empty() {
                    unchanged.push((id, spec));
                } else {
                    notes.extend(note_on_update(&id));
                    changes.push(Change {
                        id,
                        action: Action::Update,
                        spec,
                        before: Some(live.spec.clone()),
                        live_id: live.live_id.clone(),
                        fields,
                        depends_on,
                    });
                }
            }
        }
    }
    hold_back(&mut changes, unread, &mut notes);
    Plan {
        account_id: observed.account_id.clone(),
        home_region: baseline.scope.home_region.clone(),
        regions: observed.regions.clone(),
        changes,
        unchanged,
        gaps: observed.gaps.clone(),
        notes,
    }
}

fn note_on_create(observed: &Observed, id: &ResourceId) -> Option<String> {
    match id.kind {
        Kind::AlertSubscription => Some(format!(
            "{id}: AWS will email {} a confirmation link; alerts reach them only once it is followed",
            id.name
        )),
        Kind::SigninRule if !observed.regions.contains(&id.region) => Some(format!(
            "{id} is placed outside scope.regions: AWS records root sign-ins in us-east-1, and IAM users' sign-ins through the global endpoint in one of {}, whatever the region signed in to",
            SIGNIN_RECORDING_REGIONS.join(", ")
        )),
        _ => None,
    }
}

fn note_on_update(id: &ResourceId) -> Option<String> {
    (id.kind == Kind::FlowLog).then(|| {
        format!("{id} is replaced: EC2 changes nothing of a flow log once made, so apply deletes it and makes it again")
    })
}

/// Takes out the changes that need a resource that could not be read, and those that need
/// them in turn, each with a note saying why: a trail made for a bucket in an unknown state
/// could deliver to a bucket that refuses it. The next run that can read it plans them.
fn hold_back(changes: &mut Vec<Change>, unread: BTreeSet<ResourceId>, notes: &mut Vec<String>) {
    let mut held_back = BTreeSet::new();
    loop {
        let waits = |id: &ResourceId| unread.contains(id) || held_back.contains(id);
        let (held, kept): (Vec<Change>, Vec<Change>) = changes
            .drain(..)
            .partition(|change| change.depends_on.iter().any(waits));
        *changes = kept;
        if held.is_empty() {
            return;
        }
        for change in &held {
            let needs: Vec<String> = change
                .depends_on
                .iter()
                .filter(|id| waits(id))
                .map(|id| {
                    let why = if unread.contains(id) {
                        "could not be read"
                    } else {
                        "is held back"
                    };
                    format!("{id}, which {why}")
                })
                .collect();
            notes.push(format!(
                "{} is held back: it needs {}",
                change.id,
                needs.join(" and ")
            ));
        }
        held_back.extend(held.into_iter().map(|change| change.id));
    }
}

/// Whether a failed read left this resource unknown: the gap names it, or its kind and region
/// as a whole (a failed listing).
fn behind_gap(gaps: &[Gap], id: &ResourceId) -> bool {
    let whole_kind = ResourceId::singleton(id.kind, &id.region).to_string();
    let this = id.to_string();
    gaps.iter()
        .any(|gap| gap.place == this || gap.place == whole_kind)
}

#[cfg(test)]
mod tests;
