//! How often a failed call is tried again. Retrying stays the SDK's (standard mode, with its
//! backoff and retry quota); watchpost only chooses how many attempts a call gets when the user
//! has not: an unattended run that gives up on the third throttled call leaves the account half
//! converged until the next night, so, like Terraform's AWS provider (25 by default), it tries
//! harder than the SDK's 3.

use std::borrow::Cow;

use aws_config::retry::RetryConfig;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// Attempts per call, the first included, when neither `AWS_MAX_ATTEMPTS` nor the profile's
/// `max_attempts` says otherwise. With the SDK's backoff (up to 20 s, jittered), a call that
/// fails every time gives up after about a minute and a half.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;

/// The retry settings of the environment and `profile` (the mode among them), with
/// [`DEFAULT_MAX_ATTEMPTS`] where they do not set a number of attempts.
pub async fn retry_config(profile: Option<&str>) -> RetryConfig {
    let mut provider = aws_config::default_provider::retry_config::default_provider();
    if let Some(profile) = profile {
        provider = provider.profile_name(profile);
    }
    let chosen = provider.retry_config().await;
    if attempts_chosen(profile).await {
        chosen
    } else {
        chosen.with_max_attempts(DEFAULT_MAX_ATTEMPTS)
    }
}

/// Whether the user set a number of attempts, where the SDK looks for one.
pub async fn attempts_chosen(profile: Option<&str>) -> bool {
    if std::env::var_os("AWS_MAX_ATTEMPTS").is_some() {
        return true;
    }
    let profiles = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        profile.map(|name| Cow::Owned(name.to_owned())),
    )
    .await;
    // An unreadable profile file is reported by the credential chain, which reads it too.
    profiles.is_ok_and(|profiles| profiles.get("max_attempts").is_some())
}
