//! A request throttle: at most one request per interval, in the order asked.
//!
//! The CRMs count requests per key or per portal; staying under their rate
//! is cheaper than being refused and backing off.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces requests `interval` apart; shared by all clones of a connector.
#[derive(Debug)]
pub(crate) struct Throttle {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Throttle {
    /// At most `per_second` requests a second (at least one).
    pub(crate) fn per_second(per_second: u32) -> Throttle {
        Throttle {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for this request's turn.
    pub(crate) async fn wait(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        let at = next.map_or(now, |n| n.max(now));
        if at > now {
            tokio::time::sleep_until(at).await;
        }
        *next = Some(at + self.interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let throttle = Throttle::per_second(10);
        let start = Instant::now();
        for _ in 0..11 {
            throttle.wait().await;
        }
        assert_eq!(Instant::now() - start, Duration::from_secs(1));
    }
}
