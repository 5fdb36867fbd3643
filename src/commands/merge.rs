//! `watchpost report merge`: the shards of a fleet, each run by a worker of its own, merged
//! into one document and one exit code, so that a pipeline has one verdict. A merge of every
//! shard says what one run over the whole fleet would have said.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::baseline::Shard;
use crate::error::Hinted;
use crate::output::outln;
use crate::plan::FORMAT_VERSION;

/// What one shard wrote.
enum Written {
    /// A `plan --json` document.
    Plan(Value),
    /// An `apply --json` stream: each account's summary line, and the run's.
    Apply {
        accounts: Vec<Value>,
        summary: Value,
    },
}

impl Written {
    fn shard(&self) -> Option<&str> {
        match self {
            Written::Plan(document) => document["shard"].as_str(),
            Written::Apply { summary, .. } => summary["shard"].as_str(),
        }
    }

    fn accounts(&self) -> Vec<&Value> {
        match self {
            Written::Plan(document) => document["accounts"]
                .as_array()
                .map(|accounts| accounts.iter().collect())
                .unwrap_or_default(),
            Written::Apply { accounts, .. } => accounts.iter().collect(),
        }
    }
}

pub fn run(files: &[PathBuf], detailed_exitcode: bool) -> anyhow::Result<ExitCode> {
    let written: Vec<(&Path, Written)> = files
        .iter()
        .map(|file| Ok((file.as_path(), read(file)?)))
        .collect::<anyhow::Result<_>>()?;
    every_shard_once(&written)?;
    each_account_once(&written)?;
    let plans = written
        .iter()
        .filter(|(_, written)| matches!(written, Written::Plan(_)))
        .count();
    match plans {
        0 => Ok(merge_applies(&written)),
        all if all == written.len() => Ok(merge_plans(&written, detailed_exitcode)),
        _ => bail!(Hinted::new(
            "these files mix plans (plan --json) and applies (apply --json)",
            "merge the files of one kind of run at a time"
        )),
    }
}

/// A file as a plan document, or as the JSON lines of an apply.
fn read(file: &Path) -> anyhow::Result<Written> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    if let Ok(document) = serde_json::from_str::<Value>(&text)
        && document["accounts"].is_array()
    {
        if document["format_version"] != FORMAT_VERSION {
            bail!(Hinted::new(
                format!(
                    "{} is in plan format {}, and this watchpost reads format {FORMAT_VERSION}",
                    file.display(),
                    document["format_version"]
                ),
                "run every shard with the same watchpost"
            ));
        }
        return Ok(Written::Plan(document));
    }
    let mut accounts = Vec::new();
    let mut summary = None;
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line: Value = serde_json::from_str(line).with_context(|| {
            format!(
                "{}:{}: not a line of watchpost's JSON output",
                file.display(),
                number + 1
            )
        })?;
        match line["type"].as_str() {
            Some("account_summary") => accounts.push(line),
            Some("summary") => summary = Some(line),
            _ => {}
        }
    }
    match summary {
        Some(summary) => Ok(Written::Apply { accounts, summary }),
        None => bail!(Hinted::new(
            format!(
                "{} is neither a plan --json document nor a finished apply --json run (it has no summary line)",
                file.display()
            ),
            "a run cut short writes no summary: run that shard again"
        )),
    }
}

/// The shards named are exactly 1/N to N/N of one N, each once; or no file names a shard.
fn every_shard_once(written: &[(&Path, Written)]) -> anyhow::Result<()> {
    let named: Vec<(&Path, Option<&str>)> = written
        .iter()
        .map(|(file, written)| (*file, written.shard()))
        .collect();
    if named.iter().all(|(_, shard)| shard.is_none()) {
        return Ok(());
    }
    if let Some((file, _)) = named.iter().find(|(_, shard)| shard.is_none()) {
        bail!(Hinted::new(
            format!(
                "{} is not the output of a shard, and the other files are",
                file.display()
            ),
            "merge the outputs of one sharded run, every shard once"
        ));
    }
    let mut shards: BTreeMap<String, &Path> = BTreeMap::new();
    let mut count = None;
    for (file, shard) in named {
        let text = shard.expect("every file names its shard");
        let shard: Shard = text
            .parse()
            .map_err(|problem| anyhow::anyhow!("{}: {problem}", file.display()))?;
        if *count.get_or_insert(shard.count()) != shard.count() {
            bail!(Hinted::new(
                format!(
                    "{} is shard {shard}, of another split than the other files",
                    file.display()
                ),
                "merge the outputs of one sharded run, every shard once"
            ));
        }
        if let Some(first) = shards.insert(shard.to_string(), file) {
            bail!(Hinted::new(
                format!(
                    "shard {shard} is there twice: {} and {}",
                    first.display(),
                    file.display()
                ),
                "merge each shard's output once"
            ));
        }
    }
    let count = count.expect("at least one shard");
    let missing: Vec<String> = (1..=count)
        .map(|index| format!("{index}/{count}"))
        .filter(|shard| !shards.contains_key(shard))
        .collect();
    if !missing.is_empty() {
        bail!(Hinted::new(
            format!(
                "shard {} is missing: without it, the accounts it covers have no verdict",
                missing.join(", ")
            ),
            "add its output, or run that shard again"
        ));
    }
    Ok(())
}

