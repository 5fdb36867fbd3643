//! How often a failed call is tried again. Retrying stays the SDK's (standard mode, with its
//! backoff and retry quota); watchpost only chooses how many attempts a call gets when the user
//! has not: an unattended run that gives up on the third throttled call leaves the account half
//! converged until the next night, so, like Terraform's AWS provider (25 by default), it tries
//! harder than the SDK's 3.

use std::borrow::Cow;

use aws_config::retry::RetryConfig;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
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

/// S3 refuses a write to a bucket's configuration while another write to the same bucket is in
/// progress: 409 `OperationAborted`, "A conflicting conditional operation is currently in
/// progress against this resource. Please try again." Watchpost writes a bucket's settings at
/// once, so that answer is a transient error for the SDK to retry, as Terraform's AWS provider
/// retries it (docs/aws-behaviour.md).
#[derive(Debug)]
pub struct ConflictingOperation;

impl ClassifyRetry for ConflictingOperation {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let aborted = ctx.response().is_some_and(|response| {
            response.status().as_u16() == 409
                && response.body().bytes().is_some_and(|body| {
                    body.windows(OPERATION_ABORTED.len())
                        .any(|window| window == OPERATION_ABORTED)
                })
        });
        if aborted {
            RetryAction::transient_error()
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "watchpost: S3's conflicting operation on a bucket"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// The code of S3's XML error answer.
const OPERATION_ABORTED: &[u8] = b"<Code>OperationAborted</Code>";

#[cfg(test)]
mod tests {
    use aws_smithy_runtime_api::client::interceptors::context::Input;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    fn classified(status: u16, body: &str) -> RetryAction {
        let mut ctx = InterceptorContext::new(Input::doesnt_matter());
        ctx.set_response(
            aws_smithy_runtime_api::client::orchestrator::HttpResponse::new(
                StatusCode::try_from(status).expect("a status"),
                SdkBody::from(body.to_owned()),
            ),
        );
        ConflictingOperation.classify_retry(&ctx)
    }

    #[test]
    fn s3s_conflicting_operation_is_retried_and_nothing_else_is_touched() {
        let aborted = "<Error><Code>OperationAborted</Code><Message>A conflicting conditional operation is currently in progress against this resource. Please try again.</Message></Error>";
        assert_eq!(classified(409, aborted), RetryAction::transient_error());
        let conflict = "<Error><Code>BucketAlreadyOwnedByYou</Code></Error>";
        assert_eq!(classified(409, conflict), RetryAction::NoActionIndicated);
        assert_eq!(classified(200, aborted), RetryAction::NoActionIndicated);
    }
}
