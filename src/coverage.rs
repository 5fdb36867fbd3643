//! The record of the regions watchpost covered in an account: an item of its own table in the
//! home region, beside the lease. It spares a baseline with a short region list from reading
//! every other enabled region on every plan: the regions out of scope are read only where the
//! record says watchpost may have left something.
//!
//! The record only ever leaves out a region once nothing of watchpost's is left there: apply
//! widens it to the regions in scope before it makes anything, and narrows it when it ends to
//! the regions in scope and those out of scope where something may still be left. No record
//! (first run, an older watchpost, no table, a record that cannot be read) means reading every
//! enabled region, as watchpost always did.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;

use crate::aws::{Context, Session};
use crate::lease::{LEASE_TABLE, text};

/// Beside the account's lease item, which is keyed by the account id alone.
fn record_key(account: &str) -> AttributeValue {
    text(&format!("{account}#regions-covered"))
}

const REGIONS: &str = "regions";

/// The regions the record names, or None when there is no record to rely on: no table, no
/// item, an item this watchpost cannot read, or a read that failed (reading every region is
/// then the safe answer, so the failure is not the run's).
pub async fn recorded(session: &Session, home: &str, account: &str) -> Option<BTreeSet<String>> {
    let answer = session
        .dynamodb(home)
        .get_item()
        .table_name(LEASE_TABLE)
        .key("account", record_key(account))
        .consistent_read(true)
        .send()
        .await
        .call("dynamodb:GetItem", LEASE_TABLE)
        .ok()?;
    let Some(AttributeValue::L(regions)) = answer.item()?.get(REGIONS) else {
        return None;
    };
    regions
        .iter()
        .map(|region| region.as_s().ok().cloned())
        .collect()
}

/// The record as an item of the lease table.
pub fn record_item(account: &str, regions: &BTreeSet<String>) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("account".to_owned(), record_key(account)),
        (
            REGIONS.to_owned(),
            AttributeValue::L(regions.iter().map(|region| text(region)).collect()),
        ),
    ])
}

/// Writes the record. The table exists: apply took its lease there.
pub async fn record(
    session: &Session,
    home: &str,
    account: &str,
    regions: &BTreeSet<String>,
) -> anyhow::Result<()> {
    session
        .dynamodb(home)
        .put_item()
        .table_name(LEASE_TABLE)
        .set_item(Some(record_item(account, regions)))
        .send()
        .await
        .call("dynamodb:PutItem", LEASE_TABLE)?;
    Ok(())
}

/// The regions out of scope to read for what watchpost left there: those of `out_of_scope` the
/// record names, or all of them without a record.
pub fn retired_to_read(
    out_of_scope: &[String],
    recorded: Option<&BTreeSet<String>>,
) -> Vec<String> {
    out_of_scope
        .iter()
        .filter(|region| recorded.is_none_or(|recorded| recorded.contains(*region)))
        .cloned()
        .collect()
}

/// Where, once apply has ended, something of watchpost's may still be left.
pub enum Leftovers {
    /// Only in these regions: where a change failed, or where one remains to be made.
    In(BTreeSet<String>),
    /// Anywhere: apply was narrowed by `--only`, or what is left could not be read whole.
    Anywhere,
}

/// What one account's reading knew of the regions watchpost covered, for apply to record.
#[derive(Debug)]
pub struct Coverage {
    pub in_scope: Vec<String>,
    /// The regions of the scope the account has not enabled, skipped.
    pub not_enabled: Vec<String>,
    /// The record as read before the run; None when there was none to rely on.
    pub recorded: Option<BTreeSet<String>>,
    /// The enabled regions out of scope that were read for what watchpost left there.
    pub retired: Vec<String>,
}

impl Coverage {
    /// The record to write before apply makes anything, when the regions in scope widen it: an
    /// apply that dies half way then leaves nothing in a region the record does not name.
    /// Without a record there is nothing to widen, as every region is read anyway.
    pub fn before_changes(&self) -> Option<BTreeSet<String>> {
        let recorded = self.recorded.as_ref()?;
        let widened: BTreeSet<String> = recorded.iter().chain(&self.in_scope).cloned().collect();
        (widened != *recorded).then_some(widened)
    }

