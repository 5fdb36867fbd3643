//! A reverse HTTP/1.1 proxy on 127.0.0.1 that forwards every request to a local moto server
//! (unchanged, but where moto lacks what AWS does: see below) and records when each request started and finished.
//!
//! moto answers in a millisecond what AWS answers in tens: benchmarks put this proxy between
//! watchpost and moto, with a [`Behaviour::delay`] standing in for the round trip to AWS, so that
//! needless sequential calls show up in the wall time as they would against AWS.
//!
//! # Shards
//!
//! One moto server is one Python process, which serves requests on one core at a time. The proxy
//! can forward to several moto servers instead ([`Proxy::start_sharded`]), each owning some of
//! the AWS accounts: moto keeps each account's state apart, so splitting the accounts between
//! processes changes nothing a client sees. Each request goes to one shard:
//!
//! 1. The access key id is read from the SigV4 `Authorization` header
//!    (`AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/<service>/aws4_request, ...`). A key
//!    the proxy has learned (below) goes to the shard it was learned from.
//! 2. Otherwise, an STS `AssumeRole` (service `sts` in the credential scope, and
//!    `Action=AssumeRole` in its form-encoded body) goes to shard `account % shards`, the account
//!    being the 12 digits of its `RoleArn` (`arn:aws:iam::<account>:role/...`).
//! 3. Everything else, the caller's own requests signed with its static key among them, goes to
//!    shard 0.
//!
//! The `<AccessKeyId>` of an `AssumeRole`'s answer is learned with the account of its `RoleArn`
//! and the shard it went to, so that every request signed with the assumed role's key reaches
//! the moto that minted it and holds the account's state. With one upstream ([`Proxy::start`])
//! every request goes to it, and keys are learned all the same: the proxy tells accounts apart
//! as moto does, by the learned account of a key, and moto's default account for any other key
//! (`123456789012`, or `$MOTO_ACCOUNT_ID` as the proxy found it when it started).
//!
//! # What moto lacks
//!
//! Where moto refuses what AWS accepts, or lacks a call AWS has, the proxy makes up the
//! difference for every request, after any fault is drawn for it (so that injected faults apply
//! to these calls too): the S3 folder of a flow log's destination (`src/flow_log_folders.rs`);
//! a metric filter put again, which moto keeps twice (`src/metric_filters.rs`);
//! Security Hub's standards, hub tags and finding aggregators, of which moto has none, and its
//! refusals of an account that has not enabled it (`src/security_hub.rs`).
//! [`Proxy::reset_emulated`] forgets that state as moto's reset forgets moto's.
//!
//! A proxy in front of another (a fault injector in front of the tests' API gate) leaves this to
//! the one next to moto, so that an account's Security Hub has one state: each proxy marks its
//! answers with the `x-watchpost-proxy-gaps-filled` header, and one whose upstream's answers carry
//! it forwards everything from then on. A run's first request (STS or EC2) teaches it.
//!
//! # Faults
//!
//! [`Behaviour::faults`] makes some requests fail as AWS fails them: throttled, 500, 503, or the
//! connection dropped before or after the request reached moto ([`Fault`]), chosen by service
//! and by operation. [`Proxy::set_faults`] changes them while the proxy runs, for a fault that
//! begins part way through a run.

use std::collections::HashMap;
use std::error::Error;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, HeaderValue, TRANSFER_ENCODING};
use hyper::http::uri::{Authority, PathAndQuery};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

mod aws_error;
mod call;
mod credential;
mod faults;
mod flow_log_folders;
mod metric_filters;
mod model;
mod propagation;
mod security_hub;

pub use call::Call;
use credential::Credential;
pub use faults::{Fault, Faults};
use faults::{Injector, error_response};
pub use model::{ApiGate, ApiModels};
use security_hub::{AccountRegion, Handling, SecurityHub};

/// The account moto gives a key it did not mint, unless `MOTO_ACCOUNT_ID` says otherwise.
const MOTO_DEFAULT_ACCOUNT: &str = "123456789012";

/// On every answer a proxy gives: it has filled moto's gaps, so a proxy in front of it leaves
/// them to it.
const GAPS_FILLED: &str = "x-watchpost-proxy-gaps-filled";

