"""DuckDB's side of the analytics benchmark (scripts/bench-analytics.sh runs it beside
examples/bench_compare.rs on the same files): ingest the CAAT CSV files of `dir` into DuckDB
tables (ratings joined in for the military flag, criteria de-duplicated), then time the same
queries (median of `runs`, results fetched). Prints one JSON object.

Usage: python bench_compare.py <caat dir> [runs=21] [threads=2]     (needs duckdb)
"""
import json, os, statistics, sys, time

import duckdb

src = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 21
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
values = next(os.path.join(src, f) for f in sorted(os.listdir(src)) if f.startswith("values") and f.endswith(".csv"))

con = duckdb.connect()
con.execute(f"SET threads={threads}")
NORM = "CASE WHEN regexp_matches(rating, '^[mM][lL][0-9]') THEN upper(rating) ELSE rating END"
t = time.perf_counter()
con.execute(f"""CREATE TABLE v AS
  SELECT l.licence, l.date, l.rating, l.value, l.country, l.refused, coalesce(m.military, 0) AS military
  FROM (SELECT licence_group AS licence, date, {NORM} AS rating, value, country, refused
        FROM read_csv('{values}', header=true, columns={{'licence_group':'BIGINT','date':'DATE','rating':'VARCHAR','count':'BIGINT','value':'BIGINT','country':'VARCHAR','refused':'INTEGER'}})) l
  LEFT JOIN (SELECT {NORM} AS rating, max(military) AS military
             FROM read_csv('{src}/ratings.csv', header=true, columns={{'rating':'VARCHAR','military':'INTEGER','short_description':'VARCHAR','full_description':'VARCHAR'}})
             GROUP BY 1) m USING (rating)""")
con.execute(f"""CREATE TABLE c AS SELECT DISTINCT licence_group AS licence, criteria AS criterion
  FROM read_csv('{src}/refusal-criteria.csv', header=true, columns={{'licence_group':'BIGINT','criteria':'VARCHAR','description':'VARCHAR'}})""")
ingest = time.perf_counter() - t

M = "count(DISTINCT licence), sum(value), count(DISTINCT licence) FILTER (WHERE refused = 1)"
Q = [
 ("military value to Saudi Arabia, 2012", f"SELECT {M} FROM v WHERE country = 'Saudi Arabia' AND military = 1 AND date BETWEEN DATE '2012-01-01' AND DATE '2012-12-31'"),
 ("military to Israel, 2014-09-01..12-31", f"SELECT {M} FROM v WHERE country = 'Israel' AND military = 1 AND date BETWEEN DATE '2014-09-01' AND DATE '2014-12-31'"),
 ("refusals to Israel by criterion, 2008-2015", "SELECT criterion, count(DISTINCT g.licence) FROM (SELECT DISTINCT licence FROM v WHERE country = 'Israel' AND refused = 1 AND date BETWEEN DATE '2008-01-01' AND DATE '2015-12-31') g LEFT JOIN c USING (licence) GROUP BY criterion ORDER BY criterion"),
 ("top 10 destinations by value", f"SELECT country, sum(value) s, {M} FROM v GROUP BY country ORDER BY s DESC, country LIMIT 10"),
 ("top 10 destinations, without the largest", f"SELECT country, sum(value) s, {M} FROM v WHERE licence <> 51396 GROUP BY country ORDER BY s DESC, country LIMIT 10"),
 ("value by destination and year", f"SELECT country, year(date), {M} FROM v GROUP BY ALL"),
 ("by rating and month", f"SELECT rating, date_trunc('month', date), {M} FROM v GROUP BY ALL"),
]
out = []
for name, sql in Q:
    rows = con.execute(sql).fetchall()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        con.execute(sql).fetchall()
        ts.append(time.perf_counter() - t)
    out.append({"query": name, "median_ms": statistics.median(ts) * 1e3, "rows": len(rows),
                "first_row": [str(x) for x in rows[0]] if rows else None})
n = con.execute("SELECT count(*), count(DISTINCT licence) FROM v").fetchone()
print(json.dumps({"rows": n[0], "licence_groups": n[1], "ingest_s": ingest, "threads": threads,
                  "runs": runs, "duckdb": duckdb.__version__, "queries": out}))
