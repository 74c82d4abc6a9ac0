//! Building a [`Table`]: dictionaries, sorting by group, and the CAAT conversion.

use std::collections::BTreeSet;
use std::sync::Arc;

// Looked up once per row pushed: a fast hasher (foldhash) instead of SipHash.
use foldhash::{HashMap, HashMapExt};

use time::Date;

use super::order;
use super::{
    date_to_days, CodeEntry, CriterionEntry, Decision, LicenceType, Part, PlaceEntry, RatingEntry,
    Source, Table, BASE_YEAR, FLAG_NO_VALUE, FLAG_OUTLIER,
};
use crate::caat::{CaatDataset, RowDestination, RowRating};
use crate::countries::{self, Region};
use crate::ratings::{self, RatingKind};

/// Why a table could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("more than {max} distinct {what}")]
    TooMany { what: &'static str, max: usize },
    #[error("date {0} is outside 1900–2199")]
    DateOutOfRange(Date),
}

/// One row to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowInput<'a> {
    pub source: Source,
    /// Licence group id, unique within its source.
    pub licence: u64,
    pub date: Date,
    pub rating: &'a str,
    /// Destination name; define it with [`TableBuilder::define_place`] first, or it is looked up
    /// in [`countries`] (unknown names get code `ZZ`).
    pub destination: &'a str,
    pub decision: Decision,
    pub licence_type: LicenceType,
    pub value_gbp: Option<i64>,
    pub count: u32,
    /// Refusal criteria cited by the licence group. Criteria belong to the group: the table
    /// keeps the union over the group's rows.
    pub criteria: &'a [String],
    pub outlier: bool,
}

#[derive(Clone)]
struct Pending {
    licence: u64,
    value: i64,
    date: i32,
    count: u32,
    crit: u32,
    rating: u16,
    place: u16,
    ym: u16,
    source: u8,
    decision: u8,
    ltype: u8,
    flags: u8,
}

/// Accumulates rows and dictionaries, then sorts them into a [`Table`]. Cloning a builder is
/// how a caller keeps a base set of rows and adds others to a copy.
#[derive(Default, Clone)]
pub struct TableBuilder {
    rows: Vec<Pending>,
    ratings: Vec<RatingEntry>,
    rating_ix: HashMap<String, u16>,
    places: Vec<PlaceEntry>,
    place_ix: HashMap<String, u16>,
    criteria: Vec<CriterionEntry>,
    crit_ix: HashMap<String, u8>,
}

fn too_many(what: &'static str, max: usize) -> TableError {
    TableError::TooMany { what, max }
}

