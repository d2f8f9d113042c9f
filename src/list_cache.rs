//! A short-lived, per-process snapshot of a listing, so that the refresh of many resources costs
//! one list call instead of one request per resource.
//!
//! Terraform refreshes every resource in state on each plan, one `ReadResource` call per
//! resource, ten at a time. Against a server a network away, a request per resource puts a
//! round trip in each of those calls; one list answers them all. The rules that keep this exact:
//!
//! - **Single flight.** The first read lists; reads arriving meanwhile wait for that same answer
//!   instead of listing again (the lock is held across the list call).
//! - **Short life.** A snapshot serves reads for [`DEFAULT_TTL`] from the moment its answer
//!   came, and lives only in this process: a provider process lives for one Terraform operation,
//!   so a change made on the server between two runs is always seen. The reads that were waiting
//!   for a list use its answer however long it took (counting from the request, a list slower
//!   than the TTL would send each waiter to list again, one after another).
//! - **Writes invalidate.** [`ListCache::invalidate`] (called after every create, update and
//!   delete, whatever its outcome) makes every snapshot taken before it, or being taken while it
//!   happened, unusable.
//! - **Absence is not proof.** Callers confirm a key missing from a snapshot with a direct read
//!   before declaring the object deleted (see `oauth_integration::crud::read`).
//! - **Failure falls back.** When the list call fails, [`ListCache::snapshot`] returns its
//!   error and callers read directly, so errors are reported per resource exactly as without
//!   the cache (a caller may report a list that came back malformed instead); the failure is
//!   remembered for the same TTL so that waiting reads do not each retry the list.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// How long a snapshot (or a failed list) is used: long enough to serve the burst of reads of
/// one refresh, short enough that nothing else could mistake it for the server's present state.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5);

/// One listing, keyed.
#[derive(Debug)]
pub struct Snapshot<T> {
    items: HashMap<String, T>,
}

impl<T> Snapshot<T> {
    /// The item listed under `key`; `None` is no proof it is gone (see the module docs).
    pub fn get(&self, key: &str) -> Option<&T> {
        self.items.get(key)
    }

    /// How many items the listing held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Every item, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.items.values()
    }

    /// Whether the listing held nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// What the slot holds: the outcome of the last list call, with what it is valid for.
#[derive(Debug)]
struct Entry<T, E> {
    outcome: Result<Arc<Snapshot<T>>, Arc<E>>,
    /// When the list answered: the snapshot's age counts from here.
    answered: Instant,
    /// The invalidation generation when the request was sent.
    generation: u64,
    /// Which server (or other scope) it describes.
    scope: String,
}

/// A per-process list cache with single flight, expiry and invalidation. See the module docs.
/// `E` is the list call's error, kept for the readers that share the failed call.
#[derive(Debug)]
pub struct ListCache<T, E> {
    ttl: Duration,
    slot: Mutex<Option<Entry<T, E>>>,
    generation: AtomicU64,
    lists: AtomicU64,
}

impl<T, E> Default for ListCache<T, E> {
    fn default() -> Self {
        ListCache::new(DEFAULT_TTL)
    }
}

impl<T, E> ListCache<T, E> {
    /// An empty cache whose snapshots serve reads for `ttl`: [`DEFAULT_TTL`] in use, other
    /// values in tests.
    pub fn new(ttl: Duration) -> Self {
        ListCache { ttl, slot: Mutex::new(None), generation: AtomicU64::new(0), lists: AtomicU64::new(0) }
    }

    /// The current snapshot for `scope` (e.g. the server's URL), calling `list` when there is
    /// none fresh; the list call's error when it failed (now or within the TTL): read directly
    /// then.
    ///
    /// `list` returns the items with their keys. Concurrent callers share one call of `list`.
    pub async fn snapshot<F, Fut>(&self, scope: &str, list: F) -> Result<Arc<Snapshot<T>>, Arc<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<(String, T)>, E>>,
    {
        self.snapshot_at(scope, Instant::now, list).await
    }