/// How the proxy treats the requests it forwards.
///
/// Fields added later leave requests alone unless set, so that code building it from
/// [`Behaviour::default`] or [`Behaviour::delayed`] with `..` keeps compiling as it grows.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// Waited out before each request is forwarded: the round trip to AWS that moto lacks.
    pub delay: Duration,
    /// The requests that fail instead of being answered by moto.
    pub faults: Faults,
    /// How long after a role, policy, key or alias is written the calls that rely on it are
    /// refused as AWS refuses them while it propagates (`src/propagation.rs`); None: never.
    pub propagation: Option<Duration>,
    /// Refuses, before anything else, each request AWS's API model refuses ([`ApiGate`]).
    pub validation: Option<Arc<ApiGate>>,
    /// What the proxy keeps where moto lacks it, shared with the other proxies in front of the
    /// same moto servers (a benchmark's set-up and its measured run), as moto's own state is;
    /// None: the proxy's own.
    pub moto_gaps: Option<Arc<MotoGaps>>,
}

/// The state the proxies keep where moto lacks it (see the [crate docs](crate#what-moto-lacks)):
/// the folders of flow log destinations and Security Hub's standards, hub tags and aggregators.
/// It belongs with the moto servers, so proxies over the same servers share one.
#[derive(Default)]
pub struct MotoGaps {
    folders: flow_log_folders::Folders,
    security_hub: SecurityHub,
}

impl MotoGaps {
    /// Forgets what is kept, as `POST /moto-api/reset` makes moto forget its own: call it with
    /// every reset of the servers. The folders of flow logs need no reset: they are kept by flow
    /// log id, and moto's are random.
    pub fn reset(&self) {
        self.security_hub.reset();
    }
}

impl std::fmt::Debug for MotoGaps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MotoGaps")
    }
}

impl Behaviour {
    /// Every request delayed by `delay`, and nothing else done to it.
    pub fn delayed(delay: Duration) -> Behaviour {
        Behaviour {
            delay,
            faults: Faults::none(),
            propagation: None,
            validation: None,
            moto_gaps: None,
        }
    }
}

impl Default for Behaviour {
    /// A delay of 50 ms, the order of a round trip to an AWS endpoint from outside AWS.
    fn default() -> Self {
        Behaviour::delayed(Duration::from_millis(50))
    }
}

/// One request the proxy answered, from the arrival of its head to the moment the whole
/// response was ready to go back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub call: Call,
    pub started: Instant,
    pub finished: Instant,
    /// The fault injected instead of, or after, forwarding it.
    pub fault: Option<Fault>,
    /// The code of the error it was refused with, before forwarding, because something it
    /// relies on was still propagating.
    pub refused: Option<&'static str>,
}

/// The requests a proxy has answered so far, in the order they finished.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    exchanges: Vec<Exchange>,
}

impl Trace {
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// The longest chain of requests where each started only after the one before it had
    /// finished, first to last. Those are round trips the client did not overlap, so with a
    /// delay `d` per request the run took at least `chain.len() × d`, whatever its concurrency
    /// elsewhere.
    pub fn longest_sequential_chain(&self) -> Vec<&Exchange> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;

        let mut by_start: Vec<&Exchange> = self.exchanges.iter().collect();
        by_start.sort_by_key(|exchange| exchange.started);
        // For each exchange (by its index in `by_start`), the one before it in the longest chain
        // that ends with it.
        let mut previous: Vec<Option<usize>> = vec![None; by_start.len()];
        // Chains ending at exchanges already visited, soonest finished first, as (finished,
        // length, index). Once an exchange has finished before the current one starts, it has
        // also finished before every later start, so its chain can be folded into
        // `longest_before` for good.
        let mut pending: BinaryHeap<Reverse<(Instant, usize, usize)>> = BinaryHeap::new();
        let mut longest_before: Option<(usize, usize)> = None;
        let mut longest: Option<(usize, usize)> = None;
        for (index, exchange) in by_start.iter().enumerate() {
            while let Some(&Reverse((finished, length, ended_by))) = pending.peek() {
                if finished > exchange.started {
                    break;
                }
                if longest_before.is_none_or(|(known, _)| length > known) {
                    longest_before = Some((length, ended_by));
                }
                pending.pop();
            }
            previous[index] = longest_before.map(|(_, ended_by)| ended_by);
            let length = longest_before.map_or(0, |(known, _)| known) + 1;
            if longest.is_none_or(|(known, _)| length > known) {
                longest = Some((length, index));
            }
            pending.push(Reverse((exchange.finished, length, index)));
        }
        let mut chain = Vec::new();
        let mut link = longest.map(|(_, index)| index);
        while let Some(index) = link {
            chain.push(by_start[index]);
            link = previous[index];
        }
        chain.reverse();
        chain
    }
}

