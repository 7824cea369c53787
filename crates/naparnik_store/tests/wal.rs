//! The write-ahead log stays bounded while a writer commits without pause
//! (the failure of a long busy day: a passive checkpoint alone never lets the log start over).
#![expect(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

use std::sync::mpsc;

use naparnik_domain::{CustomerUpdate, DiscountPercent, Phone};
use naparnik_store::Store;

/// Rounds of the checkpointer; the writer commits [`COMMITS_PER_ROUND`] times during each.
const ROUNDS: u32 = 150;
const COMMITS_PER_ROUND: u32 = 8;
const LIMIT_BYTES: u64 = 256 << 10;

fn commit_customers(store: &mut Store, from: u32) {
    let mut import = store.begin_customer_import().unwrap();
    for n in from..from + 5 {
        import
            .upsert(&CustomerUpdate {
                crm_id: Some(n.to_string()),
                phone: Phone::parse(&format!("+7951{n:07}")).unwrap(),
                name: Some(format!(
                    "Покупатель номер {n} с длинным именем, чтобы страниц было больше"
                )),
                discount: DiscountPercent::parse("10").unwrap(),
                card: None,
                email: None,
                birthday: None,
                onec_ref: None,
            })
            .unwrap();
    }
    import.commit().unwrap();
}

/// Runs the writer while a checkpointer thread does one round per batch of commits,
/// concurrently with it; returns the largest log seen and the rounds that truncated.
fn sustained_writes(limit_bytes: Option<u64>) -> (u64, u32) {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = Store::open_in_dir(dir.path()).unwrap();
    writer.defer_checkpoints().unwrap();
    let checkpointer = Store::open(writer.path()).unwrap();
    let (go, rounds) = mpsc::sync_channel::<()>(0);
    let (done, finished) = mpsc::sync_channel::<bool>(0);
    let thread = std::thread::spawn(move || {
        for () in rounds {
            let truncated = match limit_bytes {
                Some(limit) => {
                    checkpointer
                        .checkpoint_bounded(limit, || ())
                        .unwrap()
                        .truncated
                }
                None => {
                    checkpointer.checkpoint().unwrap();
                    false
                }
            };
            done.send(truncated).unwrap();
        }
    });
    let mut largest = 0;
    let mut truncations = 0;
    let mut next = 0;
    for _ in 0..ROUNDS {
        go.send(()).unwrap();
        // The checkpoint runs while these commits go on, as the bridge's requests do.
        for _ in 0..COMMITS_PER_ROUND {
            commit_customers(&mut writer, next);
            next += 5;
            largest = largest.max(writer.log_bytes());
        }
        truncations += u32::from(finished.recv().unwrap());
        largest = largest.max(writer.log_bytes());
    }
    drop(go);
    thread.join().unwrap();
    assert_eq!(u64::from(next), writer.customer_count().unwrap());
    (largest, truncations)
}

#[test]
fn the_log_stays_under_its_limit_while_writes_never_pause() {
    let (largest, truncations) = sustained_writes(Some(LIMIT_BYTES));
    assert!(
        truncations > 0,
        "the log passed the limit and was truncated"
    );
    // One round of commits may land between the check and the truncation, and another after it.
    let margin = (2 * u64::from(COMMITS_PER_ROUND)) << 16;
    assert!(
        largest < LIMIT_BYTES + margin,
        "the log reached {largest} bytes with a limit of {LIMIT_BYTES}"
    );
}

#[test]
fn passive_checkpoints_alone_let_the_log_grow() {
    // The failure the limit guards against, shown on the same load: if this stops
    // failing to bound the log, the test above no longer proves anything.
    let (largest, _) = sustained_writes(None);
    assert!(
        largest > 4 * LIMIT_BYTES,
        "without truncation the log reached only {largest} bytes"
    );
}
