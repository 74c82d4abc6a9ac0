//! The per-rating breakdown of the cells, for queries that filter or group by a rating.
//!
//! Each cell's licence groups are split into sub-cells by their exact set of ratings (and which
//! of those have a row not flagged as an outlier); a sub-cell keeps, per rating of its set, the
//! summed value of its groups' rows of that rating. Every group of a sub-cell then matches a
//! rating filter (or falls into a rating or kind bucket) exactly when the others do, so the
//! distinct-licence count of a filter or bucket is a sum of sub-cell group counts: a licence
//! with several matching ratings counts once in a total and once per rating bucket, as in the
//! row scan.

use foldhash::{HashMap, HashMapExt};

use super::cells::NO_CELL;
use super::{Part, FLAG_OUTLIER};

/// One rating of a group (or of every group of a sub-cell).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RatingPart {
    pub rating: u16,
    /// The group has a row of this rating not flagged as an outlier.
    pub kept: bool,
    pub value: i128,
    /// Value of the rows not flagged as outliers.
    pub value_kept: i128,
}

/// Sub-cells, ordered by cell (creation order within a cell), column by column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RatingCells {
    /// Sub-cells of cell c: `cell_start[c]..cell_start[c + 1]`.
    pub cell_start: Vec<u32>,
    /// Licence groups in each sub-cell.
    pub groups: Vec<u32>,
    /// Parts of sub-cell s: `part_start[s]..part_start[s + 1]`, ascending by rating.
    pub part_start: Vec<u32>,
    pub parts: Vec<RatingPart>,
}

impl RatingCells {
    /// Sub-cells (for the benchmark's and tests' statistics).
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Group `g`'s ratings, ascending, each with the value of its rows, into `out`.
    pub fn group_parts(t: &Part, g: usize, out: &mut Vec<RatingPart>) {
        out.clear();
        let (lo, hi) = (t.group_start[g] as usize, t.group_start[g + 1] as usize);
        for i in lo..hi {
            let kept = t.flags[i] & FLAG_OUTLIER == 0;
            let v = t.value[i] as i128;
            out.push(RatingPart {
                rating: t.rating[i],
                kept,
                value: v,
                value_kept: if kept { v } else { 0 },
            });
        }
        out.sort_unstable_by_key(|p| p.rating);
        out.dedup_by(|b, a| {
            let same = a.rating == b.rating;
            if same {
                a.kept |= b.kept;
                a.value += b.value;
                a.value_kept += b.value_kept;
            }
            same
        });
    }

    /// Split the groups of `t.cells` by rating set.
    pub fn build(t: &Part) -> RatingCells {
        let cells = &t.cells;
        // In creation order: the cell of each sub-cell, its groups and parts.
        let mut sub_cell: Vec<u32> = Vec::new();
        let mut groups: Vec<u32> = Vec::new();
        let mut part_start: Vec<u32> = vec![0];
        let mut parts: Vec<RatingPart> = Vec::new();
        // Cells of one date hold only groups of that date, and groups come in date order, so
        // the map only holds the current date's sub-cells. Key: cell, then rating << 1 | kept.
        let mut open: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut day = i32::MIN;
        let mut mine = Vec::new();
        let mut key: Vec<u32> = Vec::new();
        for g in 0..t.group_id.len() {
            let c = cells.group_cell[g];
            if c == NO_CELL {
                continue;
            }
            if cells.date[c as usize] != day {
                day = cells.date[c as usize];
                open.clear();
            }
            Self::group_parts(t, g, &mut mine);
            key.clear();
            key.push(c);
            key.extend(mine.iter().map(|p| (p.rating as u32) << 1 | p.kept as u32));
            let s = match open.get(key.as_slice()) {
                Some(&s) => s as usize,
                None => {
                    let s = groups.len();
                    sub_cell.push(c);
                    groups.push(0);
                    parts.extend(mine.iter().map(|p| RatingPart {
                        value: 0,
                        value_kept: 0,
                        ..*p
                    }));
                    part_start.push(parts.len() as u32);
                    open.insert(key.clone(), s as u32);
                    s
                }
            };
            groups[s] += 1;
            let at = part_start[s] as usize;
            for (dst, p) in parts[at..].iter_mut().zip(&mine) {
                dst.value += p.value;
                dst.value_kept += p.value_kept;
            }
        }
        // Order by cell, so a date range of cells is a range of sub-cells.
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by_key(|&s| sub_cell[s]);
        let mut out = RatingCells {
            cell_start: vec![0; cells.len() + 1],
            groups: Vec::with_capacity(groups.len()),
            part_start: Vec::with_capacity(groups.len() + 1),
            parts: Vec::with_capacity(parts.len()),
        };
        out.part_start.push(0);
        for &s in &order {
            out.cell_start[sub_cell[s] as usize + 1] += 1;
            out.groups.push(groups[s]);
            out.parts
                .extend_from_slice(&parts[part_start[s] as usize..part_start[s + 1] as usize]);
            out.part_start.push(out.parts.len() as u32);
        }
        for c in 0..cells.len() {
            out.cell_start[c + 1] += out.cell_start[c];
        }
        out
    }
}