/// No account was covered by two of the runs merged.
fn each_account_once(written: &[(&Path, Written)]) -> anyhow::Result<()> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for (file, written) in written {
        for account in written.accounts() {
            let id = account["account_id"].as_str().unwrap_or_default();
            if let Some(first) = seen.insert(id, file) {
                bail!(Hinted::new(
                    format!(
                        "account {id} is in {} and in {}",
                        first.display(),
                        file.display()
                    ),
                    "merge runs that cover different accounts, such as the shards of one split"
                ));
            }
        }
    }
    Ok(())
}

/// The shards' names, in order, for the merged output ([`every_shard_once`] has checked them).
fn shard_names(written: &[(&Path, Written)]) -> Vec<String> {
    let shards: BTreeSet<Shard> = written
        .iter()
        .filter_map(|(_, written)| written.shard()?.parse().ok())
        .collect();
    shards.iter().map(Shard::to_string).collect()
}

/// Adds the numbers of `from` into `into`, key by key: totals and API call counts.
fn add_counts(into: &mut BTreeMap<String, u64>, from: &Value) {
    for (key, value) in from.as_object().into_iter().flatten() {
        if let Some(count) = value.as_u64() {
            *into.entry(key.clone()).or_default() += count;
        }
    }
}

fn merge_plans(written: &[(&Path, Written)], detailed_exitcode: bool) -> ExitCode {
    let documents: Vec<&Value> = written
        .iter()
        .filter_map(|(_, written)| match written {
            Written::Plan(document) => Some(document),
            Written::Apply { .. } => None,
        })
        .collect();
    let mut accounts: Vec<&Value> = written.iter().flat_map(|(_, w)| w.accounts()).collect();
    accounts.sort_by_key(|account| account["account_id"].as_str().unwrap_or_default());
    let (mut summary, mut api_calls) = (BTreeMap::new(), BTreeMap::new());
    for document in &documents {
        add_counts(&mut summary, &document["summary"]);
        add_counts(&mut api_calls, &document["api_calls"]);
    }
    let failed = summary.get("failed_accounts").copied().unwrap_or(0) > 0
        || accounts.iter().any(|account| {
            account["gaps"]
                .as_array()
                .is_some_and(|gaps| !gaps.is_empty())
        });
    let changes = ["add", "change", "destroy"]
        .iter()
        .any(|key| summary.get(*key).copied().unwrap_or(0) > 0);
    let mut merged = json!({
        "format_version": FORMAT_VERSION,
        "watchpost_version": env!("CARGO_PKG_VERSION"),
        "accounts": accounts,
        "summary": summary,
        "api_calls": api_calls,
    });
    let shards = shard_names(written);
    if !shards.is_empty() {
        merged["shards"] = json!(shards);
    }
    outln!("{merged:#}");
    if failed {
        ExitCode::from(1)
    } else if detailed_exitcode && changes {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn merge_applies(written: &[(&Path, Written)]) -> ExitCode {
    let mut accounts: Vec<&Value> = written.iter().flat_map(|(_, w)| w.accounts()).collect();
    accounts.sort_by_key(|account| account["account_id"].as_str().unwrap_or_default());
    for account in &accounts {
        outln!("{account}");
    }
    let (mut totals, mut api_calls) = (BTreeMap::new(), BTreeMap::new());
    let mut converged = true;
    for (_, written) in written {
        if let Written::Apply { summary, .. } = written {
            add_counts(&mut totals, summary);
            add_counts(&mut api_calls, &summary["api_calls"]);
            converged &= summary["converged"].as_bool() == Some(true);
        }
    }
    let mut summary = json!({ "type": "summary" });
    for (key, count) in totals {
        summary[key] = json!(count);
    }
    summary["converged"] = json!(converged);
    summary["api_calls"] = json!(api_calls);
    let shards = shard_names(written);
    if !shards.is_empty() {
        summary["shards"] = json!(shards);
    }
    outln!("{summary}");
    if converged {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::{Written, each_account_once, every_shard_once};

    fn plan(shard: &str, accounts: &[&str]) -> Written {
        let accounts: Vec<_> = accounts
            .iter()
            .map(|id| json!({ "account_id": id }))
            .collect();
        Written::Plan(json!({ "shard": shard, "accounts": accounts }))
    }

    fn refusal(written: &[(&Path, Written)]) -> String {
        let error = every_shard_once(written)
            .and_then(|()| each_account_once(written))
            .unwrap_err();
        format!("{error}")
    }

    #[test]
    fn a_shard_twice_another_split_or_an_account_twice_is_refused() {
        let (a, b, c) = (
            Path::new("a.json"),
            Path::new("b.json"),
            Path::new("c.json"),
        );
        assert_eq!(
            refusal(&[(a, plan("1/2", &["1"])), (b, plan("1/2", &["2"]))]),
            "shard 1/2 is there twice: a.json and b.json"
        );
        assert_eq!(
            refusal(&[(a, plan("1/2", &["1"])), (b, plan("2/3", &["2"]))]),
            "b.json is shard 2/3, of another split than the other files"
        );
        assert_eq!(
            refusal(&[
                (a, plan("1/3", &["1"])),
                (b, plan("2/3", &["1"])),
                (c, plan("3/3", &[]))
            ]),
            "account 1 is in a.json and in b.json"
        );
        assert!(every_shard_once(&[(a, plan("2/2", &[])), (b, plan("1/2", &[]))]).is_ok());
    }
}
