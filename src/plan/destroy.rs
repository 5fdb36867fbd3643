//! `watchpost destroy`: a plan that removes what watchpost made, last-made first, and leaves
//! what it adopted (a detector, a recorder someone else set up) in place. The log bucket and
//! the trail's log group hold evidence, so they stay unless the caller asks otherwise.

use std::collections::{BTreeMap, BTreeSet};

use super::{Action, Change, Plan, behind_gap, desired_resources};
use crate::baseline::Baseline;
use crate::model::{
    KEY_DELETION_WINDOW_DAYS, Kind, Live, Observed, Ownership, ResourceId, Spec, SubscriptionSpec,
};

/// Whether watchpost made it: its tag, or for Config's untaggable singletons, the name the
/// baseline gives them (an adopted recorder keeps its own name).
fn made_by_watchpost(baseline: &Baseline, id: &ResourceId, live: &Live) -> bool {
    let config_name = |name: fn(&crate::baseline::Config) -> &String| {
        baseline
            .config
            .as_ref()
            .is_some_and(|config| live.live_id.as_ref() == Some(name(config)))
    };
    match id.kind.def().ownership {
        Ownership::Marked => live.owned,
        Ownership::BaselineName if id.kind == Kind::ConfigDeliveryChannel => {
            config_name(|c| &c.delivery_channel_name)
        }
        Ownership::BaselineName => config_name(|c| &c.recorder_name),
        Ownership::AccountSetting => false,
    }
}

/// What watchpost made in a region the baseline no longer covers: the region's detector and
/// Config setup, removed as `destroy` would, and nothing else of the account.
pub fn retired_region_changes(
    baseline: &Baseline,
    observed: &Observed,
) -> (Vec<Change>, Vec<String>) {
    let home = baseline.scope.home_region.as_str();
    let retired: Observed = Observed {
        account_id: observed.account_id.clone(),
        regions: observed
            .resources
            .keys()
            .filter(|id| in_retired_region(home, observed, id))
            .map(|id| id.region.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        resources: observed
            .resources
            .iter()
            .filter(|(id, _)| in_retired_region(home, observed, id))
            .map(|(id, live)| (id.clone(), live.clone()))
            .collect(),
        gaps: observed.gaps.clone(),
        regions_not_enabled: Vec::new(),
        organization_id: None,
        vpcs: Default::default(),
    };
    if retired.resources.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let plan = destroy(baseline, &retired, false);
    (plan.changes, plan.notes)
}

/// A resource of a kind that retires with its region, in a region its placement no longer
/// has (for a sign-in rule, outside the regions AWS records sign-ins in as well).
pub fn in_retired_region(home: &str, observed: &Observed, id: &ResourceId) -> bool {
    id.kind.def().retires_with_region
        && !id
            .kind
            .regions(home, &observed.regions)
            .contains(&id.region)
}

pub fn destroy(baseline: &Baseline, observed: &Observed, delete_logs: bool) -> Plan {
    // The order of removal follows the dependencies the baseline would give, in every region
    // something was found, in scope or no longer.
    let home = baseline.scope.home_region.as_str();
    let mut everywhere = observed.clone();
    let found_in = observed
        .resources
        .keys()
        .filter(|id| in_retired_region(home, observed, id))
        .map(|id| id.region.clone());
    everywhere.regions = observed
        .regions
        .iter()
        .cloned()
        .chain(found_in)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let desired = desired_resources(baseline, &everywhere);
    let mut dependents: BTreeMap<&ResourceId, Vec<&ResourceId>> = BTreeMap::new();
    for resource in &desired {
        for dependency in &resource.depends_on {
            dependents.entry(dependency).or_default().push(&resource.id);
        }
    }
    let mut notes = Vec::new();
    let mut doomed: BTreeMap<&ResourceId, &Live> = BTreeMap::new();
    for (id, live) in &observed.resources {
        if behind_gap(&observed.gaps, id) {
            continue;
        }
        let holds_logs = id.kind.def().holds_logs;
        let pending = matches!(
            live.spec,
            Spec::Subscription(SubscriptionSpec {
                pending_confirmation: true,
                ..
            })
        );
        if id.kind.is_account_setting() {
            notes.push(format!(
                "{id} stays: it is a setting of the account, which watchpost cannot tell it set, and turning it off would weaken the account"
            ));
        } else if !made_by_watchpost(baseline, id, live) {
            notes.push(format!(
                "{id} stays: watchpost adopted it rather than made it, and its converged settings are not rolled back"
            ));
        } else if matches!(&live.spec, Spec::Key(key) if key.key_state == "PendingDeletion") {
            notes.push(format!(
                "{id} stays until KMS deletes it: its deletion is already scheduled"
            ));
        } else if holds_logs && !delete_logs {
            notes.push(format!(
                "{id} stays: it holds logs, which are evidence; pass --delete-logs to remove it and them"
            ));
        } else if id.kind == Kind::KmsKey && !delete_logs {
            notes.push(format!(
                "{id} stays: the logs it encrypts cannot be read without it; pass --delete-logs to schedule its deletion ({KEY_DELETION_WINDOW_DAYS} days ahead) with them"
            ));
        } else if pending {
            notes.push(format!(
                "{id} stays until AWS drops it: an unconfirmed subscription cannot be removed"
            ));
        } else {
            doomed.insert(id, live);
        }
    }
    // AWS deletes a delivery channel only while its recorder is stopped; an adopted recorder
    // is not watchpost's to stop, so the channel watchpost gave it stays with it.
    let channels_kept: Vec<&ResourceId> = doomed
        .keys()
        .copied()
        .filter(|id| id.kind == Kind::ConfigDeliveryChannel)
        .filter(|id| {
            !doomed.contains_key(&ResourceId::singleton(Kind::ConfigRecording, &id.region))
        })
        .collect();
    for id in channels_kept {
        doomed.remove(id);
        notes.push(format!(
            "{id} stays: removing it would mean stopping the adopted recorder it delivers for"
        ));
    }
    let changes = doomed
        .iter()
        .map(|(id, live)| {
            // Removal runs against the arrows: a thing goes after everything that needs it.
            let after: BTreeSet<ResourceId> = dependents
                .get(id)
                .into_iter()
                .flatten()
                .filter(|dependent| doomed.contains_key(*dependent))
                .map(|dependent| (*dependent).clone())
                .collect();
            Change {
                id: (*id).clone(),
                action: Action::Delete,
                spec: live.spec.clone(),
                before: Some(live.spec.clone()),
                live_id: live.live_id.clone(),
                fields: Vec::new(),
                depends_on: after.into_iter().collect(),
            }
        })
        .collect();
    Plan {
        account_id: observed.account_id.clone(),
        home_region: baseline.scope.home_region.clone(),
        regions: observed.regions.clone(),
        changes,
        unchanged: Vec::new(),
        gaps: observed.gaps.clone(),
        notes,
    }
}
