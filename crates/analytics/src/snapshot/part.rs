//! A table part and the dictionaries, field by field. Enums are written as their index in
//! their `ALL` list (a change of order bumps `FORMAT_VERSION`).

use super::codec::{Reader, Writer};
use super::SnapshotError;
use crate::countries::Region;
use crate::ratings::RatingKind;
use crate::table::cells::{Cells, Sums, KINDS};
use crate::table::rating_cells::{RatingCells, RatingPart};
use crate::table::{CodeEntry, CriterionEntry, Part, PlaceEntry, RatingEntry};

type Dictionaries = (
    Vec<RatingEntry>,
    Vec<PlaceEntry>,
    Vec<CodeEntry>,
    Vec<CriterionEntry>,
);

fn index_of<T: PartialEq>(all: &[T], x: &T) -> u8 {
    all.iter().position(|a| a == x).unwrap_or(0) as u8
}

fn nth<T: Copy>(all: &[T], i: u8, what: &str) -> Result<T, SnapshotError> {
    all.get(i as usize)
        .copied()
        .ok_or_else(|| SnapshotError::Corrupt(format!("{i} is not a {what}")))
}

pub(super) fn put_dictionaries(
    w: &mut Writer,
    (ratings, places, codes, criteria): (
        &[RatingEntry],
        &[PlaceEntry],
        &[CodeEntry],
        &[CriterionEntry],
    ),
) {
    w.u64(ratings.len() as u64);
    for r in ratings {
        w.str(&r.code);
        w.u8(index_of(&RatingKind::ALL, &r.kind));
        w.str(&r.description);
    }
    w.u64(places.len() as u64);
    for p in places {
        w.str(&p.name);
        w.str(&p.code);
        w.u8(index_of(&Region::ALL, &p.region));
    }
    w.u64(codes.len() as u64);
    for c in codes {
        w.str(&c.code);
        w.str(&c.name);
        w.u8(index_of(&Region::ALL, &c.region));
    }
    w.u64(criteria.len() as u64);
    for c in criteria {
        w.str(&c.code);
        w.str(&c.description);
    }
}

pub(super) fn get_dictionaries(r: &mut Reader) -> Result<Dictionaries, SnapshotError> {
    let mut ratings = Vec::new();
    for _ in 0..r.count()? {
        ratings.push(RatingEntry {
            code: r.str()?,
            kind: nth(&RatingKind::ALL, r.u8()?, "rating kind")?,
            description: r.str()?,
        });
    }
    let mut places = Vec::new();
    for _ in 0..r.count()? {
        places.push(PlaceEntry {
            name: r.str()?,
            code: r.str()?,
            region: nth(&Region::ALL, r.u8()?, "region")?,
        });
    }
    let mut codes = Vec::new();
    for _ in 0..r.count()? {
        codes.push(CodeEntry {
            code: r.str()?,
            name: r.str()?,
            region: nth(&Region::ALL, r.u8()?, "region")?,
        });
    }
    let mut criteria = Vec::new();
    for _ in 0..r.count()? {
        criteria.push(CriterionEntry {
            code: r.str()?,
            description: r.str()?,
        });
    }
    Ok((ratings, places, codes, criteria))
}

fn put_sums(w: &mut Writer, s: &Sums) {
    w.i128(s.value);
    w.i128(s.value_kept);
    w.u32(s.groups_kept);
    for k in 0..KINDS {
        w.i128(s.value_k[k]);
        w.i128(s.value_kept_k[k]);
        w.u32(s.groups_kept_k[k]);
    }
}

fn get_sums(r: &mut Reader) -> Result<Sums, SnapshotError> {
    let mut s = Sums {
        value: r.i128()?,
        value_kept: r.i128()?,
        groups_kept: r.u32()?,
        ..Sums::default()
    };
    for k in 0..KINDS {
        s.value_k[k] = r.i128()?;
        s.value_kept_k[k] = r.i128()?;
        s.groups_kept_k[k] = r.u32()?;
    }
    Ok(s)
}

