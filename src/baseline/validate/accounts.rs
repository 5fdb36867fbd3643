//! `[accounts]`: the accounts a run covers besides the caller's own, and the role it assumes in
//! each.

use std::ops::Range;

use toml::Spanned;

use super::super::raw::RawAccounts;
use super::super::{AccountRole, AccountSelection, Accounts, Shard};
use super::checks::Checks;
use super::sections::{Declared, Sections, Written};

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    let Some(value) = written.value else {
        return;
    };
    let span = value.span();
    let accounts = checks
        .section::<RawAccounts>(written.name, value)
        .and_then(|raw| checks.accounts(raw, span.clone()));
    if let Some(scope) = &sections.scope
        && scope.account_id.is_some()
    {
        checks.error(
            span.clone(),
            "[accounts] and scope.account_id both say which accounts to cover",
            "scope.account_id pins one account and [accounts] names several: keep one of them",
        );
    }
    sections.accounts = Some(Declared {
        span,
        value: accounts,
    });
}

impl Checks<'_> {
    fn accounts(&mut self, raw: RawAccounts, section: Range<usize>) -> Option<Accounts> {
        let before = self.problems.len();
        let organization = raw
            .organization
            .as_ref()
            .is_some_and(|flag| *flag.get_ref());
        let selection = match (raw.ids, organization) {
            (Some(ids), true) => {
                self.error(
                    ids.span(),
                    "`ids` and `organization = true` both say which accounts to cover",
                    "keep one: a list of account ids, or every account of the organization",
                );
                None
            }
            (Some(ids), false) => {
                if ids.get_ref().is_empty() {
                    self.error(
                        ids.span(),
                        "`ids` is empty: the run would cover no account",
                        "list account ids, e.g. ids = [\"123456789012\"], or remove [accounts] to cover the caller's own account",
                    );
                }
                Some(AccountSelection::Listed(self.account_ids(ids.into_inner())))
            }
            (None, true) => Some(AccountSelection::Organization),
            (None, false) => {
                let span = raw.organization.map_or(section, |flag| flag.span());
                self.error(
                    span,
                    "[accounts] names no accounts",
                    "add ids = [\"123456789012\", ...] or organization = true (every active account of the organization)",
                );
                None
            }
        };
        let exclude = self.account_ids(raw.exclude);
        let defaults = AccountRole::default();
        let role = AccountRole {
            name: self.aws_name(
                raw.role_name,
                &defaults.name,
                "IAM role name",
                64,
                "+=,.@_-",
            ),
            external_id: raw.external_id.map(|id| {
                let text = id.get_ref();
                let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c);
                if !(2..=1224).contains(&text.len()) || !text.chars().all(allowed) {
                    self.error(
                        id.span(),
                        "`external_id` is not one STS accepts",
                        "use 2 to 1224 letters, digits and + = , . @ : / _ -",
                    );
                }
                id.into_inner()
            }),
            session_name: match raw.session_name {
                Some(name) if name.get_ref().len() < 2 => {
                    self.error(
                        name.span(),
                        "`session_name` is too short",
                        "STS needs 2 to 64 characters",
                    );
                    name.into_inner()
                }
                name => self.aws_name(
                    name,
                    &defaults.session_name,
                    "role session name",
                    64,
                    "+=,.@_-",
                ),
            },
        };
        let shard = raw
            .shard
            .and_then(|shard| match shard.get_ref().parse::<Shard>() {
                Ok(parsed) => Some(parsed),
                Err(problem) => {
                    self.error(
                        shard.span(),
                        problem,
                        "or leave `shard` out and pass --shard I/N to each worker",
                    );
                    None
                }
            });
        (self.problems.len() == before).then(|| Accounts {
            selection: selection.expect("no problem means a selection"),
            exclude,
            role,
            shard,
        })
    }

    /// Valid, distinct account ids, each problem reported where it is.
    fn account_ids(&mut self, ids: Vec<Spanned<String>>) -> Vec<String> {
        let mut valid: Vec<String> = Vec::new();
        for id in ids {
            if !self.account_id(&id) {
                continue;
            }
            if valid.contains(id.get_ref()) {
                self.error(
                    id.span(),
                    format!("account `{}` is listed twice", id.get_ref()),
                    "list each account once",
                );
            } else {
                valid.push(id.into_inner());
            }
        }
        valid
    }
}
