//! Charts as inline SVG, drawn on the server: readable without JavaScript or CSS, with a title
//! and description for assistive technology (each chart also has its data as a table beside
//! it). Only presentation attributes are used, so the site's content security policy (no
//! inline styles) holds.

use std::fmt::Write;

/// What the numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Pounds,
    Count,
}

/// Escape text for XML/HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Thousands separators: 1234567 → "1,234,567".
pub fn thousands(n: i128) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Whole numbers as templates hand them over (values or references).
pub trait Whole {
    fn whole(&self) -> i128;
}
impl Whole for i128 {
    fn whole(&self) -> i128 {
        *self
    }
}
impl Whole for u64 {
    fn whole(&self) -> i128 {
        i128::from(*self)
    }
}
impl<T: Whole + ?Sized> Whole for &T {
    fn whole(&self) -> i128 {
        (**self).whole()
    }
}

/// [`thousands`] for templates.
pub fn n(x: impl Whole) -> String {
    thousands(x.whole())
}

/// A short label: £1.2bn, £350m, £12k, 1,234.
pub fn short(v: i128, unit: Unit) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs() as f64;
    let body = if unit == Unit::Count {
        return format!("{sign}{}", thousands(v.abs()));
    } else if a >= 1e9 {
        format!("{:.1}bn", a / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}m", a / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", a / 1e3)
    } else {
        format!("{a:.0}")
    };
    format!("{sign}£{}", body.replace(".0bn", "bn").replace(".0m", "m"))
}

/// A round step for about five ticks up to `max`.
fn step(max: i128) -> i128 {
    if max <= 0 {
        return 1;
    }
    let raw = max as f64 / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|m| m * mag >= raw)
        .unwrap_or(10.0);
    ((nice * mag).round() as i128).max(1)
}

const W: f64 = 720.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 16.0;

/// A column chart over time (one column per period, in order).
pub fn columns(id: &str, title: &str, points: &[(String, i128)], unit: Unit) -> String {
    let h = 260.0;
    let (top, bottom) = (16.0, 48.0);
    let plot_h = h - top - bottom;
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(0);
    let st = step(max);
    let ymax = ((max + st - 1) / st).max(1) * st;
    let n = points.len().max(1) as f64;
    let slot = (W - LEFT - RIGHT) / n;
    let mut s = String::new();
    let total: i128 = points.iter().map(|p| p.1).sum();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" class="chart"><title id="{id}-t">{}</title><desc id="{id}-d">{} periods from {} to {}; total {}. The same numbers are in the table below the chart.</desc>"#,
        esc(title),
        points.len(),
        esc(points.first().map_or("", |p| p.0.as_str())),
        esc(points.last().map_or("", |p| p.0.as_str())),
        esc(&short(total, unit)),
    );
    let y = |v: i128| top + plot_h - (v.max(0) as f64 / ymax as f64) * plot_h;
    let mut t = 0;
    while t <= ymax {
        let yy = y(t);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#d0d7de" stroke-width="1"/><text x="{}" y="{:.1}" font-size="13" text-anchor="end" fill="#0b0c0c">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            esc(&short(t, unit))
        );
        t += st;
    }
    let every = (points.len() / 12).max(1);
    for (i, (label, v)) in points.iter().enumerate() {
        let x = LEFT + i as f64 * slot;
        let yy = y(*v);
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{yy:.1}" width="{:.1}" height="{:.1}" fill="#1d70b8"><title>{}: {}</title></rect>"##,
            x + slot * 0.1,
            (slot * 0.8).max(1.0),
            (top + plot_h - yy).max(0.0),
            esc(label),
            esc(&short(*v, unit))
        );
        if i % every == 0 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
                x + slot / 2.0,
                h - bottom + 16.0,
                esc(label)
            );
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#333"/></svg>"##,
        W - RIGHT,
        top + plot_h,
        top + plot_h
    );
    s
}

/// A horizontal bar chart, largest first as given.
pub fn bars(id: &str, title: &str, items: &[(String, i128)], unit: Unit) -> String {
    let row = 22.0;
    let label_w = 220.0;
    let h = 24.0 + row * items.len().max(1) as f64;
    let max = items.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let plot_w = W - label_w - 90.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" class="chart"><title id="{id}-t">{}</title><desc id="{id}-d">{} bars; largest {} ({}). The same numbers are in the table below the chart.</desc>"#,
        esc(title),
        items.len(),
        esc(items.first().map_or("", |p| p.0.as_str())),
        esc(&short(items.first().map_or(0, |p| p.1), unit)),
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 12.0 + i as f64 * row;
        let w = (v.max(&0).to_owned() as f64 / max as f64) * plot_w;
        let shown: String = label.chars().take(30).collect();
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="end" fill="#0b0c0c">{}</text><rect x="{label_w}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#1d70b8"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">{}</text>"##,
            label_w - 6.0,
            y + row * 0.6,
            esc(&shown),
            y + 3.0,
            w.max(1.0),
            row - 6.0,
            esc(label),
            esc(&short(*v, unit)),
            label_w + w + 4.0,
            y + row * 0.6,
            esc(&short(*v, unit)),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_steps() {
        assert_eq!(short(1_234_000_000, Unit::Pounds), "£1.2bn");
        assert_eq!(short(350_000_000, Unit::Pounds), "£350m");
        assert_eq!(short(12_400, Unit::Pounds), "£12k");
        assert_eq!(short(1234, Unit::Count), "1,234");
        assert_eq!(thousands(-1234567), "-1,234,567");
        assert_eq!(step(1000), 200);
        assert_eq!(step(0), 1);
    }

    #[test]
    fn charts_escape_labels_and_describe_themselves() {
        let svg = bars(
            "b",
            "Top <destinations>",
            &[("A&B".into(), 10)],
            Unit::Count,
        );
        assert!(svg.contains("<title id=\"b-t\">Top &lt;destinations&gt;</title>"));
        assert!(svg.contains("A&amp;B"));
        assert!(!svg.contains("style="));
        let svg = columns(
            "c",
            "By year",
            &[("2014".into(), 5), ("2015".into(), 0)],
            Unit::Count,
        );
        assert!(svg.contains("2 periods from 2014 to 2015"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn chart_text_is_at_least_12px_and_dark() {
        let charts = [
            bars(
                "b",
                "Top",
                &[("A very long destination name indeed".into(), 3)],
                Unit::Count,
            ),
            columns("c", "By year", &[("2014".into(), 5)], Unit::Pounds),
        ];
        for svg in charts {
            for size in svg.split(r#"font-size=""#).skip(1) {
                let px: f64 = size.split('"').next().unwrap().parse().unwrap();
                assert!(px >= 12.0, "{px} px text in {svg}");
            }
            for text in svg.split("<text ").skip(1) {
                // Near-black on white: a contrast of 19:1.
                assert!(text.contains(r##"fill="#0b0c0c""##), "{text}");
            }
        }
    }
}
