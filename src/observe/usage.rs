//! What the cost estimate at the end of `plan` needs beyond what the plan reads: the resources
//! AWS Config records in each region, the account's other trails, and whether watchpost's trail
//! logs data events. Each read that fails leaves its figure to an assumption of the estimate,
//! with the call and the reason; it is never a gap in the plan, nor a reason to exit non-zero.

use futures::future::join_all;

use crate::aws::{AwsError, Context, Session};
use crate::baseline::Baseline;
use crate::model::{Kind, Observed, RecordingSpec, ResourceId, Spec};
use crate::model::{Unread, Usage};

/// A failed read as the estimate and `status` report it: the call, and AWS's answer with its
/// hint on a line of its own (status shows the first line, then the rest indented).
pub fn unread(error: AwsError) -> Unread {
    let reason = match &error.code {
        Some(code) => format!("{code}: {}", error.detail),
        None => error.detail.clone(),
    };
    let reason = crate::error::with_hint(reason, error.hint());
    Unread {
        call: error.call,
        reason,
    }
}

/// Reads what `observed` (the plan's reading of the account) leaves open for the estimate.
/// Regions whose recorder is not recording yet are not counted: Config counts nothing there.
pub async fn usage(session: &Session, baseline: &Baseline, observed: &Observed) -> Usage {
    let home = baseline.scope.home_region.as_str();
    let recording: Vec<&String> = if baseline.config.is_some() {
        observed
            .regions
            .iter()
            .filter(|region| {
                matches!(
                    observed
                        .resources
                        .get(&ResourceId::singleton(Kind::ConfigRecording, region))
                        .map(|live| &live.spec),
                    Some(Spec::Recording(RecordingSpec {
                        recording: true,
                        ..
                    }))
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let counts = join_all(recording.into_iter().map(|region| async move {
        let count = session
            .config(region)
            .get_discovered_resource_counts()
            .send()
            .await
            .call(
                "config:GetDiscoveredResourceCounts",
                format!("AWS Config in {region}"),
            )
            .map(|answer| u64::try_from(answer.total_discovered_resources()).unwrap_or(0))
            .map_err(unread);
        (region.clone(), count)
    }));
    let trails = async {
        let Some(cloudtrail) = &baseline.cloudtrail else {
            return (None, None);
        };
        let own = ResourceId::new(Kind::CloudtrailTrail, home, &cloudtrail.name);
        let client = session.cloudtrail(home);
        let others = async {
            client
                .describe_trails()
                .include_shadow_trails(true)
                .send()
                .await
                .call("cloudtrail:DescribeTrails", format!("the trails in {home}"))
                .map(|answer| {
                    let mut names: Vec<String> = answer
                        .trail_list()
                        .iter()
                        .filter(|trail| {
                            !(trail.name() == Some(cloudtrail.name.as_str())
                                && trail.home_region() == Some(home))
                        })
                        .filter_map(|trail| trail.name().map(str::to_owned))
                        .collect();
                    names.sort();
                    names
                })
                .map_err(unread)
        };
        let data_events = async {
            if !observed.resources.contains_key(&own) {
                return None;
            }
            Some(
                client
                    .get_event_selectors()
                    .trail_name(&cloudtrail.name)
                    .send()
                    .await
                    .call("cloudtrail:GetEventSelectors", &own)
                    .map(|answer| {
                        let basic = answer
                            .event_selectors()
                            .iter()
                            .any(|selector| !selector.data_resources().is_empty());
                        let advanced = answer.advanced_event_selectors().iter().any(|selector| {
                            selector.field_selectors().iter().any(|field| {
                                field.field() == "eventCategory"
                                    && field.equals().iter().any(|value| value == "Data")
                            })
                        });
                        basic || advanced
                    })
                    .map_err(unread),
            )
        };
        let (others, data_events) = tokio::join!(others, data_events);
        (Some(others), data_events)
    };
    let (counts, (other_trails, trail_data_events)) = tokio::join!(counts, trails);
    Usage {
        recorded_resources: counts.into_iter().collect(),
        other_trails,
        trail_data_events,
    }
}
