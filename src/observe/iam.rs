use std::collections::{BTreeMap, BTreeSet};

use super::{Read, global};
use crate::aws::{AbsentIfNotFound, Context, Session};
use crate::model::{Kind, Live, RoleSpec, Spec, is_managed_tag, policy};

pub async fn role(session: &Session, home: &str, name: &str) -> Read {
    let id = global(Kind::IamRole, name);
    let failed = |error| (vec![id.clone()], error);
    let client = session.iam(home);
    let Some(answer) = client
        .get_role()
        .role_name(name)
        .send()
        .await
        .call("iam:GetRole", &id)
        .absent_if_not_found()
        .map_err(failed)?
    else {
        return Ok(Vec::new());
    };
    let role = answer.role;
    let trust_policy = role
        .as_ref()
        .and_then(|role| role.assume_role_policy_document())
        .and_then(|document| policy::parse(document).ok())
        .unwrap_or_default();
    let mut managed_policy_arns = BTreeSet::new();
    let mut attached = client
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .send();
    while let Some(page) = attached.next().await {
        let page = page
            .call("iam:ListAttachedRolePolicies", &id)
            .map_err(failed)?;
        managed_policy_arns.extend(
            page.attached_policies()
                .iter()
                .filter_map(|policy| policy.policy_arn().map(str::to_owned)),
        );
    }
    let inline_names = client
        .list_role_policies()
        .role_name(name)
        .send()
        .await
        .call("iam:ListRolePolicies", &id)
        .map_err(failed)?;
    let mut inline_policies = BTreeMap::new();
    for policy_name in inline_names.policy_names() {
        let document = client
            .get_role_policy()
            .role_name(name)
            .policy_name(policy_name)
            .send()
            .await
            .call("iam:GetRolePolicy", &id)
            .map_err(failed)?;
        if let Ok(parsed) = policy::parse(document.policy_document()) {
            inline_policies.insert(policy_name.clone(), parsed);
        }
    }
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
