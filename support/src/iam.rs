//! IAM roles read back with their policies, the documents decoded: what the account read-back
//! ([`crate::account`]), the policy linter's test and the tests of single roles all ask of IAM.

use serde_json::Value;

use crate::Moto;

/// One IAM role as a test reads it back: its trust policy and every policy it holds, each
/// document decoded (IAM returns them URL-encoded) but otherwise as IAM stores it.
#[derive(Debug, Clone)]
pub struct RoleRead {
    pub name: String,
    /// The trust policy (`AssumeRolePolicyDocument`), decoded.
    pub trust_policy: String,
    /// The ARNs of the managed policies attached to it, in IAM's order.
    pub attached: Vec<String>,
    /// Its inline policies as (name, decoded document), in IAM's order.
    pub inline: Vec<(String, String)>,
}

impl RoleRead {
    /// The trust policy as JSON.
    #[track_caller]
    pub fn trust_policy_json(&self) -> Value {
        serde_json::from_str(&self.trust_policy)
            .unwrap_or_else(|e| panic!("the trust policy of role {} ({e})", self.name))
    }

    /// The inline policy `policy` as JSON; panics, naming the role's inline policies, when the
    /// role has no such policy.
    #[track_caller]
    pub fn inline_policy_json(&self, policy: &str) -> Value {
        let (_, document) = self
            .inline
            .iter()
            .find(|(name, _)| name == policy)
            .unwrap_or_else(|| {
                let names: Vec<&str> = self.inline.iter().map(|(n, _)| n.as_str()).collect();
                panic!(
                    "role {} has no inline policy {policy}: {names:?}",
                    self.name
                )
            });
        serde_json::from_str(document)
            .unwrap_or_else(|e| panic!("inline policy {policy} of role {} ({e})", self.name))
    }
}

/// A policy document as IAM returns it (GetRolePolicy, ListRoles, GetRole, GetPolicyVersion:
/// URL-encoded), decoded.
pub fn decode_policy(document: &str) -> String {
    percent_encoding::percent_decode_str(document)
        .decode_utf8()
        .unwrap_or_else(|e| panic!("IAM policy document is not UTF-8 once decoded ({e})"))
        .into_owned()
}

impl Moto {
    /// Every IAM role of the account ([`RoleRead`]), in IAM's order.
    pub async fn roles(&self) -> Vec<RoleRead> {
        let iam = self.iam().await;
        let listed = iam.list_roles().send().await.unwrap();
        let mut roles = Vec::new();
        for role in listed.roles() {
            let trust = role.assume_role_policy_document().unwrap_or_default();
            roles.push(read_role(&iam, role.role_name(), trust).await);
        }
        roles
    }

    /// The IAM role `name` ([`RoleRead`]); panics when there is none.
    pub async fn role(&self, name: &str) -> RoleRead {
        let iam = self.iam().await;
        let got = iam.get_role().role_name(name).send().await;
        let got = got.unwrap_or_else(|e| panic!("GetRole {name}: {e:?}"));
        let trust = got.role().and_then(|r| r.assume_role_policy_document());
        read_role(&iam, name, trust.unwrap_or_default()).await
    }

    /// The IAM role `name` of another account of the server; panics when there is none.
    pub async fn role_in(&self, account: &str, name: &str) -> RoleRead {
        let iam = aws_sdk_iam::Client::new(&self.sdk_config_in(account, crate::REGION).await);
        let got = iam.get_role().role_name(name).send().await;
        let got = got.unwrap_or_else(|e| panic!("GetRole {name} in {account}: {e:?}"));
        let trust = got.role().and_then(|r| r.assume_role_policy_document());
        read_role(&iam, name, trust.unwrap_or_default()).await
    }
}

/// Reads what role `name` holds, its trust policy `trust` (URL-encoded) being already known
/// from ListRoles or GetRole.
async fn read_role(iam: &aws_sdk_iam::Client, name: &str, trust: &str) -> RoleRead {
    let attached = iam.list_attached_role_policies().role_name(name);
    let attached = attached.send().await.unwrap();
    let attached = attached.attached_policies().iter();
    let attached = attached.filter_map(|p| p.policy_arn().map(str::to_owned));
    let listed = iam.list_role_policies().role_name(name).send().await;
    let mut inline = Vec::new();
    for policy in listed.unwrap().policy_names() {
        let got = iam.get_role_policy().role_name(name).policy_name(policy);
        let got = got.send().await.unwrap();
        inline.push((policy.clone(), decode_policy(got.policy_document())));
    }
    RoleRead {
        name: name.to_owned(),
        trust_policy: decode_policy(trust),
        attached: attached.collect(),
        inline,
    }
}
