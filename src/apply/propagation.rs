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

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::Duration;

    use super::until_propagated;
    use crate::aws::{AwsError, Class};

    fn refused(class: Class) -> AwsError {
        AwsError {
            call: "config:PutDeliveryChannel".to_owned(),
            resource: "config_delivery_channel/eu-west-1".to_owned(),
            class,
            code: Some("InsufficientDeliveryPolicyException".to_owned()),
            detail: "Insufficient delivery policy to s3 bucket".to_owned(),
            setup_hint: None,
        }
    }

    #[tokio::test]
    async fn a_call_refused_while_a_change_propagates_is_made_again_until_accepted() {
        let calls = Cell::new(0);
        let result = until_propagated(Duration::from_secs(5), || {
            calls.set(calls.get() + 1);
            let attempt = calls.get();
            async move {
                if attempt == 1 {
                    Err(refused(Class::Propagating))
                } else {
                    Ok(attempt)
                }
            }
        })
        .await;
        assert_eq!(result.expect("accepted on the second attempt"), 2);
    }

    #[tokio::test]
    async fn any_other_error_is_returned_at_once() {
        let calls = Cell::new(0);
        let result: Result<(), _> = until_propagated(Duration::from_secs(120), || {
            calls.set(calls.get() + 1);
            async { Err(refused(Class::Denied)) }
        })
        .await;
        assert!(result.unwrap_err().is(Class::Denied));
        assert_eq!(calls.get(), 1, "a denial is not waited on");
    }

    #[tokio::test]
    async fn with_no_time_to_wait_the_refusal_is_returned_as_aws_gave_it() {
        let calls = Cell::new(0);
        let result: Result<(), _> = until_propagated(Duration::ZERO, || {
            calls.set(calls.get() + 1);
            async { Err(refused(Class::Propagating)) }
        })
        .await;
        let error = result.unwrap_err();
        assert_eq!(calls.get(), 1);
        assert_eq!(error.detail, "Insufficient delivery policy to s3 bucket");
    }

    #[tokio::test]
    async fn a_refusal_that_outlasts_the_bound_says_how_long_it_was_tried() {
        let calls = Cell::new(0);
        let result: Result<(), _> = until_propagated(Duration::from_millis(2500), || {
            calls.set(calls.get() + 1);
            async { Err(refused(Class::Propagating)) }
        })
        .await;
        let error = result.unwrap_err();
        assert_eq!(
            calls.get(),
            2,
            "tried at 0 s and 1 s; a 2 s pause would pass the bound"
        );
        assert!(
            error
                .detail
                .ends_with("(still refused after 2 attempts over 1 s)"),
            "{}",
            error.detail
        );
    }
}