    /// The record apply leaves when it ends: the regions in scope, each region out of scope
    /// that was read and may still hold something, and each recorded region that could not be
    /// read (a region the account has since disabled keeps what it held).
    pub fn after_apply(&self, leftovers: &Leftovers) -> BTreeSet<String> {
        let unread = self
            .recorded
            .iter()
            .flatten()
            .filter(|region| !self.retired.contains(region));
        let left = self.retired.iter().filter(|region| match leftovers {
            Leftovers::Anywhere => true,
            Leftovers::In(regions) => regions.contains(*region),
        });
        self.in_scope
            .iter()
            .chain(unread)
            .chain(left)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(regions: &[&str]) -> BTreeSet<String> {
        regions.iter().map(|region| (*region).to_owned()).collect()
    }

    fn list(regions: &[&str]) -> Vec<String> {
        regions.iter().map(|region| (*region).to_owned()).collect()
    }

    #[test]
    fn without_a_record_every_region_out_of_scope_is_read() {
        let out_of_scope = list(&["ap-south-1", "eu-west-1", "us-west-2"]);
        assert_eq!(retired_to_read(&out_of_scope, None), out_of_scope);
    }

    #[test]
    fn with_a_record_only_its_enabled_regions_out_of_scope_are_read() {
        let out_of_scope = list(&["ap-south-1", "eu-west-1", "us-west-2"]);
        let recorded = set(&["eu-west-1", "us-east-1", "me-south-1"]);
        assert_eq!(
            retired_to_read(&out_of_scope, Some(&recorded)),
            ["eu-west-1"]
        );
    }

    #[test]
    fn a_region_leaves_the_record_once_nothing_is_left_there() {
        let coverage = Coverage {
            in_scope: list(&["us-east-1"]),
            not_enabled: Vec::new(),
            recorded: Some(set(&["eu-west-1", "us-east-1"])),
            retired: list(&["eu-west-1"]),
        };
        assert_eq!(
            coverage.after_apply(&Leftovers::In(BTreeSet::new())),
            set(&["us-east-1"])
        );
        assert_eq!(
            coverage.after_apply(&Leftovers::In(set(&["eu-west-1"]))),
            set(&["eu-west-1", "us-east-1"])
        );
        assert_eq!(
            coverage.after_apply(&Leftovers::Anywhere),
            set(&["eu-west-1", "us-east-1"])
        );
    }

    #[test]
    fn only_regions_read_out_of_scope_are_kept_for_what_is_left() {
        // No record: every enabled region was read; a change failed in one, and in scope.
        let coverage = Coverage {
            in_scope: list(&["us-east-1"]),
            not_enabled: Vec::new(),
            recorded: None,
            retired: list(&["ap-south-1", "eu-west-1", "us-west-2"]),
        };
        assert_eq!(
            coverage.after_apply(&Leftovers::In(set(&["global", "us-east-1", "us-west-2"]))),
            set(&["us-east-1", "us-west-2"])
        );
        assert_eq!(
            coverage.after_apply(&Leftovers::Anywhere),
            set(&["ap-south-1", "eu-west-1", "us-east-1", "us-west-2"])
        );
    }

    #[test]
    fn a_recorded_region_that_could_not_be_read_stays() {
        let coverage = Coverage {
            in_scope: list(&["us-east-1"]),
            not_enabled: Vec::new(),
            recorded: Some(set(&["me-south-1", "us-east-1"])),
            retired: Vec::new(),
        };
        assert_eq!(
            coverage.after_apply(&Leftovers::In(BTreeSet::new())),
            set(&["me-south-1", "us-east-1"])
        );
    }

    #[test]
    fn the_record_widens_to_the_scope_before_changes() {
        let widening = Coverage {
            in_scope: list(&["eu-west-1", "us-east-1"]),
            not_enabled: Vec::new(),
            recorded: Some(set(&["us-east-1"])),
            retired: Vec::new(),
        };
        assert_eq!(
            widening.before_changes(),
            Some(set(&["eu-west-1", "us-east-1"]))
        );
        let narrowing = Coverage {
            in_scope: list(&["us-east-1"]),
            not_enabled: Vec::new(),
            recorded: Some(set(&["eu-west-1", "us-east-1"])),
            retired: list(&["eu-west-1"]),
        };
        assert_eq!(narrowing.before_changes(), None);
        let first_run = Coverage {
            in_scope: list(&["us-east-1"]),
            not_enabled: Vec::new(),
            recorded: None,
            retired: list(&["eu-west-1"]),
        };
        assert_eq!(first_run.before_changes(), None);
    }
}
