//! One run at a time per account: a lease held as an item in a small DynamoDB table that
//! watchpost keeps for itself, taken and given back with conditional writes. The lease is short
//! and a heartbeat renews it while the run works (the shape of the DynamoDB Lock Client's), so a
//! run that dies keeps the account from others for one lease at most. A heartbeat that cannot
//! renew marks the lease lost, and no new change begins under it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::bail;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, KeySchemaElement, KeyType, Put,
    ScalarAttributeType, TableStatus, Tag, TransactWriteItem,
};
use tokio::task::JoinHandle;

use crate::aws::{AbsentIfNotFound, Class, Context, Session};
use crate::error::Hinted;
use crate::model::MANAGED_TAG;
use crate::output::errln;

/// watchpost's own coordination state, in the home region; not part of any plan.
pub const LEASE_TABLE: &str = "watchpost-lease";

/// How long a lease lasts unless renewed: a run that is killed keeps the account from others
/// this long at most. Long enough that a renewal may fail a few times, with the SDK's retries,
/// before the lease is in danger.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(60);
const RETRY_EVERY: Duration = Duration::from_secs(2);

/// How a run holds leases: for how long each lasts, and how long it waits for one held by
/// another run.
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    pub duration: Duration,
    pub wait: Duration,
}

impl Terms {
    /// `wait`, else one and a half leases: a run started right after one was killed outwaits the
    /// dead run's lease instead of failing.
    pub fn new(duration: Duration, wait: Option<Duration>) -> Terms {
        Terms {
            duration,
            wait: wait.unwrap_or(duration * 3 / 2),
        }
    }

    /// The heartbeat renews the lease this often: twice more before it would lapse.
    fn beat(&self) -> Duration {
        self.duration / 3
    }
}

/// The lease this run holds; give it back with [`Lease::release`]. While it is held, a
/// heartbeat renews it.
pub struct Lease {
    client: aws_sdk_dynamodb::Client,
    account: String,
    holder: String,
    heartbeat: Heartbeat,
}