fn put_cells(w: &mut Writer, c: &Cells) {
    w.column(&c.date);
    w.column(&c.ym);
    w.column(&c.place);
    w.u8s(&c.decision);
    w.u8s(&c.source);
    w.u8s(&c.ltype);
    w.column(&c.crit);
    w.u8s(&c.kinds);
    w.column(&c.groups);
    w.i128s(&c.value);
    w.u64(c.sums.len() as u64);
    for s in &c.sums {
        put_sums(w, s);
    }
    w.column(&c.group_cell);
    let (a, b): (Vec<u64>, Vec<u64>) = c
        .residual
        .iter()
        .map(|&(a, b)| (a as u64, b as u64))
        .unzip();
    w.column(&a);
    w.column(&b);
}

fn usizes(v: Vec<u64>) -> Result<Vec<usize>, SnapshotError> {
    v.into_iter()
        .map(|x| usize::try_from(x).map_err(|_| SnapshotError::Corrupt(format!("{x} too large"))))
        .collect()
}

fn get_cells(r: &mut Reader) -> Result<Cells, SnapshotError> {
    let mut c = Cells {
        date: r.column::<i32>()?,
        ym: r.column::<u16>()?,
        place: r.column::<u16>()?,
        decision: r.u8s()?,
        source: r.u8s()?,
        ltype: r.u8s()?,
        crit: r.column::<u32>()?,
        kinds: r.u8s()?,
        groups: r.column::<u32>()?,
        value: r.i128s()?,
        ..Cells::default()
    };
    let n = r.count()?;
    c.sums.reserve(n);
    for _ in 0..n {
        c.sums.push(get_sums(r)?);
    }
    c.group_cell = r.column::<u32>()?;
    let (a, b) = (usizes(r.column::<u64>()?)?, usizes(r.column::<u64>()?)?);
    if a.len() != b.len() {
        return Err(SnapshotError::Corrupt(
            "residual ranges do not pair up".into(),
        ));
    }
    c.residual = a.into_iter().zip(b).collect();
    Ok(c)
}

fn put_rating_cells(w: &mut Writer, c: &RatingCells) {
    w.column(&c.cell_start);
    w.column(&c.groups);
    w.column(&c.part_start);
    w.u64(c.parts.len() as u64);
    for p in &c.parts {
        w.u16(p.rating);
        w.bool(p.kept);
        w.i128(p.value);
        w.i128(p.value_kept);
    }
}

fn get_rating_cells(r: &mut Reader) -> Result<RatingCells, SnapshotError> {
    let mut c = RatingCells {
        cell_start: r.column::<u32>()?,
        groups: r.column::<u32>()?,
        part_start: r.column::<u32>()?,
        parts: Vec::new(),
    };
    let n = r.count()?;
    c.parts.reserve(n);
    for _ in 0..n {
        c.parts.push(RatingPart {
            rating: r.u16()?,
            kept: r.bool()?,
            value: r.i128()?,
            value_kept: r.i128()?,
        });
    }
    Ok(c)
}

pub(super) fn put_part(w: &mut Writer, p: &Part) {
    w.column(&p.gidx);
    w.column(&p.date);
    w.column(&p.ym);
    w.column(&p.rating);
    w.column(&p.place);
    w.u8s(&p.decision);
    w.u8s(&p.source);
    w.u8s(&p.ltype);
    w.u8s(&p.flags);
    w.column(&p.value);
    w.column(&p.count);
    w.column(&p.group_id);
    w.column(&p.group_crit);
    w.column(&p.group_start);
    w.u64(p.place_rows.len() as u64);
    for rows in &p.place_rows {
        w.column(rows);
    }
    w.bool(p.single_place_groups);
    let sources: Vec<u8> = p.group_lookup.iter().map(|x| x.0).collect();
    let ids: Vec<u64> = p.group_lookup.iter().map(|x| x.1).collect();
    let gidx: Vec<u32> = p.group_lookup.iter().map(|x| x.2).collect();
    w.u8s(&sources);
    w.column(&ids);
    w.column(&gidx);
    put_dictionaries(w, (&p.ratings, &p.places, &p.codes, &p.criteria));
    w.column(&p.place_code);
    w.u16(p.ym_min);
    w.u16(p.ym_max);
    w.bool(p.sorted_by_date);
    w.u64(p.max_threads as u64);
    put_cells(w, &p.cells);
    put_rating_cells(w, &p.rating_cells);
    w.bool(p.use_cells);
}