    /// [`ListCache::snapshot`] with the clock given, for tests.
    async fn snapshot_at<F, Fut>(
        &self,
        scope: &str,
        now: impl Fn() -> Instant,
        list: F,
    ) -> Result<Arc<Snapshot<T>>, Arc<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<(String, T)>, E>>,
    {
        let arrived = now();
        // Held across the list call: the single flight. A caller dropped mid-call (a cancelled
        // operation) releases it, and the next waiter lists instead.
        let mut slot = self.slot.lock().await;
        if let Some(entry) = slot.as_ref() {
            let generation = self.generation.load(Ordering::Acquire);
            // Answered since this caller arrived: it was waiting for that very list.
            let fresh = entry.answered >= arrived || now().duration_since(entry.answered) < self.ttl;
            if entry.generation == generation && entry.scope == scope && fresh {
                return entry.outcome.clone();
            }
        }
        let generation = self.generation.load(Ordering::Acquire);
        self.lists.fetch_add(1, Ordering::Relaxed);
        let outcome = match list().await {
            Ok(items) => Ok(Arc::new(Snapshot { items: items.into_iter().collect() })),
            Err(e) => Err(Arc::new(e)),
        };
        // Stored even when a write happened meanwhile: its generation no longer matches, so no
        // later call uses it, but this caller (whose read overlapped the write) may.
        *slot = Some(Entry { outcome: outcome.clone(), answered: now(), generation, scope: scope.to_string() });
        outcome
    }

