//! Reading a large CSV file on several threads, with the result of one sequential read.
//!
//! The file is cut just after line breaks, and each part is read and checked on a thread of
//! its own, from a fresh reader at its cut, with its own report. Each part reads on to the
//! first record at or after where the next part starts: the cut is used only if a record
//! starts exactly there (past line breaks). A cut inside a quoted field holding a line break
//! fails that check, and the parts are read again from record boundaries the CSV tokenizer
//! itself finds, in one pass over all but the last part. Rows and reports are then put back
//! together in file order: the same rows, counts and first examples of each anomaly kind as
//! one read from start to end.

use super::csvread::{
    open, read_records, read_whole, skip_breaks, ColSpec, Fields, Header, Opened, Records,
};
use crate::report::{FileReport, ImportReport};

/// Below this many bytes a file is read in one part: threads cost more than they save.
pub(super) const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// How many parts a file of `len` bytes is read in on this machine.
pub(super) fn parts_for(len: usize) -> usize {
    if len < PARALLEL_MIN_BYTES {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Read `bytes` as CSV in up to `parts` parts on as many threads; `on_row(state, header, line,
/// fields, report)` makes a row, or returns `None` when it rejects the record (having noted
/// why). `state` is the part's own, made afresh for each part (what the part has met so far).
/// Returns the header mapping (None if unusable) and the rows in file order; the file's
/// summary is added to `report.files`, as [`super::csvread::read_csv`] does.
pub(crate) fn read_csv_rows<T: Send, S: Default>(
    file: &str,
    bytes: &[u8],
    specs: &[ColSpec],
    report: &mut ImportReport,
    parts: usize,
    on_row: impl Fn(&mut S, &Header, u64, &Fields<'_>, &mut ImportReport) -> Option<T> + Sync,
) -> (Option<Header>, Vec<T>) {
    let opened = open(file, bytes, specs, report);
    let first = opened.rdr.position().byte() as usize;
    if parts < 2 || opened.header.is_none() || first >= opened.body.len() {
        let mut rows = Vec::new();
        let mut state = S::default();
        let (header, _) = read_whole(
            file,
            opened,
            specs,
            report,
            pushing(&mut rows, &mut state, &on_row),
        );
        return (header, rows);
    }
    let Opened {
        body,
        mut rdr,
        header,
        width,
    } = opened;
    let h = header.as_ref();
    // Cut after line breaks first: right unless a quoted field holds a line break there, which
    // each part checks by reading on to where the next part starts (`read_parts`). Otherwise
    // the record boundaries are found by reading on from the first record (one pass over all
    // but the last part), and the parts are read again from those.
    let guessed = line_cuts(body, first, parts);
    let results = match read_parts(file, body, h, width, specs, report, &guessed, &on_row) {
        Some(results) => results,
        None => {
            let cuts = cuts(&mut rdr, first, body.len(), parts);
            // Boundaries the tokenizer found hold by construction.
            read_parts(file, body, h, width, specs, report, &cuts, &on_row)
                .expect("record boundaries found by the reader are record boundaries")
        }
    };
    drop(rdr);
    let mut summary = FileReport {
        file: file.to_string(),
        records: 0,
        imported: 0,
    };
    // The first part's rows were given room for all (no copy of them, no regrowth).
    let mut rows = Vec::new();
    for (part_report, part_summary, part_rows) in results {
        report.absorb(part_report);
        summary.records += part_summary.records;
        summary.imported += part_summary.imported;
        if rows.is_empty() {
            rows = part_rows;
        } else {
            rows.extend(part_rows);
        }
    }
    report.files.push(summary);
    (header, rows)
}

type PartResult<T> = (ImportReport, FileReport, Vec<T>);

/// Read the parts starting at `cuts` on a thread each, each with a report of its own; `None`
/// when a part's records run past where the next part starts (a cut inside a quoted field).
#[allow(clippy::too_many_arguments)]
fn read_parts<T: Send, S: Default>(
    file: &str,
    body: &[u8],
    h: Option<&Header>,
    width: usize,
    specs: &[ColSpec],
    report: &ImportReport,
    cuts: &[usize],
    on_row: &(impl Fn(&mut S, &Header, u64, &Fields<'_>, &mut ImportReport) -> Option<T> + Sync),
) -> Option<Vec<PartResult<T>>> {
    let breaks = count_breaks;
    // Each part's first line: 1 plus the line breaks before it. Its line breaks bound its
    // records, and so does its length (a kept record has `width` fields): room for its rows
    // is made once, the first part's for all (see the caller).
    let mut ranges = Vec::with_capacity(cuts.len());
    let mut line = 1 + breaks(&body[..cuts[0]]) as u64;
    for (i, &start) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).copied().unwrap_or(body.len());
        let part_breaks = breaks(&body[start..end]);
        let room = (part_breaks + 1).min((end - start) / width.max(1) + 1);
        // Where the next part's first record starts, as the reader would place it.
        let next = cuts.get(i + 1).map(|&c| skip_breaks(body, c));
        ranges.push((start, next, line, room));
        line += part_breaks as u64;
    }
    let all: usize = ranges.iter().map(|r| r.3).sum();
    ranges[0].3 = all;
    std::thread::scope(|scope| {
        let read_part = |&(start, next, line, room): &(usize, Option<usize>, u64, usize)| {
            let mut part_report = report.fresh();
            let mut part_summary = FileReport {
                file: file.to_string(),
                records: 0,
                imported: 0,
            };
            // Asked for, not demanded: a file of blank lines must not abort on the allocation.
            let mut rows = Vec::new();
            let _ = rows.try_reserve(room);
            let mut state = S::default();
            let stopped = read_records(
                file,
                Records::new(&body[start..], 0, line),
                h,
                width,
                specs,
                &mut part_report,
                &mut part_summary,
                next.map(|n| n - start),
                pushing(&mut rows, &mut state, on_row),
            );
            let fits = stopped.map(|s| s + start) == next;
            fits.then_some((part_report, part_summary, rows))
        };
        let handles: Vec<_> = ranges[1..]
            .iter()
            .map(|r| scope.spawn(move || read_part(r)))
            .collect();
        let mut results = vec![read_part(&ranges[0])];
        for handle in handles {
            match handle.join() {
                Ok(r) => results.push(r),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results.into_iter().collect()
    })
}

/// How many line feeds `bytes` holds: counted in blocks a byte-sized counter cannot overflow,
/// which the compiler turns into vector compares (a byte at a time was a tenth of a second
/// over 5 M rows).
fn count_breaks(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|block| {
            block
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'\n')))
        })
        .map(usize::from)
        .sum()
}

/// Byte offsets where parts might start: `first`, then just after the first line break at or
/// after each equal share of the rest; at most `parts`, none at the end of the body.
fn line_cuts(body: &[u8], first: usize, parts: usize) -> Vec<usize> {
    let step = ((body.len() - first) / parts).max(1);
    let mut cuts = vec![first];
    for k in 1..parts {
        let from = (first + k * step).max(cuts[cuts.len() - 1]);
        let Some(nl) = body[from..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let cut = from + nl + 1;
        if skip_breaks(body, cut) >= body.len() {
            break;
        }
        if cut > cuts[cuts.len() - 1] {
            cuts.push(cut);
        }
    }
    cuts
}

/// Byte offsets where parts start: `first` (where `rdr` stands, before the first record), then
/// the first record at or after each equal share of the rest; at most `parts`.
fn cuts(rdr: &mut csv::Reader<&[u8]>, first: usize, len: usize, parts: usize) -> Vec<usize> {
    let step = ((len - first) / parts).max(1);
    let mut cuts = vec![first];
    let mut next = first + step;
    let mut rec = csv::ByteRecord::new();
    while cuts.len() < parts {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            // The end, or an error the sequential read reports in its place.
            Ok(false) | Err(_) => break,
        }
        let at = rec.position().map_or(0, |p| p.byte() as usize);
        if at >= next {
            cuts.push(at);
            next = at + step;
        }
    }
    cuts
}

/// `on_row` as [`read_records`] takes it: rows made are pushed onto `rows`.
fn pushing<'r, T, S>(
    rows: &'r mut Vec<T>,
    state: &'r mut S,
    on_row: &'r (impl Fn(&mut S, &Header, u64, &Fields<'_>, &mut ImportReport) -> Option<T> + Sync),
) -> impl FnMut(&Header, u64, &Fields<'_>, &mut ImportReport) -> bool + 'r {
    move |h, line, f, r| match on_row(state, h, line, f, r) {
        Some(row) => {
            rows.push(row);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use foldhash::{HashMap, HashMapExt};

    use proptest::prelude::*;

    use super::super::groups::check_groups;
    use super::super::values::read_values_in_parts;
    use super::super::ImportOptions;
    use crate::report::ImportReport;

    /// One line of a values file, good or bad in one of the ways real files are.
    fn line(kind: u8, n: u64) -> Vec<u8> {
        let group = 1000 + n / 3;
        let rating = ["ML1a", "ML4", "5A002a1", "PL5017"][(n % 4) as usize];
        let text = match kind {
            0 => format!("{group},2014-09-01,{rating},1,{},France,0\n", 100 + n),
            1 => format!("{group},2014-09-01,{rating},1,12x,France,0\n"),
            2 => format!("{group},2014-13-45,{rating},1,5,Germany,1\n"),
            3 => format!("{group},2013-01-02,{rating},,7,\"Korea, South\",1\r\n"),
            // A quoted field holding a line break: never a place to cut.
            4 => format!("{group},2013-01-02,{rating},2,9,\"Saudi\nArabia\",0\n"),
            5 => "\n".to_string(),
            6 => format!("{group},2012-05-06,{rating},1\n"),
            7 => format!("{group}, 2012-05-06 ,{rating},1,,Israel,1\n"),
            8 => format!("{group},2012-05-06,ml1a,1,0,Nowhereland,0\n"),
            9 => format!(
                "{},2011-07-08,{rating},1,5,France,0\n",
                n.saturating_sub(2) / 3 + 1000
            ),
            _ => {
                let mut bad = format!("{group},2014-09-01,{rating},1,3,Fran").into_bytes();
                bad.extend_from_slice(b"\xE7e,0\n");
                return bad;
            }
        };
        text.into_bytes()
    }

    fn file(kinds: &[u8]) -> Vec<u8> {
        let mut bytes = b"licence_group,date,rating,count,value,country,refused\n".to_vec();
        for (n, k) in kinds.iter().enumerate() {
            bytes.extend(line(*k, n as u64));
        }
        bytes
    }

    fn parse(bytes: &[u8], parts: usize) -> (Vec<super::super::ValueRow>, ImportReport) {
        let opts = ImportOptions {
            max_examples: 3,
            ..ImportOptions::default()
        };
        let mut report = ImportReport::new(opts.max_examples);
        let (mut rows, _) = read_values_in_parts(
            "values.csv",
            bytes,
            &HashMap::new(),
            &opts,
            &mut report,
            parts,
        );
        check_groups("values.csv", &mut rows, &mut report);
        (rows, report)
    }

    proptest! {
        #[test]
        fn line_feeds_are_counted_in_blocks_as_one_at_a_time(
            bytes in proptest::collection::vec(prop::sample::select(vec![b'\n', b'a', b'\r']), 0..2000)
        ) {
            let one_at_a_time = bytes.iter().filter(|&&b| b == b'\n').count();
            prop_assert_eq!(super::count_breaks(&bytes), one_at_a_time);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Read in parts on threads, a file gives the rows, counts, line numbers and first
        /// examples of one sequential read.
        #[test]
        fn parts_read_like_one_sequential_read(
            kinds in prop::collection::vec(0u8..11, 1..400),
            parts in 2usize..7,
        ) {
            let bytes = file(&kinds);
            let (rows, report) = parse(&bytes, 1);
            let (rows_in_parts, report_in_parts) = parse(&bytes, parts);
            prop_assert_eq!(rows, rows_in_parts);
            prop_assert_eq!(report, report_in_parts);
        }
    }

    #[test]
    fn files_too_short_to_cut_are_read_whole() {
        for kinds in [&[][..], &[0], &[0, 5], &[5, 5, 5]] {
            let bytes = file(kinds);
            let (rows, report) = parse(&bytes, 1);
            assert_eq!(rows.len(), kinds.iter().filter(|k| **k == 0).count());
            assert_eq!(parse(&bytes, 2), (rows, report), "{kinds:?}");
        }
    }

    #[test]
    fn a_file_is_cut_only_between_records() {
        // Every record holds a quoted line break; the cuts must fall between records.
        let kinds = vec![4u8; 500];
        let bytes = file(&kinds);
        let mut rdr = super::super::csvread::open("v", &bytes, &[], &mut ImportReport::new(1)).rdr;
        let first = rdr.position().byte() as usize;
        let cuts = super::cuts(&mut rdr, first, bytes.len(), 4);
        assert_eq!(cuts.len(), 4, "{cuts:?}");
        for c in &cuts[1..] {
            assert_eq!(bytes[c - 1], b'\n', "cut at {c}");
            assert!(bytes[*c..].starts_with(b"1"), "a cut starts a record: {c}");
        }
        let (rows, report) = parse(&bytes, 4);
        assert_eq!(rows.len(), 500);
        assert!(rows.iter().all(|r| r.destination.name() == "Saudi\nArabia"));
        assert_eq!(report.records_rejected, 0);
        assert_eq!(
            rows[499].line,
            1 + 2 * 499 + 1,
            "line numbers count the quoted breaks"
        );
    }

    #[test]
    fn a_guessed_cut_inside_a_quoted_field_is_found_out() {
        let bytes = file(&[4, 4, 4, 4]);
        let mut report = ImportReport::new(1);
        let opened = super::super::csvread::open("v", &bytes, &[], &mut report);
        let first = opened.rdr.position().byte() as usize;
        let h = opened.header.as_ref();
        let lines = |_: &mut (),
                     _: &super::Header,
                     line: u64,
                     _: &super::Fields<'_>,
                     _: &mut ImportReport| Some(line);
        let breaks: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b'\n').collect();
        // Line breaks: the header's, then two per record (inside the quotes, then after).
        let inside = breaks[3] + 1;
        let between = breaks[4] + 1;
        let read = |cut: usize| {
            super::read_parts(
                "v",
                opened.body,
                h,
                opened.width,
                &[],
                &report,
                &[first, cut],
                &lines,
            )
        };
        assert!(read(inside).is_none(), "a cut inside quotes is not used");
        let parts = read(between).expect("a cut between records is used");
        let lines: Vec<u64> = parts.into_iter().flat_map(|p| p.2).collect();
        assert_eq!(lines, vec![2, 4, 6, 8]);
    }
}
