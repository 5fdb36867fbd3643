//! What the cost estimate at the end of `plan` needs beyond what the plan reads: the resources
//! AWS Config records in each region, the account's other trails, and whether watchpost's trail
//! logs data events. Each read that fails leaves its figure to an assumption of the estimate,
//! with the call and the reason; it is never a gap in the plan, nor a reason to exit non-zero.

use futures::future::join_all;

use crate::aws::{AwsError, Context, Session};
use crate::baseline::Baseline;
use crate::model::{Kind, Observed, ResourceId, Spec};
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

/// What the estimate reads, before the plan's reading says which of it counts. The reads go
/// out beside the plan's own, so that the estimate adds no round trip to a plan's: a region's
/// count is asked whether or not its recorder records; [`UsageReading::settle`] keeps what the
/// plan's reading vouches for.
/// A converged account makes the same calls as it would one after the other.
pub struct UsageReading {
    recorded_resources: Vec<(String, Result<u64, Unread>)>,
    other_trails: Option<Result<Vec<String>, Unread>>,
}

/// Reads what the plan's reading of the account leaves open for the estimate, in `regions` (the
/// regions in scope).
pub async fn usage(session: &Session, baseline: &Baseline, regions: &[String]) -> UsageReading {
    let home = baseline.scope.home_region.as_str();
    let counted: &[String] = if baseline.config.is_some() {
        regions
    } else {
        &[]
    };
    let counts = join_all(counted.iter().map(|region| async move {
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
            return None;
        };
        let answer = session
            .cloudtrail(home)
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .call("cloudtrail:DescribeTrails", format!("the trails in {home}"));
        Some(
            answer
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
                .map_err(unread),
        )
    };
    let (recorded_resources, other_trails) = tokio::join!(counts, trails);
    UsageReading {
        recorded_resources,
        other_trails,
    }
}

impl UsageReading {
    /// What the estimate uses, given `observed`, the plan's reading of the same account. Regions
    /// whose recorder is not recording yet are not counted: Config counts nothing there. Whether
    /// the trail logs data events is the plan's own reading of its selectors, when it exists.
    pub fn settle(self, baseline: &Baseline, observed: &Observed) -> Usage {
        let home = baseline.scope.home_region.as_str();
        let trail = baseline.cloudtrail.as_ref().and_then(|cloudtrail| {
            let id = ResourceId::new(Kind::CloudtrailTrail, home, &cloudtrail.name);
            match observed.resources.get(&id).map(|live| &live.spec) {
                Some(Spec::Trail(trail)) => Some(trail.logs_data_events),
                _ => None,
            }
        });
        Usage {
            recorded_resources: self
                .recorded_resources
                .into_iter()
                .filter(|(region, _)| observed.is_recording(region))
                .collect(),
            other_trails: self.other_trails,
            trail_data_events: trail,
        }
    }
}
