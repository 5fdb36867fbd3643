//! The edge to AWS: clients built from the standard credential and region chain, and AWS
//! errors turned into messages that name the resource, the call and the fix.

mod clients;
mod credentials;
mod errors;
mod meter;
mod reach;
mod retries;

use std::sync::Arc;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

pub use errors::{AbsentIfNotFound, AwsError, Class, Context};
pub use retries::attempts_chosen;

use clients::Clients;
use credentials::{Explained, Profiles};
pub use meter::DEFAULT_REQUESTS_IN_FLIGHT;
use meter::Meter;
use reach::Reachability;

/// Credentials, retry settings and endpoint for one account, shared by every client of a run
/// in that account, with the meter its requests go through. A clone shares the meter.
#[derive(Clone)]
pub struct Session {
    config: SdkConfig,
    /// One connection pool for every client and account of the run.
    http: SharedHttpClient,
    /// Whether AWS has answered yet: until it has, a failed connection is not retried.
    reachability: Arc<Reachability>,
    meter: Arc<Meter>,
    /// The clients made so far; a session with other settings or another meter has its own.
    clients: Arc<Clients>,
    /// With a custom endpoint (an emulator, a VPC endpoint) S3 must use path-style addressing,
    /// since bucket-name host prefixes do not resolve there.
    path_style_s3: bool,
}

/// How to reach another account: the role to assume there.
pub struct RoleToAssume<'a> {
    pub role_arn: String,
    /// Where STS is called: the run's account region, whatever the environment sets.
    pub region: &'a str,
    pub external_id: Option<&'a str>,
    pub session_name: &'a str,
}

impl Session {
    /// Loads the standard credential chain (environment, shared profiles, SSO, IMDS), with the
    /// command line's profile on top, in `region`: the run's account region, never looked up
    /// (every client names its own region, and the region chain's last resort, the instance
    /// metadata service, can take a minute to give up off EC2). `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`
    /// are honoured by the SDK itself, as are the retry settings (`AWS_MAX_ATTEMPTS`,
    /// `AWS_RETRY_MODE` and their profile keys; standard mode by default), but for the number
    /// of attempts when none is set: see [`retries`]. A profile asked for by name must exist.
    pub async fn load(profile: Option<&str>, region: &str) -> anyhow::Result<Session> {
        let profiles = Profiles::new(profile);
        profiles.check().await?;
        let reachability = Arc::new(Reachability::default());
        let http = reachability.client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ))
                .build_https(),
        );
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http.clone())
            .retry_config(retries::retry_config(profile).await);
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        let mut config = loader.region(Region::new(region.to_owned())).load().await;
        if let Some(chain) = config.credentials_provider() {
            config = config
                .to_builder()
                .credentials_provider(Explained::wrap(chain, profiles))
                .build();
        }
        let path_style_s3 =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        Ok(Session {
            config,
            http,
            reachability,
            meter: Arc::new(Meter::new(usize::from(DEFAULT_REQUESTS_IN_FLIGHT))),
            clients: Arc::default(),
            path_style_s3,
        })
    }

    /// A session in another account, through a role this session may assume. The role is
    /// assumed on first use and again before its credentials expire; the AssumeRole calls
    /// count against this session's meter, as they are made with its credentials.
    pub async fn assume(&self, role: RoleToAssume<'_>) -> Session {
        let base = self
            .config
            .to_builder()
            .http_client(self.meter.client("sts", role.region, self.http.clone()))
            .build();
        let mut provider = AssumeRoleProvider::builder(role.role_arn)
            .region(Region::new(role.region.to_owned()))
            .session_name(role.session_name)
            .configure(&base);
        if let Some(external_id) = role.external_id {
            provider = provider.external_id(external_id);
        }
        let config = self
            .config
            .to_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
                provider.build().await,
            ))
            .build();
        Session {
            config,
            http: self.http.clone(),
            reachability: self.reachability.clone(),
            meter: Arc::new(self.meter.fresh()),
            clients: Arc::default(),
            path_style_s3: self.path_style_s3,
        }
    }

    /// The same account and credentials, with a meter of its own: the calls made through it
    /// are counted apart from this session's.
    pub fn metered_apart(&self) -> Session {
        Session {
            meter: Arc::new(self.meter.fresh()),
            clients: Arc::default(),
            ..self.clone()
        }
    }

    /// The same credentials, with at most `bound` requests of one service in flight at once
    /// per region, in this session and in every session it leads to (`--requests-in-flight`).
    pub fn with_requests_in_flight(self, bound: usize) -> Session {
        Session {
            meter: Arc::new(Meter::new(bound)),
            clients: Arc::default(),
            ..self
        }
    }

    /// The same account, credentials and meter, with at most `attempts` per call (the retry
    /// mode kept): for reads whose failure costs only a detail, which a person should not wait
    /// a minute and a half of backoff for. Callers leave the user's own choice alone
    /// ([`attempts_chosen`]).
    pub fn with_max_attempts(&self, attempts: u32) -> Session {
        let retry = self
            .config
            .retry_config()
            .cloned()
            .unwrap_or_else(aws_config::retry::RetryConfig::standard)
            .with_max_attempts(attempts);
        Session {
            config: self.config.to_builder().retry_config(retry).build(),
            clients: Arc::default(),
            ..self.clone()
        }
    }

    /// Lets go of the clients this session made: a run keeps each account's session to the end
    /// (for its call counts), and a thousand accounts' clients would be most of its memory.
    /// Calls made afterwards make their clients again.
    pub fn release_clients(&self) {
        self.clients.clear();
    }

    /// The API calls this session has made so far, by service.
    pub fn api_calls(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.meter.calls()
    }

    fn http_client(&self, service: &'static str, region: &str) -> SharedHttpClient {
        self.meter.client(service, region, self.http.clone())
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        self.clients.get("s3", region, || {
            aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&self.config)
                    .region(Region::new(region.to_owned()))
                    .force_path_style(self.path_style_s3)
                    .http_client(self.http_client("s3", region))
                    .retry_classifier(self.reachability.classifier())
                    .retry_classifier(retries::ConflictingOperation)
                    .build(),
            )
        })
    }

    /// S3 Control, for settings of the whole account. Its endpoint rules put the account id in
    /// front of the host (`123456789012.s3-control.us-east-1.amazonaws.com`); with a custom
    /// endpoint that makes a host that does not resolve (`123456789012.127.0.0.1`), so there the
    /// endpoint is used as given, as for every other service, and the account id travels in
    /// its `x-amz-account-id` header only.
    pub fn s3control(&self, region: &str) -> aws_sdk_s3control::Client {
        self.clients.get("s3control", region, || {
            aws_sdk_s3control::Client::from_conf(
                aws_sdk_s3control::config::Builder::from(&self.config)
                    .region(Region::new(region.to_owned()))
                    .endpoint_resolver(s3control_endpoint::KeepCustomHost::default())
                    .http_client(self.http_client("s3control", region))
                    .retry_classifier(self.reachability.classifier())
                    .build(),
            )
        })
    }
}

