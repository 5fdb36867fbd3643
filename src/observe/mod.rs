//! Reads the live account: concurrently per region and service, only what the baseline needs.
//! A read that fails is recorded as a gap for the planner, never an abort of the whole read.

mod account;
mod cloudtrail;
mod cloudwatch;
mod config;
mod events;
mod flow_logs;
mod guardduty;
pub mod health;
mod iam;
mod kms;
mod logs;
mod s3;
mod security_hub;
mod sns;
mod usage;

use std::collections::{BTreeMap, BTreeSet};

use futures::future::{BoxFuture, join, join_all};

use crate::aws::{AwsError, Context, Session};
use crate::baseline::{AccountSelection, Baseline, RegionSelection};
use crate::error::Hinted;
use crate::model::{
    ALARM_RULE_NAME, DRILL_RULE_NAME, GLOBAL, Gap, Kind, Live, Observed, ResourceId, Standing,
    partition,
};

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

/// Where the baseline applies, the enabled regions it leaves out (where what watchpost made
/// may be left over), and the regions skipped because the account has not enabled them.
pub struct Regions {
    pub in_scope: Vec<String>,
    pub out_of_scope: Vec<String>,
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
            out_of_scope: Vec::new(),
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
            let out_of_scope = enabled
                .into_iter()
                .filter(|r| !listed.contains(r))
                .collect();
            Ok(Regions {
                in_scope,
                out_of_scope,
                not_enabled: Vec::new(),
            })
        }
    }
}

type Read = Result<Vec<(ResourceId, Live)>, (Vec<ResourceId>, AwsError)>;

