//! Security Hub CSPM: enabling the hub of a region with its standards, disabling one watchpost
//! enabled, and the finding aggregator.

use std::time::{Duration, Instant};

use aws_sdk_securityhub::types::{
    ControlFindingGenerator, StandardsStatus, StandardsSubscriptionRequest,
};

use super::{Account, Converge};
use crate::aws::{AwsError, Class, Context};
use crate::model::{FindingAggregatorSpec, MANAGED_TAG, SecurityHubSpec, Spec};
use crate::plan::{Action, Change};

/// How long a standard may stay `PENDING` once enabled: Security Hub sets its controls up in
/// the background, and the Terraform AWS provider waits three minutes for it.
const STANDARDS_TIMEOUT: Duration = Duration::from_secs(180);
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(10);

impl Converge for SecurityHubSpec {
    /// Enables the hub if the plan makes it, then the standards it lacks, and waits until
    /// Security Hub has set them up. The hub is enabled without AWS's default standards, so that
    /// the standards are those the baseline names, and with consolidated control findings (one
    /// finding a control, whatever the standards that share it), the setting AWS recommends.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let region = &change.id.region;
        let client = at.session.securityhub(region);
        if change.action == Action::Create {
            let enabled = client
                .enable_security_hub()
                .enable_default_standards(false)
                .control_finding_generator(ControlFindingGenerator::SecurityControl)
                .tags(MANAGED_TAG.0, MANAGED_TAG.1)
                .send()
                .await
                .call("securityhub:EnableSecurityHub", &change.id);
            match enabled {
                // Enabled in the meantime, by someone else: the standards are still added.
                Err(error) if error.code.as_deref() == Some("ResourceConflictException") => {}
                other => other.map(drop)?,
            }
        }
        let enabled_before = match &change.before {
            Some(Spec::SecurityHub(before)) => before.standards.clone(),
            _ => Default::default(),
        };
        let missing: Vec<&String> = self.standards.difference(&enabled_before).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let requests = missing
            .iter()
            .map(|arn| {
                StandardsSubscriptionRequest::builder()
                    .standards_arn(arn.as_str())
                    .build()
            })
            .collect();
        let answer = client
            .batch_enable_standards()
            .set_standards_subscription_requests(Some(requests))
            .send()
            .await
            .call("securityhub:BatchEnableStandards", &change.id)?;
        // The answer gives each subscription's status: nothing to wait for when none is PENDING.
        let pending: Vec<String> = answer
            .standards_subscriptions()
            .iter()
            .filter(|subscription| {
                subscription.standards_status() == Some(&StandardsStatus::Pending)
            })
            .filter_map(|subscription| subscription.standards_subscription_arn().map(str::to_owned))
            .collect();
        match pending.is_empty() {
            true => Ok(()),
            false => until_set_up(&client, change, pending).await,
        }
    }

    /// Disables Security Hub in the region, which disables its standards: only a hub watchpost
    /// enabled (its tag) is ever planned for this. One already disabled is done.
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        match at
            .session
            .securityhub(&change.id.region)
            .disable_security_hub()
            .send()
            .await
            .call("securityhub:DisableSecurityHub", &change.id)
        {
            Err(error) if error.is(Class::NotFound) => Ok(()),
            other => other.map(drop),
        }
    }
}

/// Waits while any of `subscriptions` is `PENDING`, looking after a growing pause. `READY` is
/// done; `INCOMPLETE` is done too,
/// as some controls could not be enabled (the next plan notes why); `FAILED` is an error that
/// names the standard and AWS's reason.
async fn until_set_up(
    client: &aws_sdk_securityhub::Client,
    change: &Change,
    subscriptions: Vec<String>,
) -> Result<(), AwsError> {
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        // Enabling a standard takes Security Hub a while: the first look is after a pause.
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
        let answer = client
            .get_enabled_standards()
            .set_standards_subscription_arns(Some(subscriptions.clone()))
            .send()
            .await
            .call("securityhub:GetEnabledStandards", &change.id)?;
        let mut pending = false;
        for subscription in answer.standards_subscriptions() {
            match subscription.standards_status() {
                Some(StandardsStatus::Pending) => pending = true,
                Some(StandardsStatus::Failed) => {
                    let reason = subscription
                        .standards_status_reason()
                        .and_then(|reason| reason.status_reason_code())
                        .map(|code| code.as_str().to_owned())
                        .unwrap_or_else(|| "no reason given".to_owned());
                    return Err(AwsError {
                        call: "securityhub:BatchEnableStandards".to_owned(),
                        resource: change.id.to_string(),
                        class: Class::Fatal,
                        code: Some("StandardFailed".to_owned()),
                        detail: format!(
                            "Security Hub could not set up the standard {}: {reason}",
                            subscription.standards_arn().unwrap_or_default()
                        ),
                        setup_hint: None,
                    });
                }
                _ => {}
            }
        }
        if !pending {
            return Ok(());
        }
        if started.elapsed() + pause > STANDARDS_TIMEOUT {
            return Err(AwsError {
                call: "securityhub:GetEnabledStandards".to_owned(),
                resource: change.id.to_string(),
                class: Class::Fatal,
                code: Some("StandardPending".to_owned()),
                detail: format!(
                    "a standard was still PENDING after {} s; the next run finds it set up or says why",
                    STANDARDS_TIMEOUT.as_secs()
                ),
                setup_hint: None,
            });
        }
    }
}

impl Converge for FindingAggregatorSpec {
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.securityhub(&change.id.region);
        let regions = (!self.regions.is_empty()).then(|| self.regions.iter().cloned().collect());
        match (&change.action, &change.live_id) {
            (Action::Update, Some(arn)) => client
                .update_finding_aggregator()
                .finding_aggregator_arn(arn)
                .region_linking_mode(&self.region_linking_mode)
                .set_regions(regions)
                .send()
                .await
                .call("securityhub:UpdateFindingAggregator", &change.id)
                .map(drop),
            _ => client
                .create_finding_aggregator()
                .region_linking_mode(&self.region_linking_mode)
                .set_regions(regions)
                .send()
                .await
                .call("securityhub:CreateFindingAggregator", &change.id)
                .map(drop),
        }
    }

    /// Never planned: the aggregator is where everyone in the account reads findings, and
    /// nothing tells one watchpost made from one someone else did.
    async fn remove(&self, _: &Account<'_>, _: &Change) -> Result<(), AwsError> {
        Ok(())
    }
}
