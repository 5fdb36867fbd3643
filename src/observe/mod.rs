//! Reads the live account: concurrently per region and service, only what the baseline needs.
//! A read that fails is recorded as a gap for the planner, never an abort of the whole read.

mod account;
mod cloudtrail;
mod cloudwatch;
mod config;
mod events;
mod guardduty;
pub mod health;
mod iam;
mod kms;
mod logs;
mod s3;
mod sns;
mod usage;

use std::collections::{BTreeMap, BTreeSet};

use futures::future::{BoxFuture, join_all};

use crate::aws::{AwsError, Context, Session};
use crate::baseline::{Baseline, RegionSelection};
use crate::error::Hinted;
use crate::model::{GLOBAL, Gap, Kind, Live, Observed, ResourceId, Standing, partition};

use usage::unread;
pub use usage::usage;

/// The account the credentials belong to.
pub async fn caller_account(session: &Session, region: &str) -> Result<String, AwsError> {
    let identity = session
        .sts(region)
        .get_caller_identity()
        .send()
        .await
        .call("sts:GetCallerIdentity", "the caller")?;
    Ok(identity.account().unwrap_or_default().to_owned())
}

/// The account's regions in the home region's partition (credentials work in one partition
/// only, whatever an endpoint lists): those enabled, and the opt-in regions not enabled.
async fn partition_regions(
    session: &Session,
    home: &str,
    account_region: &str,
) -> Result<(Vec<String>, Vec<String>), AwsError> {
    let answer = session
        .ec2(account_region)
        .describe_regions()
        .all_regions(true)
        .send()
        .await
        .call("ec2:DescribeRegions", "the account's enabled regions")?;
    let (mut enabled, mut not_enabled) = (Vec::new(), Vec::new());
    for region in answer.regions() {
        let Some(name) = region.region_name() else {
            continue;
        };
        if partition(name) != partition(home) {
            continue;
        }
        match region.opt_in_status() {
            Some("not-opted-in") => not_enabled.push(name.to_owned()),
            _ => enabled.push(name.to_owned()),
        }
    }
    enabled.sort();
    not_enabled.sort();
    Ok((enabled, not_enabled))
}

/// Where the baseline applies, the enabled regions it no longer covers (where what watchpost
/// made is removed), and the regions skipped because the account has not enabled them.
#[derive(Clone)]
pub struct Regions {
    pub in_scope: Vec<String>,
    pub retired: Vec<String>,
    pub not_enabled: Vec<String>,
}

pub async fn regions(
    session: &Session,
    baseline: &Baseline,
    account_region: &str,
) -> anyhow::Result<Regions> {
    let (enabled, not_enabled) =
        partition_regions(session, &baseline.scope.home_region, account_region).await?;
    match &baseline.scope.regions {
        RegionSelection::All => Ok(Regions {
            in_scope: enabled,
            retired: Vec::new(),
            not_enabled,
        }),
        RegionSelection::Listed(listed) => {
            let missing: Vec<&str> = listed
                .iter()
                .filter(|r| !enabled.contains(r))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                anyhow::bail!(Hinted::new(
                    format!(
                        "the baseline lists regions this account has not enabled: {}",
                        missing.join(", ")
                    ),
                    "enable them for the account (opt-in regions), or remove them from scope.regions",
                ));
            }
            let mut in_scope = listed.clone();
            in_scope.sort();
            let retired = enabled
                .into_iter()
                .filter(|r| !listed.contains(r))
                .collect();
            Ok(Regions {
                in_scope,
                retired,
                not_enabled: Vec::new(),
            })
        }
    }
}

type Read = Result<Vec<(ResourceId, Live)>, (Vec<ResourceId>, AwsError)>;

