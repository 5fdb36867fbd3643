use std::fmt;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What an AWS error means for watchpost: most callers only care whether a thing is missing,
/// already there, or whether the caller lacks a permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    NotFound,
    AlreadyExists,
    /// A conditional write found the item not as it expected.
    Conflict,
    Throttled,
    Denied,
    /// Refused only until something just made or changed (a role, its policy, a key, its
    /// policy or alias) has reached the service that checks it: see [`PROPAGATION`].
    Propagating,
    Fatal,
}

const NOT_FOUND: &[&str] = &[
    "NoSuchEntity",
    "NoSuchBucket",
    "NotFound",
    "NoSuchBucketPolicy",
    "NoSuchLifecycleConfiguration",
    "NoSuchPublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
    "OwnershipControlsNotFoundError",
    "NoSuchConfigurationRecorderException",
    "NoSuchDeliveryChannelException",
    "NoSuchConfigRuleException",
    "ResourceNotFoundException",
    "TrailNotFoundException",
    // KMS: a key or alias that does not exist.
    "NotFoundException",
];
const ALREADY_EXISTS: &[&str] = &[
    "EntityAlreadyExists",
    "BucketAlreadyOwnedByYou",
    "ResourceAlreadyExistsException",
    "TrailAlreadyExistsException",
];
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
];
const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SubscriptionRequiredException",
    "OptInRequired",
];

/// What a call refuses while something it relies on is still propagating: AWS's IAM and KMS
/// are eventually consistent, and a service that checks a role, a policy or a key just written
/// can see the old state for seconds, sometimes minutes. Each entry is an error AWS documents
/// for the call, which the Terraform AWS provider also retries (or, marked, which AWS documents
/// as what a policy not yet in force gives); docs/aws-behaviour.md has the sources.
pub struct Propagation {
    pub call: &'static str,
    pub code: &'static str,
    /// Only answers whose message holds this: the same code also names mistakes no wait cures.
    pub message: Option<&'static str>,
    /// What has not reached the service yet, for the log and the final error.
    pub awaiting: &'static str,
    /// What to check when the wait did not cure it.
    pub otherwise: &'static str,
}

