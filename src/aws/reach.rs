//! Whether AWS can be reached at all, and failing fast when it cannot. The SDK's standard retry
//! takes a failed connection for a passing one and tries it again with backoff: with ten
//! attempts, a wrong endpoint, a host that does not resolve or a server not started costs a
//! minute of silence before the error. Until an endpoint has answered once in this run, a
//! request that could not connect is not tried again: that is a setting to fix, and waiting does
//! not fix it. Once one has answered, failed connections are retried as usual, since then they
//! are the passing kind (a dropped packet, a resolver hiccup in the middle of a long apply).

use std::error::Error;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// Whether any endpoint has answered in this run; shared by every client and account.
#[derive(Debug, Default)]
pub struct Reachability {
    answered: AtomicBool,
}

/// A request that never reached its endpoint: refused, not resolved, or timed out connecting.
#[derive(Debug)]
pub struct Unreachable {
    /// `scheme://host[:port]`, as the request was addressed.
    pub endpoint: String,
    source: BoxError,
}

impl Unreachable {
    /// The innermost cause, which says what happened: "Connection refused (os error 111)",
    /// "failed to lookup address information: Name or service not known", a connect timeout.
    pub fn cause(&self) -> String {
        let mut cause: &(dyn Error + 'static) = self.source.as_ref();
        while let Some(next) = cause.source() {
            cause = next;
        }
        cause.to_string()
    }
}

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot connect to {}: {}", self.endpoint, self.cause())
    }
}

impl Error for Unreachable {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// The request's failure to connect, if that is why it failed.
pub fn unreachable<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a Unreachable> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(unreachable) = error.downcast_ref::<Unreachable>() {
            return Some(unreachable);
        }
        next = error.source();
    }
    None
}

impl Reachability {
    /// `inner`, noting each answer, and naming the endpoint in each failure to connect.
    pub fn client(self: &Arc<Self>, inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(Watched {
            inner,
            reachability: self.clone(),
        })
    }

    /// The retry rule above, for each service client.
    pub fn classifier(self: &Arc<Self>) -> FailFast {
        FailFast(self.clone())
    }
}

#[derive(Debug)]
struct Watched {
    inner: SharedHttpClient,
    reachability: Arc<Reachability>,
}

impl HttpClient for Watched {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(WatchedConnector {
            inner: self.inner.http_connector(settings, components),
            reachability: self.reachability.clone(),
        })
    }
}

#[derive(Debug)]
struct WatchedConnector {
    inner: SharedHttpConnector,
    reachability: Arc<Reachability>,
}

impl HttpConnector for WatchedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let endpoint = endpoint_of(request.uri());
        let reachability = self.reachability.clone();
        let call = self.inner.call(request);
        HttpConnectorFuture::new(async move {
            match call.await {
                Ok(response) => {
                    reachability.answered.store(true, Ordering::Relaxed);
                    Ok(response)
                }
                Err(error) if failed_connecting(&error) => Err(named(error, endpoint)),
                Err(error) => Err(error),
            }
        })
    }
}

/// hyper says so of refused connections, unresolved names and connect timeouts alike.
fn failed_connecting(error: &ConnectorError) -> bool {
    let mut next: Option<&(dyn Error + 'static)> = Some(error);
    while let Some(error) = next {
        if let Some(hyper) = error.downcast_ref::<hyper_util::client::legacy::Error>() {
            return hyper.is_connect();
        }
        next = error.source();
    }
    false
}

/// The same failure, of the same kind for the retry rules, with its endpoint named.
fn named(error: ConnectorError, endpoint: String) -> ConnectorError {
    let (timeout, io, user, other) = (
        error.is_timeout(),
        error.is_io(),
        error.is_user(),
        error.as_other(),
    );
    let source: BoxError = Box::new(Unreachable {
        endpoint,
        source: error.into_source(),
    });
    let named = if timeout {
        ConnectorError::timeout(source)
    } else if io {
        ConnectorError::io(source)
    } else if user {
        ConnectorError::user(source)
    } else {
        ConnectorError::other(source, other)
    };
    named.never_connected()
}

/// `https://sts.us-east-1.amazonaws.com/` to `https://sts.us-east-1.amazonaws.com`.
fn endpoint_of(uri: &str) -> String {
    match uri.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?']).next().unwrap_or(rest);
            format!("{scheme}://{authority}")
        }
        None => uri.to_owned(),
    }
}

/// Forbids retrying a request that could not connect, until some endpoint has answered.
#[derive(Debug)]
pub struct FailFast(Arc<Reachability>);

impl ClassifyRetry for FailFast {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        if self.0.answered.load(Ordering::Relaxed) {
            return RetryAction::NoActionIndicated;
        }
        let Some(Err(error)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        match error.as_connector_error().map(|e| unreachable(e)) {
            Some(Some(_)) => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "watchpost: no retry before the first answer"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

#[cfg(test)]
mod tests {
    use super::endpoint_of;

    #[test]
    fn an_endpoint_is_its_scheme_host_and_port() {
        assert_eq!(
            endpoint_of("https://sts.us-east-1.amazonaws.com/?Action=x"),
            "https://sts.us-east-1.amazonaws.com"
        );
        assert_eq!(endpoint_of("http://127.0.0.1:9"), "http://127.0.0.1:9");
    }
}
