use super::Read;
use crate::aws::{AbsentIfNotFound, Context, Session};
use crate::event_selectors::{
    logs_data_events, logs_every_management_event, watchpost_s3_data_events,
};
use crate::model::{Kind, Live, ResourceId, Spec, TrailSpec, is_managed_tag};

/// The trail of that name in the home region, and whether it is logging.
/// `ownership`: also read its tags, which only `destroy` needs.
pub async fn trail(session: &Session, home: &str, name: &str, ownership: bool) -> Read {
    let id = ResourceId::new(Kind::CloudtrailTrail, home, name);
    let failed = |error| (vec![id.clone()], error);
    let client = session.cloudtrail(home);
    // The status and the event selectors are asked by the trail's name, beside the trail
    // itself: for a trail that is not there, their TrailNotFound says again what DescribeTrails
    // says.
    let (answer, status, selectors) = tokio::join!(
        async {
            client
                .describe_trails()
                .trail_name_list(name)
                .include_shadow_trails(false)
                .send()
                .await
                .call("cloudtrail:DescribeTrails", &id)
                .absent_if_not_found()
        },
        async {
            client
                .get_trail_status()
                .name(name)
                .send()
                .await
                .call("cloudtrail:GetTrailStatus", &id)
        },
        async {
            client
                .get_event_selectors()
                .trail_name(name)
                .send()
                .await
                .call("cloudtrail:GetEventSelectors", &id)
        }
    );
    let Some(answer) = answer.map_err(failed)? else {
        return Ok(Vec::new());
    };
    let Some(trail) = answer
        .trail_list()
        .iter()
        .find(|trail| trail.name() == Some(name))
    else {
        return Ok(Vec::new());
    };
    let status = status.map_err(failed)?;
    let selectors = selectors.map_err(failed)?;
    let owned = if ownership {
        let tags = client
            .list_tags()
            .resource_id_list(trail.trail_arn().unwrap_or_default())
            .send()
            .await
            .call("cloudtrail:ListTags", &id)
            .map_err(failed)?;
        tags.resource_tag_list()
            .iter()
            .flat_map(|resource| resource.tags_list())
            .any(|tag| is_managed_tag(tag.key(), tag.value()))
    } else {
        false
    };
    let text = |value: Option<&str>| value.filter(|v| !v.is_empty()).map(str::to_owned);
    Ok(vec![(
        id,
        Live {
            spec: Spec::Trail(TrailSpec {
                s3_bucket_name: trail.s3_bucket_name().unwrap_or_default().to_owned(),
                s3_key_prefix: text(trail.s3_key_prefix()),
                multi_region: trail.is_multi_region_trail().unwrap_or(false),
                include_global_service_events: trail
                    .include_global_service_events()
                    .unwrap_or(false),
                log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
                cloud_watch_logs_log_group_arn: text(trail.cloud_watch_logs_log_group_arn()),
                cloud_watch_logs_role_arn: text(trail.cloud_watch_logs_role_arn()),
                kms_key_id: text(trail.kms_key_id()),
                logging: status.is_logging().unwrap_or(false),
                management_events: logs_every_management_event(&selectors),
                s3_data_events: watchpost_s3_data_events(selectors.advanced_event_selectors()),
                logs_data_events: logs_data_events(&selectors),
            }),
            live_id: None,
            owned,
        },
    )])
}
