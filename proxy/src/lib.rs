//! A reverse HTTP/1.1 proxy on 127.0.0.1 that forwards every request, unchanged, to one upstream
//! (a local moto server) and records when each request started and finished.
//!
//! moto answers in a millisecond what AWS answers in tens: benchmarks put this proxy between
//! watchpost and moto, with a [`Behaviour::delay`] standing in for the round trip to AWS, so that
//! needless sequential calls show up in the wall time as they would against AWS.

use std::convert::Infallible;
use std::error::Error;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, TRANSFER_ENCODING};
use hyper::http::uri::{Authority, PathAndQuery};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

/// How the proxy treats the requests it forwards.
///
/// Fields added later leave requests alone unless set, so that code building it from
/// [`Behaviour::default`] or [`Behaviour::delayed`] with `..` keeps compiling as it grows.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// Waited out before each request is forwarded: the round trip to AWS that moto lacks.
    pub delay: Duration,
}

impl Behaviour {
    /// Every request delayed by `delay`, and nothing else done to it.
    pub fn delayed(delay: Duration) -> Behaviour {
        Behaviour { delay }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    pub started: Instant,
    pub finished: Instant,
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

    /// The most requests in one chain where each started only after the one before it had
    /// finished. Those are round trips the client did not overlap, so with a delay `d` per
    /// request the run took at least `chain × d`, whatever its concurrency elsewhere.
    pub fn longest_sequential_chain(&self) -> usize {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;

        let mut by_start = self.exchanges.clone();
        by_start.sort_by_key(|exchange| exchange.started);
        // Chains ending at exchanges already visited, soonest finished first. Once an exchange
        // has finished before the current one starts, it has also finished before every later
        // start, so its chain can be folded into `longest_before` for good.
        let mut pending: BinaryHeap<Reverse<(Instant, usize)>> = BinaryHeap::new();
        let mut longest_before = 0;
        let mut longest = 0;
        for exchange in by_start {
            while let Some(&Reverse((finished, chain))) = pending.peek() {
                if finished > exchange.started {
                    break;
                }
                longest_before = longest_before.max(chain);
                pending.pop();
            }
            let chain = longest_before + 1;
            longest = longest.max(chain);
            pending.push(Reverse((exchange.finished, chain)));
        }
        longest
    }
}

/// A running proxy; it stops when dropped.
pub struct Proxy {
    address: SocketAddr,
    trace: Arc<Mutex<Vec<Exchange>>>,
    // An Option only so that Drop can take it to shut it down.
    runtime: Option<Runtime>,
}

impl Proxy {
    /// Starts a proxy on a free port of 127.0.0.1, forwarding to `upstream`
    /// (`http://HOST:PORT`), on a runtime of its own so that synchronous callers can use it.
    pub fn start(upstream: &str, behaviour: Behaviour) -> io::Result<Proxy> {
        let upstream = upstream_authority(upstream)?;
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
        let forwarder = Arc::new(Forwarder {
            upstream,
            behaviour,
            client: Client::builder(TokioExecutor::new()).build(connector),
            trace: Arc::clone(&trace),
        });
        runtime.spawn(serve(listener, forwarder));
        Ok(Proxy {
            address,
            trace,
            runtime: Some(runtime),
        })
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
                async move { Ok::<_, Infallible>(forwarder.forward(request).await) }
            });
            // A client hanging up ends its own connection and nothing else.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

struct Forwarder {
    upstream: Authority,
    behaviour: Behaviour,
    client: Client<HttpConnector, Incoming>,
    trace: Arc<Mutex<Vec<Exchange>>>,
}

type BoxError = Box<dyn Error + Send + Sync>;

impl Forwarder {
    async fn forward(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let started = Instant::now();
        tokio::time::sleep(self.behaviour.delay).await;
        let response = self.send_upstream(request).await.unwrap_or_else(|error| {
            let mut response = Response::new(Full::new(Bytes::from(format!(
                "watchpost-proxy: forwarding to http://{} failed: {error}",
                self.upstream
            ))));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        });
        self.trace
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Exchange {
                started,
                finished: Instant::now(),
            });
        response
    }

    /// Sends the request on with only its target rewritten: method, path and query, headers
    /// (Host included) and body are those the client signed.
    async fn send_upstream(
        &self,
        request: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>, BoxError> {
        let (mut head, body) = request.into_parts();
        let path_and_query = head
            .uri
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        head.uri = Uri::builder()
            .scheme("http")
            .authority(self.upstream.clone())
            .path_and_query(path_and_query)
            .build()?;
        let response = self.client.request(Request::from_parts(head, body)).await?;
        let (mut head, body) = response.into_parts();
        // Read to the end, so that an exchange finishes when its whole response is in.
        let body = body.collect().await?.to_bytes();
        // Hop-by-hop headers describe the upstream connection, not the client's: moto closing
        // its connection must not close the client's, and the body is framed anew.
        head.headers.remove(CONNECTION);
        head.headers.remove(TRANSFER_ENCODING);
        head.headers.remove("keep-alive");
        Ok(Response::from_parts(head, Full::new(body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let exchange = trace.exchanges()[0];
        assert!(exchange.finished - exchange.started >= delay);
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
            started: at(from),
            finished: at(to),
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
        assert_eq!(trace.longest_sequential_chain(), 4);
        assert_eq!(Trace::default().longest_sequential_chain(), 0);
    }
}
