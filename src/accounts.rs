//! Which accounts a run covers, and how a session reaches each: the caller's own account by
//! default, or those the baseline's [accounts] or `--accounts` name, each reached through a role.

use anyhow::bail;
use aws_sdk_organizations::types::AccountStatus;

use crate::aws::{Context, RoleToAssume, Session};
use crate::baseline::{AccountRole, AccountSelection, Baseline, Shard};
use crate::cli::{AccountAccess, AwsArgs};
use crate::error::Hinted;
use crate::model::partition;
use crate::observe::caller_account;
use crate::output::errln;

/// The accounts to cover, as the baseline and the command line say together.
pub struct Fleet {
    /// `None`: the caller's own account only.
    selection: Option<AccountSelection>,
    exclude: Vec<String>,
    role: AccountRole,
    pub shard: Option<Shard>,
    pub parallelism: usize,
    /// The security account of `[alerts] central_bus`: worked on whether or not the fleet
    /// covers it, since its plan holds the bus, the bus's policy and the email.
    central_account: Option<String>,
}

/// One account to work on, with a session in it.
#[derive(Clone)]
pub struct Target {
    pub account_id: String,
    pub session: Session,
    /// The role the session assumes; `None` for the caller's own account.
    role_arn: Option<String>,
}

impl Target {
    /// A session in `account_id`: the caller's own credentials in its own account (`caller`),
    /// else `role` assumed there.
    pub async fn new(
        base: &Session,
        caller: &str,
        region: &str,
        account_id: String,
        role: &AccountRole,
    ) -> Target {
        if account_id == caller {
            return Target {
                account_id,
                session: base.metered_apart(),
                role_arn: None,
            };
        }
        let role_arn = format!(
            "arn:{}:iam::{account_id}:role/{}",
            partition(region),
            role.name
        );
        let session = base
            .assume(RoleToAssume {
                role_arn: role_arn.clone(),
                region,
                external_id: role.external_id.as_deref(),
                session_name: &role.session_name,
            })
            .await;
        Target {
            account_id,
            session,
            role_arn: Some(role_arn),
        }
    }

    /// That the role can be assumed and leads to the account meant, before anything is read
    /// there: the first call made with the role's credentials.
    pub async fn verify(&self, region: &str) -> anyhow::Result<()> {
        let Some(role_arn) = &self.role_arn else {
            return Ok(());
        };
        match caller_account(&self.session, region).await {
            Ok(account) if account == self.account_id => Ok(()),
            Ok(account) => bail!(
                "the role {role_arn} led to account {account}, not {}",
                self.account_id
            ),
            // The role's hint replaces the failed call's: the role, not the caller's own
            // permissions, is what to look at.
            Err(error) => bail!(Hinted::new(
                format!(
                    "cannot work in account {} through the role {role_arn}: {error}",
                    self.account_id
                ),
                "the caller needs the permission sts:AssumeRole on the role, which must exist in that account and trust the caller (with the external id, if its trust policy asks for one); OrganizationAccountAccessRole does in accounts an organization created, otherwise name yours with [accounts].role_name or --assume-role",
            )),
        }
    }
}

impl Fleet {
    /// The command line overrides the baseline, field by field.
    pub fn new(baseline: &Baseline, aws: &AwsArgs) -> anyhow::Result<Fleet> {
        let (selection, exclude, shard) = match &baseline.accounts {
            Some(accounts) => (
                Some(accounts.selection.clone()),
                accounts.exclude.clone(),
                accounts.shard,
            ),
            None => (None, Vec::new(), None),
        };
        let role = role(baseline, &aws.access)?;
        let central_account = baseline
            .alerts
            .as_ref()
            .and_then(|alerts| alerts.central_bus.as_ref())
            .map(|bus| bus.account.clone());
        if let (Some(_), Some(given), Some(declared)) =
            (&central_account, &aws.accounts, &baseline.accounts)
        {
            outside_the_central_fleet(given, declared)?;
        }
        let selection = aws.accounts.clone().or(selection);
        if selection.is_none()
            && (aws.access.assume_role.is_some() || aws.access.external_id.is_some())
        {
            bail!(Hinted::new(
                "--assume-role and --external-id need accounts to assume them in",
                "add --accounts IDS (or --accounts organization), or an [accounts] section to the baseline",
            ));
        }
        Ok(Fleet {
            selection,
            exclude,
            role,
            shard: aws.shard.or(shard),
            parallelism: usize::from(aws.parallelism),
            central_account,
        })
    }

