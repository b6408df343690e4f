//! What one Lambda container remembers between invocations, to save round trips and spare
//! hot partitions; every entry expires, and nothing here is needed for correctness (the
//! conditions of the writes are):
//! - how many inventory counters an event has (a booking then tries one at once, with no
//!   read first); it only grows, and a booking that decides SoldOut reads the real number;
//! - that an event was just seen sold out (the next bookings in this container read its
//!   counters instead of trying a write that would fail);
//! - for `READ_CACHE_TTL_MS` (0: not at all), the public lists' pages (events and rooms: the
//!   rooms' list is one partition key of the `byKind` index) and the events' ticket counts
//!   they show: 5,000 pages a second show the same popular events, and their
//!   counters must not all be read 5,000 times a second (BENCHMARKS.md). A page
//!   or a count is then up to that old; everything else reads fresh;
//! - for [`MONTHS_TTL_MS`] while the read cache is on, the listing's directory of months
//!   (every page needs it; [`Cache::months`] says why an old copy is safe);
//! - for [`CATEGORIES_TTL_MS`], the activity categories: reference data that every user's
//!   `createActivity` checks, all in one partition key, written only when an operator loads
//!   them (README), so a container reads them at most once a minute instead of once a call.
//!
//! The clock is injectable so the capacity benchmark can run containers in simulated time.
//! A leaf: `config` holds one per `App`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use crate::domain::activity::Category;
use crate::domain::event::Event;
use crate::domain::room::Room;
use crate::paging::PageKey;

/// How long a container trusts an event's number of counters.
pub const SHARDS_TTL_MS: u64 = 60_000;
/// How long a container remembers an event it saw sold out.
pub const SOLD_OUT_MS: u64 = 1_000;
/// How long a container trusts the activity categories it read (an operator's new category
/// is accepted everywhere within this).
pub const CATEGORIES_TTL_MS: u64 = 60_000;
/// How long a container trusts the listing's directory of months, when it keeps list pages
/// at all (see [`Cache::months`]).
pub const MONTHS_TTL_MS: u64 = 60_000;
/// Entries a map holds at most; past that the least useful are evicted.
const CAPACITY: usize = 4_096;

/// Milliseconds: since the process started, or as a benchmark sets them.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicU64>>,
}

impl Clock {
    /// Real time.
    pub fn system() -> Self {
        Self::default()
    }

    /// Time that moves only when [`Clock::set_ms`] says so (shared by its clones).
    pub fn manual() -> Self {
        Self {
            manual: Some(Arc::new(AtomicU64::new(0))),
        }
    }

    pub fn set_ms(&self, ms: u64) {
        if let Some(m) = &self.manual {
            m.store(ms, Ordering::Relaxed);
        }
    }

    pub fn now_ms(&self) -> u64 {
        match &self.manual {
            Some(m) => m.load(Ordering::Relaxed),
            None => {
                static START: OnceLock<Instant> = OnceLock::new();
                START.get_or_init(Instant::now).elapsed().as_millis() as u64
            }
        }
    }
}

/// A cached page of the public list: its events and where the next page starts.
pub type CachedPage = Arc<(Vec<Event>, Option<PageKey>)>;
/// A cached page of the rooms' list.
pub type CachedRooms = Arc<(Vec<Room>, Option<PageKey>)>;
/// The months of the listing's directory, ascending.
pub type Months = Arc<Vec<String>>;

/// Values by key, each with when it was kept; expiry is checked on our [`Clock`] as a value
/// is read, and quick_cache bounds the entries (events are many, one container sees few, and
/// nothing here is needed for correctness, so what it evicts is only read again).
#[derive(Debug)]
struct Timed<V>(quick_cache::sync::Cache<String, (u64, V)>);

impl<V: Clone> Default for Timed<V> {
    fn default() -> Self {
        // One shard: a container serves one invocation at a time on one thread, and the
        // default (four per core) asks the OS for its cores, during init, once per map.
        let options = quick_cache::OptionsBuilder::new()
            .shards(1)
            .estimated_items_capacity(CAPACITY)
            .weight_capacity(CAPACITY as u64)
            .build()
            .expect("one shard of CAPACITY items");
        let (weigher, hasher, lifecycle) = Default::default();
        Self(quick_cache::sync::Cache::with_options(
            options, weigher, hasher, lifecycle,
        ))
    }
}