pub const PROPAGATION: &[Propagation] = &[
    Propagation {
        call: "config:PutConfigurationRecorder",
        code: "InvalidRoleException",
        message: None,
        awaiting: "the Config role (new, or its trust policy just changed)",
        otherwise: "the role must exist and trust config.amazonaws.com",
    },
    Propagation {
        call: "config:PutDeliveryChannel",
        code: "InsufficientDeliveryPolicyException",
        message: None,
        awaiting: "the Config role's permissions, the bucket policy and the key policy just written",
        otherwise: "the bucket policy must let config.amazonaws.com write to the bucket, and the key policy let Config use the key",
    },
    Propagation {
        call: "cloudtrail:CreateTrail",
        code: "InvalidCloudWatchLogsRoleArnException",
        message: Some("Access denied"),
        awaiting: "the CloudTrail logs role (new, or its policy just changed)",
        otherwise: "the role must trust cloudtrail.amazonaws.com and allow logs:CreateLogStream and logs:PutLogEvents on the log group",
    },
    Propagation {
        call: "cloudtrail:UpdateTrail",
        code: "InvalidCloudWatchLogsRoleArnException",
        message: Some("Access denied"),
        awaiting: "the CloudTrail logs role (new, or its policy just changed)",
        otherwise: "the role must trust cloudtrail.amazonaws.com and allow logs:CreateLogStream and logs:PutLogEvents on the log group",
    },
    Propagation {
        call: "cloudtrail:CreateTrail",
        code: "InvalidCloudWatchLogsLogGroupArnException",
        message: Some("Access denied"),
        awaiting: "the CloudTrail logs role's policy",
        otherwise: "the role's policy must allow logs:CreateLogStream and logs:PutLogEvents on the log group",
    },
    Propagation {
        call: "cloudtrail:UpdateTrail",
        code: "InvalidCloudWatchLogsLogGroupArnException",
        message: Some("Access denied"),
        awaiting: "the CloudTrail logs role's policy",
        otherwise: "the role's policy must allow logs:CreateLogStream and logs:PutLogEvents on the log group",
    },
    Propagation {
        call: "cloudtrail:CreateTrail",
        code: "InsufficientS3BucketPolicyException",
        message: None,
        awaiting: "the log bucket's policy just written",
        otherwise: "the bucket policy must let cloudtrail.amazonaws.com GetBucketAcl and PutObject under the trail's prefix",
    },
    Propagation {
        call: "cloudtrail:UpdateTrail",
        code: "InsufficientS3BucketPolicyException",
        message: None,
        awaiting: "the log bucket's policy just written",
        otherwise: "the bucket policy must let cloudtrail.amazonaws.com GetBucketAcl and PutObject under the trail's prefix",
    },
    Propagation {
        call: "cloudtrail:CreateTrail",
        code: "InsufficientEncryptionPolicyException",
        message: None,
        awaiting: "the KMS key, its policy or its alias, just made",
        otherwise: "the key policy must let cloudtrail.amazonaws.com GenerateDataKey* and DescribeKey",
    },
    Propagation {
        call: "cloudtrail:UpdateTrail",
        code: "InsufficientEncryptionPolicyException",
        message: None,
        awaiting: "the KMS key, its policy or its alias, just made",
        otherwise: "the key policy must let cloudtrail.amazonaws.com GenerateDataKey* and DescribeKey",
    },
    Propagation {
        call: "kms:CreateKey",
        code: "MalformedPolicyDocumentException",
        message: None,
        awaiting: "a principal the key policy names, just made",
        otherwise: "every principal of the key policy must exist, and the policy must let the caller PutKeyPolicy",
    },
    Propagation {
        call: "kms:PutKeyPolicy",
        code: "MalformedPolicyDocumentException",
        message: None,
        awaiting: "a principal the key policy names, just made",
        otherwise: "every principal of the key policy must exist, and the policy must let the caller PutKeyPolicy",
    },
    Propagation {
        call: "kms:PutKeyPolicy",
        code: "NotFoundException",
        message: None,
        awaiting: "the key just made",
        otherwise: "the key must exist in this region",
    },
    Propagation {
        call: "kms:CreateAlias",
        code: "NotFoundException",
        message: None,
        awaiting: "the key just made",
        otherwise: "the key must exist in this region",
    },
    Propagation {
        call: "kms:EnableKeyRotation",
        code: "NotFoundException",
        message: None,
        awaiting: "the key just made",
        otherwise: "the key must exist in this region",
    },
    Propagation {
        call: "kms:EnableKeyRotation",
        code: "DisabledException",
        message: None,
        awaiting: "the key just made or enabled",
        otherwise: "the key must be enabled",
    },
];

/// The propagation a refusal of `call` with `code` and `message` waits on, if it is one.
pub fn propagation(call: &str, code: &str, message: &str) -> Option<&'static Propagation> {
    PROPAGATION.iter().find(|entry| {
        entry.call == call
            && entry.code == code
            && entry.message.is_none_or(|part| message.contains(part))
    })
}

/// A failed AWS call, with the resource it was for.
#[derive(Clone, Debug)]
pub struct AwsError {
    pub call: String,
    pub resource: String,
    pub class: Class,
    pub code: Option<String>,
    pub detail: String,
    /// The fix, when the call never reached the service because of how the run is set up
    /// (no credentials, an endpoint that cannot be reached): then `detail` says so in a line.
    pub setup_hint: Option<Box<str>>,
}

