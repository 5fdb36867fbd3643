//! AWS Security Hub (CSPM) where moto stops short. moto 5.1.22 enables, disables and describes a
//! hub (`POST`, `DELETE` and `GET /accounts`) but has none of the other calls watchpost makes:
//! it answers them 404.
//! The proxy keeps the rest of each hub itself, by account and region, and answers its calls as
//! the Security Hub API Reference (<https://docs.aws.amazon.com/securityhub/1.0/APIReference/>)
//! describes them:
//!
//! - the standards enabled (`GetEnabledStandards`, `BatchEnableStandards`,
//!   `BatchDisableStandards`) out of the catalogue every region offers here
//!   (`DescribeStandards`). AWS enables a standard asynchronously: a new one shows `PENDING`, in
//!   the answer that enabled it and in the first `GetEnabledStandards` that lists it, and
//!   `READY` after. `EnableSecurityHub` enables the standards marked `EnabledByDefault` unless
//!   its body says `"EnableDefaultStandards": false`;
//! - the hub's tags (`ListTagsForResource`, `TagResource`, `UntagResource`), starting from those
//!   `EnableSecurityHub` was given;
//! - the account's finding aggregator (`CreateFindingAggregator` and the rest): one an account,
//!   changed or deleted only from the region it was created in, its home region.
//!
//! Each of these calls, for a hub not enabled in the caller's account and region, is refused as
//! AWS refuses it: 401 `InvalidAccessException`, `Account <account> is not subscribed to AWS
//! Security Hub` (the text SDK users, terraform-provider-aws among them, match on).
//!
//! moto stays the authority on whether a hub is enabled: the proxy forwards `EnableSecurityHub`
//! and `DisableSecurityHub` and learns from moto's successes ([`SecurityHub::settle`]). It
//! answers an `EnableSecurityHub` itself only for a hub it knows enabled, 409
//! `ResourceConflictException` as AWS does, where moto would answer 200; and it gives moto's
//! refusal of a hub not enabled (400, with an XML body and no account in its message) as AWS's
//! 401 above.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hyper::body::Bytes;
use hyper::header::CONTENT_TYPE;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use crate::aws_error::coded_rest_json_error;
use crate::percent_decoded;

/// Whose hub a request is about: the account of its access key and the region of its
/// credential scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AccountRegion {
    pub(crate) account: String,
    pub(crate) region: String,
}

impl AccountRegion {
    fn hub_arn(&self) -> String {
        format!(
            "arn:aws:securityhub:{}:{}:hub/default",
            self.region, self.account
        )
    }
}

/// What becomes of a Security Hub request.
pub(crate) enum Handling {
    /// The proxy's own answer; moto is not asked.
    Answered(Response<Bytes>),
    /// moto answers it. With a [`HubCall`], [`SecurityHub::settle`] is to see moto's answer.
    Forwarded(Option<HubCall>),
}

/// An `EnableSecurityHub`, `DisableSecurityHub` or `DescribeHub` on its way to moto.
pub(crate) struct HubCall {
    at: AccountRegion,
    change: Option<HubChange>,
}

/// What a hub call changes once moto has accepted it.
enum HubChange {
    Enable {
        tags: BTreeMap<String, String>,
        default_standards: bool,
    },
    Disable,
}

/// The Security Hub state moto lacks, for every account and region.
#[derive(Default)]
pub(crate) struct SecurityHub {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The hubs enabled.
    hubs: HashMap<AccountRegion, Hub>,
    aggregators: Aggregators,
}

impl SecurityHub {
    /// Answers `request`, signed for Security Hub by `at`, or says that moto is to.
    pub(crate) fn handle(&self, at: AccountRegion, request: &Request<Bytes>) -> Handling {
        let path = request.uri().path();
        if path == "/accounts" {
            return self.hub_call(at, request);
        }
        let Some(operation) = Operation::of(request.method(), path) else {
            return Handling::Forwarded(None);
        };
        let answer = self.lock().answer(&at, operation, request);
        Handling::Answered(answer.map_or_else(|refusal| refusal.response(), json_answer))
    }

    fn hub_call(&self, at: AccountRegion, request: &Request<Bytes>) -> Handling {
        let change = match *request.method() {
            Method::POST => {
                if self.lock().hubs.contains_key(&at) {
                    let conflict = Refusal {
                        status: StatusCode::CONFLICT,
                        code: "ResourceConflictException",
                        message: "Account is already subscribed to Security Hub".to_owned(),
                    };
                    return Handling::Answered(conflict.response());
                }
                // A body that is not JSON is moto's to refuse; should moto take it, the hub
                // gets the defaults.
                let input: Value = serde_json::from_slice(request.body()).unwrap_or_default();
                Some(HubChange::Enable {
                    tags: string_map(&input["Tags"]),
                    default_standards: input["EnableDefaultStandards"].as_bool().unwrap_or(true),
                })
            }
            Method::DELETE => Some(HubChange::Disable),
            _ => None,
        };
        Handling::Forwarded(Some(HubCall { at, change }))
    }

    /// moto's `answer` to a hub call, as AWS would give it; records what it changed.
    pub(crate) fn settle(&self, call: HubCall, answer: Response<Bytes>) -> Response<Bytes> {
        let not_subscribed = answer
            .headers()
            .get("x-amzn-errortype")
            .is_some_and(|code| code.as_bytes().starts_with(b"InvalidAccessException"));
        if not_subscribed {
            return Refusal::not_subscribed(&call.at.account).response();
        }
        if !answer.status().is_success() {
            return answer;
        }
        let mut state = self.lock();
        match call.change {
            Some(HubChange::Enable {
                tags,
                default_standards,
            }) => {
                // Two enables that crossed on their way to moto: the first one's hub stands.
                state
                    .hubs
                    .entry(call.at)
                    .or_insert_with(|| Hub::enabled(tags, default_standards));
            }
            // Disabling the hub disables its standards (DisableSecurityHub); its tags go with it.
            Some(HubChange::Disable) => {
                state.hubs.remove(&call.at);
            }
            None => {}
        }
        answer
    }