/// The task that renews a lease, stopped when the lease is given back or dropped.
struct Heartbeat {
    task: JoinHandle<()>,
    /// Why the lease was lost, once it is: set once, by the heartbeat, never cleared.
    lost: Arc<OnceLock<String>>,
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

pub(crate) fn text(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn number(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A span of time as a person reads it in a message: seconds under two minutes, else minutes.
fn span(seconds: u64) -> String {
    match seconds {
        0..120 => format!("{seconds} s"),
        _ => format!("{} min", seconds.div_ceil(60)),
    }
}

/// This run as the lease names it; `watchpost force-unlock --holder` takes the same text.
fn this_run() -> String {
    format!(
        "watchpost pid {} on {}",
        std::process::id(),
        std::env::var("HOSTNAME").unwrap_or_else(|_| "an unnamed host".to_owned())
    )
}

/// Takes the account's lease, waiting up to `terms.wait` while another live run holds it, and
/// starts its heartbeat.
pub async fn acquire(
    session: &Session,
    region: &str,
    account: &str,
    terms: Terms,
) -> anyhow::Result<Lease> {
    let table = Table {
        client: session.dynamodb(region),
        account: account.to_owned(),
    };
    let holder = this_run();
    table.ensure().await?;
    let deadline = Instant::now() + terms.wait;
    let mut told_waiting = false;
    loop {
        let sent = Instant::now();
        let taken = table
            .client
            .put_item()
            .table_name(LEASE_TABLE)
            .item("account", text(account))
            .item("holder", text(&holder))
            .item("expires_at", number(now() + terms.duration.as_secs()))
            .condition_expression("attribute_not_exists(account) OR expires_at < :now")
            .expression_attribute_values(":now", number(now()))
            .send()
            .await
            .call("dynamodb:PutItem", LEASE_TABLE);
        match taken {
            Ok(_) => {
                let lost = Arc::new(OnceLock::new());
                let renewal = Renewal {
                    client: table.client.clone(),
                    account: account.to_owned(),
                    holder: holder.clone(),
                    terms,
                };
                let task = tokio::spawn(renewal.beat(sent, Arc::clone(&lost)));
                return Ok(Lease {
                    client: table.client,
                    account: account.to_owned(),
                    holder,
                    heartbeat: Heartbeat { task, lost },
                });
            }
            Err(error) if error.is(Class::Conflict) && Instant::now() < deadline => {
                if !told_waiting {
                    told_waiting = true;
                    let (other, expires_at) = table.current_holder().await?;
                    errln!(
                        "waiting up to {} for account {account}: {other} holds it (its lease lapses within {} unless renewed)",
                        span(terms.wait.as_secs()),
                        span(expires_at.saturating_sub(now()))
                    );
                }
                // A short lease is tried for more often, so that the wait ends soon after it lapses.
                let pause = RETRY_EVERY.min(terms.beat());
                tokio::time::sleep(pause.min(deadline.saturating_duration_since(Instant::now())))
                    .await;
            }
            Err(error) if error.is(Class::Conflict) => {
                let (other, expires_at) = table.current_holder().await?;
                bail!(Hinted::new(
                    format!(
                        "another run holds account {account}: {other} (its lease lapses within {} unless renewed)",
                        span(expires_at.saturating_sub(now()))
                    ),
                    format!(
                        "let it finish, or wait longer with --lock-timeout SECONDS; if that run is dead, its lease lapses on its own, or `watchpost force-unlock {account} --holder '{other}'` removes it"
                    ),
                ));
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// What the heartbeat needs to renew a lease.
struct Renewal {
    client: aws_sdk_dynamodb::Client,
    account: String,
    holder: String,
    terms: Terms,
}

impl Renewal {
    /// Renews the lease a beat after each write that took or renewed it (`written`, when that
    /// write was sent: the lease runs from then at the latest), until it is lost: taken by
    /// another run or removed, or not renewed before only a beat of it is left. Giving up a beat
    /// early leaves the changes in progress that long to finish under a lease still held.
    async fn beat(self, mut written: Instant, lost: Arc<OnceLock<String>>) {
        let beat = self.terms.beat();
        loop {
            tokio::time::sleep_until((written + beat).into()).await;
            let give_up_at = written + self.terms.duration - beat;
            let mut last_error = None;
            let renewed = tokio::time::timeout_at(
                give_up_at.into(),
                self.renew_until_answered(&mut last_error),
            )
            .await;
            match renewed {
                Ok(Ok(sent)) => written = sent,
                Ok(Err(why)) => {
                    let _ = lost.set(why);
                    return;
                }
                Err(_) => {
                    let _ = lost.set(format!(
                        "it could not be renewed before only {} of it was left: {}",
                        span(beat.as_secs()),
                        last_error.unwrap_or_else(|| "DynamoDB did not answer in time".to_owned())
                    ));
                    return;
                }
            }
        }
    }

    /// Renews the lease, trying again after each error; when the write that renewed it was sent,
    /// or why it is no longer this run's.
    async fn renew_until_answered(
        &self,
        last_error: &mut Option<String>,
    ) -> Result<Instant, String> {
        loop {
            let sent = Instant::now();
            let renewed = self
                .client
                .put_item()
                .table_name(LEASE_TABLE)
                .item("account", text(&self.account))
                .item("holder", text(&self.holder))
                .item("expires_at", number(now() + self.terms.duration.as_secs()))
                .condition_expression("holder = :me")
                .expression_attribute_values(":me", text(&self.holder))
                .send()
                .await
                .call("dynamodb:PutItem", LEASE_TABLE);
            match renewed {
                Ok(_) => return Ok(sent),
                Err(error) if error.is(Class::Conflict) => {
                    let table = Table {
                        client: self.client.clone(),
                        account: self.account.clone(),
                    };
                    return Err(match table.lease_item().await {
                        Ok(Some(item)) => {
                            format!("another run took it over: {}", holder_of(&item).0)
                        }
                        Ok(None) => {
                            "it was removed, by `watchpost force-unlock` or by hand".to_owned()
                        }
                        Err(error) => format!(
                            "it is no longer this run's, and who holds it could not be read: {}",
                            error.explained()
                        ),
                    });
                }
                Err(error) => {
                    *last_error = Some(error.explained());
                    tokio::time::sleep(RETRY_EVERY.min(self.terms.beat() / 2)).await;
                }
            }
        }
    }
}

/// The lease table, as seen for one account.
struct Table {
    client: aws_sdk_dynamodb::Client,
    account: String,
}

impl Table {
    /// The table is made on first use, like the lock table of Terraform's S3 backend.
    async fn ensure(&self) -> anyhow::Result<()> {
        let described = self
            .client
            .describe_table()
            .table_name(LEASE_TABLE)
            .send()
            .await
            .call("dynamodb:DescribeTable", LEASE_TABLE);
        match described {
            Ok(answer) => {
                if answer.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
                    return Ok(());
                }
            }
            Err(error) if error.is(Class::NotFound) => {
                let created = self
                    .client
                    .create_table()
                    .table_name(LEASE_TABLE)
                    .billing_mode(BillingMode::PayPerRequest)
                    .attribute_definitions(
                        AttributeDefinition::builder()
                            .attribute_name("account")
                            .attribute_type(ScalarAttributeType::S)
                            .build()?,
                    )
                    .key_schema(
                        KeySchemaElement::builder()
                            .attribute_name("account")
                            .key_type(KeyType::Hash)
                            .build()?,
                    )
                    .tags(
                        Tag::builder()
                            .key(MANAGED_TAG.0)
                            .value(MANAGED_TAG.1)
                            .build()?,
                    )
                    .send()
                    .await
                    .call("dynamodb:CreateTable", LEASE_TABLE);
                match created {
                    Ok(_) => {}
                    // Another run made it a moment ago.
                    Err(error) if error.code.as_deref() == Some("ResourceInUseException") => {}
                    Err(error) => return Err(error.into()),
                }
            }
            Err(error) => return Err(error.into()),
        }
        self.wait_until_active().await
    }

    async fn wait_until_active(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let answer = self
                .client
                .describe_table()
                .table_name(LEASE_TABLE)
                .send()
                .await
                .call("dynamodb:DescribeTable", LEASE_TABLE)?;
            if answer.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
                return Ok(());
            }
            tokio::time::sleep(RETRY_EVERY).await;
        }
        bail!("the lease table {LEASE_TABLE} did not become active within two minutes")
    }

    /// The account's lease item, read consistently; None when there is none, or no table.
    async fn lease_item(
        &self,
    ) -> Result<Option<HashMap<String, AttributeValue>>, crate::aws::AwsError> {
        let read = self
            .client
            .get_item()
            .table_name(LEASE_TABLE)
            .key("account", text(&self.account))
            .consistent_read(true)
            .send()
            .await
            .call("dynamodb:GetItem", LEASE_TABLE)
            .absent_if_not_found()?;
        Ok(read
            .and_then(|answer| answer.item().cloned())
            .filter(|item| !item.is_empty()))
    }

    async fn current_holder(&self) -> anyhow::Result<(String, u64)> {
        Ok(holder_of(&self.lease_item().await?.unwrap_or_default()))
    }
}

/// Waits up to `wait` while another run holds the account's lease, without taking it: `plan`
/// only reads, but a plan made while an apply or destroy is at work shows that work half done.
/// No table means no run has ever held the account.
pub async fn wait_until_free(
    session: &Session,
    region: &str,
    account: &str,
    wait: Duration,
) -> anyhow::Result<()> {
    let table = Table {
        client: session.dynamodb(region),
        account: account.to_owned(),
    };
    let deadline = Instant::now() + wait;
    loop {
        let Some(item) = table.lease_item().await? else {
            return Ok(());
        };
        let (holder, expires_at) = holder_of(&item);
        if expires_at < now() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(Hinted::new(
                format!(
                    "another run still holds account {account} after {} s: {holder} (its lease lapses within {} unless renewed)",
                    wait.as_secs(),
                    span(expires_at.saturating_sub(now()))
                ),
                "plan again when it has finished, or leave out --lock-timeout to read the account as it is now",
            ));
        }
        tokio::time::sleep(RETRY_EVERY).await;
    }
}

/// The holder and expiry a lease item names.
fn holder_of(item: &HashMap<String, AttributeValue>) -> (String, u64) {
    let holder = match item.get("holder") {
        Some(AttributeValue::S(holder)) => holder.clone(),
        _ => "an unknown run".to_owned(),
    };
    let expires_at = match item.get("expires_at") {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    };
    (holder, expires_at)
}

impl Lease {
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Why the lease is no longer this run's to rely on, once its heartbeat has found so.
    pub fn lost(&self) -> Option<&str> {
        self.heartbeat.lost.get().map(String::as_str)
    }

    /// That the lease is still held, before changes begin under it.
    pub fn ensure_held(&self) -> anyhow::Result<()> {
        match self.lost() {
            None => Ok(()),
            Some(why) => bail!(Hinted::new(
                format!(
                    "the lease on account {} was lost before its changes began: {why}; nothing was changed",
                    self.account
                ),
                "run again; if renewing failed, the error above says why",
            )),
        }
    }

    /// Stops the heartbeat, for the lease to be given back. A renewal already sent may still
    /// land; it is conditional on this run's holding the lease, so it never makes one again.
    fn stop_heartbeat(self) -> (aws_sdk_dynamodb::Client, String, String) {
        let Lease {
            client,
            account,
            holder,
            heartbeat,
        } = self;
        drop(heartbeat);
        (client, account, holder)
    }

    /// Gives the lease back and removes the table: after `destroy`, nothing of watchpost's is
    /// left to coordinate.
    pub async fn retire(self) -> anyhow::Result<()> {
        let client = self.client.clone();
        self.release().await?;
        client
            .delete_table()
            .table_name(LEASE_TABLE)
            .send()
            .await
            .call("dynamodb:DeleteTable", LEASE_TABLE)?;
        Ok(())
    }

    /// Writes `record`, an item of the lease table, and gives the lease back in one transaction,
    /// the last round trip of an apply. A lease that was lost to another run is not ours to
    /// give back; the record is then written alone.
    pub async fn release_recording(
        self,
        record: HashMap<String, AttributeValue>,
    ) -> anyhow::Result<()> {
        let (client, account, holder) = self.stop_heartbeat();
        let put = Put::builder()
            .table_name(LEASE_TABLE)
            .set_item(Some(record.clone()))
            .build()?;
        let delete = Delete::builder()
            .table_name(LEASE_TABLE)
            .key("account", text(&account))
            .condition_expression("holder = :me")
            .expression_attribute_values(":me", text(&holder))
            .build()?;
        let written = client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().delete(delete).build())
            .send()
            .await
            .call("dynamodb:TransactWriteItems", LEASE_TABLE);
        match written {
            Ok(_) => Ok(()),
            Err(error) if error.code.as_deref() == Some("TransactionCanceledException") => {
                client
                    .put_item()
                    .table_name(LEASE_TABLE)
                    .set_item(Some(record))
                    .send()
                    .await
                    .call("dynamodb:PutItem", LEASE_TABLE)?;
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Gives the lease back, if it is still this run's.
    pub async fn release(self) -> anyhow::Result<()> {
        let (client, account, holder) = self.stop_heartbeat();
        let released = client
            .delete_item()
            .table_name(LEASE_TABLE)
            .key("account", text(&account))
            .condition_expression("holder = :me")
            .expression_attribute_values(":me", text(&holder))
            .send()
            .await
            .call("dynamodb:DeleteItem", LEASE_TABLE);
        match released {
            Ok(_) => Ok(()),
            // It was lost to another run, or removed: nothing of ours to give back.
            Err(error) if error.is(Class::Conflict) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

/// What `watchpost force-unlock` found, and did.
#[derive(Debug, PartialEq, Eq)]
pub enum Unlocked {
    /// No run holds the account, or ever has.
    NoLease,
    /// The lease was removed: it had lapsed `seconds` before, or had `seconds` to go.
    Removed {
        holder: String,
        lapsed: bool,
        seconds: u64,
    },
}

impl std::fmt::Display for Unlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unlocked::NoLease => f.write_str("no run holds the lease: nothing to remove"),
            Unlocked::Removed {
                holder,
                lapsed: true,
                seconds,
            } => write!(
                f,
                "removed the lease of {holder}, which had lapsed {} ago",
                span(*seconds)
            ),
            Unlocked::Removed {
                holder,
                lapsed: false,
                seconds,
            } => write!(
                f,
                "removed the live lease of {holder}, which had {} to go; if that run is still at work, it starts no new change once its heartbeat finds the lease gone",
                span(*seconds)
            ),
        }
    }
}

/// Removes the account's lease by hand, as `terraform force-unlock` does: one that lapsed at
/// once, a live one only with `force`, and only the lease of `holder` when one is named. The
/// delete is conditional on the item as it was read, so a lease renewed or taken by another run
/// in the meantime is never removed.
pub async fn force_unlock(
    session: &Session,
    region: &str,
    account: &str,
    holder: Option<&str>,
    force: bool,
) -> anyhow::Result<Unlocked> {
    let table = Table {
        client: session.dynamodb(region),
        account: account.to_owned(),
    };
    let Some(item) = table.lease_item().await? else {
        return Ok(Unlocked::NoLease);
    };
    let (current, expires_at) = holder_of(&item);
    if let Some(named) = holder
        && named != current
    {
        bail!(Hinted::new(
            format!(
                "the lease on account {account} is held by {current}, not by {named}; nothing was removed"
            ),
            "another run may have taken it since; check who that is, and name it with --holder if it is the one to remove",
        ));
    }
    let now = now();
    let lapsed = expires_at < now;
    if !lapsed && !force {
        bail!(Hinted::new(
            format!(
                "the lease on account {account} is live: {current} holds it, and its lease lapses within {} unless renewed; a run at work renews it every few seconds",
                span(expires_at - now)
            ),
            format!(
                "if that run is dead, wait for its lease to lapse, or remove it now with `watchpost force-unlock {account} --holder '{current}' --force`"
            ),
        ));
    }
    let removed = table
        .client
        .delete_item()
        .table_name(LEASE_TABLE)
        .key("account", text(account))
        .condition_expression("holder = :holder AND expires_at = :expires_at")
        .expression_attribute_values(":holder", text(&current))
        .expression_attribute_values(":expires_at", number(expires_at))
        .send()
        .await
        .call("dynamodb:DeleteItem", LEASE_TABLE);
    match removed {
        Ok(_) => Ok(Unlocked::Removed {
            holder: current,
            lapsed,
            seconds: now.abs_diff(expires_at),
        }),
        Err(error) if error.is(Class::Conflict) => bail!(Hinted::new(
            format!(
                "the lease on account {account} changed while it was being removed (renewed by {current}, or given back or taken by another run); nothing was removed"
            ),
            "run force-unlock again to see who holds it now",
        )),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{DEFAULT_DURATION, Terms, span};

    #[test]
    fn a_run_waits_one_and_a_half_leases_unless_told_and_renews_every_third() {
        let terms = Terms::new(DEFAULT_DURATION, None);
        assert_eq!(terms.wait, Duration::from_secs(90));
        assert_eq!(terms.beat(), Duration::from_secs(20));
        let told = Terms::new(Duration::from_secs(10), Some(Duration::ZERO));
        assert_eq!(told.wait, Duration::ZERO);
        assert_eq!(told.beat(), Duration::from_nanos(3_333_333_333));
    }

    #[test]
    fn spans_are_seconds_under_two_minutes_and_whole_minutes_above() {
        assert_eq!(span(0), "0 s");
        assert_eq!(span(119), "119 s");
        assert_eq!(span(120), "2 min");
        assert_eq!(span(1_741), "30 min");
    }
}
