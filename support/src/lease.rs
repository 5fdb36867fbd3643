//! The lease item of watchpost's table, as the tests read and write it behind watchpost's back:
//! a run that holds an account, or died holding it.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};

pub const LEASE_TABLE: &str = "watchpost-lease";

/// Who holds `account`'s lease and when it lapses (epoch seconds), if anyone does; no table
/// (no run has made one yet) is no lease.
pub async fn lease_of(config: &SdkConfig, account: &str) -> Option<(String, u64)> {
    let read = aws_sdk_dynamodb::Client::new(config)
        .get_item()
        .table_name(LEASE_TABLE)
        .key("account", AttributeValue::S(account.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .ok()?;
    let item = read.item()?;
    match (item.get("holder"), item.get("expires_at")) {
        (Some(AttributeValue::S(holder)), Some(AttributeValue::N(expires_at))) => {
            Some((holder.clone(), expires_at.parse().unwrap()))
        }
        other => panic!("a lease without a holder or an expiry: {other:?}"),
    }
}

/// `account`'s lease held by `holder` until `expires_at` (epoch seconds), in the table as apply
/// makes it (made first if no run has made it yet).
pub async fn hold_lease(config: &SdkConfig, account: &str, holder: &str, expires_at: u64) {
    let client = aws_sdk_dynamodb::Client::new(config);
    let exists = client
        .describe_table()
        .table_name(LEASE_TABLE)
        .send()
        .await
        .is_ok();
    if !exists {
        client
            .create_table()
            .table_name(LEASE_TABLE)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("account")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("account")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    client
        .put_item()
        .table_name(LEASE_TABLE)
        .item("account", AttributeValue::S(account.to_owned()))
        .item("holder", AttributeValue::S(holder.to_owned()))
        .item("expires_at", AttributeValue::N(expires_at.to_string()))
        .send()
        .await
        .unwrap();
}
