//! Pre-aggregation built with the table: licence groups whose rows agree on everything but the
//! rating (date, destination, decision, source, licence type — every CAAT group does) are
//! summed into cells keyed by those attributes, the group's criteria and the set of rating
//! kinds among its rows. A query that neither filters nor groups by a rating (a rating kind is
//! fine) can then add cells instead of scanning rows: each group sits in exactly one cell, so
//! "distinct licence groups" is a sum of per-cell group counts, and "groups with a military
//! row" is the count of the cells whose kind set holds military. Values are kept per kind.
//! Groups whose rows differ stay as row ranges (`residual`) for the row scan.

/// No cell: the group's rows differ, so it is scanned row by row.
pub(crate) const NO_CELL: u32 = u32::MAX;
/// Rating kinds (`RatingKind::ALL`).
pub(crate) const KINDS: usize = crate::ratings::RatingKind::ALL.len();

/// What a group (or a cell of groups) adds: overall and per rating kind, with all rows and
/// with only the rows not flagged as outliers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub value: i128,
    pub value_kept: i128,
    /// Groups with at least one row not flagged as an outlier.
    pub groups_kept: u32,
    pub value_k: [i128; KINDS],
    pub value_kept_k: [i128; KINDS],
    /// Groups with at least one row of the kind not flagged as an outlier.
    pub groups_kept_k: [u32; KINDS],
}

impl Sums {
    /// What `groups` groups with these sums and kind set add to a query that keeps only rows
    /// of `kind` (if any) and leaves out outlier rows if `kept`: (groups, value).
    #[inline(always)]
    pub fn share(&self, groups: u32, kinds: u8, kind: Option<usize>, kept: bool) -> (u32, i128) {
        match (kind, kept) {
            (None, false) => (groups, self.value),
            (None, true) => (self.groups_kept, self.value_kept),
            (Some(k), _) if kinds & (1 << k) == 0 => (0, 0),
            (Some(k), false) => (groups, self.value_k[k]),
            (Some(k), true) => (self.groups_kept_k[k], self.value_kept_k[k]),
        }
    }

    fn add(&mut self, o: &Sums) {
        self.value += o.value;
        self.value_kept += o.value_kept;
        self.groups_kept += o.groups_kept;
        for k in 0..KINDS {
            self.value_k[k] += o.value_k[k];
            self.value_kept_k[k] += o.value_kept_k[k];
            self.groups_kept_k[k] += o.groups_kept_k[k];
        }
    }
}

/// The cells, in date order (so a date range is a binary search), column by column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cells {
    pub date: Vec<i32>,
    pub ym: Vec<u16>,
    pub place: Vec<u16>,
    pub decision: Vec<u8>,
    pub source: Vec<u8>,
    pub ltype: Vec<u8>,
    /// The criteria its groups cite (bitset, as `Part::group_crit`).
    pub crit: Vec<u32>,
    /// The rating kinds among its groups' rows (bit `RatingKind as u8`; the same for each group).
    pub kinds: Vec<u8>,
    /// Licence groups in the cell.
    pub groups: Vec<u32>,
    /// Sum of the rows' values (also in `sums`; kept apart for the common scan).
    pub value: Vec<i128>,
    pub sums: Vec<Sums>,
    /// The cell of each group (dense group index), or [`NO_CELL`].
    pub group_cell: Vec<u32>,
    /// Row ranges of the groups without a cell, ascending, adjacent ones merged.
    pub residual: Vec<(usize, usize)>,
}

/// What a cell is keyed by (besides the date, which is the outer loop).
type CellKey = (u16, u8, u8, u8, u32, u8);

impl Cells {
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// Cells `[lo, hi)` whose date lies in `[from, to]`.
    pub fn date_range(&self, from: i32, to: i32) -> (usize, usize) {
        let lo = self.date.partition_point(|&d| d < from);
        let hi = self.date.partition_point(|&d| d <= to);
        (lo, hi.max(lo))
    }

    /// Group `g`'s sums and the set of rating kinds among its rows.
    pub fn group_sums(t: &super::Part, g: usize) -> (Sums, u8) {
        let (lo, hi) = (t.group_start[g] as usize, t.group_start[g + 1] as usize);
        let mut s = Sums::default();
        let mut kinds = 0u8;
        for i in lo..hi {
            let k = t.ratings[t.rating[i] as usize].kind as usize;
            let v = t.value[i] as i128;
            kinds |= 1 << k;
            s.value += v;
            s.value_k[k] += v;
            if t.flags[i] & super::FLAG_OUTLIER == 0 {
                s.value_kept += v;
                s.value_kept_k[k] += v;
                s.groups_kept = 1;
                s.groups_kept_k[k] = 1;
            }
        }
        (s, kinds)
    }

    /// Build the cells of a table whose rows are grouped and whose groups are in date order.
    pub fn build(t: &super::Part) -> Cells {
        let mut c = Cells {
            group_cell: vec![NO_CELL; t.group_id.len()],
            ..Cells::default()
        };
        // Groups come in order of their earliest date, which is a consistent group's only date,
        // so cells are created in date order; the map only holds the current date's cells.
        let mut open: foldhash::HashMap<CellKey, u32> = Default::default();
        let mut day = i32::MIN;
        for g in 0..t.group_id.len() {
            let (lo, hi) = (t.group_start[g] as usize, t.group_start[g + 1] as usize);
            let same = |col: &dyn Fn(usize) -> u64| (lo + 1..hi).all(|i| col(i) == col(lo));
            let consistent = same(&|i| t.date[i] as u64)
                && same(&|i| t.place[i] as u64)
                && same(&|i| t.decision[i] as u64)
                && same(&|i| t.source[i] as u64)
                && same(&|i| t.ltype[i] as u64);
            if !consistent || t.date[lo] < day {
                match c.residual.last_mut() {
                    Some(r) if r.1 == lo => r.1 = hi,
                    _ => c.residual.push((lo, hi)),
                }
                continue;
            }
            if t.date[lo] != day {
                day = t.date[lo];
                open.clear();
            }
            let (sums, kinds) = Cells::group_sums(t, g);
            let key = (
                t.place[lo],
                t.decision[lo],
                t.source[lo],
                t.ltype[lo],
                t.group_crit[g],
                kinds,
            );
            let cell = *open.entry(key).or_insert_with(|| {
                c.date.push(t.date[lo]);
                c.ym.push(t.ym[lo]);
                c.place.push(key.0);
                c.decision.push(key.1);
                c.source.push(key.2);
                c.ltype.push(key.3);
                c.crit.push(key.4);
                c.kinds.push(key.5);
                c.groups.push(0);
                c.value.push(0);
                c.sums.push(Sums::default());
                (c.date.len() - 1) as u32
            });
            c.groups[cell as usize] += 1;
            c.value[cell as usize] += sums.value;
            c.sums[cell as usize].add(&sums);
            c.group_cell[g] = cell;
        }
        c
    }
}