/// A running proxy; it stops when dropped.
pub struct Proxy {
    address: SocketAddr,
    trace: Arc<Mutex<Vec<Exchange>>>,
    /// Shared with the forwarder, so that the faults can change while the proxy runs.
    injector: Arc<Injector>,
    /// Shared with the forwarder, so that it can be reset while the proxy runs.
    moto_gaps: Arc<MotoGaps>,
    // An Option only so that Drop can take it to shut it down.
    runtime: Option<Runtime>,
}

impl Proxy {
    /// Starts a proxy on a free port of 127.0.0.1, forwarding to `upstream`
    /// (`http://HOST:PORT`), on a runtime of its own so that synchronous callers can use it.
    pub fn start(upstream: &str, behaviour: Behaviour) -> io::Result<Proxy> {
        Proxy::start_sharded(&[upstream], behaviour)
    }

    /// Starts a proxy forwarding to several upstreams (`http://HOST:PORT` each), shard `i` being
    /// `upstreams[i]`: each request goes to the shard that owns its account, as the
    /// [crate docs](crate#shards) describe.
    pub fn start_sharded<S: AsRef<str>>(
        upstreams: &[S],
        behaviour: Behaviour,
    ) -> io::Result<Proxy> {
        if upstreams.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a proxy needs at least one upstream",
            ));
        }
        let upstreams = upstreams
            .iter()
            .map(|upstream| upstream_authority(upstream.as_ref()))
            .collect::<io::Result<Vec<_>>>()?;
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let address = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("watchpost-proxy")
            .build()?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let mut connector = HttpConnector::new();
        // Nagle's algorithm could hold back a small request for a delayed ACK: the configured
        // delay must be the only one the proxy adds.
        connector.set_nodelay(true);
        let trace = Arc::new(Mutex::new(Vec::new()));
        let injector = Arc::new(Injector::new(behaviour.faults.clone()));
        let moto_gaps = behaviour.moto_gaps.clone().unwrap_or_default();
        let default_account = std::env::var("MOTO_ACCOUNT_ID")
            .ok()
            .filter(|account| !account.is_empty())
            .unwrap_or_else(|| MOTO_DEFAULT_ACCOUNT.to_owned());
        let forwarder = Arc::new(Forwarder {
            upstreams,
            injector: Arc::clone(&injector),
            windows: propagation::Windows::new(behaviour.propagation),
            behaviour,
            client: Client::builder(TokioExecutor::new()).build(connector),
            trace: Arc::clone(&trace),
            learned_keys: Mutex::new(HashMap::new()),
            default_account,
            upstream_fills_gaps: AtomicBool::new(false),
            moto_gaps: Arc::clone(&moto_gaps),
            answered_tokens: Mutex::new(HashMap::new()),
        });
        runtime.spawn(serve(listener, forwarder));
        Ok(Proxy {
            address,
            trace,
            injector,
            moto_gaps,
            runtime: Some(runtime),
        })
    }

    /// From now on, requests fail as `faults` says, instead of as the proxy was started with:
    /// a fault that begins part way through a run (the renewals of a lease failing once its
    /// changes have begun, say).
    pub fn set_faults(&self, faults: Faults) {
        self.injector.replace(faults);
    }

    /// Forgets the state the proxy keeps where moto lacks it ([`MotoGaps::reset`]): call it
    /// with every reset of the moto servers behind the proxy.
    pub fn reset_emulated(&self) {
        self.moto_gaps.reset();
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The requests answered so far.
    pub fn trace(&self) -> Trace {
        Trace {
            exchanges: self
                .trace
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Not a blocking shutdown, which panics when the proxy is dropped inside the caller's
        // own async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn upstream_authority(upstream: &str) -> io::Result<Authority> {
    let invalid = |why: &str| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("upstream {upstream:?} {why}; expected http://HOST:PORT"),
        )
    };
    let uri: Uri = upstream
        .parse()
        .map_err(|e| invalid(&format!("is not a URI ({e})")))?;
    if uri.scheme_str() != Some("http") {
        return Err(invalid("is not an http:// URI"));
    }
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err(invalid("has a path or query"));
    }
    uri.authority()
        .cloned()
        .ok_or_else(|| invalid("has no host"))
}

async fn serve(listener: TcpListener, forwarder: Arc<Forwarder>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, most likely: back off rather than spin, and keep
                // serving the connections already open.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let forwarder = Arc::clone(&forwarder);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let forwarder = Arc::clone(&forwarder);
                async move { forwarder.forward(request).await }
            });
            // A client hanging up ends its own connection and nothing else; so does a dropped
            // connection injected by the service failing.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

