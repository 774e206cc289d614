//! The timer that wakes a [`SendFuture`](crate::SendFuture) waiting for a
//! topic's metadata or for buffer memory: libkprod is asked with
//! `max.block.ms=0` and says at once when it cannot take a record, and the
//! future asks again when this timer wakes it. One thread for the whole
//! process, started on first use, so the crate works on any executor.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, OnceLock};
use std::task::Waker;
use std::thread;
use std::time::{Duration, Instant};

/// The first wait before asking libkprod again; each wait then doubles up to `MAX_RETRY_WAIT`.
pub(crate) const FIRST_RETRY_WAIT: Duration = Duration::from_millis(1);
/// At most this long between two attempts: metadata or freed memory is seen this soon.
pub(crate) const MAX_RETRY_WAIT: Duration = Duration::from_millis(16);

/// The next wait after `wait`.
pub(crate) fn next_wait(wait: Duration) -> Duration {
    (wait * 2).min(MAX_RETRY_WAIT)
}

struct Entry {
    at: Instant,
    sequence: u64, // keeps entries with the same instant in arrival order
    waker: Waker,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.sequence) == (other.at, other.sequence)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.sequence).cmp(&(other.at, other.sequence))
    }
}

#[derive(Default)]
struct Timers {
    queue: Mutex<(BinaryHeap<Reverse<Entry>>, u64)>, // guards the heap and the next sequence number
    changed: Condvar,
}

fn timers() -> &'static Timers {
    static TIMERS: OnceLock<&'static Timers> = OnceLock::new();
    TIMERS.get_or_init(|| {
        let timers: &'static Timers = Box::leak(Box::default());
        thread::Builder::new()
            .name("kprod-retry-timer".into())
            .spawn(move || run(timers))
            .expect("kprod: could not start the retry timer thread");
        timers
    })
}

/// Wakes `waker` at `at` (or soon after).
pub(crate) fn wake_at(at: Instant, waker: Waker) {
    let timers = timers();
    let mut queue = timers.queue.lock().unwrap_or_else(|p| p.into_inner());
    let sequence = queue.1;
    queue.1 += 1;
    let earliest = queue.0.peek().map_or(true, |Reverse(first)| at < first.at);
    queue.0.push(Reverse(Entry {
        at,
        sequence,
        waker,
    }));
    drop(queue);
    if earliest {
        timers.changed.notify_one();
    }
}

fn run(timers: &Timers) {
    let mut due = Vec::new();
    let mut queue = timers.queue.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let now = Instant::now();
        while queue.0.peek().is_some_and(|Reverse(first)| first.at <= now) {
            due.push(queue.0.pop().unwrap().0.waker);
        }
        if !due.is_empty() {
            // Wakers run executor code: never under the lock.
            drop(queue);
            due.drain(..).for_each(Waker::wake);
            queue = timers.queue.lock().unwrap_or_else(|p| p.into_inner());
            continue;
        }
        queue = match queue.0.peek() {
            None => timers
                .changed
                .wait(queue)
                .unwrap_or_else(|p| p.into_inner()),
            Some(Reverse(first)) => {
                let left = first.at.saturating_duration_since(now);
                match timers.changed.wait_timeout(queue, left) {
                    Ok((queue, _)) => queue,
                    Err(poisoned) => poisoned.into_inner().0,
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    /// A waker that records its index in a shared order.
    struct Recorder(Arc<Mutex<Vec<u32>>>, u32);
    impl Wake for Recorder {
        fn wake(self: Arc<Self>) {
            self.0.lock().unwrap().push(self.1);
        }
    }

    #[test]
    fn wakers_are_woken_in_the_order_of_their_instants() {
        let order = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        for (index, delay) in [(2, 30), (1, 10), (3, 50)] {
            let order = Arc::clone(&order);
            let waker = Waker::from(Arc::new(Recorder(order, index)));
            wake_at(start + Duration::from_millis(delay), waker);
        }
        thread::sleep(Duration::from_millis(200));
        assert_eq!(*order.lock().unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn waits_double_up_to_the_most() {
        assert_eq!(next_wait(FIRST_RETRY_WAIT), Duration::from_millis(2));
        assert_eq!(next_wait(MAX_RETRY_WAIT), MAX_RETRY_WAIT);
    }
}