impl AwsError {
    pub fn new<E>(call: &str, resource: impl fmt::Display, error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if let Some((detail, hint)) = setup_failure(&error, call) {
            return AwsError {
                call: call.to_owned(),
                resource: resource.to_string(),
                class: Class::Fatal,
                code: None,
                detail,
                setup_hint: Some(hint.into()),
            };
        }
        let code = error.code().map(str::to_owned);
        let status = error.raw_response().map(|raw| raw.status().as_u16());
        let message = error.message().unwrap_or_default();
        let class = match (code.as_deref(), status) {
            (Some(code), _) if propagation(call, code, message).is_some() => Class::Propagating,
            (Some(code), _) if NOT_FOUND.contains(&code) => Class::NotFound,
            // Security Hub answers a call in a region where it is not enabled this way, not
            // with a NotFound (the Terraform AWS provider reads it the same way).
            (Some("InvalidAccessException"), _)
                if message.contains("not subscribed to AWS Security Hub") =>
            {
                Class::NotFound
            }
            (Some(code), _) if ALREADY_EXISTS.contains(&code) => Class::AlreadyExists,
            (Some(code), _) if THROTTLED.contains(&code) => Class::Throttled,
            (Some("ConditionalCheckFailedException"), _) => Class::Conflict,
            (Some(code), _) if DENIED.contains(&code) => Class::Denied,
            (_, Some(404)) => Class::NotFound,
            (_, Some(403)) => Class::Denied,
            (_, Some(429)) => Class::Throttled,
            _ => Class::Fatal,
        };
        let detail = match (error.message(), error.raw_response()) {
            (Some(message), _) => message.to_owned(),
            (None, Some(raw)) if code.is_none() => unreadable_answer(raw),
            (None, _) => DisplayErrorContext(&error).to_string(),
        };
        AwsError {
            call: call.to_owned(),
            resource: resource.to_string(),
            class,
            code,
            detail,
            setup_hint: None,
        }
    }

    pub fn is(&self, class: Class) -> bool {
        self.class == class
    }

    /// What this refusal waits for, when it is one that lasts only until a change propagates.
    pub fn propagation(&self) -> Option<&'static Propagation> {
        let code = self.code.as_deref()?;
        propagation(&self.call, code, &self.detail).filter(|_| self.is(Class::Propagating))
    }

    /// The error, then its hint on a line of its own, where output has one string for it.
    pub fn explained(&self) -> String {
        crate::error::with_hint(self, self.hint())
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        if let Some(hint) = &self.setup_hint {
            return Some(hint.to_string());
        }
        match self.class {
            Class::Denied => Some(format!(
                "the caller needs the permission {} (docs/iam has policies with them all), and the service must be enabled for the account and region",
                self.call
            )),
            Class::Throttled => Some(
                "AWS is throttling this account; raise AWS_MAX_ATTEMPTS or run again later"
                    .to_owned(),
            ),
            Class::Propagating => self.propagation().map(|propagation| {
                format!(
                    "AWS answers this while {} has not reached the service; run apply again in a few minutes (or allow a longer wait with WATCHPOST_PROPAGATION_TIMEOUT_SECONDS); should it still fail, {}",
                    propagation.awaiting, propagation.otherwise
                )
            }),
            _ => None,
        }
    }
}

/// An answer the SDK could not parse as an error of the service (a proxy's or load balancer's
/// page, say): its status and the start of its body, rather than the SDK's dump of the whole
/// response.
fn unreadable_answer(raw: &HttpResponse) -> String {
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    format!(
        "HTTP {} with an answer that is not an error of the service: {}",
        raw.status().as_u16(),
        excerpt(&body)
    )
}

/// The gist of a body: an HTML page's title (an error page says what it is there), else its
/// first 200 characters, whitespace folded.
fn excerpt(body: &str) -> String {
    let title = body
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title);
    let words: Vec<&str> = title.unwrap_or(body).split_whitespace().collect();
    let excerpt: String = words.join(" ").chars().take(200).collect();
    if excerpt.is_empty() {
        "(empty)".to_owned()
    } else {
        excerpt
    }
}