impl TableBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows added so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Room for `more` rows, made at once: a builder grown row by row copies its rows each
    /// time it doubles (measured at 5 M rows: a tenth of the import's fresh memory).
    pub fn reserve(&mut self, more: usize) {
        self.rows.reserve_exact(more);
    }

    /// Define (or redefine) a rating.
    pub fn define_rating(
        &mut self,
        code: &str,
        kind: RatingKind,
        description: &str,
    ) -> Result<u16, TableError> {
        let entry = RatingEntry {
            code: code.to_string(),
            kind,
            description: description.to_string(),
        };
        if let Some(&i) = self.rating_ix.get(code) {
            self.ratings[i as usize] = entry;
            return Ok(i);
        }
        let i = u16::try_from(self.ratings.len()).map_err(|_| too_many("ratings", 65_536))?;
        self.ratings.push(entry);
        self.rating_ix.insert(code.to_string(), i);
        Ok(i)
    }

    /// Define (or redefine) a destination name with its code and region.
    pub fn define_place(
        &mut self,
        name: &str,
        code: &str,
        region: Region,
    ) -> Result<u16, TableError> {
        let entry = PlaceEntry {
            name: name.to_string(),
            code: code.to_string(),
            region,
        };
        if let Some(&i) = self.place_ix.get(name) {
            self.places[i as usize] = entry;
            return Ok(i);
        }
        let i = u16::try_from(self.places.len()).map_err(|_| too_many("destinations", 65_536))?;
        self.places.push(entry);
        self.place_ix.insert(name.to_string(), i);
        Ok(i)
    }

    /// Define (or redefine) a refusal criterion. At most 32.
    pub fn define_criterion(&mut self, code: &str, description: &str) -> Result<u8, TableError> {
        let entry = CriterionEntry {
            code: code.to_string(),
            description: description.to_string(),
        };
        if let Some(&i) = self.crit_ix.get(code) {
            self.criteria[i as usize] = entry;
            return Ok(i);
        }
        if self.criteria.len() >= 32 {
            return Err(too_many("criteria", 32));
        }
        let i = self.criteria.len() as u8;
        self.criteria.push(entry);
        self.crit_ix.insert(code.to_string(), i);
        Ok(i)
    }

    /// Add a row; undefined ratings, destinations and criteria are defined on the way.
    pub fn push(&mut self, row: &RowInput<'_>) -> Result<(), TableError> {
        // A row refused defines nothing.
        self.check(row)?;
        let rating = self.rating_id(row.rating)?;
        let place = self.place_id(row.destination)?;
        self.push_with(row, rating, place)
    }

    /// Whether `row` can be added: room for it, and a date the table can hold.
    fn check(&self, row: &RowInput<'_>) -> Result<(), TableError> {
        if self.rows.len() >= u32::MAX as usize {
            return Err(too_many("rows", u32::MAX as usize));
        }
        if !(BASE_YEAR..2200).contains(&row.date.year()) {
            return Err(TableError::DateOutOfRange(row.date));
        }
        Ok(())
    }

    /// The id of rating `code`, defined (its kind from its pattern) if it is not yet.
    fn rating_id(&mut self, code: &str) -> Result<u16, TableError> {
        match self.rating_ix.get(code) {
            Some(&i) => Ok(i),
            None => {
                let kind = ratings::classify(code, None);
                self.define_rating(code, kind, "")
            }
        }
    }

    /// The id of destination `name`, defined (from [`countries`]) if it is not yet.
    fn place_id(&mut self, name: &str) -> Result<u16, TableError> {
        match self.place_ix.get(name) {
            Some(&i) => Ok(i),
            None => {
                let (code, region) =
                    countries::lookup(name).map_or_else(countries::unknown, |c| (c.code, c.region));
                self.define_place(name, code, region)
            }
        }
    }

    /// [`TableBuilder::push`], the row's rating and destination ids already found.
    fn push_with(&mut self, row: &RowInput<'_>, rating: u16, place: u16) -> Result<(), TableError> {
        self.check(row)?;
        let (y, m) = (row.date.year(), row.date.month() as i32);
        let mut crit = 0u32;
        for c in row.criteria {
            let b = match self.crit_ix.get(c.as_str()) {
                Some(&b) => b,
                None => self.define_criterion(c, "")?,
            };
            crit |= 1 << b;
        }
        let mut flags = if row.outlier { FLAG_OUTLIER } else { 0 };
        if row.value_gbp.is_none() {
            flags |= FLAG_NO_VALUE;
        }
        self.rows.push(Pending {
            licence: row.licence,
            value: row.value_gbp.unwrap_or(0),
            date: date_to_days(row.date),
            count: row.count,
            crit,
            rating,
            place,
            ym: ((y - BASE_YEAR) * 12 + m - 1) as u16,
            source: row.source as u8,
            decision: row.decision as u8,
            ltype: row.licence_type as u8,
            flags,
        });
        Ok(())
    }

    /// Sort and freeze.
    pub fn build(self) -> Table {
        let TableBuilder {
            rows,
            ratings,
            places,
            criteria,
            ..
        } = self;
        // Dictionaries in display order; remap ids.
        let (ratings, rating_map) = reorder(ratings, |a, b| ratings::natural_cmp(&a.code, &b.code));
        let (places, place_map) = reorder(places, |a, b| a.name.cmp(&b.name));
        let (criteria, crit_map) = reorder(criteria, |a, b| ratings::natural_cmp(&a.code, &b.code));
        let mut codes: Vec<CodeEntry> = Vec::new();
        let mut code_ix: HashMap<&str, u16> = HashMap::new();
        let distinct: BTreeSet<&str> = places.iter().map(|p| p.code.as_str()).collect();
        for code in distinct {
            let region = places
                .iter()
                .find(|p| p.code == code)
                .map_or(Region::Unknown, |p| p.region);
            let name = countries::display_name(code)
                .map(str::to_string)
                .or_else(|| {
                    places
                        .iter()
                        .find(|p| p.code == code)
                        .map(|p| p.name.clone())
                })
                .unwrap_or_else(|| code.to_string());
            codes.push(CodeEntry {
                code: code.to_string(),
                name,
                region,
            });
        }
        codes.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
        for (i, c) in codes.iter().enumerate() {
            code_ix.insert(c.code.as_str(), i as u16);
        }
        let place_code = places
            .iter()
            .map(|p| code_ix.get(p.code.as_str()).copied().unwrap_or(0))
            .collect();

        let (mut order, lookup) = order::group_order(rows.len(), |i| {
            (rows[i].source, rows[i].licence, rows[i].date)
        });
        // A group's rows by rating, then as given: the same table whichever order the rows
        // came in (a file's, or a database's under its collation).
        let mut groups = 0;
        for group in order.chunk_by_mut(|&a, &b| {
            let (a, b) = (&rows[a as usize], &rows[b as usize]);
            (a.source, a.licence) == (b.source, b.licence)
        }) {
            groups += 1;
            if group.len() > 1 {
                group.sort_by_key(|&i| (rating_map[rows[i as usize].rating as usize], i));
            }
        }
        let n = rows.len();
        let mut t = Part {
            ratings,
            places,
            codes,
            place_code,
            criteria,
            ..Part::default()
        };
        // The columns gathered in table order on two threads: the group columns and those
        // read beside them here, the rest on the other.
        let (rating, place, value, count) = std::thread::scope(|scope| {
            let others = scope.spawn(|| {
                let at = |i: &u32| &rows[*i as usize];
                (
                    order
                        .iter()
                        .map(|i| rating_map[at(i).rating as usize])
                        .collect(),
                    order
                        .iter()
                        .map(|i| place_map[at(i).place as usize])
                        .collect(),
                    order.iter().map(|i| at(i).value).collect(),
                    order.iter().map(|i| at(i).count).collect(),
                )
            });
            for column in [&mut t.decision, &mut t.source, &mut t.ltype, &mut t.flags] {
                column.reserve(n);
            }
            t.gidx.reserve(n);
            t.date.reserve(n);
            t.ym.reserve(n);
            t.group_start.reserve_exact(groups + 1);
            t.group_id.reserve_exact(groups);
            t.group_crit.reserve_exact(groups);
            let mut prev: Option<(u8, u64)> = None;
            for &i in &order {
                let r = &rows[i as usize];
                let (source, licence) = (r.source, r.licence);
                if prev != Some((source, licence)) {
                    t.group_start.push(t.gidx.len() as u32);
                    t.group_id.push(licence);
                    t.group_crit.push(0);
                    prev = Some((source, licence));
                }
                t.gidx.push((t.group_id.len() - 1) as u32);
                t.date.push(r.date);
                t.ym.push(r.ym);
                t.decision.push(r.decision);
                t.source.push(r.source);
                t.ltype.push(r.ltype);
                t.flags.push(r.flags);
                let mut crit = 0u32;
                for (b, &nb) in crit_map.iter().enumerate() {
                    if r.crit & (1 << b) != 0 {
                        crit |= 1 << nb;
                    }
                }
                if let Some(c) = t.group_crit.last_mut() {
                    *c |= crit;
                }
            }
            others
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (t.rating, t.place, t.value, t.count) = (rating, place, value, count);
        t.group_start.push(t.gidx.len() as u32);
        // The per-place row lists on another thread while the cells are built here.
        let (place_rows, cells) = std::thread::scope(|scope| {
            let lists = scope.spawn(|| {
                // Counted first: each list made once at its size, not grown (and copied).
                let mut sizes = vec![0usize; t.places.len()];
                for &p in &t.place {
                    sizes[p as usize] += 1;
                }
                let mut lists: Vec<Vec<u32>> = sizes.into_iter().map(Vec::with_capacity).collect();
                for (i, &p) in t.place.iter().enumerate() {
                    lists[p as usize].push(i as u32);
                }
                lists
            });
            let cells = super::cells::Cells::build(&t);
            let lists = lists
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (lists, cells)
        });
        t.place_rows = place_rows;
        t.single_place_groups = t.group_start.windows(2).all(|w| {
            let rows = &t.place[w[0] as usize..w[1] as usize];
            rows.iter().all(|&p| p == rows[0])
        });
        t.group_lookup = lookup;
        t.ym_min = t.ym.iter().copied().min().unwrap_or(0);
        t.ym_max = t.ym.iter().copied().max().unwrap_or(0);
        t.sorted_by_date = t.date.windows(2).all(|w| w[0] <= w[1]);
        t.cells = cells;
        t.rating_cells = super::rating_cells::RatingCells::build(&t);
        t.use_cells = true;
        Table::from_part(t)
    }
}

/// Sort a dictionary; returns it and the old-index → new-index map.
fn reorder<T>(mut v: Vec<T>, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> (Vec<T>, Vec<u16>) {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| cmp(&v[a], &v[b]));
    let mut map = vec![0u16; v.len()];
    for (new, &old) in idx.iter().enumerate() {
        map[old] = new as u16;
    }
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    let sorted = idx.iter().filter_map(|&old| slots[old].take()).collect();
    (sorted, map)
}

impl Table {
    /// Build the table from an imported CAAT dataset. Refused rows become [`Decision::Refused`],
    /// the rest [`Decision::Granted`]; licence type is [`LicenceType::Unspecified`].
    pub fn from_caat(ds: &CaatDataset) -> Result<Table, TableError> {
        let mut b = TableBuilder::new();
        b.reserve(ds.values.len());
        for r in &ds.ratings {
            let description = if r.short_description.is_empty() {
                &r.full_description
            } else {
                &r.short_description
            };
            b.define_rating(&r.code, r.kind, description)?;
        }
        for (code, description) in &ds.criterion_descriptions {
            b.define_criterion(code, description)?;
        }
        // Each group's criteria as a list, found by one hash lookup a row (not a tree walk).
        let cited: HashMap<u64, Vec<String>> = ds
            .refusal_criteria
            .iter()
            .map(|(g, set)| (*g, set.iter().cloned().collect()))
            .collect();
        let none: Vec<String> = Vec::new();
        // Rows of one spelling share their rating and destination: their ids are found by
        // address (`ds` holds them all the while), not by hashing the names for every row.
        let mut rating_ids: HashMap<*const RowRating, u16> = HashMap::new();
        let mut place_ids: HashMap<*const RowDestination, u16> = HashMap::new();
        // A group's rows are usually together: its criteria found once a run.
        let mut run: Option<(u64, &Vec<String>)> = None;
        for r in &ds.values {
            let rating = match rating_ids.get(&Arc::as_ptr(&r.rating)) {
                Some(&i) => i,
                None => {
                    let i = b.rating_id(r.rating.code())?;
                    rating_ids.insert(Arc::as_ptr(&r.rating), i);
                    i
                }
            };
            let name = r.destination.name();
            let place = match place_ids.get(&Arc::as_ptr(&r.destination)) {
                Some(&i) => i,
                None => {
                    // The first row of a name defines it, with its code from the file's.
                    let i = match b.place_ix.get(name) {
                        Some(&i) => i,
                        None => {
                            let code = countries::code_for(name, r.destination.iso2());
                            let region = countries::region_of(&code).unwrap_or(Region::Unknown);
                            b.define_place(name, &code, region)?
                        }
                    };
                    place_ids.insert(Arc::as_ptr(&r.destination), i);
                    i
                }
            };
            let criteria = match run {
                Some((g, c)) if g == r.group => c,
                _ => cited.get(&r.group).unwrap_or(&none),
            };
            run = Some((r.group, criteria));
            let row = RowInput {
                source: Source::Caat,
                licence: r.group,
                date: r.date,
                rating: r.rating.code(),
                destination: name,
                decision: if r.refused {
                    Decision::Refused
                } else {
                    Decision::Granted
                },
                licence_type: LicenceType::Unspecified,
                value_gbp: r.value_gbp,
                count: r.count.unwrap_or(0),
                criteria,
                outlier: r.outlier,
            };
            b.push_with(&row, rating, place)?;
        }
        Ok(b.build())
    }
}
