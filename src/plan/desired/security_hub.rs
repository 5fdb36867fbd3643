//! `[security_hub]`: the hub of every region in scope with the standards the baseline names, and
//! a finding aggregator in the home region linking the others.

use std::collections::BTreeSet;

use super::{Context, Desired};
use crate::baseline::{Baseline, SecurityHub};
use crate::model::{
    FindingAggregatorSpec, Kind, Observed, ResourceId, SecurityHubSpec, Spec, resolve_standard,
};

pub fn resources(context: &Context<'_>, hub: &SecurityHub, desired: &mut Vec<Desired>) {
    let regions = context.placed(Kind::SecurityHub);
    for region in &regions {
        let id = ResourceId::singleton(Kind::SecurityHub, region);
        let live = match context.live(&id) {
            Some(Spec::SecurityHub(live)) => Some(live),
            _ => None,
        };
        let offered = live.map(|live| live.offered.as_slice()).unwrap_or_default();
        // Another's standards stay: watchpost adds the ones named.
        let mut standards = live.map(|live| live.standards.clone()).unwrap_or_default();
        standards.extend(
            hub.standards
                .iter()
                .map(|standard| resolve_standard(standard, offered, context.partition, region)),
        );
        // Security Hub's controls are AWS Config rules on what Config records: a standard
        // enabled where no recorder exists is INCOMPLETE, NO_AVAILABLE_CONFIGURATION_RECORDER
        // (Config's own word for there being none, "use PutConfigurationRecorder").
        let depends_on = match context.baseline.config {
            Some(_) => vec![ResourceId::singleton(Kind::ConfigRecorder, region)],
            None => Vec::new(),
        };
        desired.push(Desired {
            id,
            spec: Spec::SecurityHub(SecurityHubSpec {
                standards,
                offered: Vec::new(),
                not_ready: Vec::new(),
            }),
            depends_on,
        });
    }
    if hub.aggregate_findings {
        desired.extend(finding_aggregator(context, &regions));
    }
}

/// The aggregator of the home region, linking every other region in scope: one someone set up
/// is widened to them, a new one links them alone. None when the scope is the home region only.
/// The account's aggregator in another region is left as it is: an account has one, and moving
/// it would move where everyone reads findings (the plan says so).
fn finding_aggregator(context: &Context<'_>, regions: &[String]) -> Option<Desired> {
    let home_hub = ResourceId::singleton(Kind::SecurityHub, context.home);
    let id = ResourceId::singleton(Kind::FindingAggregator, context.home);
    let linked: BTreeSet<String> = regions
        .iter()
        .filter(|region| *region != context.home)
        .cloned()
        .collect();
    let spec = match context.live(&id) {
        Some(Spec::FindingAggregator(live)) if live.aggregation_region != context.home => {
            live.clone()
        }
        Some(Spec::FindingAggregator(live)) => live.linking(&linked),
        _ if linked.is_empty() => return None,
        _ => FindingAggregatorSpec {
            region_linking_mode: "SPECIFIED_REGIONS".to_owned(),
            regions: linked,
            aggregation_region: context.home.to_owned(),
        },
    };
    Some(Desired {
        id,
        spec: Spec::FindingAggregator(spec),
        depends_on: vec![home_hub],
    })
}