    /// Forgets every hub and finding aggregator.
    pub(crate) fn reset(&self) {
        *self.lock() = State::default();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A call the proxy answers, by the HTTP binding of Security Hub's model. The ARNs are as the
/// request path carries them, percent-encoded.
enum Operation<'a> {
    GetEnabledStandards,
    BatchEnableStandards,
    BatchDisableStandards,
    DescribeStandards,
    ListTagsForResource { arn: &'a str },
    TagResource { arn: &'a str },
    UntagResource { arn: &'a str },
    CreateFindingAggregator,
    ListFindingAggregators,
    GetFindingAggregator { arn: &'a str },
    UpdateFindingAggregator,
    DeleteFindingAggregator { arn: &'a str },
}

impl<'a> Operation<'a> {
    /// None for a call moto answers.
    fn of(method: &Method, path: &'a str) -> Option<Operation<'a>> {
        if let Some(arn) = path.strip_prefix("/tags/") {
            return match *method {
                Method::GET => Some(Operation::ListTagsForResource { arn }),
                Method::POST => Some(Operation::TagResource { arn }),
                Method::DELETE => Some(Operation::UntagResource { arn }),
                _ => None,
            };
        }
        if let Some(arn) = path.strip_prefix("/findingAggregator/get/") {
            return (method == Method::GET).then_some(Operation::GetFindingAggregator { arn });
        }
        if let Some(arn) = path.strip_prefix("/findingAggregator/delete/") {
            return (method == Method::DELETE)
                .then_some(Operation::DeleteFindingAggregator { arn });
        }
        let operation = match (method.as_str(), path) {
            ("POST", "/standards/get") => Operation::GetEnabledStandards,
            ("POST", "/standards/register") => Operation::BatchEnableStandards,
            ("POST", "/standards/deregister") => Operation::BatchDisableStandards,
            ("GET", "/standards") => Operation::DescribeStandards,
            ("POST", "/findingAggregator/create") => Operation::CreateFindingAggregator,
            ("GET", "/findingAggregator/list") => Operation::ListFindingAggregators,
            ("PATCH", "/findingAggregator/update") => Operation::UpdateFindingAggregator,
            _ => return None,
        };
        Some(operation)
    }
}

impl State {
    fn answer(
        &mut self,
        at: &AccountRegion,
        operation: Operation,
        request: &Request<Bytes>,
    ) -> Result<Value, Refusal> {
        let State { hubs, aggregators } = self;
        let hub = hubs
            .get_mut(at)
            .ok_or_else(|| Refusal::not_subscribed(&at.account))?;
        let input = json_body(request.body())?;
        let query: Vec<(String, String)> =
            form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
                .into_owned()
                .collect();
        match operation {
            Operation::GetEnabledStandards => hub.list_standards(at, &input),
            Operation::BatchEnableStandards => hub.enable_standards(at, &input),
            Operation::BatchDisableStandards => hub.disable_standards(at, &input),
            Operation::DescribeStandards => describe_standards(&at.region, &query),
            Operation::ListTagsForResource { arn } => {
                let tags = hub.tags_of(at, arn)?;
                Ok(json!({ "Tags": tags }))
            }
            Operation::TagResource { arn } => {
                hub.tags_of(at, arn)?.extend(string_map(&input["Tags"]));
                Ok(json!({}))
            }
            Operation::UntagResource { arn } => {
                let tags = hub.tags_of(at, arn)?;
                for key in query_values(&query, "tagKeys") {
                    tags.remove(key);
                }
                Ok(json!({}))
            }
            Operation::CreateFindingAggregator => aggregators.create(at, &input),
            Operation::ListFindingAggregators => aggregators.list(at, &query),
            Operation::GetFindingAggregator { arn } => {
                Ok(aggregators.find(at, &percent_decoded(arn))?.described())
            }
            Operation::UpdateFindingAggregator => {
                let arn = input["FindingAggregatorArn"].as_str().unwrap_or_default();
                aggregators.update(at, arn, &input)
            }
            Operation::DeleteFindingAggregator { arn } => {
                aggregators.delete(at, &percent_decoded(arn))
            }
        }
    }
}

/// One standard of the catalogue: what `DescribeStandards` shows of it.
#[derive(PartialEq, Eq)]
struct Standard {
    /// As its ARN carries it.
    name: &'static str,
    version: &'static str,
    title: &'static str,
    description: &'static str,
    /// Enabled with the hub, unless `EnableDefaultStandards` is false.
    enabled_by_default: bool,
}

/// The standards every region offers here, some of those the User Guide's "Standards
/// reference" lists: CIS v1.2.0 and the Foundational Security Best Practices are the two
/// `EnableSecurityHub` enables (API Reference, `EnableSecurityHub`). Titles and descriptions are
/// close to AWS's, not copies.
const CATALOGUE: [Standard; 8] = [
    Standard {
        name: "aws-foundational-security-best-practices",
        version: "1.0.0",
        title: "AWS Foundational Security Best Practices v1.0.0",
        description: "The AWS Foundational Security Best Practices standard is a set of controls \
                      that detect when your deployed accounts and resources deviate from security \
                      best practices.",
        enabled_by_default: true,
    },
    Standard {
        name: "cis-aws-foundations-benchmark",
        version: "1.2.0",
        title: "CIS AWS Foundations Benchmark v1.2.0",
        description: "The Center for Internet Security (CIS) AWS Foundations Benchmark v1.2.0 is \
                      a set of security configuration best practices for AWS.",
        enabled_by_default: true,
    },
    Standard {
        name: "cis-aws-foundations-benchmark",
        version: "1.4.0",
        title: "CIS AWS Foundations Benchmark v1.4.0",
        description: "The Center for Internet Security (CIS) AWS Foundations Benchmark v1.4.0 is \
                      a set of security configuration best practices for AWS.",
        enabled_by_default: false,
    },
    Standard {
        name: "cis-aws-foundations-benchmark",
        version: "3.0.0",
        title: "CIS AWS Foundations Benchmark v3.0.0",
        description: "The Center for Internet Security (CIS) AWS Foundations Benchmark v3.0.0 is \
                      a set of security configuration best practices for AWS.",
        enabled_by_default: false,
    },
    Standard {
        name: "cis-aws-foundations-benchmark",
        version: "5.0.0",
        title: "CIS AWS Foundations Benchmark v5.0.0",
        description: "The Center for Internet Security (CIS) AWS Foundations Benchmark v5.0.0 is \
                      a set of security configuration best practices for AWS.",
        enabled_by_default: false,
    },
    Standard {
        name: "pci-dss",
        version: "3.2.1",
        title: "PCI DSS v3.2.1",
        description: "The Payment Card Industry Data Security Standard (PCI DSS) v3.2.1 is an \
                      information security standard for entities that store, process or transmit \
                      cardholder data.",
        enabled_by_default: false,
    },
    Standard {
        name: "nist-800-53",
        version: "5.0.0",
        title: "NIST Special Publication 800-53 Revision 5",
        description: "The National Institute of Standards and Technology (NIST) SP 800-53 Rev. 5 \
                      is a cybersecurity and compliance framework.",
        enabled_by_default: false,
    },
    Standard {
        name: "aws-resource-tagging-standard",
        version: "1.0.0",
        title: "AWS Resource Tagging Standard v1.0.0",
        description: "The AWS Resource Tagging Standard checks whether AWS resources carry the \
                      tags they should.",
        enabled_by_default: false,
    },
];

impl Standard {
    /// The standard `arn` names in `region`, if the catalogue has it.
    fn of_arn(arn: &str, region: &str) -> Option<&'static Standard> {
        CATALOGUE
            .iter()
            .find(|standard| standard.arn(region) == arn)
    }

    /// CIS v1.2.0, the first standard Security Hub had, keeps its older ARN: a `ruleset`, the
    /// same in every region.
    fn arn(&self, region: &str) -> String {
        let Standard { name, version, .. } = self;
        if (*name, *version) == ("cis-aws-foundations-benchmark", "1.2.0") {
            format!("arn:aws:securityhub:::ruleset/{name}/v/{version}")
        } else {
            format!("arn:aws:securityhub:{region}::standards/{name}/v/{version}")
        }
    }

    fn subscription_arn(&self, at: &AccountRegion) -> String {
        let AccountRegion { account, region } = at;
        let Standard { name, version, .. } = self;
        format!("arn:aws:securityhub:{region}:{account}:subscription/{name}/v/{version}")
    }

    fn described(&self, region: &str) -> Value {
        json!({
            "StandardsArn": self.arn(region),
            "Name": self.title,
            "Description": self.description,
            "EnabledByDefault": self.enabled_by_default,
            "StandardsManagedBy": { "Company": "AWS", "Product": "Security Hub" },
        })
    }
}

fn describe_standards(region: &str, query: &[(String, String)]) -> Result<Value, Refusal> {
    let (shown, next_token) = page(
        CATALOGUE.len(),
        query_values(query, "NextToken").next(),
        max_results_in_query(query)?,
    )?;
    let standards: Vec<Value> = CATALOGUE[shown]
        .iter()
        .map(|standard| standard.described(region))
        .collect();
    Ok(with_next_token(
        json!({ "Standards": standards }),
        next_token,
    ))
}

/// An enabled hub.
#[derive(Default)]
struct Hub {
    tags: BTreeMap<String, String>,
    /// The standards enabled, in the order they were.
    subscriptions: Vec<Subscription>,
}

struct Subscription {
    standard: &'static Standard,
    /// `StandardsInput`, as it was asked for.
    input: Value,
    /// Whether a `GetEnabledStandards` has listed it yet, showing it `PENDING`.
    listed: bool,
}

impl Subscription {
    fn new(standard: &'static Standard, input: Value) -> Subscription {
        Subscription {
            standard,
            input,
            listed: false,
        }
    }

    fn shown(&self, at: &AccountRegion, status: &str) -> Value {
        json!({
            "StandardsSubscriptionArn": self.standard.subscription_arn(at),
            "StandardsArn": self.standard.arn(&at.region),
            "StandardsInput": self.input,
            "StandardsStatus": status,
        })
    }
}

impl Hub {
    fn enabled(tags: BTreeMap<String, String>, default_standards: bool) -> Hub {
        let subscriptions = CATALOGUE
            .iter()
            .filter(|standard| default_standards && standard.enabled_by_default)
            .map(|standard| Subscription::new(standard, json!({})))
            .collect();
        Hub {
            tags,
            subscriptions,
        }
    }

    fn list_standards(&mut self, at: &AccountRegion, input: &Value) -> Result<Value, Refusal> {
        let asked = string_list(&input["StandardsSubscriptionArns"]);
        let matching: Vec<usize> = (0..self.subscriptions.len())
            .filter(|&index| {
                asked.is_empty()
                    || asked.contains(&self.subscriptions[index].standard.subscription_arn(at))
            })
            .collect();
        let (shown, next_token) = page(
            matching.len(),
            input["NextToken"].as_str(),
            input["MaxResults"].as_u64(),
        )?;
        let listed: Vec<Value> = matching[shown]
            .iter()
            .map(|&index| {
                let subscription = &mut self.subscriptions[index];
                let status = if subscription.listed {
                    "READY"
                } else {
                    "PENDING"
                };
                subscription.listed = true;
                subscription.shown(at, status)
            })
            .collect();
        Ok(with_next_token(
            json!({ "StandardsSubscriptions": listed }),
            next_token,
        ))
    }

    fn enable_standards(&mut self, at: &AccountRegion, input: &Value) -> Result<Value, Refusal> {
        let requests = input["StandardsSubscriptionRequests"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        // Every ARN is checked before any standard is enabled, so that a refused batch changes
        // nothing.
        let standards = requests
            .iter()
            .map(|request| {
                let arn = request["StandardsArn"].as_str().unwrap_or_default();
                Standard::of_arn(arn, &at.region).ok_or_else(|| {
                    Refusal::invalid_input(format!(
                        "StandardsArn {arn} is not a standard Security Hub offers in {}",
                        at.region
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut shown = Vec::new();
        for (request, standard) in requests.iter().zip(standards) {
            let enabled = self
                .subscriptions
                .iter()
                .find(|subscription| subscription.standard == standard);
            match enabled {
                // A standard enabled again is left as it is.
                Some(subscription) => shown.push(subscription.shown(at, "READY")),
                None => {
                    let input = request
                        .get("StandardsInput")
                        .cloned()
                        .unwrap_or_else(|| json!({}));
                    let subscription = Subscription::new(standard, input);
                    shown.push(subscription.shown(at, "PENDING"));
                    self.subscriptions.push(subscription);
                }
            }
        }
        Ok(json!({ "StandardsSubscriptions": shown }))
    }

    fn disable_standards(&mut self, at: &AccountRegion, input: &Value) -> Result<Value, Refusal> {
        let arns = string_list(&input["StandardsSubscriptionArns"]);
        let position = |subscriptions: &[Subscription], arn: &str| {
            subscriptions
                .iter()
                .position(|subscription| subscription.standard.subscription_arn(at) == arn)
        };
        if let Some(unknown) = arns
            .iter()
            .find(|arn| position(&self.subscriptions, arn).is_none())
        {
            return Err(Refusal::invalid_input(format!(
                "StandardsSubscriptionArn {unknown} is not a standard enabled in {}",
                at.region
            )));
        }
        let mut shown = Vec::new();
        for arn in &arns {
            // An ARN given twice is disabled once.
            if let Some(index) = position(&self.subscriptions, arn) {
                shown.push(self.subscriptions.remove(index).shown(at, "DELETING"));
            }
        }
        Ok(json!({ "StandardsSubscriptions": shown }))
    }

    /// The hub's tags, if `escaped_arn` is the hub's ARN: the only resource here with tags.
    fn tags_of(
        &mut self,
        at: &AccountRegion,
        escaped_arn: &str,
    ) -> Result<&mut BTreeMap<String, String>, Refusal> {
        let arn = percent_decoded(escaped_arn);
        if arn == at.hub_arn() {
            Ok(&mut self.tags)
        } else {
            Err(Refusal::not_found(format!("Resource {arn} was not found")))
        }
    }
}

/// The finding aggregator of each account that has one, by account.
#[derive(Default)]
struct Aggregators(HashMap<String, Aggregator>);

struct Aggregator {
    arn: String,
    /// The region it was created in, the only one it can be changed or deleted from.
    home_region: String,
    linking: Linking,
}

/// Which regions send their findings to the home region.
struct Linking {
    mode: String,
    regions: Vec<String>,
}

impl Aggregators {
    fn create(&mut self, at: &AccountRegion, input: &Value) -> Result<Value, Refusal> {
        if self.0.contains_key(&at.account) {
            return Err(Refusal::invalid_input(
                "The account already has a finding aggregator: delete it first to create another",
            ));
        }
        let aggregator = Aggregator {
            arn: format!(
                "arn:aws:securityhub:{}:{}:finding-aggregator/{}",
                at.region,
                at.account,
                uuid_like()
            ),
            home_region: at.region.clone(),
            linking: Linking::asked(input, &at.region)?,
        };
        let described = aggregator.described();
        self.0.insert(at.account.clone(), aggregator);
        Ok(described)
    }

    fn list(&self, at: &AccountRegion, query: &[(String, String)]) -> Result<Value, Refusal> {
        let arns: Vec<Value> = self
            .0
            .get(&at.account)
            .map(|aggregator| json!({ "FindingAggregatorArn": aggregator.arn }))
            .into_iter()
            .collect();
        let (shown, next_token) = page(
            arns.len(),
            query_values(query, "NextToken").next(),
            max_results_in_query(query)?,
        )?;
        Ok(with_next_token(
            json!({ "FindingAggregators": arns[shown] }),
            next_token,
        ))
    }

    /// The account's finding aggregator, if `arn` is its ARN.
    fn find(&mut self, at: &AccountRegion, arn: &str) -> Result<&mut Aggregator, Refusal> {
        self.0
            .get_mut(&at.account)
            .filter(|aggregator| aggregator.arn == arn)
            .ok_or_else(|| Refusal::not_found(format!("Finding aggregator {arn} was not found")))
    }

    fn update(&mut self, at: &AccountRegion, arn: &str, input: &Value) -> Result<Value, Refusal> {
        let aggregator = self.find(at, arn)?;
        aggregator.check_called_from_home(at, "UpdateFindingAggregator")?;
        aggregator.linking = Linking::asked(input, &aggregator.home_region)?;
        Ok(aggregator.described())
    }

    fn delete(&mut self, at: &AccountRegion, arn: &str) -> Result<Value, Refusal> {
        self.find(at, arn)?
            .check_called_from_home(at, "DeleteFindingAggregator")?;
        self.0.remove(&at.account);
        Ok(json!({}))
    }
}

impl Aggregator {
    fn check_called_from_home(&self, at: &AccountRegion, operation: &str) -> Result<(), Refusal> {
        if at.region == self.home_region {
            return Ok(());
        }
        Err(Refusal::invalid_input(format!(
            "{operation} must be called from the aggregation Region {}, not {}",
            self.home_region, at.region
        )))
    }

    fn described(&self) -> Value {
        let mut described = json!({
            "FindingAggregatorArn": self.arn,
            "FindingAggregationRegion": self.home_region,
            "RegionLinkingMode": self.linking.mode,
        });
        if !self.linking.regions.is_empty() {
            described["Regions"] = json!(self.linking.regions);
        }
        described
    }
}

impl Linking {
    /// The linking a create or update asks for, if it holds together for the aggregation
    /// region `home`.
    fn asked(input: &Value, home: &str) -> Result<Linking, Refusal> {
        let mode = input["RegionLinkingMode"].as_str().unwrap_or_default();
        let regions = string_list(&input["Regions"]);
        let names_regions = match mode {
            "ALL_REGIONS" | "NO_REGIONS" => false,
            "SPECIFIED_REGIONS" | "ALL_REGIONS_EXCEPT_SPECIFIED" => true,
            other => {
                return Err(Refusal::invalid_input(format!(
                    "RegionLinkingMode {other:?} is not one of ALL_REGIONS, \
                     ALL_REGIONS_EXCEPT_SPECIFIED, SPECIFIED_REGIONS, NO_REGIONS"
                )));
            }
        };
        if names_regions && regions.is_empty() {
            return Err(Refusal::invalid_input(format!(
                "RegionLinkingMode {mode} needs Regions to name at least one Region"
            )));
        }
        if !names_regions && !regions.is_empty() {
            return Err(Refusal::invalid_input(format!(
                "Regions cannot be given with RegionLinkingMode {mode}"
            )));
        }
        if regions.iter().any(|region| region == home) {
            return Err(Refusal::invalid_input(format!(
                "Regions cannot include the aggregation Region {home}"
            )));
        }
        Ok(Linking {
            mode: mode.to_owned(),
            regions,
        })
    }
}

/// A random id in the form of a UUID, as AWS names its finding aggregators.
fn uuid_like() -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u16(..),
        fastrand::u16(..),
        fastrand::u64(..1 << 48)
    )
}

/// Results on a page when the request does not say: `GetEnabledStandards` and
/// `DescribeStandards` do not document their own.
const DEFAULT_PAGE_SIZE: usize = 10;

/// The page of `count` results that `next_token` and `max_results` ask for, and the
/// `NextToken` of the page after it, if there is one. A token is the position its page starts
/// at.
fn page(
    count: usize,
    next_token: Option<&str>,
    max_results: Option<u64>,
) -> Result<(Range<usize>, Option<String>), Refusal> {
    let size = match max_results {
        None => DEFAULT_PAGE_SIZE,
        Some(size @ 1..=100) => size as usize,
        Some(other) => {
            return Err(Refusal::invalid_input(format!(
                "MaxResults must be from 1 to 100, not {other}"
            )));
        }
    };
    let start = match next_token {
        None | Some("") => 0,
        Some(token) => token
            .parse::<usize>()
            .map_err(|_| Refusal::invalid_input(format!("NextToken {token:?} is not valid")))?
            .min(count),
    };
    let end = (start + size).min(count);
    Ok((start..end, (end < count).then(|| end.to_string())))
}

fn with_next_token(mut answer: Value, next_token: Option<String>) -> Value {
    if let Some(next_token) = next_token {
        answer["NextToken"] = json!(next_token);
    }
    answer
}

fn max_results_in_query(query: &[(String, String)]) -> Result<Option<u64>, Refusal> {
    query_values(query, "MaxResults")
        .next()
        .map(|text| {
            text.parse()
                .map_err(|_| Refusal::invalid_input(format!("MaxResults {text:?} is not a number")))
        })
        .transpose()
}

fn query_values<'a>(
    query: &'a [(String, String)],
    key: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    query
        .iter()
        .filter(move |(name, _)| name == key)
        .map(|(_, value)| value.as_str())
}

/// The JSON body of a request; `{}` for none, as a GET has.
fn json_body(body: &[u8]) -> Result<Value, Refusal> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|error| Refusal::invalid_input(format!("The request body is not JSON: {error}")))
}

/// The strings of a JSON list; none for anything else.
fn string_list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_str().map(str::to_owned))
        .collect()
}

/// The string members of a JSON object; none for anything else.
fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
        .collect()
}

fn json_answer(body: Value) -> Response<Bytes> {
    Response::builder()
        .header(CONTENT_TYPE, "application/json")
        .body(Bytes::from(body.to_string()))
        .expect("a valid header value")
}

/// An error, as Security Hub answers it.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn not_subscribed(account: &str) -> Refusal {
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            code: "InvalidAccessException",
            message: format!("Account {account} is not subscribed to AWS Security Hub"),
        }
    }

    fn invalid_input(message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidInputException",
            message: message.into(),
        }
    }

    fn not_found(message: String) -> Refusal {
        Refusal {
            status: StatusCode::NOT_FOUND,
            code: "ResourceNotFoundException",
            message,
        }
    }

    fn response(&self) -> Response<Bytes> {
        coded_rest_json_error(self.status, self.code, &self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const US_EAST_1: &str = "us-east-1";
    const EU_WEST_1: &str = "eu-west-1";
    const FSBP: &str =
        "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";
    const CIS_1_2: &str = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0";
    const PCI: &str = "arn:aws:securityhub:us-east-1::standards/pci-dss/v/3.2.1";

    fn at(account: &str, region: &str) -> AccountRegion {
        AccountRegion {
            account: account.to_owned(),
            region: region.to_owned(),
        }
    }

    fn mine(region: &str) -> AccountRegion {
        at("111111111111", region)
    }

    fn request(method: &str, uri: &str, body: &str) -> Request<Bytes> {
        Request::builder()
            .method(method)
            .uri(uri)
            .body(Bytes::from(body.to_owned()))
            .expect("a request")
    }

    /// The proxy's own answer to a call: its status and JSON body.
    #[track_caller]
    fn call(
        hub: &SecurityHub,
        at: &AccountRegion,
        method: &str,
        uri: &str,
        body: &str,
    ) -> (StatusCode, Value) {
        match hub.handle(at.clone(), &request(method, uri, body)) {
            Handling::Answered(answer) => (
                answer.status(),
                serde_json::from_slice(answer.body()).expect("a JSON answer"),
            ),
            Handling::Forwarded(_) => panic!("{method} {uri} was left to moto"),
        }
    }

    /// What the client sees of a hub call that moto answers with `moto_answer`.
    fn hub_call(
        hub: &SecurityHub,
        at: &AccountRegion,
        method: &str,
        body: &str,
        moto_answer: Response<Bytes>,
    ) -> Response<Bytes> {
        match hub.handle(at.clone(), &request(method, "/accounts", body)) {
            Handling::Answered(answer) => answer,
            Handling::Forwarded(Some(hub_call)) => hub.settle(hub_call, moto_answer),
            Handling::Forwarded(None) => panic!("{method} /accounts is not watched"),
        }
    }

    fn moto_ok() -> Response<Bytes> {
        Response::new(Bytes::from_static(b"{}"))
    }

    #[track_caller]
    fn enable(hub: &SecurityHub, at: &AccountRegion, body: &str) -> StatusCode {
        hub_call(hub, at, "POST", body, moto_ok()).status()
    }

    /// `(StandardsArn, StandardsStatus)` of each subscription of an answer.
    fn statuses(answer: &Value) -> Vec<(String, String)> {
        answer["StandardsSubscriptions"]
            .as_array()
            .expect("StandardsSubscriptions")
            .iter()
            .map(|subscription| {
                (
                    subscription["StandardsArn"].as_str().unwrap().to_owned(),
                    subscription["StandardsStatus"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(arn, status)| ((*arn).to_owned(), (*status).to_owned()))
            .collect()
    }

    #[track_caller]
    fn assert_refused(answer: (StatusCode, Value), status: StatusCode, code: &str, says: &str) {
        let (got, body) = answer;
        assert_eq!((got, body["Code"].as_str()), (status, Some(code)), "{body}");
        let message = body["Message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{message:?} does not say {says:?}");
    }

    fn escaped(arn: &str) -> String {
        arn.replace(':', "%3A").replace('/', "%2F")
    }

    #[test]
    fn every_call_for_a_hub_not_enabled_is_refused_as_aws_refuses_it() {
        let hub = SecurityHub::default();
        let here = mine(US_EAST_1);
        let hub_arn = escaped(&here.hub_arn());
        let aggregator = escaped("arn:aws:securityhub:us-east-1:111111111111:finding-aggregator/x");
        for (method, uri, body) in [
            ("POST", "/standards/get", "{}"),
            (
                "POST",
                "/standards/register",
                r#"{"StandardsSubscriptionRequests":[]}"#,
            ),
            (
                "POST",
                "/standards/deregister",
                r#"{"StandardsSubscriptionArns":[]}"#,
            ),
            ("GET", "/standards", ""),
            ("GET", &format!("/tags/{hub_arn}"), ""),
            ("POST", &format!("/tags/{hub_arn}"), r#"{"Tags":{"a":"b"}}"#),
            ("DELETE", &format!("/tags/{hub_arn}?tagKeys=a"), ""),
            (
                "POST",
                "/findingAggregator/create",
                r#"{"RegionLinkingMode":"ALL_REGIONS"}"#,
            ),
            ("GET", "/findingAggregator/list", ""),
            ("GET", &format!("/findingAggregator/get/{aggregator}"), ""),
            (
                "DELETE",
                &format!("/findingAggregator/delete/{aggregator}"),
                "",
            ),
        ] {
            let answer = hub.handle(here.clone(), &request(method, uri, body));
            let Handling::Answered(answer) = answer else {
                panic!("{method} {uri} was left to moto");
            };
            assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{method} {uri}");
            assert_eq!(
                answer.headers()["x-amzn-errortype"],
                "InvalidAccessException"
            );
            let body: Value = serde_json::from_slice(answer.body()).unwrap();
            assert_eq!(
                body,
                json!({
                    "Code": "InvalidAccessException",
                    "Message": "Account 111111111111 is not subscribed to AWS Security Hub",
                }),
                "{method} {uri}"
            );
        }
    }

    #[test]
    fn moto_refusing_a_hub_not_enabled_is_shown_as_aws_refuses_it() {
        let hub = SecurityHub::default();
        let moto_refusal = Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .header("x-amzn-errortype", "InvalidAccessException")
            .body(Bytes::from_static(b"<ErrorResponse/>"))
            .unwrap();

        let answer = hub_call(&hub, &mine(US_EAST_1), "GET", "", moto_refusal);

        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
        let body: Value = serde_json::from_slice(answer.body()).unwrap();
        assert_eq!(
            body["Message"],
            "Account 111111111111 is not subscribed to AWS Security Hub"
        );
    }

    #[test]
    fn enabling_the_hub_enables_the_default_standards_unless_told_not_to() {
        let hub = SecurityHub::default();
        let with_defaults = mine(US_EAST_1);
        let without = mine(EU_WEST_1);

        assert_eq!(enable(&hub, &with_defaults, ""), StatusCode::OK);
        assert_eq!(
            enable(&hub, &without, r#"{"EnableDefaultStandards":false}"#),
            StatusCode::OK
        );

        let (_, listed) = call(&hub, &with_defaults, "POST", "/standards/get", "{}");
        assert_eq!(
            statuses(&listed),
            pairs(&[(FSBP, "PENDING"), (CIS_1_2, "PENDING")])
        );
        assert_eq!(
            listed["StandardsSubscriptions"][1]["StandardsSubscriptionArn"],
            "arn:aws:securityhub:us-east-1:111111111111:subscription/cis-aws-foundations-benchmark/v/1.2.0"
        );
        let (_, listed) = call(&hub, &without, "POST", "/standards/get", "{}");
        assert_eq!(statuses(&listed), pairs(&[]));
    }

    #[test]
    fn enabling_an_enabled_hub_again_is_a_conflict_until_it_is_disabled() {
        let hub = SecurityHub::default();
        let here = mine(US_EAST_1);
        assert_eq!(enable(&hub, &here, "{}"), StatusCode::OK);

        let again = hub_call(&hub, &here, "POST", "{}", moto_ok());
        assert_eq!(again.status(), StatusCode::CONFLICT);
        assert_eq!(
            again.headers()["x-amzn-errortype"],
            "ResourceConflictException"
        );
        let body: Value = serde_json::from_slice(again.body()).unwrap();
        assert_eq!(
            body["Message"],
            "Account is already subscribed to Security Hub"
        );

        let moto_refused = Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(Bytes::new())
            .unwrap();
        let failed = hub_call(&hub, &here, "DELETE", "", moto_refused);
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            enable(&hub, &here, "{}"),
            StatusCode::CONFLICT,
            "a disable moto refused changes nothing"
        );

        assert_eq!(
            hub_call(&hub, &here, "DELETE", "", moto_ok()).status(),
            StatusCode::OK
        );
        assert_refused(
            call(&hub, &here, "POST", "/standards/get", "{}"),
            StatusCode::UNAUTHORIZED,
            "InvalidAccessException",
            "not subscribed",
        );
        assert_eq!(enable(&hub, &here, "{}"), StatusCode::OK);
    }

    #[test]
    fn a_standard_enabled_shows_pending_then_ready() {
        let hub = SecurityHub::default();
        let here = mine(US_EAST_1);
        enable(&hub, &here, r#"{"EnableDefaultStandards":false}"#);
        let enable_pci = format!(
            r#"{{"StandardsSubscriptionRequests":[{{"StandardsArn":"{PCI}","StandardsInput":{{"k":"v"}}}}]}}"#
        );

        let (status, enabled) = call(&hub, &here, "POST", "/standards/register", &enable_pci);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            enabled,
            json!({"StandardsSubscriptions": [{
                "StandardsSubscriptionArn": "arn:aws:securityhub:us-east-1:111111111111:subscription/pci-dss/v/3.2.1",
                "StandardsArn": PCI,
                "StandardsInput": {"k": "v"},
                "StandardsStatus": "PENDING",
            }]})
        );
        let first = call(&hub, &here, "POST", "/standards/get", "{}").1;
        assert_eq!(statuses(&first), pairs(&[(PCI, "PENDING")]));
        let second = call(&hub, &here, "POST", "/standards/get", "{}").1;
        assert_eq!(statuses(&second), pairs(&[(PCI, "READY")]));
        assert_eq!(
            second["StandardsSubscriptions"][0]["StandardsInput"],
            json!({"k": "v"})
        );

        let again = call(&hub, &here, "POST", "/standards/register", &enable_pci).1;
        assert_eq!(statuses(&again), pairs(&[(PCI, "READY")]));
        let listed = call(&hub, &here, "POST", "/standards/get", "{}").1;
        assert_eq!(statuses(&listed), pairs(&[(PCI, "READY")]));
    }

    #[test]
    fn a_standard_the_region_does_not_offer_is_refused_and_nothing_is_enabled() {
        let hub = SecurityHub::default();
        let here = mine(US_EAST_1);
        enable(&hub, &here, r#"{"EnableDefaultStandards":false}"#);
        // pci-dss of another region, and a version that does not exist.
        for unknown in [
            "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/3.2.1",
            "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/9.9.9",
        ] {
            let batch = format!(
                r#"{{"StandardsSubscriptionRequests":[{{"StandardsArn":"{PCI}"}},{{"StandardsArn":"{unknown}"}}]}}"#
            );
            assert_refused(
                call(&hub, &here, "POST", "/standards/register", &batch),
                StatusCode::BAD_REQUEST,
                "InvalidInputException",
                unknown,
            );
        }
        let listed = call(&hub, &here, "POST", "/standards/get", "{}").1;
        assert_eq!(statuses(&listed), pairs(&[]));
    }

    #[test]
    fn a_standard_disabled_shows_deleting_then_is_gone() {
        let hub = SecurityHub::default();
        let here = mine(US_EAST_1);
        enable(&hub, &here, "{}");
        let cis = "arn:aws:securityhub:us-east-1:111111111111:subscription/cis-aws-foundations-benchmark/v/1.2.0";

        let disabled = call(
            &hub,
            &here,
            "POST",
            "/standards/deregister",
            &format!(r#"{{"StandardsSubscriptionArns":["{cis}"]}}"#),
        )
        .1;
        assert_eq!(statuses(&disabled), pairs(&[(CIS_1_2, "DELETING")]));
        let listed = call(&hub, &here, "POST", "/standards/get", "{}").1;
        assert_eq!(statuses(&listed), pairs(&[(FSBP, "PENDING")]));

        assert_refused(
            call(
                &hub,
                &here,
                "POST",
                "/standards/deregister",
                &format!(r#"{{"StandardsSubscriptionArns":["{cis}"]}}"#),
            ),
            StatusCode::BAD_REQUEST,
            "InvalidInputException",
            cis,
        );
    }

    #[test]
    fn enabled_standards_are_listed_page_by_page_and_filtered_by_arn() {
        let hub = SecurityHub::default();
        let here = mine(US_EAST_1);
        enable(&hub, &here, "{}");
        let all: Vec<String> = CATALOGUE
            .iter()
            .map(|standard| format!(r#"{{"StandardsArn":"{}"}}"#, standard.arn(US_EAST_1)))
            .collect();
        let batch = format!(r#"{{"StandardsSubscriptionRequests":[{}]}}"#, all.join(","));
        call(&hub, &here, "POST", "/standards/register", &batch);

        let first = call(&hub, &here, "POST", "/standards/get", r#"{"MaxResults":5}"#).1;
        assert_eq!(statuses(&first).len(), 5);
        let token = first["NextToken"].as_str().expect("a NextToken");
        let rest = call(
            &hub,
            &here,
            "POST",
            "/standards/get",
            &format!(r#"{{"MaxResults":5,"NextToken":"{token}"}}"#),
        )
        .1;
        assert_eq!(statuses(&rest).len(), CATALOGUE.len() - 5);
        assert!(rest.get("NextToken").is_none(), "{rest}");
        assert!(
            statuses(&first)
                .iter()
                .chain(&statuses(&rest))
                .all(|(_, status)| status == "PENDING"),
            "each shows PENDING on the first page that lists it"
        );

        let pci = "arn:aws:securityhub:us-east-1:111111111111:subscription/pci-dss/v/3.2.1";
        let only_pci = call(
            &hub,
            &here,
            "POST",
            "/standards/get",
            &format!(r#"{{"StandardsSubscriptionArns":["{pci}"]}}"#),
        )
        .1;
        assert_eq!(statuses(&only_pci), pairs(&[(PCI, "READY")]));
        assert_refused(
            call(
                &hub,
                &here,
                "POST",
                "/standards/get",
                r#"{"NextToken":"later"}"#,
            ),
            StatusCode::BAD_REQUEST,
            "InvalidInputException",
            "NextToken",
        );
    }

    #[test]
    fn the_catalogue_is_described_page_by_page() {
        let hub = SecurityHub::default();
        let here = mine(EU_WEST_1);
        enable(&hub, &here, "{}");

        let mut described = Vec::new();
        let mut uri = "/standards?MaxResults=3".to_owned();
        loop {
            let (status, page) = call(&hub, &here, "GET", &uri, "");
            assert_eq!(status, StatusCode::OK, "{page}");
            described.extend(page["Standards"].as_array().unwrap().iter().cloned());
            match page["NextToken"].as_str() {
                Some(token) => uri = format!("/standards?MaxResults=3&NextToken={token}"),
                None => break,
            }
        }

        let arns: Vec<&str> = described
            .iter()
            .map(|standard| standard["StandardsArn"].as_str().unwrap())
            .collect();
        assert_eq!(arns.len(), 8);
        assert!(arns.contains(&CIS_1_2), "{arns:?}");
        assert!(arns.contains(&"arn:aws:securityhub:eu-west-1::standards/nist-800-53/v/5.0.0"));
        let by_default: Vec<&str> = described
            .iter()
            .filter(|standard| standard["EnabledByDefault"] == true)
            .map(|standard| standard["StandardsArn"].as_str().unwrap())
            .collect();
        assert_eq!(
            by_default,
            [
                "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
                CIS_1_2
            ]
        );
        assert_eq!(
            described[0]["StandardsManagedBy"],
            json!({"Company": "AWS", "Product": "Security Hub"})
        );
    }

    #[test]
    fn the_hubs_tags_round_trip_and_no_other_resource_has_any() {
        let hub = SecurityHub::default();
        let here = mine(US_EAST_1);
        enable(&hub, &here, r#"{"Tags":{"team":"security"}}"#);
        let tags_uri = format!("/tags/{}", escaped(&here.hub_arn()));

        let listed = call(&hub, &here, "GET", &tags_uri, "").1;
        assert_eq!(listed, json!({"Tags": {"team": "security"}}));
        let tagged = call(
            &hub,
            &here,
            "POST",
            &tags_uri,
            r#"{"Tags":{"a":"1","b":"2"}}"#,
        );
        assert_eq!(tagged, (StatusCode::OK, json!({})));
        let untagged = call(
            &hub,
            &here,
            "DELETE",
            &format!("{tags_uri}?tagKeys=a&tagKeys=team"),
            "",
        );
        assert_eq!(untagged, (StatusCode::OK, json!({})));
        let listed = call(&hub, &here, "GET", &tags_uri, "").1;
        assert_eq!(listed, json!({"Tags": {"b": "2"}}));

        // The same hub ARN of another region, and another kind of resource.
        for other in [
            mine(EU_WEST_1).hub_arn(),
            "arn:aws:securityhub:us-east-1:111111111111:automation-rule/r".to_owned(),
        ] {
            assert_refused(
                call(
                    &hub,
                    &here,
                    "GET",
                    &format!("/tags/{}", escaped(&other)),
                    "",
                ),
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                &other,
            );
        }

        hub_call(&hub, &here, "DELETE", "", moto_ok());
        enable(&hub, &here, "{}");
        let listed = call(&hub, &here, "GET", &tags_uri, "").1;
        assert_eq!(
            listed,
            json!({"Tags": {}}),
            "disabling the hub drops its tags"
        );
    }

    #[test]
    fn an_account_has_one_finding_aggregator_changed_only_from_its_home_region() {
        let hub = SecurityHub::default();
        let home = mine(US_EAST_1);
        let elsewhere = mine(EU_WEST_1);
        enable(&hub, &home, "{}");
        enable(&hub, &elsewhere, "{}");

        let (status, created) = call(
            &hub,
            &home,
            "POST",
            "/findingAggregator/create",
            r#"{"RegionLinkingMode":"SPECIFIED_REGIONS","Regions":["eu-west-1"]}"#,
        );
        assert_eq!(status, StatusCode::OK, "{created}");
        let arn = created["FindingAggregatorArn"].as_str().unwrap().to_owned();
        let id = arn
            .strip_prefix("arn:aws:securityhub:us-east-1:111111111111:finding-aggregator/")
            .unwrap_or_else(|| panic!("{arn}"));
        assert_eq!(
            id.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert_eq!(
            created,
            json!({
                "FindingAggregatorArn": arn,
                "FindingAggregationRegion": "us-east-1",
                "RegionLinkingMode": "SPECIFIED_REGIONS",
                "Regions": ["eu-west-1"],
            })
        );

        assert_refused(
            call(
                &hub,
                &elsewhere,
                "POST",
                "/findingAggregator/create",
                r#"{"RegionLinkingMode":"ALL_REGIONS"}"#,
            ),
            StatusCode::BAD_REQUEST,
            "InvalidInputException",
            "already has a finding aggregator",
        );
        let listed = call(&hub, &elsewhere, "GET", "/findingAggregator/list", "").1;
        assert_eq!(
            listed,
            json!({"FindingAggregators": [{"FindingAggregatorArn": arn}]})
        );
        // The SDK escapes a greedy label's `:` but not its `/`.
        let greedy = arn.replace(':', "%3A");
        let got = call(
            &hub,
            &elsewhere,
            "GET",
            &format!("/findingAggregator/get/{greedy}"),
            "",
        );
        assert_eq!(got, (StatusCode::OK, created));

        let update =
            format!(r#"{{"FindingAggregatorArn":"{arn}","RegionLinkingMode":"NO_REGIONS"}}"#);
        for (method, uri, body) in [
            (
                "PATCH",
                "/findingAggregator/update".to_owned(),
                update.as_str(),
            ),
            ("DELETE", format!("/findingAggregator/delete/{greedy}"), ""),
        ] {
            assert_refused(
                call(&hub, &elsewhere, method, &uri, body),
                StatusCode::BAD_REQUEST,
                "InvalidInputException",
                "aggregation Region us-east-1",
            );
        }

        let updated = call(&hub, &home, "PATCH", "/findingAggregator/update", &update);
        assert_eq!(
            updated,
            (
                StatusCode::OK,
                json!({
                    "FindingAggregatorArn": arn,
                    "FindingAggregationRegion": "us-east-1",
                    "RegionLinkingMode": "NO_REGIONS",
                })
            ),
            "Regions is left out when there are none"
        );
        let deleted = call(
            &hub,
            &home,
            "DELETE",
            &format!("/findingAggregator/delete/{greedy}"),
            "",
        );
        assert_eq!(deleted, (StatusCode::OK, json!({})));
        assert_refused(
            call(
                &hub,
                &home,
                "GET",
                &format!("/findingAggregator/get/{greedy}"),
                "",
            ),
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &arn,
        );
        let listed = call(&hub, &home, "GET", "/findingAggregator/list", "").1;
        assert_eq!(listed, json!({"FindingAggregators": []}));
    }

    #[test]
    fn region_linking_is_checked_against_its_mode_and_the_home_region() {
        let hub = SecurityHub::default();
        let home = mine(US_EAST_1);
        enable(&hub, &home, "{}");
        for (body, says) in [
            (r#"{"RegionLinkingMode":"SOME_REGIONS"}"#, "is not one of"),
            (
                r#"{"RegionLinkingMode":"SPECIFIED_REGIONS"}"#,
                "needs Regions",
            ),
            (
                r#"{"RegionLinkingMode":"ALL_REGIONS_EXCEPT_SPECIFIED","Regions":[]}"#,
                "needs Regions",
            ),
            (
                r#"{"RegionLinkingMode":"ALL_REGIONS","Regions":["eu-west-1"]}"#,
                "cannot be given",
            ),
            (
                r#"{"RegionLinkingMode":"NO_REGIONS","Regions":["eu-west-1"]}"#,
                "cannot be given",
            ),
            (
                r#"{"RegionLinkingMode":"SPECIFIED_REGIONS","Regions":["eu-west-1","us-east-1"]}"#,
                "cannot include the aggregation Region us-east-1",
            ),
        ] {
            assert_refused(
                call(&hub, &home, "POST", "/findingAggregator/create", body),
                StatusCode::BAD_REQUEST,
                "InvalidInputException",
                says,
            );
        }
        let (status, created) = call(
            &hub,
            &home,
            "POST",
            "/findingAggregator/create",
            r#"{"RegionLinkingMode":"ALL_REGIONS_EXCEPT_SPECIFIED","Regions":["eu-west-1"]}"#,
        );
        assert_eq!(status, StatusCode::OK, "{created}");
    }

    #[test]
    fn each_account_has_hubs_and_an_aggregator_of_its_own() {
        let hub = SecurityHub::default();
        let mine = mine(US_EAST_1);
        let theirs = at("222222222222", US_EAST_1);
        enable(&hub, &mine, r#"{"Tags":{"owner":"me"}}"#);
        call(
            &hub,
            &mine,
            "POST",
            "/findingAggregator/create",
            r#"{"RegionLinkingMode":"ALL_REGIONS"}"#,
        );

        assert_refused(
            call(&hub, &theirs, "POST", "/standards/get", "{}"),
            StatusCode::UNAUTHORIZED,
            "InvalidAccessException",
            "Account 222222222222 is not subscribed to AWS Security Hub",
        );
        assert_eq!(enable(&hub, &theirs, "{}"), StatusCode::OK);
        let listed = call(&hub, &theirs, "GET", "/findingAggregator/list", "").1;
        assert_eq!(listed, json!({"FindingAggregators": []}));
        let (status, _) = call(
            &hub,
            &theirs,
            "POST",
            "/findingAggregator/create",
            r#"{"RegionLinkingMode":"ALL_REGIONS"}"#,
        );
        assert_eq!(status, StatusCode::OK);
        let their_tags = call(
            &hub,
            &theirs,
            "GET",
            &format!("/tags/{}", escaped(&theirs.hub_arn())),
            "",
        )
        .1;
        assert_eq!(their_tags, json!({"Tags": {}}));
    }

    #[test]
    fn a_reset_forgets_every_hub_and_aggregator() {
        let hub = SecurityHub::default();
        let here = mine(US_EAST_1);
        enable(&hub, &here, "{}");
        call(
            &hub,
            &here,
            "POST",
            "/findingAggregator/create",
            r#"{"RegionLinkingMode":"ALL_REGIONS"}"#,
        );

        hub.reset();

        assert_eq!(enable(&hub, &here, "{}"), StatusCode::OK);
        let listed = call(&hub, &here, "GET", "/findingAggregator/list", "").1;
        assert_eq!(listed, json!({"FindingAggregators": []}));
    }

    #[test]
    fn calls_moto_answers_are_left_to_it() {
        let hub = SecurityHub::default();
        for (method, uri) in [
            ("POST", "/findings"),
            ("GET", "/findingAggregator/get"),
            ("PUT", "/tags/x"),
        ] {
            let handling = hub.handle(mine(US_EAST_1), &request(method, uri, ""));
            assert!(
                matches!(handling, Handling::Forwarded(None)),
                "{method} {uri}"
            );
        }
    }

    /// Against a real moto, through the proxy with its API gate: what a client sees of the hub
    /// calls moto answers and the proxy watches, account by account.
    mod through_the_proxy {
        use std::net::{Ipv4Addr, SocketAddr, TcpStream};
        use std::process::{Child, Command, Stdio};
        use std::sync::Arc;
        use std::time::{Duration, Instant};

        use http_body_util::{BodyExt, Full};
        use hyper::header::AUTHORIZATION;
        use hyper_util::client::legacy::Client;
        use hyper_util::client::legacy::connect::HttpConnector;
        use hyper_util::rt::TokioExecutor;

        use super::*;
        use crate::{ApiGate, ApiModels, Behaviour, Fault, Faults, Proxy, access_key_id_in};

        /// moto_server (`$WATCHPOST_MOTO_SERVER`, else on `PATH`) on a free port of 127.0.0.1,
        /// killed when dropped.
        struct MotoServer {
            child: Child,
            port: u16,
        }

        impl MotoServer {
            fn start() -> MotoServer {
                let program = std::env::var_os("WATCHPOST_MOTO_SERVER")
                    .filter(|program| !program.is_empty())
                    .unwrap_or_else(|| "moto_server".into());
                let port = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                    .and_then(|listener| listener.local_addr())
                    .expect("a free port")
                    .port();
                let child = Command::new(&program)
                    .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap_or_else(|error| {
                        panic!(
                            "cannot start {program:?}: {error}; set WATCHPOST_MOTO_SERVER \
                             (scripts/lib.sh's watchpost_setup does)"
                        )
                    });
                let moto = MotoServer { child, port };
                let deadline = Instant::now() + Duration::from_secs(30);
                let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
                while TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err() {
                    assert!(Instant::now() < deadline, "moto did not listen on {port}");
                    std::thread::sleep(Duration::from_millis(100));
                }
                moto
            }

            fn endpoint(&self) -> String {
                format!("http://127.0.0.1:{}", self.port)
            }
        }

        impl Drop for MotoServer {
            fn drop(&mut self) {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }

        /// Sends requests signed in form only: the proxy reads the credential, and moto checks
        /// no signature.
        struct SignedClient {
            endpoint: String,
            client: Client<HttpConnector, Full<Bytes>>,
        }

        /// An answer: status, `x-amzn-errortype` and body.
        type Seen = (StatusCode, String, String);

        impl SignedClient {
            /// A request signed (in form only) with `key` for `service` in us-east-1.
            async fn send(
                &self,
                key: &str,
                service: &str,
                method: &str,
                path: &str,
                body: &str,
            ) -> Seen {
                let content_type = if service == "sts" {
                    "application/x-www-form-urlencoded"
                } else {
                    "application/json"
                };
                let request = Request::builder()
                    .method(method)
                    .uri(format!("{}{path}", self.endpoint))
                    .header(
                        AUTHORIZATION,
                        format!(
                            "AWS4-HMAC-SHA256 Credential={key}/20261208/us-east-1/{service}/\
                             aws4_request, SignedHeaders=host, Signature=00"
                        ),
                    )
                    .header(CONTENT_TYPE, content_type)
                    .body(Full::new(Bytes::from(body.to_owned())))
                    .unwrap();
                let response = self.client.request(request).await.unwrap();
                let status = response.status();
                let code = response
                    .headers()
                    .get("x-amzn-errortype")
                    .map(|code| code.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                (status, code, String::from_utf8(body.to_vec()).unwrap())
            }

            async fn hub(&self, key: &str, method: &str, path: &str, body: &str) -> Seen {
                self.send(key, "securityhub", method, path, body).await
            }

            async fn enabled_standards(&self, key: &str) -> Seen {
                self.hub(key, "POST", "/standards/get", "{}").await
            }
        }

        #[track_caller]
        fn assert_not_subscribed(seen: &Seen, account: &str) {
            assert_eq!(
                (seen.0, seen.1.as_str()),
                (StatusCode::UNAUTHORIZED, "InvalidAccessException"),
                "{seen:?}"
            );
            let body: Value = serde_json::from_str(&seen.2).unwrap();
            assert_eq!(
                body["Message"],
                format!("Account {account} is not subscribed to AWS Security Hub")
            );
        }

        fn standards_statuses(seen: &Seen) -> Vec<String> {
            assert_eq!(seen.0, StatusCode::OK, "{seen:?}");
            let body: Value = serde_json::from_str(&seen.2).unwrap();
            statuses(&body)
                .into_iter()
                .map(|(_, status)| status)
                .collect()
        }

        #[tokio::test]
        async fn the_proxy_learns_each_accounts_hub_from_moto() {
            let moto = MotoServer::start();
            let models = ApiModels::from_env().expect("botocore's models, beside moto");
            let gate = Arc::new(ApiGate::new(Arc::new(models)));
            let behaviour = Behaviour {
                validation: Some(Arc::clone(&gate)),
                ..Behaviour::delayed(Duration::ZERO)
            };
            let proxy = Proxy::start(&moto.endpoint(), behaviour).unwrap();
            let client = SignedClient {
                endpoint: proxy.endpoint(),
                client: Client::builder(TokioExecutor::new()).build_http(),
            };
            let default_account = std::env::var("MOTO_ACCOUNT_ID")
                .ok()
                .filter(|account| !account.is_empty())
                .unwrap_or_else(|| "123456789012".to_owned());

            // moto's own refusal (400, XML) comes back as AWS's.
            assert_not_subscribed(
                &client.hub("testing", "GET", "/accounts", "").await,
                &default_account,
            );
            assert_not_subscribed(&client.enabled_standards("testing").await, &default_account);

            let enabled = client
                .hub(
                    "testing",
                    "POST",
                    "/accounts",
                    r#"{"Tags":{"team":"security"}}"#,
                )
                .await;
            assert_eq!(enabled.0, StatusCode::OK, "{enabled:?}");
            let again = client.hub("testing", "POST", "/accounts", "{}").await;
            assert_eq!(
                (again.0, again.1.as_str()),
                (StatusCode::CONFLICT, "ResourceConflictException")
            );
            let described = client.hub("testing", "GET", "/accounts", "").await;
            assert_eq!(
                described.0,
                StatusCode::OK,
                "moto describes the hub: {described:?}"
            );
            assert_eq!(
                standards_statuses(&client.enabled_standards("testing").await),
                ["PENDING", "PENDING"]
            );
            assert_eq!(
                standards_statuses(&client.enabled_standards("testing").await),
                ["READY", "READY"]
            );
            let hub_arn = escaped(&format!(
                "arn:aws:securityhub:us-east-1:{default_account}:hub/default"
            ));
            let tags = client
                .hub("testing", "GET", &format!("/tags/{hub_arn}"), "")
                .await;
            assert_eq!(tags.2, r#"{"Tags":{"team":"security"}}"#);

            // Another account, by the key moto minted for a role in it.
            let assume_role = "Action=AssumeRole&Version=2011-06-15&RoleArn=\
                               arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2FOrganizationAccountAccessRole\
                               &RoleSessionName=watchpost";
            let assumed = client
                .send("testing", "sts", "POST", "/", assume_role)
                .await;
            let key = access_key_id_in(assumed.2.as_bytes())
                .unwrap_or_else(|| panic!("{assumed:?}"))
                .to_owned();
            assert_not_subscribed(&client.enabled_standards(&key).await, "222222222222");
            let enabled = client
                .hub(
                    &key,
                    "POST",
                    "/accounts",
                    r#"{"EnableDefaultStandards":false}"#,
                )
                .await;
            assert_eq!(enabled.0, StatusCode::OK, "{enabled:?}");
            assert!(standards_statuses(&client.enabled_standards(&key).await).is_empty());

            // Faults are drawn before the proxy answers.
            proxy.set_faults(Faults::every_call_of(
                "securityhub",
                "POST /standards/get",
                Fault::Throttled,
            ));
            let throttled = client.enabled_standards("testing").await;
            assert_eq!(throttled.0, StatusCode::TOO_MANY_REQUESTS, "{throttled:?}");
            proxy.set_faults(Faults::none());

            let disabled = client.hub("testing", "DELETE", "/accounts", "").await;
            assert_eq!(disabled.0, StatusCode::OK, "{disabled:?}");
            assert_not_subscribed(&client.enabled_standards("testing").await, &default_account);
            assert_not_subscribed(
                &client.hub("testing", "DELETE", "/accounts", "").await,
                &default_account,
            );
            assert!(
                standards_statuses(&client.enabled_standards(&key).await).is_empty(),
                "the other account's hub is still enabled"
            );

            // moto reset, and the proxy with it: the hub can be enabled again.
            let reset = Client::builder(TokioExecutor::new())
                .build_http::<Full<Bytes>>()
                .request(
                    Request::post(format!("{}/moto-api/reset", moto.endpoint()))
                        .body(Full::new(Bytes::new()))
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(reset.status(), StatusCode::OK);
            proxy.reset_emulated();
            assert_not_subscribed(&client.enabled_standards(&key).await, "222222222222");
            let enabled = client.hub(&key, "POST", "/accounts", "{}").await;
            assert_eq!(enabled.0, StatusCode::OK, "{enabled:?}");

            assert_eq!(gate.violations(), Vec::<String>::new());
            assert_eq!(gate.unchecked(), Vec::new());
        }
    }
}
