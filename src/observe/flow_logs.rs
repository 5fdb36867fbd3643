//! `[vpc_flow_logs]`: the VPCs of a region, and watchpost's flow logs there.

use aws_sdk_ec2::types::{Filter, FlowLog};

use super::Read;
use crate::aws::{AwsError, Context, Session};
use crate::model::{FlowLogSpec, Kind, Live, MANAGED_TAG, ResourceId, Spec};

/// The ids of the region's VPCs.
pub async fn vpcs(session: &Session, region: &str) -> Result<Vec<String>, AwsError> {
    let place = ResourceId::singleton(Kind::FlowLog, region);
    let mut pages = session.ec2(region).describe_vpcs().into_paginator().send();
    let mut vpcs = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.call("ec2:DescribeVpcs", &place)?;
        vpcs.extend(
            page.vpcs()
                .iter()
                .filter_map(|vpc| vpc.vpc_id().map(str::to_owned)),
        );
    }
    vpcs.sort();
    Ok(vpcs)
}

/// watchpost's flow logs in the region: those that carry its tag. Another's flow log on a VPC
/// is not read: it is theirs, and watchpost's is made beside it.
pub async fn watchposts(session: &Session, region: &str) -> Result<Vec<FlowLog>, AwsError> {
    let place = ResourceId::singleton(Kind::FlowLog, region);
    let mut pages = session
        .ec2(region)
        .describe_flow_logs()
        .filter(
            Filter::builder()
                .name(format!("tag:{}", MANAGED_TAG.0))
                .values(MANAGED_TAG.1)
                .build(),
        )
        .into_paginator()
        .send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.call("ec2:DescribeFlowLogs", &place)?;
        found.extend(page.flow_logs().iter().cloned());
    }
    Ok(found)
}

/// The VPC a flow log is on; `None` for one on a subnet or a network interface.
pub fn vpc_of(flow_log: &FlowLog) -> Option<&str> {
    flow_log.resource_id().filter(|id| id.starts_with("vpc-"))
}

/// watchpost's flow logs in the region, each named by its VPC.
pub async fn flow_logs(session: &Session, region: &str) -> Read {
    let place = ResourceId::singleton(Kind::FlowLog, region);
    let found = watchposts(session, region)
        .await
        .map_err(|error| (vec![place], error))?;
    Ok(found
        .iter()
        .filter_map(|flow_log| {
            let vpc = vpc_of(flow_log)?;
            let spec = FlowLogSpec {
                traffic_type: flow_log
                    .traffic_type()
                    .map(|kind| kind.as_str().to_owned())
                    .unwrap_or_default(),
                log_destination: flow_log.log_destination().unwrap_or_default().to_owned(),
                max_aggregation_interval: flow_log.max_aggregation_interval().unwrap_or(0),
            };
            Some((
                ResourceId::new(Kind::FlowLog, region, vpc),
                Live {
                    spec: Spec::FlowLog(spec),
                    live_id: flow_log.flow_log_id().map(str::to_owned),
                    owned: true,
                },
            ))
        })
        .collect())
}