pub(super) fn get_part(r: &mut Reader) -> Result<Part, SnapshotError> {
    let mut p = Part {
        gidx: r.column::<u32>()?,
        date: r.column::<i32>()?,
        ym: r.column::<u16>()?,
        rating: r.column::<u16>()?,
        place: r.column::<u16>()?,
        decision: r.u8s()?,
        source: r.u8s()?,
        ltype: r.u8s()?,
        flags: r.u8s()?,
        value: r.column::<i64>()?,
        count: r.column::<u32>()?,
        group_id: r.column::<u64>()?,
        group_crit: r.column::<u32>()?,
        group_start: r.column::<u32>()?,
        ..Part::default()
    };
    for _ in 0..r.count()? {
        p.place_rows.push(r.column::<u32>()?);
    }
    p.single_place_groups = r.bool()?;
    let (sources, ids, gidx) = (r.u8s()?, r.column::<u64>()?, r.column::<u32>()?);
    if sources.len() != ids.len() || ids.len() != gidx.len() {
        return Err(SnapshotError::Corrupt(
            "the group index does not line up".into(),
        ));
    }
    p.group_lookup = sources
        .into_iter()
        .zip(ids)
        .zip(gidx)
        .map(|((s, id), g)| (s, id, g))
        .collect();
    (p.ratings, p.places, p.codes, p.criteria) = get_dictionaries(r)?;
    p.place_code = r.column::<u16>()?;
    p.ym_min = r.u16()?;
    p.ym_max = r.u16()?;
    p.sorted_by_date = r.bool()?;
    p.max_threads = r.u64()? as usize;
    p.cells = get_cells(r)?;
    p.rating_cells = get_rating_cells(r)?;
    p.use_cells = r.bool()?;
    check(&p)?;
    Ok(p)
}

/// The columns agree in length and every index points inside its dictionary, so a query on a
/// loaded part cannot index out of bounds.
fn check(p: &Part) -> Result<(), SnapshotError> {
    let n = p.gidx.len();
    let lens = [
        p.date.len(),
        p.ym.len(),
        p.rating.len(),
        p.place.len(),
        p.decision.len(),
        p.source.len(),
        p.ltype.len(),
        p.flags.len(),
        p.value.len(),
        p.count.len(),
    ];
    let groups = p.group_id.len();
    let bad = |what: &str| Err(SnapshotError::Corrupt(what.to_string()));
    if lens.iter().any(|&l| l != n) {
        return bad("the row columns differ in length");
    }
    if p.group_crit.len() != groups || p.group_start.len() != groups + 1 && n > 0 {
        return bad("the group columns differ in length");
    }
    if p.gidx.iter().any(|&g| g as usize >= groups) {
        return bad("a row's group is out of range");
    }
    if p.rating.iter().any(|&x| x as usize >= p.ratings.len())
        || p.place.iter().any(|&x| x as usize >= p.places.len())
        || p.place_code.len() != p.places.len()
        || p.place_code.iter().any(|&x| x as usize >= p.codes.len())
    {
        return bad("a dictionary index is out of range");
    }
    if p.group_start.iter().any(|&s| s as usize > n)
        || p.place_rows.iter().flatten().any(|&r| r as usize >= n)
    {
        return bad("a row index is out of range");
    }
    Ok(())
}