/// Everything the baseline manages, as it is now.
pub async fn account(
    session: &Session,
    baseline: &Baseline,
    account_id: String,
    regions: Regions,
    ownership: bool,
) -> Observed {
    let home = baseline.scope.home_region.as_str();
    let Regions {
        in_scope,
        retired,
        not_enabled,
    } = regions;
    let mut observed = Observed {
        account_id,
        regions: in_scope,
        regions_not_enabled: not_enabled,
        ..Observed::default()
    };
    let (account_id, regions) = (&observed.account_id, &observed.regions);
    let read_in: BTreeMap<Kind, Vec<(String, Standing)>> = Kind::all()
        .map(|kind| (kind, kind.regions_to_read(home, regions, &retired)))
        .collect();
    let wanted_rules: BTreeSet<String> = baseline
        .config
        .iter()
        .flat_map(|config| config.rules.keys().cloned())
        .collect();
    let mut reads: Vec<(&str, BoxFuture<'_, Read>)> = Vec::new();
    if baseline.guardduty.is_some() {
        for (region, _) in &read_in[&Kind::GuarddutyDetector] {
            reads.push(tagged(region, guardduty::detector(session, region)));
        }
    }
    if baseline.config.is_some() || baseline.cloudtrail.is_some() {
        let bucket = baseline.log_bucket_name(account_id);
        reads.push(tagged(
            home,
            s3::log_bucket(session, home, bucket, ownership),
        ));
    }
    if let Some(config) = &baseline.config {
        reads.push(tagged(home, iam::role(session, home, &config.role_name)));
        for (region, standing) in &read_in[&Kind::ConfigRecorder] {
            let (ownership, reach) = match standing {
                Standing::Placed => (ownership, config::Reach::Everything),
                Standing::Retired => (true, config::Reach::Leftovers),
            };
            reads.push(tagged(
                region,
                config::region(session, region, &wanted_rules, ownership, reach),
            ));
        }
    }
    if let Some(cloudtrail) = &baseline.cloudtrail {
        reads.push(tagged(
            home,
            iam::role(session, home, &cloudtrail.role_name),
        ));
        reads.push(tagged(
            home,
            cloudtrail::trail(session, home, &cloudtrail.name, ownership),
        ));
        let namespace = baseline
            .alarms
            .as_ref()
            .map(|alarms| alarms.metric_namespace.as_str());
        reads.push(tagged(
            home,
            logs::log_group(
                session,
                home,
                &cloudtrail.log_group_name,
                namespace,
                ownership,
            ),
        ));
    }
    if let Some(alerts) = &baseline.alerts {
        reads.push(tagged(
            home,
            sns::topic(
                session,
                home,
                account_id,
                &alerts.topic_name,
                sns::Audience::Baseline { ownership },
            ),
        ));
        // Alerts once had a topic per region; what watchpost made there goes, so the topic's
        // tags are read, and its subscriptions are watchpost's only if the topic is.
        for region in regions.iter().chain(&retired).filter(|r| *r != home) {
            reads.push(tagged(
                region,
                sns::topic(
                    session,
                    region,
                    account_id,
                    &alerts.topic_name,
                    sns::Audience::TopicOwner,
                ),
            ));
        }
        reads.push(tagged(
            home,
            iam::role(session, home, &alerts.forward_role_name),
        ));
    }
    if let Some(signin) = &baseline.signin_notification {
        for (region, standing) in &read_in[&Kind::SigninRule] {
            let ownership = ownership || *standing == Standing::Retired;
            reads.push(tagged(
                region,
                events::rule(
                    session,
                    region,
                    Kind::SigninRule,
                    &signin.rule_name,
                    *standing,
                    ownership,
                ),
            ));
        }
    }
    if let (Some(findings), Some(_)) = (
        baseline
            .guardduty
            .as_ref()
            .and_then(|guardduty| guardduty.finding_alerts.as_ref()),
        &baseline.alerts,
    ) {
        for (region, standing) in &read_in[&Kind::FindingRule] {
            let ownership = ownership || *standing == Standing::Retired;
            reads.push(tagged(
                region,
                events::rule(
                    session,
                    region,
                    Kind::FindingRule,
                    &findings.rule_name,
                    *standing,
                    ownership,
                ),
            ));
        }
    }
    if let Some(kms) = &baseline.kms {
        reads.push(tagged(home, kms::key(session, home, &kms.alias, ownership)));
    }
    if let Some(alarms) = &baseline.alarms {
        reads.push(tagged(
            home,
            cloudwatch::alarms(session, home, alarms, ownership),
        ));
    }
    if baseline.password_policy.is_some() {
        reads.push(tagged(home, account::password_policy(session, home)));
    }
    if baseline.security_contact.is_some() {
        reads.push(tagged(home, account::security_contact(session, home)));
    }
    if baseline.account_public_access_block.is_some() {
        reads.push(tagged(
            home,
            account::public_access_block(session, home, account_id),
        ));
    }
    if let Some(ebs) = &baseline.ebs_encryption {
        for (region, _) in &read_in[&Kind::EbsEncryption] {
            let read_key = ebs.kms_key_ids.contains_key(region);
            reads.push(tagged(
                region,
                account::ebs_encryption(session, region, read_key),
            ));
        }
    }
    if let Some(analyzer) = &baseline.access_analyzer {
        for (region, _) in &read_in[&Kind::AccessAnalyzer] {
            reads.push(tagged(
                region,
                account::access_analyzer(session, region, &analyzer.name),
            ));
        }
    }
    let progress =
        crate::progress::Reading::start(account_id, reads.iter().map(|(region, _)| *region));
    let reads = join_all(reads.into_iter().map(|(region, read)| {
        let progress = &progress;
        async move {
            let result = read.await;
            progress.read_done(region);
            result
        }
    }))
    .await;
    drop(progress);
    for read in reads {
        match read {
            Ok(found) => observed.resources.extend(found),
            Err((places, error)) => {
                for place in places {
                    observed.gaps.push(gap(&place, &error));
                }
            }
        }
    }
    observed.gaps.sort();
    observed.gaps.dedup();
    observed
}

/// A read, with the region it is of, for the progress display.
fn tagged<'a>(
    region: &'a str,
    read: impl Future<Output = Read> + Send + 'a,
) -> (&'a str, BoxFuture<'a, Read>) {
    (region, Box::pin(read))
}