    /// The ids of the accounts covered, in account order. `caller` is the account of `base`'s
    /// credentials, which lists the organization's accounts when the baseline asks for them.
    /// No session is made here: a run over a thousand accounts makes each account's session
    /// when its turn comes and lets it go after (see [`Fleet::target`]).
    pub async fn accounts(
        &self,
        base: &Session,
        caller: &str,
        region: &str,
    ) -> anyhow::Result<Vec<String>> {
        let mut ids = match &self.selection {
            None => vec![caller.to_owned()],
            Some(AccountSelection::Listed(ids)) => ids.clone(),
            Some(AccountSelection::Organization) => organization_accounts(base, region).await?,
        };
        ids.retain(|id| !self.exclude.contains(id));
        ids.extend(self.central_account.clone());
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            bail!(Hinted::new(
                "no account is left to cover: every account selected is excluded",
                "check [accounts].exclude",
            ));
        }
        // A shard may fall on none of the accounts: that worker has nothing to do, which is
        // not a failure of the run.
        if let Some(shard) = self.shard {
            let selected = ids.len();
            ids.retain(|id| shard.covers(id));
            errln!(
                "shard {shard}: {} of the {selected} account(s) selected",
                ids.len()
            );
        }
        Ok(ids)
    }

    /// A session in `account_id`, one of the fleet's accounts.
    pub async fn target(
        &self,
        base: &Session,
        caller: &str,
        region: &str,
        account_id: &str,
    ) -> Target {
        Target::new(base, caller, region, account_id.to_owned(), &self.role).await
    }
}

/// The role that reaches accounts other than the caller's: the baseline's [accounts], the
/// command line overriding it field by field.
pub fn role(baseline: &Baseline, access: &AccountAccess) -> anyhow::Result<AccountRole> {
    let mut role = baseline
        .accounts
        .as_ref()
        .map_or_else(AccountRole::default, |accounts| accounts.role.clone());
    if let Some(name) = &access.assume_role {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
        if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) {
            bail!(Hinted::new(
                format!("--assume-role {name}: not an IAM role name"),
                "give the role's name (1 to 64 letters, digits and + = , . @ _ -), not its ARN",
            ));
        }
        role.name = name.clone();
    }
    if let Some(external_id) = &access.external_id {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c);
        if !(2..=1224).contains(&external_id.len()) || !external_id.chars().all(allowed) {
            bail!(Hinted::new(
                "--external-id: not an external id STS accepts",
                "use 2 to 1224 letters, digits and + = , . @ : / _ -",
            ));
        }
        role.external_id = Some(external_id.clone());
    }
    Ok(role)
}

/// With a central bus, `--accounts` may narrow the fleet of `[accounts]` but not go outside it:
/// the bus admits the accounts `[accounts]` names, and an account outside them would forward
/// its alerts to a bus that refuses them.
fn outside_the_central_fleet(
    given: &AccountSelection,
    declared: &crate::baseline::Accounts,
) -> anyhow::Result<()> {
    let outside: Vec<&str> = match given {
        AccountSelection::Listed(ids) => ids
            .iter()
            .filter(|id| !declared.covers(id))
            .map(String::as_str)
            .collect(),
        AccountSelection::Organization if declared.selection != AccountSelection::Organization => {
            vec!["organization"]
        }
        AccountSelection::Organization => Vec::new(),
    };
    if outside.is_empty() {
        return Ok(());
    }
    bail!(Hinted::new(
        format!(
            "--accounts goes outside the fleet of [accounts], whose accounts the central bus admits: {}",
            outside.join(", ")
        ),
        "with [alerts] central_bus, name with --accounts only accounts that [accounts] covers, or add them to [accounts]",
    ))
}

/// Every active account of the caller's organization; the caller must be its management
/// account or a delegated administrator.
async fn organization_accounts(base: &Session, region: &str) -> anyhow::Result<Vec<String>> {
    let mut pages = base
        .organizations(region)
        .list_accounts()
        .into_paginator()
        .send();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.call(
            "organizations:ListAccounts",
            "the accounts of the organization",
        )?;
        ids.extend(
            page.accounts()
                .iter()
                .filter(|account| account.status() == Some(&AccountStatus::Active))
                .filter_map(|account| account.id().map(str::to_owned)),
        );
    }
    Ok(ids)
}
