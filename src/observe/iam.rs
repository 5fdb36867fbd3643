use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;

use super::{Read, global};
use crate::aws::{AbsentIfNotFound, AwsError, Context, Session};
use crate::model::{Kind, Live, RoleSpec, Spec, is_managed_tag, policy};

/// The role and its policies. The policy lists name the role, not anything GetRole answers, so
/// they are read beside it rather than after it: a converged account has the role, and for
/// one that lacks it the lists' NotFound is GetRole's own answer again.
pub async fn role(session: &Session, home: &str, name: &str) -> Read {
    let id = global(Kind::IamRole, name);
    let failed = |error| (vec![id.clone()], error);
    let client = session.iam(home);
    let attached = async {
        let mut arns = BTreeSet::new();
        let mut pages = client
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.call("iam:ListAttachedRolePolicies", &id)?;
            arns.extend(
                page.attached_policies()
                    .iter()
                    .filter_map(|policy| policy.policy_arn().map(str::to_owned)),
            );
        }
        Ok::<_, AwsError>(arns)
    };
    let inline = async {
        let names = client
            .list_role_policies()
            .role_name(name)
            .send()
            .await
            .call("iam:ListRolePolicies", &id)?;
        let (client, id) = (&client, &id);
        let documents = join_all(names.policy_names().iter().map(|policy_name| async move {
            client
                .get_role_policy()
                .role_name(name)
                .policy_name(policy_name)
                .send()
                .await
                .call("iam:GetRolePolicy", id)
                .map(|answer| (policy_name.clone(), policy::parse(answer.policy_document())))
        }))
        .await;
        let mut policies = BTreeMap::new();
        for document in documents {
            if let (policy_name, Ok(parsed)) = document? {
                policies.insert(policy_name, parsed);
            }
        }
        Ok::<_, AwsError>(policies)
    };
    let role = async {
        client
            .get_role()
            .role_name(name)
            .send()
            .await
            .call("iam:GetRole", &id)
            .absent_if_not_found()
    };
    let (role, managed_policy_arns, inline_policies) = tokio::join!(role, attached, inline);
    let Some(answer) = role.map_err(failed)? else {
        return Ok(Vec::new());
    };
    let managed_policy_arns = managed_policy_arns.map_err(failed)?;
    let inline_policies = inline_policies.map_err(failed)?;
    let role = answer.role;
    let trust_policy = role
        .as_ref()
        .and_then(|role| role.assume_role_policy_document())
        .and_then(|document| policy::parse(document).ok())
        .unwrap_or_default();
    Ok(vec![(
        id,
        Live {
            spec: Spec::Role(RoleSpec {
                trust_policy,
                managed_policy_arns,
                inline_policies,
            }),
            live_id: None,
            owned: role.as_ref().is_some_and(|role| {
                role.tags()
                    .iter()
                    .any(|tag| is_managed_tag(tag.key(), tag.value()))
            }),
        },
    )])
}