/// The places a failed read of `kind` leaves unknown.
fn unknown(kinds: &[Kind], region: &str) -> Vec<ResourceId> {
    kinds
        .iter()
        .map(|kind| ResourceId::singleton(*kind, region))
        .collect()
}

fn global(kind: Kind, name: &str) -> ResourceId {
    ResourceId::new(kind, GLOBAL, name)
}

/// A part of the account `error` left unread. The reason is quoted inside a sentence of the
/// plan, so the hint is kept apart from it.
fn gap(place: &ResourceId, error: &AwsError) -> Gap {
    Gap {
        place: place.to_string(),
        call: error.call.clone(),
        reason: error.to_string(),
        hint: error.hint(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Class;

    #[test]
    fn a_gaps_reason_carries_no_hint() {
        let place = ResourceId::singleton(Kind::GuarddutyDetector, "eu-west-1");
        let denied = AwsError {
            call: "guardduty:ListDetectors".to_owned(),
            resource: place.to_string(),
            class: Class::Denied,
            code: Some("AccessDeniedException".to_owned()),
            detail: "not authorized".to_owned(),
            setup_hint: None,
        };
        let gap = gap(&place, &denied);
        assert_eq!(
            gap.reason,
            "guardduty:ListDetectors for guardduty_detector/eu-west-1 failed: AccessDeniedException: not authorized"
        );
        assert!(gap.hint.is_some_and(|hint| {
            hint.starts_with("the caller needs the permission guardduty:ListDetectors")
        }));
    }
}
