//! The edge to AWS: clients built from the standard credential and region chain, and AWS
//! errors turned into messages that name the resource, the call and the fix.

mod errors;
mod meter;
mod retries;

use std::sync::Arc;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

pub use errors::{AwsError, Class, Context};

use meter::Meter;

/// Credentials, retry settings and endpoint for one account, shared by every client of a run
/// in that account, with the meter its requests go through. A clone shares the meter.
#[derive(Clone)]
pub struct Session {
    config: SdkConfig,
    /// One connection pool for every client and account of the run.
    http: SharedHttpClient,
    meter: Arc<Meter>,
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
    /// Loads the standard chain (environment, shared profiles, SSO, IMDS), with the command
    /// line's profile and region on top. `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`
    /// are honoured by the SDK itself, as are the retry settings (`AWS_MAX_ATTEMPTS`,
    /// `AWS_RETRY_MODE` and their profile keys; standard mode by default), but for the number
    /// of attempts when none is set: see [`retries`].
    pub async fn load(profile: Option<&str>, region: Option<&str>) -> Session {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http.clone())
            .retry_config(retries::retry_config(profile).await);
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_owned()));
        }
        let config = loader.load().await;
        let path_style_s3 =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        Session {
            config,
            http,
            meter: Arc::default(),
            path_style_s3,
        }
    }

    /// A session in another account, through a role this session may assume. The role is
    /// assumed on first use and again before its credentials expire; the AssumeRole calls
    /// count against this session's meter, as they are made with its credentials.
    pub async fn assume(&self, role: RoleToAssume<'_>) -> Session {
        let base = self
            .config
            .to_builder()
            .http_client(self.meter.client("sts", self.http.clone()))
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
            meter: Arc::default(),
            path_style_s3: self.path_style_s3,
        }
    }

    /// The same account and credentials, with a meter of its own: the calls made through it
    /// are counted apart from this session's.
    pub fn metered_apart(&self) -> Session {
        Session {
            meter: Arc::default(),
            ..self.clone()
        }
    }

    /// The API calls this session has made so far, by service.
    pub fn api_calls(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.meter.calls()
    }

    fn http_client(&self, service: &'static str) -> SharedHttpClient {
        self.meter.client(service, self.http.clone())
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .force_path_style(self.path_style_s3)
                .http_client(self.http_client("s3"))
                .build(),
        )
    }
}

/// One constructor per service: the shared settings, in the region asked for. IAM is global;
/// it is reached through the home region, which picks the partition's endpoint.
macro_rules! regional_clients {
    ($($method:ident => $sdk:ident),* $(,)?) => {
        impl Session {
            $(
                pub fn $method(&self, region: &str) -> $sdk::Client {
                    $sdk::Client::from_conf(
                        $sdk::config::Builder::from(&self.config)
                            .region(Region::new(region.to_owned()))
                            .http_client(self.http_client(stringify!($method)))
                            .build(),
                    )
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
    dynamodb => aws_sdk_dynamodb,
    organizations => aws_sdk_organizations,
);
