//! The edge to AWS: clients built from the standard credential and region chain, and AWS
//! errors turned into messages that name the resource, the call and the fix.

mod errors;

use aws_config::{BehaviorVersion, Region, SdkConfig};

pub use errors::{AwsError, Class, Context};

/// Credentials, retry settings and endpoint, shared by every client of one run.
pub struct Session {
    config: SdkConfig,
    /// With a custom endpoint (an emulator, a VPC endpoint) S3 must use path-style addressing,
    /// since bucket-name host prefixes do not resolve there.
    path_style_s3: bool,
}

impl Session {
    /// Loads the standard chain (environment, shared profiles, SSO, IMDS), with the command
    /// line's profile and region on top. `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`
    /// are honoured by the SDK itself.
    pub async fn load(profile: Option<&str>, region: Option<&str>) -> Session {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
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
            path_style_s3,
        }
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .force_path_style(self.path_style_s3)
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
);
