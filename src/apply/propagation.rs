//! Waiting out AWS's eventual consistency: a call that refuses because a role, a policy or a key
//! just made has not reached the service yet ([`Class::Propagating`]) is tried again, with a
//! growing pause, until it is accepted or the run's bound is spent, as the Terraform AWS
//! provider does (two minutes for IAM). Nothing waits when nothing is refused: there is no
//! fixed sleep after a create.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::aws::{AwsError, Class};

/// The longest a run waits on one call for a change to propagate, when
/// `WATCHPOST_PROPAGATION_TIMEOUT_SECONDS` does not say: IAM changes usually reach every service
/// within seconds, and AWS asks for retries over minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(16);

/// Makes the call, and makes it again while it is refused for a propagation and `timeout` has
/// not passed since the first attempt. Each retry is logged at info with the resource, the call
/// and the error code; the error returned after the last attempt says how long it was tried.
pub async fn until_propagated<T, F, Fut>(timeout: Duration, mut call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    let mut attempts = 1;
    loop {
        let mut error = match call().await {
            Err(error) if error.is(Class::Propagating) => error,
            other => return other,
        };
        let waited = started.elapsed();
        if waited + pause > timeout {
            if attempts > 1 {
                error.detail = format!(
                    "{} (still refused after {attempts} attempts over {} s)",
                    error.detail,
                    waited.as_secs()
                );
            }
            return Err(error);
        }
        tracing::info!(
            resource = %error.resource,
            call = %error.call,
            code = error.code.as_deref().unwrap_or_default(),
            awaiting = error.propagation().map(|p| p.awaiting).unwrap_or_default(),
            "refused until a change propagates; trying again in {} s",
            pause.as_secs()
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
        attempts += 1;
    }
}