impl<V: Clone> Timed<V> {
    /// The value kept under `key` less than `ttl_ms` before `now`.
    fn get(&self, key: &str, now: u64, ttl_ms: u64) -> Option<V> {
        let (at, value) = self.0.get(key)?;
        (now.saturating_sub(at) < ttl_ms).then_some(value)
    }

    fn keep(&self, key: &str, now: u64, value: V) {
        self.0.insert(key.to_string(), (now, value));
    }

    fn forget(&self, key: &str) {
        self.0.remove(key);
    }
}

#[derive(Debug, Default)]
struct Maps {
    shards: Timed<i64>,
    sold_out: Timed<()>,
    pages: Timed<CachedPage>,
    rooms: Timed<CachedRooms>,
    counts: Timed<i64>,
    categories: Timed<Arc<Vec<Category>>>,
    months: Timed<Months>,
}

/// One container's memory (shared by the clones of its `App`).
#[derive(Debug, Clone, Default)]
pub struct Cache {
    clock: Clock,
    ttl_ms: u64,
    maps: Arc<Maps>,
}

impl Cache {
    /// A cache on `clock` keeping list pages and counts for `ttl_ms` (0: not at all).
    pub fn new(clock: Clock, ttl_ms: u64) -> Self {
        Self {
            clock,
            ttl_ms,
            maps: Arc::default(),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn ttl_ms(&self) -> u64 {
        self.ttl_ms
    }

    /// A page of the public list, if one read within the TTL.
    pub fn page(&self, key: &str) -> Option<CachedPage> {
        self.maps.pages.get(key, self.clock.now_ms(), self.ttl_ms)
    }

    pub fn keep_page(&self, key: &str, page: CachedPage) {
        if self.ttl_ms > 0 {
            self.maps.pages.keep(key, self.clock.now_ms(), page);
        }
    }

    /// A page of the rooms' list, if one read within the TTL.
    pub fn rooms(&self, key: &str) -> Option<CachedRooms> {
        self.maps.rooms.get(key, self.clock.now_ms(), self.ttl_ms)
    }

    pub fn keep_rooms(&self, key: &str, page: CachedRooms) {
        if self.ttl_ms > 0 {
            self.maps.rooms.keep(key, self.clock.now_ms(), page);
        }
    }

    /// The tickets left of the events read within the TTL.
    pub fn counts(&self, ids: &[String]) -> HashMap<String, i64> {
        let (now, maps) = (self.clock.now_ms(), &self.maps);
        ids.iter()
            .filter_map(|id| Some((id.clone(), maps.counts.get(id, now, self.ttl_ms)?)))
            .collect()
    }

    pub fn keep_counts(&self, counts: &HashMap<String, i64>) {
        if self.ttl_ms > 0 {
            let (now, maps) = (self.clock.now_ms(), &self.maps);
            for (id, left) in counts {
                maps.counts.keep(id, now, *left);
            }
        }
    }

    /// The activity categories, if read within [`CATEGORIES_TTL_MS`].
    pub fn categories(&self) -> Option<Arc<Vec<Category>>> {
        self.maps
            .categories
            .get("", self.clock.now_ms(), CATEGORIES_TTL_MS)
    }

    pub fn keep_categories(&self, categories: Arc<Vec<Category>>) {
        self.maps
            .categories
            .keep("", self.clock.now_ms(), categories);
    }

    /// The listing's directory of months, if read within [`MONTHS_TTL_MS`] and the read cache
    /// is on: a page then reads its months and their counters, two round trips instead of
    /// three. Safe because the directory only grows (a month is added with its first event
    /// and never removed) and nothing but a page reads it: a copy up to a minute old lacks at
    /// most the months first used within that minute, whose events reach this container's
    /// pages that much later (their organiser has them from `createEvent` and `getEvent`);
    /// an event in a month already listed shows as soon as before.
    pub fn months(&self) -> Option<Months> {
        if self.ttl_ms == 0 {
            return None;
        }
        self.maps.months.get("", self.clock.now_ms(), MONTHS_TTL_MS)
    }

    pub fn keep_months(&self, months: Months) {
        if self.ttl_ms > 0 {
            self.maps.months.keep("", self.clock.now_ms(), months);
        }
    }

    /// The event's number of counters, if this container learned it recently.
    pub fn shards(&self, event_id: &str) -> Option<i64> {
        self.maps
            .shards
            .get(event_id, self.clock.now_ms(), SHARDS_TTL_MS)
    }

    pub fn learn_shards(&self, event_id: &str, n: i64) {
        self.maps.shards.keep(event_id, self.clock.now_ms(), n);
    }

    /// Whether this container saw the event sold out within [`SOLD_OUT_MS`].
    pub fn seen_sold_out(&self, event_id: &str) -> bool {
        self.maps
            .sold_out
            .get(event_id, self.clock.now_ms(), SOLD_OUT_MS)
            .is_some()
    }

    pub fn saw_sold_out(&self, event_id: &str, yes: bool) {
        let (now, maps) = (self.clock.now_ms(), &self.maps);
        if yes {
            maps.sold_out.keep(event_id, now, ());
        } else {
            maps.sold_out.forget(event_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_counts_are_kept_for_the_ttl_only() {
        let clock = Clock::manual();
        let cache = Cache::new(clock.clone(), 1000);
        cache.keep_page("UPCOMING|20|", Arc::new((vec![], None)));
        cache.keep_rooms("20|", Arc::new((vec![], None)));
        cache.keep_counts(&HashMap::from([("e".to_string(), 7)]));
        clock.set_ms(999);
        assert!(cache.page("UPCOMING|20|").is_some());
        assert!(cache.rooms("20|").is_some());
        assert_eq!(cache.counts(&["e".into(), "f".into()]).get("e"), Some(&7));
        clock.set_ms(1000);
        assert!(cache.page("UPCOMING|20|").is_none());
        assert!(cache.rooms("20|").is_none());
        assert!(cache.counts(&["e".into()]).is_empty());
        let off = Cache::new(clock, 0);
        off.keep_page("k", Arc::new((vec![], None)));
        assert!(off.page("k").is_none(), "a TTL of 0 keeps nothing");
    }

    #[test]
    fn categories_are_kept_for_a_minute() {
        let clock = Clock::manual();
        let cache = Cache::new(clock.clone(), 0);
        assert!(cache.categories().is_none());
        cache.keep_categories(Arc::new(vec![]));
        clock.set_ms(CATEGORIES_TTL_MS - 1);
        assert!(
            cache.categories().is_some(),
            "kept whatever READ_CACHE_TTL_MS says"
        );
        clock.set_ms(CATEGORIES_TTL_MS);
        assert!(cache.categories().is_none(), "expired");
    }

    #[test]
    fn the_months_are_kept_for_a_minute_while_the_read_cache_is_on() {
        let clock = Clock::manual();
        let cache = Cache::new(clock.clone(), 1000);
        cache.keep_months(Arc::new(vec!["2026-11".into()]));
        clock.set_ms(MONTHS_TTL_MS - 1);
        assert_eq!(cache.months().unwrap()[..], ["2026-11"]);
        clock.set_ms(MONTHS_TTL_MS);
        assert!(cache.months().is_none(), "expired");
        let off = Cache::new(clock, 0);
        off.keep_months(Arc::new(vec![]));
        assert!(off.months().is_none(), "a read cache of 0 keeps nothing");
    }

    #[test]
    fn a_full_map_keeps_what_was_kept_last() {
        let cache = Cache::new(Clock::manual(), 1000);
        for i in 0..2 * CAPACITY {
            cache.learn_shards(&i.to_string(), 1);
        }
        let last = (2 * CAPACITY - 1).to_string();
        assert_eq!(cache.shards(&last), Some(1));
        let kept = (0..2 * CAPACITY)
            .filter(|i| cache.shards(&i.to_string()).is_some())
            .count();
        assert!(kept <= CAPACITY + CAPACITY / 8, "bounded: {kept}");
    }

    #[test]
    fn entries_expire_on_the_clock() {
        let clock = Clock::manual();
        let cache = Cache::new(clock.clone(), 0);
        assert_eq!(cache.shards("e"), None);
        cache.learn_shards("e", 8);
        assert_eq!(cache.shards("e"), Some(8));
        clock.set_ms(SHARDS_TTL_MS);
        assert_eq!(cache.shards("e"), None, "expired");
        cache.saw_sold_out("e", true);
        assert!(cache.seen_sold_out("e"));
        clock.set_ms(SHARDS_TTL_MS + SOLD_OUT_MS);
        assert!(!cache.seen_sold_out("e"));
        cache.saw_sold_out("e", true);
        cache.saw_sold_out("e", false);
        assert!(!cache.seen_sold_out("e"));
    }
}