/// Everything the baseline manages, as it is now. `retired` gives the regions out of scope to
/// read for what watchpost left there once it is known (the record of the regions watchpost
/// covered answers it): the reads in scope start at once and do not wait for it.
pub async fn account(
    session: &Session,
    baseline: &Baseline,
    account_id: String,
    regions: Regions,
    retired: impl Future<Output = Vec<String>>,
    ownership: bool,
) -> Observed {
    let home = baseline.scope.home_region.as_str();
    let Regions {
        in_scope,
        not_enabled,
        ..
    } = regions;
    let mut observed = Observed {
        account_id,
        regions: in_scope,
        regions_not_enabled: not_enabled,
        ..Observed::default()
    };
    let (account_id, regions) = (&observed.account_id, &observed.regions);
    let wanted_rules: BTreeSet<String> = baseline
        .config
        .iter()
        .flat_map(|config| config.rules.keys().cloned())
        .collect();
    let rule_names = baseline.event_rule_names();
    let rules = events::RuleLists::new(session, &rule_names);
    let reader = Reader {
        session,
        baseline,
        account_id,
        home,
        wanted_rules: &wanted_rules,
        rules: &rules,
        ownership,
    };
    let placed_in: BTreeMap<Kind, Vec<(String, Standing)>> = Kind::all()
        .map(|kind| (kind, kind.regions_to_read(home, regions, &[])))
        .collect();
    let mut placed = reader.home_reads();
    placed.extend(reader.regional_reads(&placed_in, regions));
    let progress =
        crate::progress::Reading::start(account_id, placed.iter().map(|(region, _)| *region));
    let leftovers = async {
        let retired = retired.await;
        let retired_in: BTreeMap<Kind, Vec<(String, Standing)>> = Kind::all()
            .map(|kind| {
                let leftovers = kind
                    .regions_to_read(home, regions, &retired)
                    .into_iter()
                    .filter(|(_, standing)| *standing == Standing::Retired)
                    .collect();
                (kind, leftovers)
            })
            .collect();
        let reads = reader.regional_reads(&retired_in, &retired);
        progress.add(reads.iter().map(|(region, _)| *region));
        run(reads, &progress).await
    };
    let security_account = baseline
        .alerts
        .as_ref()
        .and_then(|alerts| alerts.central_bus.as_ref())
        .is_some_and(|bus| bus.account == *account_id);
    let organization_wanted = security_account
        && baseline
            .accounts
            .as_ref()
            .is_some_and(|accounts| accounts.selection == AccountSelection::Organization);
    let organization = async {
        if organization_wanted {
            Some(events::organization_id(session, home).await)
        } else {
            None
        }
    };
    // The VPCs to cover: those of each region in scope, read beside the rest.
    let vpcs =
        async {
            if baseline.vpc_flow_logs.is_none() {
                return Vec::new();
            }
            join_all(regions.iter().map(|region| async move {
                (region.clone(), flow_logs::vpcs(session, region).await)
            }))
            .await
        };
    let (((placed, leftovers), organization), vpcs) = join(
        join(join(run(placed, &progress), leftovers), organization),
        vpcs,
    )
    .await;
    drop(progress);
    for (region, read) in vpcs {
        match read {
            Ok(found) => {
                observed.vpcs.insert(region, found);
            }
            Err(error) => observed
                .gaps
                .push(gap(&ResourceId::singleton(Kind::FlowLog, &region), &error)),
        }
    }
    match organization {
        Some(Ok(id)) => observed.organization_id = Some(id),
        Some(Err(error)) => observed
            .gaps
            .push(organization_gap(home, account_id, &error)),
        None => {}
    }
    for read in placed.into_iter().chain(leftovers) {
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

/// The organization of the security account could not be read: its central bus's statements
/// are left unplanned, and an account in no organization is told what to do instead.
fn organization_gap(home: &str, account_id: &str, error: &AwsError) -> Gap {
    let place = ResourceId::singleton(Kind::AlertBusPermission, home);
    let mut gap = gap(&place, error);
    if error.code.as_deref() == Some("AWSOrganizationsNotInUseException") {
        gap.hint = Some(format!(
            "the central bus admits the organization's accounts by its id, and the security account {account_id} is in no organization: make it a member of the organization the fleet is, or list the accounts with [accounts] ids"
        ));
    }
    gap
}

/// What every read of one account needs.
struct Reader<'a> {
    session: &'a Session,
    baseline: &'a Baseline,
    account_id: &'a str,
    home: &'a str,
    wanted_rules: &'a BTreeSet<String>,
    rules: &'a events::RuleLists<'a>,
    ownership: bool,
}

impl<'a> Reader<'a> {
    /// The reads of what lives in the home region or once for the account.
    fn home_reads(&self) -> Vec<(&'a str, BoxFuture<'a, Read>)> {
        let Reader {
            session,
            baseline,
            account_id,
            home,
            rules,
            ownership,
            ..
        } = *self;
        let mut reads: Vec<(&str, BoxFuture<'_, Read>)> = Vec::new();
        if baseline.config.is_some() || baseline.cloudtrail.is_some() {
            let bucket = baseline.log_bucket_name(account_id);
            let access_logs = baseline.access_log_bucket_name(account_id);
            reads.push(tagged(
                home,
                s3::log_bucket(
                    session,
                    home,
                    Kind::LogBucket,
                    bucket,
                    ownership,
                    access_logs.is_some(),
                ),
            ));
            if let Some(bucket) = access_logs {
                reads.push(tagged(
                    home,
                    s3::log_bucket(
                        session,
                        home,
                        Kind::AccessLogBucket,
                        bucket,
                        ownership,
                        false,
                    ),
                ));
            }
        }
        if let Some(config) = &baseline.config {
            reads.push(tagged(home, iam::role(session, home, &config.role_name)));
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
        let central_bus = baseline
            .alerts
            .as_ref()
            .and_then(|alerts| alerts.central_bus.as_ref());
        let security_account = central_bus.is_some_and(|bus| bus.account == *account_id);
        if let Some(alerts) = &baseline.alerts {
            // With a central bus, the topic of another account of the fleet is one an earlier run
            // made before the bus, which goes; the security account's is the fleet's.
            let audience = if central_bus.is_none() || security_account {
                sns::Audience::Baseline { ownership }
            } else {
                sns::Audience::TopicOwner
            };
            reads.push(tagged(
                home,
                sns::topic(session, home, account_id, &alerts.topic_name, audience),
            ));
            reads.push(tagged(
                home,
                iam::role(session, home, &alerts.forward_role_name),
            ));
            if let Some(repair) = baseline
                .tamper_alerts
                .as_ref()
                .and_then(|tamper| tamper.repair.as_ref())
            {
                reads.push(tagged(home, iam::role(session, home, &repair.role_name)));
            }
            reads.push(tagged(
                home,
                events::rule(
                    rules,
                    home,
                    Kind::DrillRule,
                    DRILL_RULE_NAME,
                    None,
                    Standing::Placed,
                    ownership,
                ),
            ));
        }
        if let Some(bus) = central_bus {
            if security_account {
                reads.push(tagged(
                    home,
                    events::alert_bus(session, home, &bus.name, ownership),
                ));
                for name in baseline.event_rule_names() {
                    reads.push(tagged(home, async move {
                        events::rule(
                            rules,
                            home,
                            Kind::AlertBusRule,
                            &name,
                            Some(&bus.name),
                            Standing::Placed,
                            ownership,
                        )
                        .await
                    }));
                }
            }
            if baseline.alarms.is_some() && baseline.cloudtrail.is_some() {
                reads.push(tagged(
                    home,
                    events::rule(
                        rules,
                        home,
                        Kind::AlarmRule,
                        ALARM_RULE_NAME,
                        None,
                        Standing::Placed,
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
        if baseline
            .security_hub
            .as_ref()
            .is_some_and(|hub| hub.aggregate_findings)
        {
            reads.push(tagged(
                home,
                security_hub::finding_aggregator(session, home),
            ));
        }
        if let Some(support) = &baseline.support_role {
            reads.push(tagged(home, iam::role(session, home, &support.name)));
        }
        if baseline.account_public_access_block.is_some() {
            reads.push(tagged(
                home,
                account::public_access_block(session, home, account_id),
            ));
        }
        reads
    }

    /// The reads of what lives in each region: each kind in the regions of `read_in`, and in
    /// each region of `topic_regions` but the home region, an alert topic of the baseline's
    /// name.
    fn regional_reads(
        &self,
        read_in: &'a BTreeMap<Kind, Vec<(String, Standing)>>,
        topic_regions: &'a [String],
    ) -> Vec<(&'a str, BoxFuture<'a, Read>)> {
        let Reader {
            session,
            baseline,
            account_id,
            home,
            wanted_rules,
            rules: rule_lists,
            ownership,
        } = *self;
        let mut reads: Vec<(&str, BoxFuture<'_, Read>)> = Vec::new();
        if baseline.guardduty.is_some() {
            for (region, _) in &read_in[&Kind::GuarddutyDetector] {
                reads.push(tagged(region, guardduty::detector(session, region)));
            }
        }
        if baseline.config.is_some() {
            for (region, standing) in &read_in[&Kind::ConfigRecorder] {
                let (ownership, reach) = match standing {
                    Standing::Placed => (ownership, config::Reach::Everything),
                    Standing::Retired => (true, config::Reach::Leftovers),
                };
                reads.push(tagged(
                    region,
                    config::region(session, region, wanted_rules, ownership, reach),
                ));
            }
        }
        if let Some(alerts) = &baseline.alerts {
            // Alerts once had a topic per region; what watchpost made there goes, so the topic's
            // tags are read, and its subscriptions are watchpost's only if the topic is.
            for region in topic_regions.iter().filter(|r| *r != home) {
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
        }
        // A rule on the default bus in each region of its kind; one left in a retired region is
        // removed only if it is watchpost's, so its tags are read there.
        let rules = |kind: Kind, name: &'a str| {
            read_in[&kind].iter().map(move |(region, standing)| {
                let ownership = ownership || *standing == Standing::Retired;
                tagged(
                    region,
                    events::rule(rule_lists, region, kind, name, None, *standing, ownership),
                )
            })
        };
        if let Some(signin) = &baseline.signin_notification {
            reads.extend(rules(Kind::SigninRule, &signin.rule_name));
        }
        if let (Some(findings), Some(_)) = (
            baseline
                .guardduty
                .as_ref()
                .and_then(|guardduty| guardduty.finding_alerts.as_ref()),
            &baseline.alerts,
        ) {
            reads.extend(rules(Kind::FindingRule, &findings.rule_name));
        }
        if let (Some(findings), Some(_)) = (
            baseline
                .security_hub
                .as_ref()
                .and_then(|hub| hub.finding_alerts.as_ref()),
            &baseline.alerts,
        ) {
            reads.extend(rules(Kind::HubFindingRule, &findings.rule_name));
        }
        if let (Some(tamper), Some(_)) = (&baseline.tamper_alerts, &baseline.alerts) {
            // Only the services that keep a rule in the region; in a retired one, any of them.
            let watched = baseline.watched();
            for (region, standing) in &read_in[&Kind::TamperRule] {
                for group in &watched {
                    if *standing == Standing::Placed
                        && !group.belongs_in(region, home, topic_regions)
                    {
                        continue;
                    }
                    let ownership = ownership || *standing == Standing::Retired;
                    let name = group.rule_name(&tamper.rule_prefix);
                    reads.push(tagged(region, async move {
                        events::rule(
                            rule_lists,
                            region,
                            Kind::TamperRule,
                            &name,
                            None,
                            *standing,
                            ownership,
                        )
                        .await
                    }));
                }
            }
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
        if baseline.vpc_flow_logs.is_some() {
            for (region, _) in &read_in[&Kind::FlowLog] {
                reads.push(tagged(region, flow_logs::flow_logs(session, region)));
            }
        }
        if baseline.security_hub.is_some() {
            for (region, _) in &read_in[&Kind::SecurityHub] {
                reads.push(tagged(
                    region,
                    security_hub::hub(session, region, account_id),
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
        reads
    }
}

/// The reads, all at once, each region's progress counted as its reads answer.
async fn run<'a>(
    reads: Vec<(&'a str, BoxFuture<'a, Read>)>,
    progress: &crate::progress::Reading,
) -> Vec<Read> {
    join_all(reads.into_iter().map(|(region, read)| async move {
        let result = read.await;
        progress.read_done(region);
        result
    }))
    .await
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