    /// Makes every snapshot taken so far, or being taken now, unusable: call it after each
    /// write to the listed objects.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// How many list calls this cache has made (for tests and logs).
    pub fn list_calls(&self) -> u64 {
        self.lists.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    type Items = Vec<(String, u32)>;

    fn items(pairs: &[(&str, u32)]) -> Items {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    async fn ok(v: Items) -> Result<Items, ()> {
        Ok(v)
    }

    async fn never() -> Result<Items, ()> {
        panic!("listed again within the TTL")
    }

    #[tokio::test]
    async fn lists_once_then_serves_from_the_snapshot() {
        let cache = ListCache::new(Duration::from_secs(5));
        let s = cache.snapshot("srv", || ok(items(&[("a", 1), ("b", 2)]))).await.unwrap();
        assert_eq!((s.get("a"), s.get("b"), s.get("c"), s.len()), (Some(&1), Some(&2), None, 2));
        // Within the TTL the list function is not called again.
        let s = cache.snapshot("srv", never).await.unwrap();
        assert_eq!(s.get("a"), Some(&1));
        assert_eq!(cache.list_calls(), 1);
    }

    /// How many list calls `readers` concurrent readers make, each list taking `list_time`.
    async fn list_calls_of_concurrent_readers(ttl: Duration, list_time: Duration, readers: usize) -> usize {
        let cache = Arc::new(ListCache::new(ttl));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..readers {
            let (cache, calls) = (cache.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .snapshot("srv", || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(list_time).await;
                        Ok::<_, ()>(items(&[("a", 1)]))
                    })
                    .await
                    .map(|s| s.len())
                    .ok()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Some(1));
        }
        calls.load(Ordering::SeqCst)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_readers_share_one_list_call() {
        // The list is slow enough that every other reader arrives while it runs.
        assert_eq!(list_calls_of_concurrent_readers(Duration::from_secs(5), Duration::from_millis(50), 10).await, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_waiting_for_a_slow_list_use_its_answer() {
        // A list slower than the TTL: the readers that waited for it must not each list again.
        assert_eq!(
            list_calls_of_concurrent_readers(Duration::from_millis(100), Duration::from_millis(300), 6).await,
            1
        );
    }

    #[tokio::test]
    async fn snapshots_expire() {
        let cache = ListCache::new(Duration::from_secs(5));
        let t0 = Instant::now();
        cache.snapshot_at("srv", || t0, || ok(items(&[("a", 1)]))).await.unwrap();
        let at = |ms| move || t0 + Duration::from_millis(ms);
        // Still fresh just before the TTL...
        let s = cache.snapshot_at("srv", at(4_999), || ok(items(&[("a", 2)]))).await.unwrap();
        assert_eq!(s.get("a"), Some(&1));
        // ...listed again once it has passed, and the new one is served from then on.
        let s = cache.snapshot_at("srv", at(5_000), || ok(items(&[("a", 3)]))).await.unwrap();
        assert_eq!(s.get("a"), Some(&3));
        let s = cache.snapshot_at("srv", at(6_000), || ok(items(&[("a", 4)]))).await.unwrap();
        assert_eq!(s.get("a"), Some(&3));
        assert_eq!(cache.list_calls(), 2);
    }

    #[tokio::test]
    async fn age_counts_from_the_answer() {
        let cache = ListCache::new(Duration::from_secs(5));
        let t0 = Instant::now();
        // The clock reads t0 on arrival and t0 + 6 s when the (slow) list answers.
        let clock = std::sync::Mutex::new(vec![t0 + Duration::from_secs(6), t0]);
        let now = || clock.lock().unwrap().pop().unwrap_or(t0 + Duration::from_secs(10));
        cache.snapshot_at("srv", now, || ok(items(&[("a", 1)]))).await.unwrap();
        // 4 s after the answer (10 s after the request was sent): still fresh.
        let s = cache.snapshot_at("srv", || t0 + Duration::from_secs(10), never).await.unwrap();
        assert_eq!(s.get("a"), Some(&1));
        assert_eq!(cache.list_calls(), 1);
    }

    #[tokio::test]
    async fn writes_invalidate() {
        let cache = ListCache::new(Duration::from_secs(5));
        cache.snapshot("srv", || ok(items(&[("a", 1)]))).await.unwrap();
        cache.invalidate();
        let s = cache.snapshot("srv", || ok(items(&[("a", 2), ("b", 1)]))).await.unwrap();
        assert_eq!((s.get("a"), s.get("b")), (Some(&2), Some(&1)));
        assert_eq!(cache.list_calls(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_during_the_list_call_spoils_its_answer_for_later_reads() {
        let cache = Arc::new(ListCache::new(Duration::from_secs(5)));
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
        let lister = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .snapshot("srv", || async move {
                        let _ = started_tx.send(());
                        let _ = go_rx.await;
                        Ok::<_, ()>(items(&[("a", 1)]))
                    })
                    .await
            })
        };
        started_rx.await.unwrap();
        cache.invalidate(); // a write lands while the list is in flight
        go_tx.send(()).unwrap();
        // The overlapping read gets the answer it asked for...
        assert_eq!(lister.await.unwrap().unwrap().get("a"), Some(&1));
        // ...but the next read lists again.
        let s = cache.snapshot("srv", || ok(items(&[("a", 2)]))).await.unwrap();
        assert_eq!(s.get("a"), Some(&2));
        assert_eq!(cache.list_calls(), 2);
    }

    #[tokio::test]
    async fn a_failed_list_falls_back_and_is_not_retried_by_every_reader() {
        let cache = ListCache::<u32, ()>::new(Duration::from_secs(5));
        let t0 = Instant::now();
        assert!(cache.snapshot_at("srv", || t0, || async { Err::<Items, ()>(()) }).await.is_err());
        // Readers within the TTL read directly without listing again...
        assert!(cache.snapshot_at("srv", || t0 + Duration::from_secs(1), never).await.is_err());
        assert_eq!(cache.list_calls(), 1);
        // ...and after it, the list is tried again.
        let later = || t0 + Duration::from_secs(6);
        let s = cache.snapshot_at("srv", later, || ok(items(&[("a", 1)]))).await.unwrap();
        assert_eq!(s.get("a"), Some(&1));
        // A write also ends the fallback at once.
        let cache = ListCache::<u32, ()>::new(Duration::from_secs(5));
        assert!(cache.snapshot("srv", || async { Err::<Items, ()>(()) }).await.is_err());
        cache.invalidate();
        assert!(cache.snapshot("srv", || ok(items(&[("a", 1)]))).await.is_ok());
    }

    #[tokio::test]
    async fn a_cancelled_list_call_lets_the_next_reader_list() {
        let cache = ListCache::new(Duration::from_secs(5));
        let pending = cache.snapshot("srv", std::future::pending::<Result<Items, ()>>);
        assert!(tokio::time::timeout(Duration::from_millis(10), pending).await.is_err());
        let s = cache.snapshot("srv", || ok(items(&[("a", 1)]))).await.unwrap();
        assert_eq!(s.get("a"), Some(&1));
    }

    #[tokio::test]
    async fn another_server_is_another_snapshot() {
        let cache = ListCache::new(Duration::from_secs(5));
        cache.snapshot("https://one", || ok(items(&[("a", 1)]))).await.unwrap();
        let s = cache.snapshot("https://two", || ok(items(&[("b", 1)]))).await.unwrap();
        assert_eq!((s.get("a"), s.get("b")), (None, Some(&1)));
    }
}