struct Forwarder {
    /// Shard `i` is `upstreams[i]`.
    upstreams: Vec<Authority>,
    behaviour: Behaviour,
    injector: Arc<Injector>,
    windows: propagation::Windows,
    client: Client<HttpConnector, Full<Bytes>>,
    trace: Arc<Mutex<Vec<Exchange>>>,
    /// Access key ids minted by an `AssumeRole` the proxy forwarded, and whose they are.
    learned_keys: Mutex<HashMap<String, AssumedRole>>,
    /// The account of a key not learned: moto's default account.
    default_account: String,
    /// What the proxy keeps where moto lacks it.
    moto_gaps: Arc<MotoGaps>,
    /// Whether the upstream is itself a proxy that fills moto's gaps (its answers carry
    /// [`GAPS_FILLED`]), learned from its first answer.
    upstream_fills_gaps: AtomicBool,
    /// The answers given to requests that carried an idempotency token, by token.
    ///
    /// AWS answers a request whose `clientToken` it has seen with the answer it gave the first,
    /// and acts once: that is what makes an SDK's retry of a create whose answer was lost
    /// (GuardDuty's `CreateDetector`, for one) safe. moto ignores the token, so the proxy keeps
    /// AWS's promise for it; without this, [`Fault::ResponseDropped`] would make duplicates
    /// that AWS never would.
    answered_tokens: Mutex<HashMap<String, Response<Bytes>>>,
}

type BoxError = Box<dyn Error + Send + Sync>;

/// Where one request goes, and what its answer may teach.
struct Route {
    shard: usize,
    /// An `AssumeRole` of a role in this account: the access key id in its answer is the
    /// account's, minted by `shard`.
    assumes_role_in: Option<u64>,
}

/// Whose key an `AssumeRole` minted.
struct AssumedRole {
    /// The 12 digits of the role's account.
    account: String,
    /// The shard that minted the key, and holds the account's state.
    shard: usize,
}

/// The error that makes hyper close a client's connection without an answer.
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl Error for ConnectionDropped {}

impl Forwarder {
    async fn forward(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>, ConnectionDropped> {
        let started = Instant::now();
        tokio::time::sleep(self.behaviour.delay).await;
        let (head, body) = request.into_parts();
        let request = match body.collect().await {
            Ok(body) => Request::from_parts(head, body.to_bytes()),
            Err(error) => {
                return Ok(
                    bad_gateway(&format!("reading the request failed: {error}")).map(Full::new)
                );
            }
        };
        let call = Call::of(&request);
        let service = Credential::of(&request).map(|credential| credential.service.to_owned());
        let invalid = self
            .behaviour
            .validation
            .as_ref()
            .and_then(|gate| gate.refusal(&request));
        // An invalid request is refused as AWS refuses it before it checks anything else.
        let refusal = match invalid {
            Some(_) => None,
            None => self.windows.refusal(&request),
        };
        // A refused request never reaches the service, so no fault is drawn for it.
        let fault = match (&invalid, &refusal) {
            (None, None) => self.injector.draw(service.as_deref(), &call.operation),
            _ => None,
        };
        let outcome = match (invalid, &refusal, fault) {
            (Some(invalid), _, _) => Ok(invalid),
            (None, Some(refusal), _) => Ok(refusal.response(&request)),
            (None, None, None) => Ok(self
                .answer_whatever_the_client_does(request)
                .await
                .map(Full::new)),
            (None, None, Some(Fault::RequestDropped)) => Err(ConnectionDropped),
            (None, None, Some(Fault::ResponseDropped)) => {
                self.answer_whatever_the_client_does(request).await;
                Err(ConnectionDropped)
            }
            (None, None, Some(fault)) => {
                Ok(error_response(fault, service.as_deref(), request.headers()))
            }
        };
        self.trace
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Exchange {
                call,
                started,
                finished: Instant::now(),
                fault,
                refused: refusal.map(|refusal| refusal.code),
            });
        outcome
    }

    /// [`Forwarder::answer`], carried to its end even if the client hangs up meanwhile: AWS acts
    /// on a request it received whether or not its caller stays for the answer, and what the
    /// proxy keeps for moto must follow what moto did (a run killed while its `EnableSecurityHub`
    /// was on its way leaves a hub enabled, which the proxy must know).
    async fn answer_whatever_the_client_does(
        self: &Arc<Self>,
        request: Request<Bytes>,
    ) -> Response<Bytes> {
        let forwarder = Arc::clone(self);
        tokio::spawn(async move { forwarder.answer(request).await })
            .await
            .unwrap_or_else(|error| bad_gateway(&format!("answering failed: {error}")))
    }

