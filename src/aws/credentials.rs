//! Where the credentials come from, and what a person reads when they do not: the SDK's chain
//! error lists every provider with its Debug form (over a thousand characters on one line);
//! here it becomes one line naming the sources tried and a hint with the fix.

use std::borrow::Cow;
use std::error::Error;
use std::path::PathBuf;

use aws_config::meta::ProviderChainError;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use crate::error::Hinted;

/// The shared config and credentials files, as the SDK finds them, and the profile read there.
#[derive(Clone, Debug)]
pub struct Profiles {
    /// `--profile`, else `AWS_PROFILE`, else `default`.
    pub name: String,
    /// Whether the name was asked for (`--profile` or `AWS_PROFILE`) rather than the default.
    pub chosen: Option<&'static str>,
    config_file: String,
    credentials_file: String,
}

impl Profiles {
    pub fn new(profile: Option<&str>) -> Profiles {
        let from_env = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
        let (name, chosen) = match (profile, from_env) {
            (Some(name), _) => (name.to_owned(), Some("--profile")),
            (None, Some(name)) => (name, Some("AWS_PROFILE")),
            (None, None) => ("default".to_owned(), None),
        };
        Profiles {
            name,
            chosen,
            config_file: file_shown("AWS_CONFIG_FILE", ".aws/config"),
            credentials_file: file_shown("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
        }
    }

    fn files(&self) -> String {
        format!("{} and {}", self.config_file, self.credentials_file)
    }

    /// A profile asked for by name must be defined in one of the files: the SDK would
    /// otherwise go on to other sources (environment variables come first) and the name would
    /// be silently ignored.
    pub async fn check(&self) -> anyhow::Result<()> {
        let Some(chosen) = self.chosen else {
            return Ok(());
        };
        let loaded = aws_config::profile::load(
            &Fs::real(),
            &Env::real(),
            &EnvConfigFiles::default(),
            Some(Cow::Owned(self.name.clone())),
        )
        .await;
        let profiles = match loaded {
            Ok(profiles) => profiles,
            Err(error) => anyhow::bail!(Hinted::new(
                format!(
                    "cannot read the AWS profiles in {}: {}",
                    self.files(),
                    one_line(&error)
                ),
                "fix the file, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the right one",
            )),
        };
        if profiles.get_profile(&self.name).is_some() {
            return Ok(());
        }
        let mut known: Vec<&str> = profiles.profiles().collect();
        known.sort();
        let defined = if known.is_empty() {
            "no profile is defined there".to_owned()
        } else {
            format!("the profiles there: {}", known.join(", "))
        };
        anyhow::bail!(Hinted::new(
            format!(
                "the profile `{}` ({chosen}) is not defined in {}",
                self.name,
                self.files()
            ),
            format!(
                "{defined}; define it with `aws configure --profile {0}` or `aws configure sso --profile {0}`",
                self.name
            ),
        ))
    }

    /// The chain's failure as one line and a hint.
    fn explain(&self, error: &CredentialsError) -> Hinted {
        let profile = format!("profile `{}` ({})", self.name, self.files());
        let hint = match self.chosen {
            Some(_) => format!(
                "sign in with `aws sso login --profile {}`, or check that profile's settings",
                self.name
            ),
            None => "set up a profile with `aws configure sso` (or `aws configure`) and pass --profile NAME, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_owned(),
        };
        let attempts = error
            .source()
            .and_then(|source| source.downcast_ref::<ProviderChainError<CredentialsError>>());
        match (error, attempts) {
            (CredentialsError::CredentialsNotLoaded(_), Some(chain)) => {
                let tried: Vec<String> = chain
                    .attempts()
                    .iter()
                    .map(|attempt| source_name(attempt.name(), &profile))
                    .collect();
                Hinted {
                    message: format!("no AWS credentials found; tried {}", tried.join(", ")),
                    hint,
                }
            }
            _ => Hinted {
                message: format!(
                    "cannot load the AWS credentials of {profile}: {}",
                    one_line(error)
                ),
                hint,
            },
        }
    }
}

/// A file the SDK reads: the variable's value if set, else its place under the home directory.
fn file_shown(variable: &str, under_home: &str) -> String {
    match std::env::var_os(variable) {
        Some(path) => PathBuf::from(path).display().to_string(),
        None => format!("~/{under_home}"),
    }
}

/// The default chain's providers, by the names it gives them, in words.
fn source_name(name: &str, profile: &str) -> String {
    match name {
        "Environment" => "environment variables".to_owned(),
        "Profile" => profile.to_owned(),
        "WebIdentityToken" => "web identity token".to_owned(),
        "EcsContainer" => "container role".to_owned(),
        "Ec2InstanceMetadata" if imds_disabled() => "instance role (IMDS disabled)".to_owned(),
        "Ec2InstanceMetadata" => "instance role (IMDS)".to_owned(),
        other => other.to_owned(),
    }
}

fn imds_disabled() -> bool {
    std::env::var("AWS_EC2_METADATA_DISABLED").is_ok_and(|value| value.eq_ignore_ascii_case("true"))
}

/// An error and its causes on one line.
fn one_line(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The chain the SDK loaded, whose failures are explained by [`Profiles::explain`].
#[derive(Debug)]
pub struct Explained {
    inner: SharedCredentialsProvider,
    profiles: Profiles,
}

impl Explained {
    pub fn wrap(inner: SharedCredentialsProvider, profiles: Profiles) -> SharedCredentialsProvider {
        SharedCredentialsProvider::new(Explained { inner, profiles })
    }
}

impl ProvideCredentials for Explained {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.inner.provide_credentials().await.map_err(|error| {
                let problem = self.profiles.explain(&error);
                match error {
                    CredentialsError::CredentialsNotLoaded(_) => {
                        CredentialsError::not_loaded(problem)
                    }
                    CredentialsError::InvalidConfiguration(_) => {
                        CredentialsError::invalid_configuration(problem)
                    }
                    _ => CredentialsError::provider_error(problem),
                }
            })
        })
    }

    fn fallback_on_interrupt(&self) -> Option<aws_credential_types::Credentials> {
        self.inner.fallback_on_interrupt()
    }
}

/// The explanation carried by a failed call, if credentials were its cause: the SDK's errors
/// hold no [`Hinted`] but the one [`Explained`] puts there.
pub fn problem<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a Hinted> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(problem) = error.downcast_ref::<Hinted>() {
            return Some(problem);
        }
        next = error.source();
    }
    None
}
