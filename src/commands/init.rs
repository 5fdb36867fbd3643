//! `watchpost init`: the recommended baseline with the user's own alert addresses, home region
//! and account id, edited in place so that every explanatory comment stays.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use toml_edit::{DocumentMut, Item, Value};

use super::outcome::first_line;
use crate::aws::Session;
use crate::baseline::{Baseline, is_account_id};
use crate::error::Hinted;
use crate::output::{errln, outln};

/// The recommended baseline, as the repository ships it.
const RECOMMENDED: &str = include_str!("../../baseline.toml");

/// Where the repository's baseline finds its schema; a baseline written elsewhere would point at
/// nothing, so init drops the line and says how to get the schema.
const SCHEMA_DIRECTIVE: &str = "#:schema ./docs/baseline.schema.json\n";

/// The recommended baseline's commented-out account id, replaced by the real key when the
/// account is known.
const ACCOUNT_ID_EXAMPLE: &str = "# Uncomment to make watchpost refuse to touch any other account.\n# account_id = \"123456789012\"\n";

/// The home region when neither the command line nor the AWS configuration names one.
const DEFAULT_HOME_REGION: &str = "us-east-1";

/// How long the account id lookup may take before init goes on without it.
const IDENTITY_TIMEOUT: Duration = Duration::from_secs(15);

/// What the command line gave; the rest is asked on a terminal, or defaulted.
pub struct Given {
    pub emails: Vec<String>,
    pub home_region: Option<String>,
    pub account_id: Option<String>,
    pub profile: Option<String>,
    pub force: bool,
}