    /// The upstream's answer (or the one it gave before for the same idempotency token), or
    /// 502 naming why there is none.
    async fn answer(&self, request: Request<Bytes>) -> Response<Bytes> {
        let mut answer = self.fill_or_forward(request).await;
        answer
            .headers_mut()
            .insert(GAPS_FILLED, HeaderValue::from_static("1"));
        answer
    }

    async fn fill_or_forward(&self, request: Request<Bytes>) -> Response<Bytes> {
        let token = idempotency_token(request.body()).map(str::to_owned);
        if let Some(answer) = token.as_deref().and_then(|token| self.answered(token)) {
            return answer;
        }
        // Behind another proxy (a fault injector in front of the API gate), the one next to
        // moto fills its gaps: filling them twice would keep two states of one account.
        let fills_gaps = !self.upstream_fills_gaps.load(Ordering::Relaxed);
        let hub_call = match fills_gaps {
            true => match self.security_hub_handling(&request) {
                Handling::Answered(answer) => return answer,
                Handling::Forwarded(hub_call) => hub_call,
            },
            false => None,
        };
        let write = self.windows.pending(&request);
        let describes_filters = fills_gaps && metric_filters::is_describe(&request);
        let (request, asked_destination) = match fills_gaps {
            true => self.moto_gaps.folders.request(request),
            false => (request, None),
        };
        let answer = self
            .route_and_send(request)
            .await
            .unwrap_or_else(|error| bad_gateway(&error.to_string()));
        if answer.headers().contains_key(GAPS_FILLED) {
            self.upstream_fills_gaps.store(true, Ordering::Relaxed);
        }
        let answer = self.moto_gaps.folders.answer(asked_destination, answer);
        let answer = match describes_filters {
            true => metric_filters::replaced(answer),
            false => answer,
        };
        let answer = match hub_call {
            Some(hub_call) => self.moto_gaps.security_hub.settle(hub_call, answer),
            None => answer,
        };
        if let Some(token) = token.filter(|_| answer.status().is_success()) {
            self.answered_tokens
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(token, copy(&answer));
        }
        if let Some(write) = write {
            self.windows.record(write, &answer);
        }
        answer
    }

    /// What becomes of `request` if it is signed for Security Hub; any other is forwarded.
    fn security_hub_handling(&self, request: &Request<Bytes>) -> Handling {
        match Credential::of(request) {
            Some(credential) if credential.service == "securityhub" => {
                let at = AccountRegion {
                    account: self.account_of(credential.access_key_id),
                    region: credential.region.to_owned(),
                };
                self.moto_gaps.security_hub.handle(at, request)
            }
            _ => Handling::Forwarded(None),
        }
    }

    /// The account moto takes `access_key_id` for: the account of the role it was learned from,
    /// else the default account.
    fn account_of(&self, access_key_id: &str) -> String {
        self.learned_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(access_key_id)
            .map_or_else(
                || self.default_account.clone(),
                |assumed| assumed.account.clone(),
            )
    }

    fn answered(&self, token: &str) -> Option<Response<Bytes>> {
        let answered = self
            .answered_tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        answered.get(token).map(copy)
    }

