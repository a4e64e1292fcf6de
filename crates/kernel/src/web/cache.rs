//! A short-lived cache for expensive read-only figures (headline counts on
//! dashboards). It is a projection: every value can be recomputed from the
//! database, so each app server may hold its own, and writers that change the
//! underlying rows call `clear`.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Entry = (Instant, Arc<dyn Any + Send + Sync>);

pub struct Cache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
    /// One load at a time, so a burst of requests after expiry computes a value once.
    loading: tokio::sync::Mutex<()>,
}

impl Cache {
    pub fn new(ttl: Duration) -> Cache {
        Cache { ttl, entries: Mutex::new(HashMap::new()), loading: tokio::sync::Mutex::new(()) }
    }

    /// The value under `key`, loading it when missing. A stale value is
    /// refreshed by one caller while the others keep getting the stale one, so
    /// a reload never stalls a burst of requests.
    pub async fn get_or<T, E, F, Fut>(&self, key: &str, load: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let _loading = match self.lookup::<T>(key) {
            Some((value, true)) => return Ok(value),
            Some((stale, false)) => match self.loading.try_lock() {
                Ok(guard) => guard,
                Err(_) => return Ok(stale),
            },
            None => self.loading.lock().await,
        };
        if let Some((value, true)) = self.lookup::<T>(key) {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key.to_owned(), (Instant::now(), value.clone()));
        }
        Ok(value)
    }

    /// The cached value and whether it is still fresh.
    fn lookup<T: Send + Sync + 'static>(&self, key: &str) -> Option<(Arc<T>, bool)> {
        let entries = self.entries.lock().ok()?;
        let (at, value) = entries.get(key)?;
        Some((value.clone().downcast::<T>().ok()?, at.elapsed() < self.ttl))
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loads_once_within_ttl() {
        let cache = Cache::new(Duration::from_secs(60));
        let a: Arc<i64> = cache.get_or("n", || async { Ok::<_, ()>(1) }).await.unwrap();
        let b: Arc<i64> = cache.get_or("n", || async { Ok::<_, ()>(2) }).await.unwrap();
        assert_eq!((*a, *b), (1, 1));
        cache.clear();
        let c: Arc<i64> = cache.get_or("n", || async { Ok::<_, ()>(3) }).await.unwrap();
        assert_eq!(*c, 3);
    }
}
