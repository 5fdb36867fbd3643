//! `watchpost status`: read each account's status and print it. Nothing is changed and no lease
//! is taken. Exit 0 when every account could be read, even if parts of one were not available
//! (they are named in the output); 1 when the run or an account could not be read at all.

use std::path::Path;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use futures::StreamExt;

use super::fan_out::{account_region, for_each_account, reach};
use crate::accounts::{Fleet, Target};
use crate::baseline::Baseline;
use crate::cli::AwsArgs;
use crate::model::Time;
use crate::output::{out, outln};
use crate::status::{StatusReport, render_json, render_text};

/// Attempts per call unless the user chose a number: the SDK's own default. A person is
/// waiting, and a part that fails is shown as not available rather than failing the run.
const ATTEMPTS: u32 = 3;

pub async fn run(path: &Path, aws: &AwsArgs, json: bool) -> anyhow::Result<ExitCode> {
    let (baseline, _) = Baseline::read(path)?;
    let fleet = Fleet::new(&baseline, aws)?;
    let reach = reach(aws, &baseline, &fleet).await?;
    let region = account_region(aws, &baseline);
    let attempts_chosen = crate::aws::attempts_chosen(aws.access.profile.as_deref()).await;
    let read_status = async |target: &Target| {
        target.verify(region).await?;
        let regions = crate::observe::regions(&target.session, &baseline, region).await?;
        let session = if attempts_chosen {
            target.session.clone()
        } else {
            target.session.with_max_attempts(ATTEMPTS)
        };
        let status = crate::status::account(
            &session,
            &baseline,
            target.account_id.clone(),
            regions.in_scope,
        )
        .await;
        anyhow::Ok(status)
    };
    let outcomes = for_each_account(&reach, fleet.parallelism, &read_status)
        .collect::<Vec<_>>()
        .await;

    if json {
        let accounts: Vec<StatusReport<'_>> = outcomes
            .iter()
            .map(|outcome| StatusReport {
                account_id: &outcome.account_id,
                status: match &outcome.result {
                    Ok(status) => Ok(status),
                    Err(error) => Err(crate::error::explained(error)),
                },
                api_calls: &outcome.api_calls,
            })
            .collect();
        outln!("{:#}", render_json(&accounts, &reach.caller.api_calls()));
    }
    if !reach.is_fan_out() {
        let outcome = outcomes.into_iter().next().expect("one account");
        let status = outcome.result?;
        if !json {
            out!("{}", render_text(&status, now()));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !json {
        for outcome in &outcomes {
            outln!("\n== account {} ==\n", outcome.account_id);
            match &outcome.result {
                Ok(status) => out!("{}", render_text(status, now())),
                Err(error) => outln!("error: {}", crate::error::explained(error)),
            }
        }
    }
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    if !json {
        outln!(
            "\nRead {} of {} account(s){}.",
            outcomes.len() - failed,
            outcomes.len(),
            if failed > 0 {
                format!("; {failed} could not be read (above)")
            } else {
                String::new()
            }
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn now() -> Time {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    Time(i64::try_from(seconds).unwrap_or(i64::MAX))
}
