//! One run at a time per account: a lease held as an item in a small DynamoDB table that
//! watchpost keeps for itself, taken and given back with conditional writes. It lapses on its
//! own, so a run that dies does not keep the account for longer than the lease lasts.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::bail;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, KeySchemaElement, KeyType, Put,
    ScalarAttributeType, TableStatus, Tag, TransactWriteItem,
};

use crate::aws::{AbsentIfNotFound, Class, Context, Session};
use crate::error::Hinted;
use crate::model::MANAGED_TAG;

/// watchpost's own coordination state, in the home region; not part of any plan.
pub const LEASE_TABLE: &str = "watchpost-lease";

/// Longer than any apply takes; after it a dead holder's lease may be taken over.
const LEASE_DURATION: Duration = Duration::from_secs(30 * 60);
const RETRY_EVERY: Duration = Duration::from_secs(2);
/// A lease taken this recently has nearly all of its time left: renewing it before the changes
/// would only add a round trip to the run.
const FRESH: Duration = Duration::from_secs(60);

/// The lease this run holds; give it back with [`Lease::release`].
pub struct Lease {
    client: aws_sdk_dynamodb::Client,
    account: String,
    holder: String,
    /// When this run's conditional write took the lease.
    taken_at: Instant,
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

/// Takes the account's lease, waiting up to `wait` while another live run holds it.
pub async fn acquire(
    session: &Session,
    region: &str,
    account: &str,
    wait: Duration,
) -> anyhow::Result<Lease> {
    let lease = Lease {
        client: session.dynamodb(region),
        account: account.to_owned(),
        holder: format!(
            "watchpost pid {} on {}",
            std::process::id(),
            std::env::var("HOSTNAME").unwrap_or_else(|_| "an unnamed host".to_owned())
        ),
        taken_at: Instant::now(),
    };
    lease.ensure_table().await?;
    let deadline = Instant::now() + wait;
    loop {
        let taken = lease
            .client
            .put_item()
            .table_name(LEASE_TABLE)
            .item("account", text(account))
            .item("holder", text(&lease.holder))
            .item("expires_at", number(now() + LEASE_DURATION.as_secs()))
            .condition_expression("attribute_not_exists(account) OR expires_at < :now")
            .expression_attribute_values(":now", number(now()))
            .send()
            .await
            .call("dynamodb:PutItem", LEASE_TABLE);
        match taken {
            Ok(_) => {
                return Ok(Lease {
                    taken_at: Instant::now(),
                    ..lease
                });
            }
            Err(error) if error.is(Class::Conflict) && Instant::now() < deadline => {
                tokio::time::sleep(RETRY_EVERY).await;
            }
            Err(error) if error.is(Class::Conflict) => {
                let (holder, expires_at) = lease.current_holder().await?;
                let minutes = expires_at.saturating_sub(now()).div_ceil(60);
                bail!(Hinted::new(
                    format!(
                        "another run holds account {account}: {holder} (its lease lapses within {minutes} min)"
                    ),
                    "let it finish, or pass --lock-timeout SECONDS to wait for it; a run that died lets go when its lease lapses",
                ));
            }
            Err(error) => return Err(error.into()),
        }
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
    let client = session.dynamodb(region);
    let deadline = Instant::now() + wait;
    loop {
        let read = client
            .get_item()
            .table_name(LEASE_TABLE)
            .key("account", text(account))
            .consistent_read(true)
            .send()
            .await
            .call("dynamodb:GetItem", LEASE_TABLE);
        let Some(answer) = read.absent_if_not_found()? else {
            return Ok(());
        };
        let item = answer.item().cloned().unwrap_or_default();
        let (holder, expires_at) = holder_of(&item);
        if item.is_empty() || expires_at < now() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let minutes = expires_at.saturating_sub(now()).div_ceil(60);
            bail!(Hinted::new(
                format!(
                    "another run still holds account {account} after {} s: {holder} (its lease lapses within {minutes} min)",
                    wait.as_secs()
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
    /// The table is made on first use, like the lock table of Terraform's S3 backend.
    async fn ensure_table(&self) -> anyhow::Result<()> {
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

    async fn current_holder(&self) -> anyhow::Result<(String, u64)> {
        let item = self
            .client
            .get_item()
            .table_name(LEASE_TABLE)
            .key("account", text(&self.account))
            .consistent_read(true)
            .send()
            .await
            .call("dynamodb:GetItem", LEASE_TABLE)?;
        Ok(holder_of(&item.item().cloned().unwrap_or_default()))
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

    /// Extends the lease from now, if it is still this run's: a run over many accounts takes
    /// every lease when it plans, and may reach an account's changes much later. A lease taken
    /// less than [`FRESH`] ago is left as it is.
    pub async fn renew(&self) -> anyhow::Result<()> {
        if self.taken_at.elapsed() < FRESH {
            return Ok(());
        }
        let renewed = self
            .client
            .put_item()
            .table_name(LEASE_TABLE)
            .item("account", text(&self.account))
            .item("holder", text(&self.holder))
            .item("expires_at", number(now() + LEASE_DURATION.as_secs()))
            .condition_expression("holder = :me")
            .expression_attribute_values(":me", text(&self.holder))
            .send()
            .await
            .call("dynamodb:PutItem", LEASE_TABLE);
        match renewed {
            Ok(_) => Ok(()),
            Err(error) if error.is(Class::Conflict) => bail!(Hinted::new(
                format!(
                    "the lease on account {} lapsed before its changes began, and another run has taken it; nothing was changed",
                    self.account
                ),
                "run again; with many accounts, a higher --parallelism reaches each account sooner",
            )),
            Err(error) => Err(error.into()),
        }
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    /// Writes `record`, an item of the lease table, and gives the lease back in one transaction,
    /// the last round trip of an apply. A lease that lapsed and was taken by another run is not
    /// ours to give back; the record is then written alone.
    pub async fn release_recording(
        self,
        record: HashMap<String, AttributeValue>,
    ) -> anyhow::Result<()> {
        let put = Put::builder()
            .table_name(LEASE_TABLE)
            .set_item(Some(record.clone()))
            .build()?;
        let delete = Delete::builder()
            .table_name(LEASE_TABLE)
            .key("account", text(&self.account))
            .condition_expression("holder = :me")
            .expression_attribute_values(":me", text(&self.holder))
            .build()?;
        let written = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().delete(delete).build())
            .send()
            .await
            .call("dynamodb:TransactWriteItems", LEASE_TABLE);
        match written {
            Ok(_) => Ok(()),
            Err(error) if error.code.as_deref() == Some("TransactionCanceledException") => {
                self.client
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
        let released = self
            .client
            .delete_item()
            .table_name(LEASE_TABLE)
            .key("account", text(&self.account))
            .condition_expression("holder = :me")
            .expression_attribute_values(":me", text(&self.holder))
            .send()
            .await
            .call("dynamodb:DeleteItem", LEASE_TABLE);
        match released {
            Ok(_) => Ok(()),
            // It lapsed and another run took it: nothing of ours to give back.
            Err(error) if error.is(Class::Conflict) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}