/// What a reviewer should know of the hubs as read: a standard Security Hub could not set up
/// fully, and findings aggregated somewhere other than the home region.
pub fn notes(baseline: &Baseline, observed: &Observed) -> Vec<String> {
    let Some(hub) = &baseline.security_hub else {
        return Vec::new();
    };
    let home = baseline.scope.home_region.as_str();
    let mut notes = Vec::new();
    for (id, live) in &observed.resources {
        match &live.spec {
            Spec::SecurityHub(spec) => {
                for (standard, status) in &spec.not_ready {
                    notes.push(format!(
                        "{id}: the standard {standard} is {status}, not READY; NO_AVAILABLE_CONFIGURATION_RECORDER means the region has no AWS Config recorder, which [config] makes"
                    ));
                }
            }
            Spec::FindingAggregator(spec)
                if hub.aggregate_findings && spec.aggregation_region != home =>
            {
                notes.push(format!(
                    "{id}: the account's findings are aggregated into {}, not the home region {home}; watchpost leaves that aggregator as it is (an account has one): to read them in {home}, delete it in {} and apply again",
                    spec.aggregation_region, spec.aggregation_region
                ));
            }
            _ => {}
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use crate::baseline::Baseline;
    use crate::model::{
        FindingAggregatorSpec, Kind, Live, Observed, ResourceId, SecurityHubSpec, Spec,
    };
    use crate::plan::{Action, plan};

    fn baseline(regions: &str, sections: &str) -> Baseline {
        let source = format!(
            "[scope]\nregions = [{regions}]\nhome_region = \"us-east-1\"\n[security_hub]\n{sections}"
        );
        Baseline::parse("baseline.toml", &source).unwrap()
    }

    fn account(regions: &[&str]) -> Observed {
        Observed {
            account_id: "111122223333".to_owned(),
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            ..Observed::default()
        }
    }

    fn theirs(spec: Spec) -> Live {
        Live {
            spec,
            live_id: Some("arn:theirs".to_owned()),
            owned: false,
        }
    }

    fn hub(standards: &[&str], offered: &[&str]) -> Spec {
        Spec::SecurityHub(SecurityHubSpec {
            standards: standards.iter().map(|s| (*s).to_owned()).collect(),
            offered: offered.iter().map(|s| (*s).to_owned()).collect(),
            not_ready: Vec::new(),
        })
    }

    fn changes(plan: &crate::plan::Plan) -> Vec<(String, Action)> {
        plan.changes
            .iter()
            .map(|change| (change.id.to_string(), change.action))
            .collect()
    }

    const CIS_3: &str =
        "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0";
    const CIS_5: &str =
        "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/5.0.0";

    #[test]
    fn one_region_has_a_hub_and_no_aggregator_to_link_nothing() {
        let plan = plan(&baseline("\"us-east-1\"", ""), &account(&["us-east-1"]));
        assert_eq!(
            changes(&plan),
            [("security_hub/us-east-1".to_owned(), Action::Create)]
        );
    }

    #[test]
    fn an_adopted_hub_keeps_its_standards_and_gains_the_latest_it_offers() {
        let mut observed = account(&["us-east-1"]);
        let offered = [CIS_3, CIS_5];
        observed.resources.insert(
            ResourceId::singleton(Kind::SecurityHub, "us-east-1"),
            theirs(hub(&[CIS_3], &offered)),
        );
        let plan = plan(
            &baseline(
                "\"us-east-1\"",
                "standards = [\"cis-aws-foundations-benchmark\"]\n",
            ),
            &observed,
        );
        let Spec::SecurityHub(wanted) = &plan.changes[0].spec else {
            panic!("{plan:?}");
        };
        assert_eq!(
            wanted.standards.iter().collect::<Vec<_>>(),
            [CIS_3, CIS_5],
            "the version enabled stays beside the latest"
        );
        let pinned = crate::plan::plan(
            &baseline(
                "\"us-east-1\"",
                "standards = [\"cis-aws-foundations-benchmark/v/3.0.0\"]\n",
            ),
            &observed,
        );
        assert!(pinned.is_empty(), "{pinned:?}");
    }

    #[test]
    fn a_hub_someone_else_enabled_is_never_disabled() {
        let mut observed = account(&["us-east-1"]);
        observed.resources.insert(
            ResourceId::singleton(Kind::SecurityHub, "us-east-1"),
            theirs(hub(&[CIS_5], &[])),
        );
        let without = Baseline::parse(
            "baseline.toml",
            "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n",
        )
        .unwrap();
        let plan = plan(&without, &observed);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        let destroyed =
            crate::plan::destroy::destroy(&baseline("\"us-east-1\"", ""), &observed, false);
        assert!(destroyed.changes.is_empty(), "{:?}", destroyed.changes);
    }

    #[test]
    fn an_aggregator_in_another_region_stays_and_the_plan_says_where_findings_go() {
        let mut observed = account(&["eu-west-1", "us-east-1"]);
        observed.resources.insert(
            ResourceId::singleton(Kind::FindingAggregator, "us-east-1"),
            theirs(Spec::FindingAggregator(FindingAggregatorSpec {
                region_linking_mode: "ALL_REGIONS".to_owned(),
                regions: Default::default(),
                aggregation_region: "eu-west-1".to_owned(),
            })),
        );
        let plan = plan(&baseline("\"eu-west-1\", \"us-east-1\"", ""), &observed);
        assert!(
            !changes(&plan)
                .iter()
                .any(|(id, _)| id.starts_with("finding_aggregator")),
            "{:?}",
            plan.changes
        );
        assert!(
            plan.notes.iter().any(|note| note
                .contains("findings are aggregated into eu-west-1, not the home region us-east-1")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn a_standard_security_hub_could_not_set_up_is_noted_with_its_reason() {
        let mut observed = account(&["us-east-1"]);
        let Spec::SecurityHub(mut live) = hub(&[CIS_5], &[CIS_5]) else {
            unreachable!()
        };
        live.not_ready = vec![(
            CIS_5.to_owned(),
            "INCOMPLETE (NO_AVAILABLE_CONFIGURATION_RECORDER)".to_owned(),
        )];
        observed.resources.insert(
            ResourceId::singleton(Kind::SecurityHub, "us-east-1"),
            theirs(Spec::SecurityHub(live)),
        );
        let plan = plan(
            &baseline(
                "\"us-east-1\"",
                "standards = [\"cis-aws-foundations-benchmark\"]\n",
            ),
            &observed,
        );
        assert!(plan.changes.is_empty());
        assert_eq!(
            plan.notes,
            [format!(
                "security_hub/us-east-1: the standard {CIS_5} is INCOMPLETE (NO_AVAILABLE_CONFIGURATION_RECORDER), not READY; NO_AVAILABLE_CONFIGURATION_RECORDER means the region has no AWS Config recorder, which [config] makes"
            )]
        );
    }

    #[test]
    fn with_config_each_hub_waits_for_the_recorder_of_its_region() {
        let source = "[scope]\nregions = [\"eu-west-1\"]\nhome_region = \"eu-west-1\"\n[config]\n[security_hub]\n";
        let baseline = Baseline::parse("baseline.toml", source).unwrap();
        let desired = super::super::desired_resources(&baseline, &account(&["eu-west-1"]));
        let hub = desired
            .iter()
            .find(|d| d.id.kind == Kind::SecurityHub)
            .unwrap();
        assert_eq!(
            hub.depends_on,
            [ResourceId::singleton(Kind::ConfigRecorder, "eu-west-1")]
        );
    }
}
