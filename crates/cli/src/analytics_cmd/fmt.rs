//! Printing a statistics answer as an aligned text table or as CSV.

use anyhow::Result;
use probity_service::analytics::StatsAnswer;
use serde_json::Value;

/// Key-value metadata written into exported Parquet files.
pub const PARQUET_METADATA: [(&str, &str); 3] = [
    ("producer", "Probity open data (probity export)"),
    (
        "source",
        "caat rows: Campaign Against Arms Trade, compiled from UK Strategic Export Controls data \
         (Crown copyright, Open Government Licence v3.0); probity rows: this register",
    ),
    (
        "value_gbp",
        "licensed value in pounds; null where none was published",
    ),
];

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn rows(a: &StatsAnswer) -> Result<(Vec<&'static str>, Vec<Vec<String>>)> {
    let cols = a.columns();
    let mut out = Vec::with_capacity(a.rows.len());
    for r in &a.rows {
        let v = serde_json::to_value(r)?;
        out.push(cols.iter().map(|c| cell(v.get(*c))).collect());
    }
    Ok((cols, out))
}

/// CSV with a header row; one line per result row (the total is the sum of the rows only
/// where no criterion grouping counts a licence twice, so it is not repeated here).
pub fn csv(a: &StatsAnswer) -> Result<String> {
    let (cols, rows) = rows(a)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&cols)?;
    for r in rows {
        w.write_record(&r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn thousands(s: &str) -> String {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return s.to_string();
    }
    let (sign, digits) = s.split_at(usize::from(s.starts_with('-')));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

/// An aligned table followed by the total.
pub fn table(a: &StatsAnswer) -> String {
    let Ok((cols, rows)) = rows(a) else {
        return String::new();
    };
    let measures = 4;
    let keys = cols.len() - measures;
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .enumerate()
                .map(|(i, c)| if i >= keys { thousands(&c) } else { c })
                .collect()
        })
        .collect();
    let mut width: Vec<usize> = cols.iter().map(|c| c.len()).collect();
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i >= keys {
                    format!("{c:>w$}", w = width[i])
                } else {
                    format!("{c:<w$}", w = width[i])
                }
            })
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    if !rows.is_empty() {
        line(
            &cols.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            &mut out,
        );
        for r in &rows {
            line(r, &mut out);
        }
        out.push('\n');
    }
    let t = &a.total;
    out.push_str(&format!(
        "total: {} licences, £{} value, {} refused, {} criteria citations\n",
        thousands(&t.licences.to_string()),
        thousands(&t.value_gbp.to_string()),
        thousands(&t.refused.to_string()),
        thousands(&t.criteria_citations.to_string()),
    ));
    out
}
