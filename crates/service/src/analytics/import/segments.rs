//! The import's licence rows as stored: keyed by group, rating and occurrence (numbered by the
//! parser: a repeated (group, rating) is kept), skipped when the history already holds their key (importing
//! the same files again adds nothing), and encoded in segments
//! ([`probity_store::history_segment`]) on a blocking thread while the async side writes the
//! previous one.

use foldhash::{HashMap as FastMap, HashMapExt, HashSet as FastSet};
use tokio::sync::mpsc;

use probity_analytics::caat::{CaatDataset, RowDestination, ValueRow};
use probity_analytics::countries;
use probity_store::analytics_history::StoredSegment;
use probity_store::history_segment::{encode, HistoryRow, SEGMENT_ROWS};
use probity_store::StoreError;

/// One segment, ready to store.
pub(super) struct Encoded {
    /// Rows in it.
    pub rows: usize,
    /// Parsed rows it accounts for (its own and those skipped as already stored).
    pub read: usize,
    pub content: Vec<u8>,
}

/// The keys (group, rating, occurrence) of the rows already stored for a source.
#[derive(Default)]
pub(super) struct StoredKeys {
    ratings: FastMap<String, u32>,
    keys: FastSet<(i64, u32, u32)>,
}

impl StoredKeys {
    /// Read from the source's stored segments, one decoded at a time.
    pub(super) fn read(stored: &[StoredSegment]) -> Result<Self, StoreError> {
        let mut k = StoredKeys::default();
        // The counts are checked only as each segment is decoded: room is asked for, not
        // demanded (a corrupt count is an error below, never an abort here).
        let n = stored
            .iter()
            .fold(0i64, |n, s| n.saturating_add(s.row_count.max(0)));
        let _ = k.keys.try_reserve(usize::try_from(n).unwrap_or(0));
        for s in stored {
            for r in s.decode()?.rows() {
                let next = k.ratings.len() as u32;
                let rating = match k.ratings.get(r.rating) {
                    Some(&i) => i,
                    None => *k.ratings.entry(r.rating.to_string()).or_insert(next),
                };
                k.keys.insert((r.licence_group, rating, r.occurrence));
            }
        }
        Ok(k)
    }

    fn contains(&self, group: i64, rating: &str, occurrence: u32) -> bool {
        // Into an empty history (the usual first import) nothing is stored: not even a hash.
        !self.keys.is_empty()
            && self
                .ratings
                .get(rating)
                .is_some_and(|&r| self.keys.contains(&(group, r, occurrence)))
    }
}

/// Encode the dataset's rows not in `stored` into segments, sent to `out` in file order.
/// Returns how many distinct destination codes the rows have. Stops early, without error,
/// when the receiver is gone (the writer failed and says why).
pub(super) fn encode_rows(
    ds: &CaatDataset,
    stored: &StoredKeys,
    out: &mpsc::Sender<Encoded>,
) -> usize {
    // Each distinct destination's stored code is worked out once; the rows borrow it. Rows of
    // one spelling share a destination (and a group's rows one): looked up once a run.
    let mut codes: FastMap<&RowDestination, String> = FastMap::new();
    let mut previous: Option<&ValueRow> = None;
    for r in &ds.values {
        if !previous.is_some_and(|p| same_destination(p, r)) {
            let d = &*r.destination;
            codes
                .entry(d)
                .or_insert_with(|| countries::code_for(d.name(), d.iso2()));
        }
        previous = Some(r);
    }
    let destination_codes = codes.values().collect::<FastSet<_>>().len();
    let mut batch: Vec<HistoryRow<'_>> = Vec::with_capacity(SEGMENT_ROWS);
    let mut read = 0;
    let mut run: Option<(&ValueRow, &str)> = None;
    for r in &ds.values {
        read += 1;
        let code = match run {
            Some((p, code)) if same_destination(p, r) => code,
            _ => codes[&*r.destination].as_str(),
        };
        run = Some((r, code));
        // parse_id refuses ids above i64::MAX.
        let group = i64::try_from(r.group).unwrap_or(i64::MAX);
        if stored.contains(group, r.rating.code(), r.occurrence) {
            continue;
        }
        batch.push(HistoryRow {
            licence_group: group,
            rating: r.rating.code(),
            occurrence: r.occurrence,
            line: r.line,
            decided_on: r.date,
            destination: r.destination.name(),
            code,
            refused: r.refused,
            value_gbp: r.value_gbp,
            licence_count: r.count.map(i64::from),
            rating_as_published: r.rating.as_published(),
            outlier: r.outlier,
        });
        if batch.len() == SEGMENT_ROWS && send(out, &mut batch, &mut read).is_err() {
            return destination_codes;
        }
    }
    if !batch.is_empty() || read > 0 {
        let _ = send(out, &mut batch, &mut read);
    }
    destination_codes
}

/// Whether two rows name their destination alike (name and code): `Arc`'s equality compares
/// the pointers first, so rows of one spelling (which share theirs) cost no string compare.
fn same_destination(a: &ValueRow, b: &ValueRow) -> bool {
    a.destination == b.destination
}

fn send(
    out: &mpsc::Sender<Encoded>,
    batch: &mut Vec<HistoryRow<'_>>,
    read: &mut usize,
) -> Result<(), ()> {
    let e = Encoded {
        rows: batch.len(),
        read: *read,
        content: if batch.is_empty() {
            Vec::new()
        } else {
            encode(batch)
        },
    };
    batch.clear();
    *read = 0;
    out.blocking_send(e).map_err(|_| ())
}
