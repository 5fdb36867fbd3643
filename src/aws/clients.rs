//! A session's SDK clients, made once per service and region and shared by every call there.
//! A client is cheap to clone (its parts are shared), but making one builds its runtime
//! plugins and configuration anew: made per call, the clients of a plan of 8 accounts held
//! about 30 MiB at its peak.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct Clients {
    made: Mutex<HashMap<ServiceRegion, Box<dyn Any + Send + Sync>>>,
}

/// A service's name and a region.
type ServiceRegion = (&'static str, String);

impl Clients {
    /// The client of `service` in `region`, made by `make` the first time.
    pub fn get<C>(&self, service: &'static str, region: &str, make: impl FnOnce() -> C) -> C
    where
        C: Clone + Send + Sync + 'static,
    {
        let mut made = self
            .made
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let client = made
            .entry((service, region.to_owned()))
            .or_insert_with(|| Box::new(make()));
        client
            .downcast_ref::<C>()
            .expect("each service has one client type")
            .clone()
    }

    /// Lets go of the clients made so far: those still in use stay alive until their calls end.
    pub fn clear(&self) {
        self.made
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}
