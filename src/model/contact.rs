//! The account's security contact: the alternate contact AWS writes to about security matters
//! (abuse reports, compromised credentials), in place of the root user's address alone.

use serde::{Deserialize, Serialize};

use super::{FieldChange, FieldDiff};

/// The `SECURITY` alternate contact, every field `PutAlternateContact` requires. AWS returns
/// the values as they were put, so they are compared as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityContactSpec {
    pub name: String,
    pub title: String,
    pub email_address: String,
    pub phone_number: String,
}

impl SecurityContactSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("name", &self.name, &live.name);
        diff.field("title", &self.title, &live.title);
        diff.field("email_address", &self.email_address, &live.email_address);
        diff.field("phone_number", &self.phone_number, &live.phone_number);
        diff.finish()
    }
}
