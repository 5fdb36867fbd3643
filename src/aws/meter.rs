//! Every request one account's session sends goes through here: counted per service, for the
//! `api_calls` figures of `--json`, and bounded per service and region, so that many accounts
//! at once do not trip AWS's rate limits, which are per account and region. Retries pass through too: a retried call
//! counts twice, as AWS counts it against the limit.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use tokio::sync::Semaphore;

/// Requests of one service in flight at once, per account and region, unless the run says
/// otherwise. AWS's rate limits are per account and region, so a region's calls need not wait
/// on another's; 16 keeps a burst inside the lowest of them, and the SDK's retry absorbs the
/// rest.
pub const DEFAULT_REQUESTS_IN_FLIGHT: u16 = 16;

/// Requests in flight at once over the whole run, every account, service and region together.
/// Each holds a connection, whose buffers and channels are most of a run's memory (about 60 KiB
/// each in a debug build): 2,000 at once, as 8 accounts reading 20 regions make, took a plan's
/// peak past 200 MiB. AWS answers in tens of milliseconds, so 256 at once still make thousands
/// of calls a second, more than any account's rate limits allow.
const RUN_REQUESTS_IN_FLIGHT: usize = 512;

#[derive(Debug)]
pub struct Meter {
    services: Mutex<BTreeMap<(&'static str, String), Arc<ServiceMeter>>>,
    requests_in_flight: usize,
    /// Shared by every account's meter of the run.
    run_in_flight: Arc<Semaphore>,
}

#[derive(Debug)]
struct ServiceMeter {
    calls: AtomicU64,
    in_flight: Semaphore,
    run_in_flight: Arc<Semaphore>,
}

impl Meter {
    pub fn new(requests_in_flight: usize) -> Meter {
        Meter {
            services: Mutex::default(),
            requests_in_flight,
            run_in_flight: Arc::new(Semaphore::new(RUN_REQUESTS_IN_FLIGHT)),
        }
    }

    /// A meter of its own, with the same bounds: for another account, or calls counted apart.
    /// The run's bound stays shared.
    pub fn fresh(&self) -> Meter {
        Meter {
            services: Mutex::default(),
            requests_in_flight: self.requests_in_flight,
            run_in_flight: self.run_in_flight.clone(),
        }
    }

    /// `inner`, with each request of `service` in `region` counted and bounded by this meter.
    pub fn client(
        &self,
        service: &'static str,
        region: &str,
        inner: SharedHttpClient,
    ) -> SharedHttpClient {
        let meter = self
            .services
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry((service, region.to_owned()))
            .or_insert_with(|| {
                Arc::new(ServiceMeter {
                    calls: AtomicU64::new(0),
                    in_flight: Semaphore::new(self.requests_in_flight),
                    run_in_flight: self.run_in_flight.clone(),
                })
            })
            .clone();
        SharedHttpClient::new(MeteredClient { inner, meter })
    }

    /// API calls made, by service name, over every region.
    pub fn calls(&self) -> BTreeMap<&'static str, u64> {
        let mut calls: BTreeMap<&'static str, u64> = BTreeMap::new();
        for ((service, _), meter) in self
            .services
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
        {
            let made = meter.calls.load(Ordering::Relaxed);
            if made > 0 {
                *calls.entry(service).or_default() += made;
            }
        }
        calls
    }
}

#[derive(Debug)]
struct MeteredClient {
    inner: SharedHttpClient,
    meter: Arc<ServiceMeter>,
}

impl HttpClient for MeteredClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(MeteredConnector {
            inner: self.inner.http_connector(settings, components),
            meter: self.meter.clone(),
        })
    }
}

#[derive(Debug)]
struct MeteredConnector {
    inner: SharedHttpConnector,
    meter: Arc<ServiceMeter>,
}

impl HttpConnector for MeteredConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let meter = self.meter.clone();
        HttpConnectorFuture::new(async move {
            let _slot = meter
                .in_flight
                .acquire()
                .await
                .expect("the semaphore is never closed");
            // Taken second, so that a request waiting on its service's bound holds none of the
            // run's slots.
            let _run_slot = meter
                .run_in_flight
                .acquire()
                .await
                .expect("the semaphore is never closed");
            meter.calls.fetch_add(1, Ordering::Relaxed);
            inner.call(request).await
        })
    }
}
