use futures::future::join_all;

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AwsError, Class, Context};
use crate::model::RoleSpec;
use crate::plan::{Action, Change};

impl Converge for RoleSpec {
    /// Creates the role if missing (an existing one of that name is converged instead), then sets
    /// the trust policy and the declared policies that differ. Nothing is ever detached.
    /// IAM is global; `region` is the home region, which picks the partition's endpoint.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let region = at.home_region;
        let client = at.session.iam(region);
        let name = change.id.name.as_str();
        let trust = self.trust_policy.to_string();
        let mut created = false;
        if change.action == Action::Create {
            let tag = aws_sdk_iam::types::Tag::builder()
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
                .build()
                .expect("key and value are set");
            match client
                .create_role()
                .role_name(name)
                .assume_role_policy_document(&trust)
                .description("Service role managed by watchpost")
                .tags(tag)
                .send()
                .await
                .call("iam:CreateRole", &change.id)
            {
                Ok(_) => created = true,
                Err(error) if error.is(Class::AlreadyExists) => {}
                Err(error) => return Err(error),
            }
        }
        // The trust policy and each policy are settings of their own on the role, written at
        // once: Terraform's AWS provider makes them separate resources that depend on the role
        // alone (docs/aws-behaviour.md).
        let trust = async {
            if created || !change.changes_field("trust_policy") {
                return Ok(());
            }
            client
                .update_assume_role_policy()
                .role_name(name)
                .policy_document(&trust)
                .send()
                .await
                .call("iam:UpdateAssumeRolePolicy", &change.id)
                .map(drop)
        };
        let client = &client;
        let attached = join_all(
            self.managed_policy_arns
                .iter()
                .filter(|arn| change.changes_field(&format!("managed_policy_arns[{arn}]")))
                .map(|arn| async move {
                    client
                        .attach_role_policy()
                        .role_name(name)
                        .policy_arn(arn)
                        .send()
                        .await
                        .call("iam:AttachRolePolicy", &change.id)
                        .map(drop)
                }),
        );
        let inline = join_all(
            self.inline_policies
                .iter()
                .filter(|(policy_name, _)| {
                    change.changes_field(&format!("inline_policies.{policy_name}"))
                })
                .map(|(policy_name, document)| async move {
                    let document =
                        super::kms::with_key_arns(at.session, &change.id, document).await?;
                    client
                        .put_role_policy()
                        .role_name(name)
                        .policy_name(policy_name)
                        .policy_document(document.to_string())
                        .send()
                        .await
                        .call("iam:PutRolePolicy", &change.id)
                        .map(drop)
                }),
        );
        let (trust, attached, inline) = tokio::join!(trust, attached, inline);
        attached.into_iter().chain(inline).fold(trust, Result::and)
    }

    /// IAM deletes a role only once nothing is attached to it: its managed policies are
    /// detached and its inline ones deleted first.
    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let region = at.home_region;
        let client = at.session.iam(region);
        let name = change.id.name.as_str();
        let attached = client
            .list_attached_role_policies()
            .role_name(name)
            .send()
            .await
            .call("iam:ListAttachedRolePolicies", &change.id)?;
        for policy in attached.attached_policies() {
            client
                .detach_role_policy()
                .role_name(name)
                .policy_arn(policy.policy_arn().unwrap_or_default())
                .send()
                .await
                .call("iam:DetachRolePolicy", &change.id)?;
        }
        let inline = client
            .list_role_policies()
            .role_name(name)
            .send()
            .await
            .call("iam:ListRolePolicies", &change.id)?;
        for policy_name in inline.policy_names() {
            client
                .delete_role_policy()
                .role_name(name)
                .policy_name(policy_name)
                .send()
                .await
                .call("iam:DeleteRolePolicy", &change.id)?;
        }
        client
            .delete_role()
            .role_name(name)
            .send()
            .await
            .call("iam:DeleteRole", &change.id)
            .map(drop)
    }
}