    async fn route_and_send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, BoxError> {
        let route = self.route(&request);
        let response = self
            .send_upstream(request, &self.upstreams[route.shard])
            .await
            .map_err(|error| {
                format!(
                    "forwarding to http://{} failed: {error}",
                    self.upstreams[route.shard]
                )
            })?;
        if let Some(account) = route.assumes_role_in
            && response.status().is_success()
            && let Some(key) = access_key_id_in(response.body())
        {
            self.learned_keys
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    key.to_owned(),
                    AssumedRole {
                        account: format!("{account:012}"),
                        shard: route.shard,
                    },
                );
        }
        Ok(response)
    }

    /// The shard for `request`, by the rule of the crate docs.
    fn route(&self, request: &Request<Bytes>) -> Route {
        let Some(credential) = Credential::of(request) else {
            return Route {
                shard: 0,
                assumes_role_in: None,
            };
        };
        let learned_shard = self
            .learned_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(credential.access_key_id)
            .map(|assumed| assumed.shard);
        let assumes_role_in = (credential.service == "sts")
            .then(|| {
                let form = request.uri().query().unwrap_or("").as_bytes();
                assume_role_account(form).or_else(|| assume_role_account(request.body()))
            })
            .flatten();
        let shard = learned_shard
            .or_else(|| {
                assumes_role_in.map(|account| (account % self.upstreams.len() as u64) as usize)
            })
            .unwrap_or(0);
        Route {
            shard,
            assumes_role_in,
        }
    }

    /// Sends the request on with only its target rewritten: method, path and query, headers
    /// (Host included) and body are those the client signed.
    async fn send_upstream(
        &self,
        request: Request<Bytes>,
        upstream: &Authority,
    ) -> Result<Response<Bytes>, BoxError> {
        let (mut head, body) = request.into_parts();
        let path_and_query = head
            .uri
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        head.uri = Uri::builder()
            .scheme("http")
            .authority(upstream.clone())
            .path_and_query(path_and_query)
            .build()?;
        let response = self
            .client
            .request(Request::from_parts(head, Full::new(body)))
            .await?;
        let (mut head, body) = response.into_parts();
        // Read to the end, so that an exchange finishes when its whole response is in.
        let body = body.collect().await?.to_bytes();
        // Hop-by-hop headers describe the upstream connection, not the client's: moto closing
        // its connection must not close the client's, and the body is framed anew.
        head.headers.remove(CONNECTION);
        head.headers.remove(TRANSFER_ENCODING);
        head.headers.remove("keep-alive");
        Ok(Response::from_parts(head, body))
    }
}

/// `text` with each `%XX` escape decoded, as a URI path carries a label (an ARN, say).
pub(crate) fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn bad_gateway(why: &str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(format!("watchpost-proxy: {why}")));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response
}

fn copy(answer: &Response<Bytes>) -> Response<Bytes> {
    let mut copy = Response::new(answer.body().clone());
    *copy.status_mut() = answer.status();
    *copy.headers_mut() = answer.headers().clone();
    copy
}

/// The `clientToken` of a JSON request body, as the SDK writes it (no space after the colon).
fn idempotency_token(body: &[u8]) -> Option<&str> {
    const KEY: &str = "\"clientToken\":\"";
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find(KEY)? + KEY.len();
    let length = text[start..].find('"')?;
    Some(&text[start..start + length]).filter(|token| !token.is_empty())
}

/// The account of the `RoleArn` when `form` (`application/x-www-form-urlencoded`) is an
/// `AssumeRole`.
fn assume_role_account(form: &[u8]) -> Option<u64> {
    let mut is_assume_role = false;
    let mut account = None;
    for (key, value) in form_urlencoded::parse(form) {
        match &*key {
            "Action" => is_assume_role = value == "AssumeRole",
            // arn:aws:iam::<account>:role/<name>
            "RoleArn" => {
                account = value
                    .split(':')
                    .nth(4)
                    .filter(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|id| id.parse().ok());
            }
            _ => {}
        }
    }
    account.filter(|_| is_assume_role)
}

