//! Drill-down: the licence groups behind a query, with the value of their matching rows.

use serde::Serialize;
use time::Date;

use super::plan::Plan;
use crate::countries::Region;
use crate::table::{days_to_date, Decision, Part, Source, FLAG_OUTLIER};

/// How to order drill-down results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceOrder {
    /// Largest matching value first (ties: earlier date, then id).
    #[default]
    ValueDesc,
    /// Part order: by date, then source and id.
    Date,
}

/// One licence group with the rows that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenceSummary {
    pub source: Source,
    pub licence: u64,
    pub date: Date,
    pub destination: String,
    pub iso2: String,
    pub region: Region,
    pub decision: Decision,
    /// Sum over the matching rows.
    pub value_gbp: i128,
    /// Ratings of the matching rows.
    pub ratings: Vec<String>,
    pub criteria: Vec<String>,
    pub outlier: bool,
}

/// The groups, each with its earliest date (its place in table order is that date, then its
/// source and id; parts' lists merge by it).
pub(super) fn collect(
    t: &Part,
    p: &Plan,
    order: LicenceOrder,
    limit: usize,
) -> Vec<(i32, LicenceSummary)> {
    // Pass 1: the matching value of each group, cheaply.
    let mut groups: Vec<(u32, i128)> = Vec::new();
    p.visit(t, &p.ranges, |i| {
        if p.key_of(t, i).is_none() {
            return;
        }
        let g = t.gidx[i];
        match groups.last_mut() {
            Some((last, v)) if *last == g => *v += t.value[i] as i128,
            _ => groups.push((g, t.value[i] as i128)),
        }
    });
    // Group order is (date, source, id), so it breaks value ties by date then id.
    match order {
        LicenceOrder::ValueDesc => {
            groups.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)))
        }
        LicenceOrder::Date => groups.sort_unstable_by_key(|&(g, _)| g),
    }
    groups.truncate(limit);
    // Pass 2: describe only the groups returned.
    groups
        .into_iter()
        .filter_map(|(g, value)| {
            let rows = t.group_start[g as usize] as usize..t.group_start[g as usize + 1] as usize;
            // Within the plan's ranges too: a sorted date range may cut a group whose rows
            // have several dates (the row checks then leave the date out).
            let matching: Vec<usize> = rows
                .filter(|&i| in_ranges(&p.ranges, i) && p.key_of(t, i).is_some())
                .collect();
            let &first = matching.first()?;
            let place = &t.places[t.place[first] as usize];
            let earliest = (t.group_start[g as usize]..t.group_start[g as usize + 1])
                .map(|i| t.date[i as usize])
                .min()?;
            Some((
                earliest,
                LicenceSummary {
                    source: Source::from_u8(t.source[first]),
                    licence: t.group_id[g as usize],
                    date: days_to_date(t.date[first]),
                    destination: place.name.clone(),
                    iso2: place.code.clone(),
                    region: place.region,
                    decision: Decision::from_u8(t.decision[first]),
                    value_gbp: value,
                    ratings: matching
                        .iter()
                        .map(|&i| t.ratings[t.rating[i] as usize].code.clone())
                        .collect(),
                    criteria: t
                        .criteria_of(t.group_crit[g as usize])
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                    outlier: matching.iter().any(|&i| t.flags[i] & FLAG_OUTLIER != 0),
                },
            ))
        })
        .collect()
}

/// Whether row `i` lies in one of `ranges` (ascending, disjoint, half-open).
fn in_ranges(ranges: &[(usize, usize)], i: usize) -> bool {
    let k = ranges.partition_point(|r| r.1 <= i);
    ranges.get(k).is_some_and(|r| r.0 <= i)
}
