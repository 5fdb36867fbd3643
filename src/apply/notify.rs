//! `apply --notify`: a short account of a repair, published to the account's alert topic so
//! that the people who get the alerts also learn what was put right.

use super::{Outcome, Report};
use crate::aws::{AwsError, Context as _, Session};
use crate::model::topic_arn;
use crate::plan::{Action, Plan};

/// What `--notify` publishes for one account.
#[derive(Debug, PartialEq)]
pub struct Notice {
    pub subject: String,
    pub message: String,
}

/// The notice for an account's repair: what `plan` set out to change, what became of each
/// change in `report`, and whether `after`, the plan made once the changes were made, shows the
/// account matching the baseline again.
pub fn notice(plan: &Plan, report: &Report, after: &Plan) -> Notice {
    let mut message = format!(
        "watchpost found drift in account {} and set out to repair it: {} to create, {} to update, {} to delete.\n\n",
        plan.account_id,
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete)
    );
    for (id, outcome) in &report.outcomes {
        let verdict = match outcome {
            Outcome::Done => "repaired".to_owned(),
            Outcome::Failed(error) => format!("FAILED: {}", error.explained()),
            Outcome::Skipped { because_of } => format!("not attempted ({because_of} failed)"),
            Outcome::NotStarted(halt) => format!("not started ({})", halt.reason()),
        };
        message.push_str(&format!("{id}: {verdict}\n"));
    }
    let matches = after.is_empty() && after.gaps.is_empty();
    if matches {
        message.push_str("\nThe account matches the baseline again.\n");
    } else {
        message.push_str(&format!(
            "\nThe account does NOT match the baseline yet: {} change(s) remain.\n",
            after.changes.len()
        ));
    }
    let subject = if matches {
        format!("watchpost repaired drift in account {}", plan.account_id)
    } else {
        format!(
            "watchpost could not fully repair drift in account {}",
            plan.account_id
        )
    };
    Notice { subject, message }
}

/// Publishes `notice` to the alert topic named `topic` in the plan's account and home region.
pub async fn publish(
    session: &Session,
    plan: &Plan,
    topic: &str,
    notice: Notice,
) -> Result<(), AwsError> {
    session
        .sns(&plan.home_region)
        .publish()
        .topic_arn(topic_arn(&plan.home_region, &plan.account_id, topic))
        .subject(notice.subject)
        .message(notice.message)
        .send()
        .await
        .call(
            "sns:Publish",
            format!("alert_topic/{}/{topic}", plan.home_region),
        )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Notice, notice};
    use crate::apply::{Halt, Outcome, Report};
    use crate::model::{EbsEncryptionSpec, Kind, ResourceId, Spec};
    use crate::plan::{Action, Change, Plan};

    fn plan_of(ids: &[&ResourceId]) -> Plan {
        Plan {
            account_id: "123456789012".to_owned(),
            home_region: "us-east-1".to_owned(),
            regions: vec!["us-east-1".to_owned()],
            changes: ids
                .iter()
                .map(|id| Change {
                    id: (*id).clone(),
                    action: Action::Create,
                    spec: Spec::EbsEncryption(EbsEncryptionSpec {
                        enabled: true,
                        kms_key_id: None,
                    }),
                    before: None,
                    live_id: None,
                    fields: Vec::new(),
                    depends_on: Vec::new(),
                })
                .collect(),
            unchanged: Vec::new(),
            gaps: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_repair_says_what_became_of_each_change_and_whether_the_account_matches() {
        let detector = ResourceId::singleton(Kind::GuarddutyDetector, "us-east-1");
        let rule = ResourceId::new(Kind::ConfigRule, "us-east-1", "restricted-ssh");
        let plan = plan_of(&[&detector, &rule]);
        let report = Report {
            outcomes: vec![
                (detector.clone(), Outcome::Done),
                (rule.clone(), Outcome::NotStarted(Halt::Interrupted)),
            ],
        };

        let repaired = notice(&plan, &report, &plan_of(&[]));
        assert_eq!(
            repaired,
            Notice {
                subject: "watchpost repaired drift in account 123456789012".to_owned(),
                message: format!(
                    "watchpost found drift in account 123456789012 and set out to repair it: 2 to create, 0 to update, 0 to delete.\n\n{detector}: repaired\n{rule}: not started (the run was interrupted)\n\nThe account matches the baseline again.\n"
                ),
            }
        );

        let unfinished = notice(&plan, &report, &plan_of(&[&rule]));
        assert_eq!(
            unfinished.subject,
            "watchpost could not fully repair drift in account 123456789012"
        );
        assert!(
            unfinished
                .message
                .ends_with("\nThe account does NOT match the baseline yet: 1 change(s) remain.\n")
        );
    }
}
