"""DuckDB side of the analytics benchmark: the CAAT values replicated `copies` times (licence ids
offset by k * 10^6), ingested into DuckDB (2 threads), and the queries of
`examples/timing.rs` timed (median of 11). Compare with:
    cargo run -p probity-analytics --release --example timing
Usage: python duckdb_compare.py [copies=52] [caat-uk dir] [work dir]   (needs `pip install duckdb`)
"""
import csv, os, statistics, sys, tempfile, time

import duckdb
src = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../../../../shared/data/caat-uk")
copies = int(sys.argv[1]) if len(sys.argv) > 1 else 52
work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(prefix="probity-bench-")
mil = {r["rating"].upper() if r["rating"].lower().startswith("ml") else r["rating"]: r["military"] == "1"
       for r in csv.DictReader(open(f"{src}/ratings.csv", encoding="utf-8", newline=""))}
rows = list(csv.DictReader(open(f"{src}/values-2008-2015q1.csv", encoding="utf-8", newline="")))
out = os.path.join(work, "values.csv")
if not os.path.exists(out):
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["licence", "date", "rating", "value", "country", "refused", "military"])
        for k in range(copies):
            off = k * 1_000_000
            for r in rows:
                rating = r["rating"].upper() if r["rating"].startswith("ml") else r["rating"]
                w.writerow([int(r["licence_group"]) + off, r["date"], rating, r["value"], r["country"], r["refused"], int(mil.get(rating, False))])
crit = os.path.join(work, "criteria.csv")
if not os.path.exists(crit):
    cr = {(r["licence_group"], r["criteria"]) for r in csv.DictReader(open(f"{src}/refusal-criteria.csv", encoding="utf-8", newline=""))}
    with open(crit, "w", newline="") as f:
        w = csv.writer(f); w.writerow(["licence", "criterion"])
        for k in range(copies):
            for g, c in sorted(cr):
                w.writerow([int(g) + k * 1_000_000, c])
con = duckdb.connect()
con.execute("SET threads=2")
t = time.perf_counter()
con.execute(f"CREATE TABLE v AS SELECT * FROM read_csv('{out}', header=true, columns={{'licence':'BIGINT','date':'DATE','rating':'VARCHAR','value':'BIGINT','country':'VARCHAR','refused':'INTEGER','military':'INTEGER'}})")
con.execute(f"CREATE TABLE c AS SELECT * FROM read_csv('{crit}', header=true, columns={{'licence':'BIGINT','criterion':'VARCHAR'}})")
print(f"duckdb ingest: {time.perf_counter()-t:.2f} s, rows {con.execute('select count(*) from v').fetchone()[0]}")
Q = {
 "military value, Saudi Arabia, 2012": "SELECT count(DISTINCT licence), sum(value) FROM v WHERE country='Saudi Arabia' AND military=1 AND date BETWEEN DATE '2012-01-01' AND DATE '2012-12-31'",
 "military, Israel, 2014-09-01..2014-12-31": "SELECT count(DISTINCT licence), sum(value) FROM v WHERE country='Israel' AND military=1 AND date BETWEEN DATE '2014-09-01' AND DATE '2014-12-31'",
 "refusals to Israel by criterion": "SELECT criterion, count(DISTINCT g.licence) FROM (SELECT DISTINCT licence FROM v WHERE country='Israel' AND refused=1) g LEFT JOIN c USING (licence) GROUP BY criterion",
 "top 10 destinations by value": "SELECT country, sum(value) s, count(DISTINCT licence), count(DISTINCT licence) FILTER (WHERE refused=1) FROM v GROUP BY country ORDER BY s DESC LIMIT 10",
 "top 10 destinations, without largest": "SELECT country, sum(value) s, count(DISTINCT licence), count(DISTINCT licence) FILTER (WHERE refused=1) FROM v WHERE licence <> 51396 GROUP BY country ORDER BY s DESC LIMIT 10",
 "value by destination and year": "SELECT country, year(date), sum(value), count(DISTINCT licence), count(DISTINCT licence) FILTER (WHERE refused=1) FROM v GROUP BY ALL",
 "value by destination and year (sum only)": "SELECT country, year(date), sum(value) FROM v GROUP BY ALL",
 "by rating and month": "SELECT rating, date_trunc('month', date), sum(value), count(DISTINCT licence) FROM v GROUP BY ALL",
}
for name, sql in Q.items():
    con.execute(sql).fetchall()
    ts = []
    for _ in range(11):
        t = time.perf_counter(); con.execute(sql).fetchall(); ts.append(time.perf_counter() - t)
    print(f"  {name:<42} {statistics.median(ts)*1e3:9.3f} ms   {con.execute(sql).fetchall()[:1]}")