mod s3control_endpoint {
    use aws_sdk_s3control::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    use aws_smithy_runtime_api::client::endpoint::EndpointFuture;

    /// The SDK's own endpoint rules, but for a custom endpoint (`AWS_ENDPOINT_URL` or
    /// `AWS_ENDPOINT_URL_S3_CONTROL`) the host is kept as given, without the account id the
    /// rules put in front of it. The signing settings the rules give are kept.
    #[derive(Debug, Default)]
    pub struct KeepCustomHost(DefaultResolver);

    impl ResolveEndpoint for KeepCustomHost {
        fn resolve_endpoint<'a>(&'a self, params: &'a Params) -> EndpointFuture<'a> {
            let resolved = self.0.resolve_endpoint(params);
            let (Some(_), Some(account)) = (params.endpoint(), params.account_id()) else {
                return resolved;
            };
            EndpointFuture::new(Box::pin(async move {
                let endpoint = resolved.await?;
                let url = without_account_prefix(endpoint.url(), account);
                Ok(endpoint.into_builder().url(url).build())
            }))
        }
    }

    /// `http://123456789012.127.0.0.1:5000/path` to `http://127.0.0.1:5000/path`.
    pub fn without_account_prefix(url: &str, account: &str) -> String {
        match url.split_once("://") {
            Some((scheme, rest)) => match rest.strip_prefix(&format!("{account}.")) {
                Some(host) => format!("{scheme}://{host}"),
                None => url.to_owned(),
            },
            None => url.to_owned(),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn resolve(endpoint: Option<&str>) -> String {
            let params = Params::builder()
                .region("us-east-1")
                .account_id("123456789012")
                .requires_account_id(true)
                .set_endpoint(endpoint.map(str::to_owned))
                .build()
                .unwrap();
            let resolver = KeepCustomHost::default();
            let endpoint = futures::executor::block_on(resolver.resolve_endpoint(&params)).unwrap();
            assert_eq!(
                endpoint.auth_schemes()[0].get("signingName"),
                Some(&"s3".to_owned().into()),
                "the rules' signing settings are kept"
            );
            endpoint.url().to_owned()
        }

        #[test]
        fn a_custom_endpoint_is_used_as_given() {
            assert_eq!(
                resolve(Some("http://127.0.0.1:5000")),
                "http://127.0.0.1:5000"
            );
            assert_eq!(
                resolve(Some("https://s3control.example.com/base")),
                "https://s3control.example.com/base"
            );
        }

        #[test]
        fn aws_endpoints_keep_the_account_id_in_the_host() {
            assert_eq!(
                resolve(None),
                "https://123456789012.s3-control.us-east-1.amazonaws.com"
            );
        }
    }
}

/// One constructor per service: the shared settings, in the region asked for. IAM is global;
/// it is reached through the home region, which picks the partition's endpoint.
macro_rules! regional_clients {
    ($($method:ident => $sdk:ident),* $(,)?) => {
        impl Session {
            $(
                pub fn $method(&self, region: &str) -> $sdk::Client {
                    self.clients.get(stringify!($method), region, || {
                        $sdk::Client::from_conf(
                            $sdk::config::Builder::from(&self.config)
                                .region(Region::new(region.to_owned()))
                                .http_client(self.http_client(stringify!($method), region))
                                .retry_classifier(self.reachability.classifier())
                                .build(),
                        )
                    })
                }
            )*
        }
    };
}

regional_clients!(
    sts => aws_sdk_sts,
    ec2 => aws_sdk_ec2,
    iam => aws_sdk_iam,
    guardduty => aws_sdk_guardduty,
    config => aws_sdk_config,
    cloudtrail => aws_sdk_cloudtrail,
    logs => aws_sdk_cloudwatchlogs,
    cloudwatch => aws_sdk_cloudwatch,
    sns => aws_sdk_sns,
    events => aws_sdk_eventbridge,
    kms => aws_sdk_kms,
    dynamodb => aws_sdk_dynamodb,
    organizations => aws_sdk_organizations,
    accessanalyzer => aws_sdk_accessanalyzer,
    account => aws_sdk_account,
    securityhub => aws_sdk_securityhub,
);
