//! `watchpost force-unlock ACCOUNT_ID`: remove the account's lease by hand, when the run that
//! holds it is known to be dead and its lease has not lapsed yet, or was left by an older
//! watchpost whose leases lasted 30 minutes. Exit 0 when the lease is gone (or there was none),
//! 1 when it was refused or failed.

use std::path::Path;
use std::process::ExitCode;

use crate::accounts::{Target, role};
use crate::aws::Session;
use crate::baseline::Baseline;
use crate::cli::AccountAccess;
use crate::lease::force_unlock;
use crate::output::outln;

pub async fn run(
    path: &Path,
    access: &AccountAccess,
    account: &str,
    holder: Option<&str>,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let (baseline, _) = Baseline::read(path)?;
    let role = role(&baseline, access)?;
    let home = &baseline.scope.home_region;
    let region = access.region.as_deref().unwrap_or(home);
    let base = Session::load(access.profile.as_deref(), region).await?;
    let caller = crate::observe::caller_account(&base, region).await?;
    let target = Target::new(&base, &caller, region, account.to_owned(), &role).await;
    target.verify(region).await?;
    let unlocked = force_unlock(&target.session, home, account, holder, force).await?;
    outln!("Account {account}: {unlocked}.");
    Ok(ExitCode::SUCCESS)
}