/// The text of the first `<AccessKeyId>` element of an STS answer.
fn access_key_id_in(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<AccessKeyId>")? + "<AccessKeyId>".len();
    let length = text[start..].find("</AccessKeyId>")?;
    Some(text[start..start + length].trim()).filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    use hyper::header::AUTHORIZATION;

    use std::convert::Infallible;

    use hyper::Method;

    /// Answers every request with a line naming what it received: method, target, Host, the
    /// `x-probe` header and the body.
    async fn start_echo_server() -> SocketAddr {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let service = service_fn(|request: Request<Incoming>| async move {
                        let header =
                            |name: &str| request.headers()[name].to_str().unwrap().to_owned();
                        let line = format!(
                            "{} {} host={} probe={} body=",
                            request.method(),
                            request.uri(),
                            header("host"),
                            header("x-probe"),
                        );
                        let body = request.into_body().collect().await?.to_bytes();
                        let echo = [line.as_bytes(), &body].concat();
                        Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from(echo))))
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        address
    }

    async fn post(url: &str) -> (StatusCode, String) {
        let client = Client::builder(TokioExecutor::new()).build_http();
        let request = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header("x-probe", "signed-value")
            .body(Full::new(Bytes::from_static(b"Action=ListDetectors")))
            .unwrap();
        let response = client.request(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn forwards_the_request_unchanged_after_the_delay() {
        let upstream = start_echo_server().await;
        let delay = Duration::from_millis(200);
        let proxy = Proxy::start(&format!("http://{upstream}"), Behaviour::delayed(delay)).unwrap();

        let sent = Instant::now();
        let (status, echo) = post(&format!("{}/path/to?a=1&b=two", proxy.endpoint())).await;
        let elapsed = sent.elapsed();

        assert_eq!(status, StatusCode::OK, "{echo}");
        let proxy_host = proxy.endpoint().trim_start_matches("http://").to_owned();
        assert_eq!(
            echo,
            format!(
                "POST /path/to?a=1&b=two host={proxy_host} probe=signed-value \
                 body=Action=ListDetectors"
            )
        );
        assert!(
            elapsed >= delay,
            "answered after {elapsed:?}, before the {delay:?} delay"
        );
        let trace = proxy.trace();
        assert_eq!(trace.exchanges().len(), 1);
        let exchange = &trace.exchanges()[0];
        assert!(exchange.finished - exchange.started >= delay);
    }

    #[tokio::test]
    async fn a_dropped_connection_gets_no_answer_and_is_traced() {
        let upstream = start_echo_server().await;
        let behaviour = Behaviour {
            faults: Faults {
                kinds: vec![Fault::RequestDropped],
                ..Faults::at_rate(1.0, 1)
            },
            ..Behaviour::delayed(Duration::ZERO)
        };
        let proxy = Proxy::start(&format!("http://{upstream}"), behaviour).unwrap();
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let request = Request::post(format!("{}/", proxy.endpoint()))
            .body(Full::new(Bytes::from_static(b"Action=ListTopics")))
            .unwrap();

        let error = client.request(request).await.unwrap_err();

        assert!(!error.is_connect(), "{error}");
        let trace = proxy.trace();
        assert_eq!(trace.exchanges().len(), 1);
        assert_eq!(trace.exchanges()[0].fault, Some(Fault::RequestDropped));
    }

    #[tokio::test]
    async fn a_request_retried_with_its_idempotency_token_gets_the_first_answer() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static RECEIVED: AtomicUsize = AtomicUsize::new(0);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let upstream = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let service = service_fn(|_: Request<Incoming>| async {
                        let n = RECEIVED.fetch_add(1, Ordering::SeqCst) + 1;
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(format!(
                            "{{\"detectorId\":\"d{n}\"}}"
                        )))))
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        let proxy = Proxy::start(
            &format!("http://{upstream}"),
            Behaviour::delayed(Duration::ZERO),
        )
        .unwrap();
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let create = |token: &str| {
            let body = format!("{{\"clientToken\":\"{token}\",\"enable\":true}}");
            let request = Request::post(format!("{}/detector", proxy.endpoint()))
                .body(Full::new(Bytes::from(body)))
                .unwrap();
            let client = client.clone();
            async move {
                let response = client.request(request).await.unwrap();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                String::from_utf8(body.to_vec()).unwrap()
            }
        };

        assert_eq!(create("t-1").await, r#"{"detectorId":"d1"}"#);
        assert_eq!(create("t-1").await, r#"{"detectorId":"d1"}"#);
        assert_eq!(create("t-2").await, r#"{"detectorId":"d2"}"#);
        assert_eq!(RECEIVED.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn answers_bad_gateway_when_the_upstream_is_down() {
        let closed_port = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let proxy = Proxy::start(
            &format!("http://127.0.0.1:{closed_port}"),
            Behaviour::delayed(Duration::ZERO),
        )
        .unwrap();

        let (status, body) = post(&format!("{}/", proxy.endpoint())).await;

        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(body.contains("forwarding to"), "{body}");
        assert_eq!(proxy.trace().exchanges().len(), 1);
    }

    /// Answers an `AssumeRole` with an `<AccessKeyId>` of `ASIA<name>`, and anything else with
    /// `<name>`.
    async fn start_shard_server(name: &'static str) -> String {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| async move {
                        let body = request.into_body().collect().await?.to_bytes();
                        let answer = if body.starts_with(b"Action=AssumeRole") {
                            format!(
                                "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
                                 <AccessKeyId>ASIA{name}</AccessKeyId>\
                                 </Credentials></AssumeRoleResult></AssumeRoleResponse>"
                            )
                        } else {
                            name.to_owned()
                        };
                        Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from(answer))))
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        format!("http://{address}")
    }

    /// A POST signed (in form only) with `access_key_id` for `service`.
    async fn signed_post(url: &str, access_key_id: &str, service: &str, body: &str) -> String {
        let client = Client::builder(TokioExecutor::new()).build_http();
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={access_key_id}/20261129/us-east-1/{service}/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=0123abcd"
        );
        let request = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(AUTHORIZATION, authorization)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = client.request(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn routes_by_the_account_of_an_assumed_role_and_the_key_it_minted() {
        let shards = [
            start_shard_server("zero").await,
            start_shard_server("one").await,
        ];
        let proxy = Proxy::start_sharded(&shards, Behaviour::delayed(Duration::ZERO)).unwrap();
        let url = format!("{}/", proxy.endpoint());

        // 100000000001 % 2 = 1.
        let assume_role = "Action=AssumeRole&Version=2011-06-15&RoleArn=\
                           arn%3Aaws%3Aiam%3A%3A100000000001%3Arole%2FOrganizationAccountAccessRole\
                           &RoleSessionName=watchpost";
        let answer = signed_post(&url, "testing", "sts", assume_role).await;
        assert!(
            answer.contains("<AccessKeyId>ASIAone</AccessKeyId>"),
            "{answer}"
        );

        let action = "Action=DescribeRegions&Version=2016-11-15";
        assert_eq!(signed_post(&url, "ASIAone", "ec2", action).await, "one");
        assert_eq!(
            signed_post(&url, "ASIAone", "sts", "Action=GetCallerIdentity").await,
            "one"
        );
        // The caller's own key, and a key never learned, stay on shard 0.
        assert_eq!(signed_post(&url, "testing", "ec2", action).await, "zero");
        assert_eq!(
            signed_post(&url, "testing", "sts", "Action=GetCallerIdentity").await,
            "zero"
        );
        assert_eq!(signed_post(&url, "ASIAother", "ec2", action).await, "zero");
        assert_eq!(proxy.trace().exchanges().len(), 6);
    }

    #[test]
    fn reads_the_credential_of_a_sigv4_authorization() {
        let credential = Credential::parse(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/eu-west-1/sts/aws4_request, \
             SignedHeaders=host, Signature=ab",
        )
        .unwrap();
        assert_eq!(credential.access_key_id, "AKIDEXAMPLE");
        assert_eq!(credential.region, "eu-west-1");
        assert_eq!(credential.service, "sts");
        assert!(Credential::parse("Basic dXNlcjpwYXNz").is_none());
        assert_eq!(
            assume_role_account(
                b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A100000000042%3Arole%2FR"
            ),
            Some(100_000_000_042)
        );
        assert_eq!(
            assume_role_account(
                b"Action=GetCallerIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A100000000042%3Arole%2FR"
            ),
            None
        );
    }

    #[test]
    fn refuses_an_upstream_that_is_not_http_host_port() {
        for upstream in [
            "https://127.0.0.1:1",
            "127.0.0.1:1",
            "http://127.0.0.1:1/moto",
        ] {
            let error = Proxy::start(upstream, Behaviour::default())
                .err()
                .unwrap_or_else(|| panic!("{upstream} was accepted"));
            assert_eq!(
                error.kind(),
                io::ErrorKind::InvalidInput,
                "{upstream}: {error}"
            );
        }
    }

    #[test]
    fn longest_sequential_chain_counts_only_requests_that_do_not_overlap() {
        let zero = Instant::now();
        let at = |ms: u64| zero + Duration::from_millis(ms);
        let exchange = |from: u64, to: u64| Exchange {
            call: Call {
                service: "sts".to_owned(),
                operation: format!("Op{from}to{to}"),
                region: "us-east-1".to_owned(),
            },
            started: at(from),
            finished: at(to),
            fault: None,
            refused: None,
        };
        let trace = Trace {
            exchanges: vec![
                exchange(0, 100),
                exchange(0, 10),
                exchange(5, 15),
                exchange(10, 20),
                exchange(16, 30),
                exchange(31, 32),
                exchange(32, 40),
                exchange(35, 36),
            ],
        };
        // 0-10, 10-20 (starts as the first ends), 31-32, 32-40; or with 16-30 in place of 10-20.
        let chain: Vec<String> = trace
            .longest_sequential_chain()
            .iter()
            .map(|exchange| exchange.call.operation.clone())
            .collect();
        assert_eq!(chain.len(), 4);
        assert_eq!(chain[0], "Op0to10");
        assert!(
            chain[1] == "Op10to20" || chain[1] == "Op16to30",
            "{chain:?}"
        );
        assert_eq!(chain[2..], ["Op31to32", "Op32to40"]);
        assert!(Trace::default().longest_sequential_chain().is_empty());
    }
}