pub async fn run(path: &Path, given: Given) -> anyhow::Result<ExitCode> {
    if path.exists() && !given.force {
        bail!(Hinted::new(
            format!("{} already exists", path.display()),
            "pass --force to overwrite it, or --baseline PATH to write the starter baseline elsewhere",
        ));
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let configured_region = configured_region(given.profile.as_deref()).await;
    let account_id = match given.account_id {
        Some(id) => Some(id),
        None => {
            let lookup_region = given
                .home_region
                .as_deref()
                .or(configured_region.as_deref())
                .unwrap_or(DEFAULT_HOME_REGION);
            match caller_account(given.profile.as_deref(), lookup_region).await {
                Ok(id) => Some(id),
                Err(reason) if interactive => {
                    errln!("note: the account id could not be read ({reason})");
                    None
                }
                Err(reason) => {
                    errln!(
                        "note: the account id could not be read ({reason}), so scope.account_id is left commented out: watchpost will work on whichever account the credentials are for. Set it in the file, or pass --account-id, to pin the baseline to one account."
                    );
                    None
                }
            }
        }
    };
    let answers = match interactive {
        true => ask(
            given.emails,
            given.home_region,
            configured_region,
            account_id,
        )?,
        false => Answers {
            emails: match given.emails.is_empty() {
                true => bail!(Hinted::new(
                    "no alert address given",
                    "pass --email ADDRESS (repeatable) for the people who get the alerts, or run `watchpost init` on a terminal to be asked",
                )),
                false => given.emails,
            },
            home_region: given
                .home_region
                .or(configured_region)
                .unwrap_or_else(|| DEFAULT_HOME_REGION.to_owned()),
            account_id,
        },
    };

    let text = starter_baseline(&answers)?;
    // What init writes must load: a bad address or region is reported against the answers,
    // before any file is written.
    Baseline::parse(&path.display().to_string(), &text)?;
    write(path, &text, given.force)?;

    let account = match &answers.account_id {
        Some(id) => format!("account {id}"),
        None => "any account (scope.account_id is left commented out)".to_owned(),
    };
    outln!(
        "Wrote {}: alerts to {}; home region {}; {account}.",
        path.display(),
        answers.emails.join(", "),
        answers.home_region
    );
    outln!(
        "Next: `watchpost plan` shows what applying it would change, `watchpost apply` makes it so."
    );
    outln!(
        "Editors: `watchpost schema > baseline.schema.json` and a first line `#:schema ./baseline.schema.json` give completion and checks in taplo and Even Better TOML."
    );
    Ok(ExitCode::SUCCESS)
}

struct Answers {
    emails: Vec<String>,
    home_region: String,
    account_id: Option<String>,
}

/// The region the AWS configuration names (`AWS_REGION`, the profile's `region`), if any.
async fn configured_region(profile: Option<&str>) -> Option<String> {
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(profile) = profile {
        chain = chain.profile_name(profile);
    }
    chain
        .build()
        .region()
        .await
        .map(|region| region.to_string())
}

/// The account of the credentials, from STS GetCallerIdentity, or why it could not be read
/// (no credentials, or credentials that do not work).
async fn caller_account(profile: Option<&str>, region: &str) -> Result<String, String> {
    let session = Session::load(profile, region)
        .await
        .map_err(|error| first_line(&error))?;
    let lookup = tokio::time::timeout(
        IDENTITY_TIMEOUT,
        crate::observe::caller_account(&session, region),
    );
    match lookup.await {
        Ok(Ok(id)) if is_account_id(&id) => Ok(id),
        Ok(Ok(id)) => Err(format!(
            "STS answered with `{id}`, which is not an account id"
        )),
        Ok(Err(error)) => Err(first_line(&error.into())),
        Err(_) => Err(format!(
            "STS did not answer within {} s",
            IDENTITY_TIMEOUT.as_secs()
        )),
    }
}

/// Asks for what the command line left out, offering what is known as the default.
fn ask(
    emails: Vec<String>,
    home_region: Option<String>,
    configured_region: Option<String>,
    account_id: Option<String>,
) -> anyhow::Result<Answers> {
    let theme = dialoguer::theme::SimpleTheme;
    let emails = match emails.is_empty() {
        false => emails,
        true => {
            let line: String = dialoguer::Input::with_theme(&theme)
                .with_prompt("Alert email addresses (comma-separated)")
                .validate_with(|line: &String| match split_addresses(line).is_empty() {
                    true => Err("give at least one address"),
                    false => Ok(()),
                })
                .interact_text()
                .context("cannot read the alert addresses from the terminal")?;
            split_addresses(&line)
        }
    };
    let home_region = match home_region {
        Some(region) => region,
        None => dialoguer::Input::with_theme(&theme)
            .with_prompt("Home region (holds the log bucket and the account-wide resources)")
            .default(configured_region.unwrap_or_else(|| DEFAULT_HOME_REGION.to_owned()))
            .interact_text()
            .context("cannot read the home region from the terminal")?,
    };
    let account_id: String = dialoguer::Input::with_theme(&theme)
        .with_prompt(
            "Account id to pin the baseline to (empty: whichever account the credentials are for)",
        )
        .with_initial_text(account_id.unwrap_or_default())
        .allow_empty(true)
        .validate_with(|id: &String| match id.is_empty() || is_account_id(id) {
            true => Ok(()),
            false => Err("an account id is 12 digits"),
        })
        .interact_text()
        .context("cannot read the account id from the terminal")?;
    Ok(Answers {
        emails,
        home_region,
        account_id: Some(account_id).filter(|id| !id.is_empty()),
    })
}

fn split_addresses(line: &str) -> Vec<String> {
    line.split(',')
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The recommended baseline with the answers in place of its examples.
fn starter_baseline(answers: &Answers) -> anyhow::Result<String> {
    let recommended = RECOMMENDED
        .strip_prefix(SCHEMA_DIRECTIVE)
        .unwrap_or(RECOMMENDED);
    let mut document: DocumentMut = recommended
        .parse()
        .context("the recommended baseline built into watchpost is not TOML")?;
    let emails: toml_edit::Array = answers.emails.iter().map(String::as_str).collect();
    document["alerts"]["emails"] = Item::Value(Value::Array(emails));
    // AWS's security notices go to the same team as the alerts until the user says otherwise.
    if let Some(first) = answers.emails.first() {
        document["security_contact"]["email"] = toml_edit::value(first);
    }
    document["scope"]["home_region"] = toml_edit::value(&answers.home_region);
    if let Some(id) = &answers.account_id {
        // The example sits in the comments before the next section's header.
        let next_header = document["guardduty"]
            .as_table_mut()
            .context("the recommended baseline has no [guardduty] table")?
            .decor_mut();
        let before = next_header
            .prefix()
            .and_then(|raw| raw.as_str())
            .unwrap_or("");
        let without_example = before.replace(ACCOUNT_ID_EXAMPLE, "");
        next_header.set_prefix(without_example);
        let scope = document["scope"]
            .as_table_mut()
            .context("the recommended baseline has no [scope] table")?;
        scope.insert("account_id", toml_edit::value(id));
        if let Some(mut key) = scope.key_mut("account_id") {
            key.leaf_decor_mut()
                .set_prefix("# watchpost refuses to touch any other account.\n");
        }
    }
    Ok(document.to_string())
}

/// Writes the file whole; without `force`, never over a file that appeared meanwhile.
fn write(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    match force {
        true => options.create(true).truncate(true),
        false => options.create_new(true),
    };
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recommended_baseline_has_what_init_replaces() {
        assert!(RECOMMENDED.starts_with(SCHEMA_DIRECTIVE));
        assert!(RECOMMENDED.contains(ACCOUNT_ID_EXAMPLE));
    }

    #[test]
    fn an_account_id_replaces_the_commented_example() {
        let text = starter_baseline(&Answers {
            emails: vec!["a@corp.test".to_owned(), "b@corp.test".to_owned()],
            home_region: "eu-west-1".to_owned(),
            account_id: Some("111122223333".to_owned()),
        })
        .unwrap();
        assert!(!text.contains("#:schema"), "{text}");
        assert!(!text.contains("123456789012\"\n"), "{text}");
        assert!(
            text.contains(
                "home_region = \"eu-west-1\"\n# watchpost refuses to touch any other account.\naccount_id = \"111122223333\"\n\n[guardduty]"
            ),
            "{text}"
        );
        assert!(
            text.contains("emails = [\"a@corp.test\", \"b@corp.test\"]\n"),
            "{text}"
        );
        // Every comment stays but the schema directive and the example's two lines, and one
        // comes with the account id.
        let comments = |text: &str| text.lines().filter(|line| line.starts_with('#')).count();
        assert_eq!(comments(&text), comments(RECOMMENDED) - 2);
    }
}