/// A request that never reached the service: the credentials could not be had, or the endpoint
/// could not be reached. The SDK's Debug chain of it runs to a thousand characters; this is
/// what it means, in a line, and the fix.
fn setup_failure(
    error: &(dyn std::error::Error + 'static),
    call: &str,
) -> Option<(String, String)> {
    if let Some(problem) = super::credentials::problem(error) {
        return Some((problem.message.clone(), problem.hint.clone()));
    }
    let unreachable = super::reach::unreachable(error)?;
    let endpoint = &unreachable.endpoint;
    let configured: Vec<String> = std::env::vars()
        .filter(|(name, value)| {
            name.starts_with("AWS_ENDPOINT_URL") && value.starts_with(endpoint.as_str())
        })
        .map(|(name, _)| name)
        .collect();
    let hint = if configured.is_empty() {
        "check the network and any proxy (HTTPS_PROXY), and that the region (--region, scope.home_region) is one of AWS's".to_owned()
    } else {
        format!(
            "{endpoint} comes from {}: check the address, and that the server there is running",
            configured.join(", ")
        )
    };
    Some((
        format!(
            "cannot connect to {endpoint} for {call}: {}",
            unreachable.cause()
        ),
        hint,
    ))
}

/// What went wrong, without the hint: [`AwsError::hint`] gives it, for the report to say last
/// and for a gap to carry beside its reason.
impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.setup_hint.is_some() {
            return f.write_str(&self.detail);
        }
        write!(f, "{} for {} failed", self.call, self.resource)?;
        match &self.code {
            Some(code) => write!(f, ": {code}: {}", self.detail),
            None => write!(f, ": {}", self.detail),
        }
    }
}

impl std::error::Error for AwsError {}

/// Attaches the call and resource to an SDK result.
/// What most reads do with a NotFound answer: the thing is not there, which is not an error.
pub trait AbsentIfNotFound<T> {
    fn absent_if_not_found(self) -> Result<Option<T>, AwsError>;
}

impl<T> AbsentIfNotFound<T> for Result<T, AwsError> {
    fn absent_if_not_found(self) -> Result<Option<T>, AwsError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(error) if error.is(Class::NotFound) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

pub trait Context<T> {
    fn call(self, call: &str, resource: impl fmt::Display) -> Result<T, AwsError>;
}

impl<T, E> Context<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn call(self, call: &str, resource: impl fmt::Display) -> Result<T, AwsError> {
        self.map_err(|error| AwsError::new(call, resource, error))
    }
}

#[cfg(test)]
mod tests {
    use super::{excerpt, propagation};

    /// The refusals AWS gives while a change propagates are told apart by call and code, and
    /// where one code also means a lasting misconfiguration, by the message AWS gives then.
    #[test]
    fn a_propagation_refusal_is_known_by_call_code_and_message() {
        let trail = "cloudtrail:CreateTrail";
        let code = "InvalidCloudWatchLogsRoleArnException";
        assert!(
            propagation(
                trail,
                code,
                "Access denied. Verify in IAM that the role has adequate permissions."
            )
            .is_some()
        );
        assert!(propagation(trail, code, "Role ARN is not valid").is_none());
        assert!(
            propagation(
                "config:PutDeliveryChannel",
                "InsufficientDeliveryPolicyException",
                ""
            )
            .is_some()
        );
        assert!(
            propagation(
                "config:PutConfigRule",
                "InsufficientDeliveryPolicyException",
                ""
            )
            .is_none(),
            "the code counts for the calls AWS documents it for only"
        );
    }

    #[test]
    fn an_unreadable_answer_is_quoted_by_its_gist() {
        let page = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n\
                    <h1>Internal Server Error</h1><p>The server encountered an internal error</p>";
        assert_eq!(excerpt(page), "500 Internal Server Error");
        assert_eq!(
            excerpt("watchpost-proxy:   forwarding\n failed"),
            "watchpost-proxy: forwarding failed"
        );
        assert_eq!(excerpt(&"x".repeat(500)).len(), 200);
        assert_eq!(excerpt(" \n"), "(empty)");
    }
}
