//! From the baseline and the observed account to a plan: pure, synchronous and deterministic.
//! Nothing here talks to AWS; the executor carries out what this decides, and nothing more.

mod desired;
mod order;
mod render;

use serde::Serialize;

pub use desired::{Desired, desired_resources, log_bucket_name};
pub use order::levels;
pub use render::render;

use crate::baseline::Baseline;
use crate::model::{FieldChange, Gap, Observed, ResourceId, Spec};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
}

/// One resource to change. The spec is the full desired state; `fields` lists what differs for
/// an update, so the executor touches only those settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub id: ResourceId,
    pub action: Action,
    pub spec: Spec,
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

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub account_id: String,
    pub home_region: String,
    pub regions: Vec<String>,
    pub changes: Vec<Change>,
    pub unchanged: usize,
    pub gaps: Vec<Gap>,
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
    let mut unchanged = 0;
    for Desired {
        id,
        spec,
        depends_on,
    } in desired_resources(baseline, observed)
    {
        if observed.gaps.iter().any(|gap| gap.place == gap_place(&id)) {
            continue;
        }
        match observed.resources.get(&id) {
            None => changes.push(Change {
                id,
                action: Action::Create,
                spec,
                live_id: None,
                fields: Vec::new(),
                depends_on,
            }),
            Some(live) => {
                let fields = spec.changes_from(&live.spec);
                if fields.is_empty() {
                    unchanged += 1;
                } else {
                    changes.push(Change {
                        id,
                        action: Action::Update,
                        spec,
                        live_id: live.live_id.clone(),
                        fields,
                        depends_on,
                    });
                }
            }
        }
    }
    Plan {
        account_id: observed.account_id.clone(),
        home_region: baseline.scope.home_region.clone(),
        regions: observed.regions.clone(),
        changes,
        unchanged,
        gaps: observed.gaps.clone(),
    }
}

/// The place a gap is recorded under for a resource: its kind and region.
pub fn gap_place(id: &ResourceId) -> String {
    format!("{}/{}", id.kind, id.region)
}

#[cfg(test)]
mod tests;
