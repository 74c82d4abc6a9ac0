#!/usr/bin/env bash
# The analytics benchmark: Probity's columnar engine beside DuckDB (installed from PyPI into a
# virtualenv of its own, here and never in tests) on the real CAAT data replicated to at least
# 5,000,000 rows, in one run: ingest time and each query's median latency, with ratios; the
# server time of the analysis pages at that size; and `probity import caat` of the real files
# into SQLite beside a bare-insert baseline of the same rows; and the first view of pages right
# after a new decision, beside the same run's whole-table rebuild (what a decision cost before
# the table was split into the imported history and Probity's own part). Writes its section of BENCHMARKS.md between
# <!-- bench:analytics:begin --> and <!-- bench:analytics:end --> (other sections are kept).
#
# At that size, on SQLite and PostgreSQL: `probity import caat` of the replicated files (to
# imported and queryable) beside DuckDB's ingest of the same files, and the time from starting
# `probity serve` to its first answer, with the snapshot and without.
#
# Environment: COPIES (52 → 5,008,172 rows), RUNS (21), THREADS (2), PROBITY_CAAT_DIR,
# PROBITY_BENCH_POSTGRES_URL (an admin url, postgres://user@host:port/postgres; default
# PROBITY_TEST_POSTGRES_URL; without either the PostgreSQL part is left out and says so),
# BENCH_WORK (target/bench-analytics), CARGO_TARGET_DIR (target; a directory of its own keeps
# other checkouts' builds from replacing these crates in between). Needs network access to
# PyPI the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES=${COPIES:-52}
RUNS=${RUNS:-21}
THREADS=${THREADS:-2}
SRC=${PROBITY_CAAT_DIR:-../shared/data/caat-uk}
WORK=${BENCH_WORK:-target/bench-analytics}
VENV=target/bench-venv
BIN=${CARGO_TARGET_DIR:-target}/release
DATA="$WORK/caat-x$COPIES"
[ -f "$SRC/values-2008-2015q1.csv" ] || { echo "CAAT data not found in $SRC" >&2; exit 1; }
mkdir -p "$WORK"

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import duckdb' 2>/dev/null || "$VENV/bin/pip" install --quiet duckdb

if [ ! -f "$DATA/values.csv" ]; then
	echo "replicating the CAAT values ×$COPIES into $DATA" >&2
	mkdir -p "$DATA"
	"$VENV/bin/python" - "$SRC" "$DATA" "$COPIES" <<'PY'
import csv, shutil, sys
src, out, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.copy(f"{src}/ratings.csv", f"{out}/ratings.csv")
def rep(name, target, id_col):
    rows = list(csv.reader(open(f"{src}/{name}", encoding="utf-8", newline="")))
    with open(f"{out}/{target}", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(rows[0])
        for k in range(copies):
            for r in rows[1:]:
                r = list(r); r[id_col] = str(int(r[id_col]) + k * 1_000_000); w.writerow(r)
rep("values-2008-2015q1.csv", "values.csv", 0)
rep("refusal-criteria.csv", "refusal-criteria.csv", 0)
PY
fi

cargo build --release -p probity-analytics --example bench_compare
cargo build --release -p probity-web --example page_timing
cargo build --release -p probity-cli --bin probity
echo "import of the real files into SQLite" >&2
"$VENV/bin/python" crates/analytics/bench/import_compare.py "$BIN/probity" "$SRC" "$WORK/import" 3 >"$WORK/import.json"
echo "Probity: ingest and queries" >&2
"$BIN/examples/bench_compare" "$DATA" "$RUNS" "$THREADS" >"$WORK/probity.json"
echo "DuckDB: ingest and queries" >&2
"$VENV/bin/python" crates/analytics/bench/bench_compare.py "$DATA" "$RUNS" "$THREADS" >"$WORK/duckdb.json"
echo "import and restart at scale" >&2
"$VENV/bin/python" crates/analytics/bench/import_scale.py "$BIN/probity" "$DATA" "$WORK/scale" \
	"${PROBITY_BENCH_POSTGRES_URL:-${PROBITY_TEST_POSTGRES_URL:-}}" >"$WORK/scale.json"
echo "pages" >&2
"$BIN/examples/page_timing" "$DATA" "$WORK/caat-x$COPIES.db" "$RUNS" >"$WORK/pages.json"

"$VENV/bin/python" - "$WORK" "$COPIES" "$THREADS" <<'PY'
import json, os, platform, re, sys, datetime
work, copies, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3]
p = json.load(open(f"{work}/probity.json")); d = json.load(open(f"{work}/duckdb.json"))
pages = json.load(open(f"{work}/pages.json"))
imp = json.load(open(f"{work}/import.json"))
scale = json.load(open(f"{work}/scale.json"))
def same(a, b):
    pa, db = a.get("first_row"), b.get("first_row")
    if a["rows"] == 0:  # ungrouped: compare totals with DuckDB's single row
        return db is not None and [str(a["licences"]), a["value_gbp"], str(a["refused"])] == db[:3]
    if a["rows"] != b["rows"]:
        return False
    if isinstance(pa, dict) and "published_name" in pa and "value_gbp" in pa and db and db[0] == pa["published_name"]:
        return str(pa["value_gbp"]) == db[1]
    return True
def ms(x): return f"{x:.2f} ms" if x < 100 else f"{x:.0f} ms"
lines = []
lines.append("## Analytics: Probity's columnar engine beside DuckDB")
lines.append("")
lines.append(f"`scripts/bench-analytics.sh`, {datetime.date.today()}, {os.cpu_count()} cores ({platform.machine()}). "
             f"Data: the real CAAT UK values (96,311 rows, 2008–2015 Q1) replicated ×{copies} with licence ids offset per copy: "
             f"**{p['rows']:,} rows**, {p['licence_groups']:,} licence groups; both engines read the same CSV files "
             f"(values, ratings, refusal criteria). DuckDB {d['duckdb']} from PyPI with `SET threads={d['threads']}`; "
             f"Probity release build, {threads} query threads. Query times are medians of {d['runs']} runs with results fetched "
             "(DuckDB through its Python client). Probity's ingest parses and checks every row (the anomaly report) and builds the table; "
             "DuckDB's reads the CSV with declared column types and joins the ratings in.")
lines.append("")
lines.append("| | Probity | DuckDB | DuckDB ÷ Probity | same answer |")
lines.append("|---|---:|---:|---:|:---:|")
lines.append(f"| ingest ({p['rows']:,} rows) | {p['ingest_s']:.2f} s | {d['ingest_s']:.2f} s | {d['ingest_s']/p['ingest_s']:.2f}× | |")
for a, b in zip(p["queries"], d["queries"]):
    assert a["query"] == b["query"]
    ok = "yes" if same(a, b) else "**no**"
    lines.append(f"| {a['query']} | {ms(a['median_ms'])} | {ms(b['median_ms'])} | {b['median_ms']/a['median_ms']:.1f}× | {ok} |")
lines.append("")
lines.append(f"Import of the real files (`probity import caat ../shared/data/caat-uk` into a fresh SQLite database, release "
             f"build, median of {imp['runs']}): **{imp['import_s']:.2f} s** for {imp['rows']:,} value rows, {imp['criteria']:,} "
             f"refusal-criterion rows, {imp['ratings']} ratings and {imp.get('provenance', 0):,} rows of the files beside the "
             "values (incorporation destinations, trade sources, footnotes), parsed, checked and written in one transaction. "
             f"Baseline in the same run: Python's sqlite3 inserting the same {imp['raw_rows']:,} value rows, unchecked, into a "
             f"row table keyed as the rows are (one B-tree row each, as Probity stored them before segments) with "
             f"`executemany` in one transaction: {imp['raw_insert_s']:.2f} s "
             f"(import ÷ baseline {imp['import_s']/imp['raw_insert_s']:.1f}×). Importing the same files again: "
             f"{imp['reimport_s']:.2f} s, {imp['reimport_rows']} rows added. The 2025 release (no values file): "
             f"{imp['import_2025_s']:.2f} s.")
lines.append("")
lines.append(f"Pages at {pages['rows']:,} rows: the analytics table loaded from SQLite ({pages['db_load_s']:.1f} s, once; "
             + (f"the import of the replicated files into SQLite took {pages['db_import_s']:.0f} s; " if pages.get("db_import_s") else "")
             + f"then refreshed only when an import or a decision changes the data), each page through the whole router "
             f"in-process (server time: database freshness check, queries, template). The first view of a page runs all its queries "
             f"cold: every remembered result is forgotten before it, so nothing is borrowed from earlier pages. Queries are answered "
             f"from cells pre-aggregated when the table is built ({pages['cells']:,} cells for {pages['groups']:,} licence groups; "
             f"for queries that filter or group by a rating, the cells split by rating set into {pages['rating_cells']:,} sub-cells; "
             f"both built in {pages['cells_build_s']:.2f} s as part of the table); licence groups that fit no cell "
             f"({pages['residual_rows']:,} rows) are scanned row by row. Repeat views, by anyone, reuse the results until the data "
             f"changes: median and worst of {pages['runs']}.")
lines.append("")
lines.append("| page | first view | repeat: median | repeat: worst | bytes |")
lines.append("|---|---:|---:|---:|---:|")
for x in pages["pages"]:
    lines.append(f"| `{x['uri']}` | {ms(x['first_ms'])} | {ms(x['median_ms'])} | {ms(x['max_ms'])} | {x['bytes']:,} |")
lines.append("")
lines.append(f"After a new decision. The table is two parts answered together: the imported history (built once, rebuilt only "
             f"when an import changes it) and Probity's own decisions ({pages['probity_licences']:,} licence groups here: the demo's "
             f"decisions, seeded once into the benchmark database, and the copies added by this and earlier runs), a small part rebuilt by appending the "
             f"new outbox records to a kept builder. Each new decision below is a new outbox row (a copy of the latest real record "
             f"under a new number), then a page's first view with every remembered result forgotten: the freshness check, the "
             f"rebuild of Probity's part and all the page's queries over both parts. Refreshing the table alone after a decision: "
             f"median {ms(pages['refresh_median_ms'])}, worst {ms(pages['refresh_max_ms'])} of 7. Baseline in the same run: "
             f"rebuilding the whole table ({pages['rows']:,} rows: copy, sort, cells), which is what every decision cost before: "
             f"**{pages['whole_rebuild_s']:.2f} s**.")
lines.append("")
lines.append("| page, first view right after a new decision | server time |")
lines.append("|---|---:|")
for x in pages["after_decision"]:
    lines.append(f"| `{x['uri']}` | {ms(x['first_ms'])} |")
r = pages["restart"]
lines.append("")
lines.append(f"After a restart, at {pages['rows']:,} rows: from a new service context (what a new process has) to the first "
             f"correct answer of `GET /api/v1/stats?group_by=destination,year`. Without a snapshot the table is built from the "
             f"database: **{r['first_answer_without_s']:.2f} s** (the baseline, same run). With the snapshot that build wrote "
             f"beside the database ({r['snapshot_bytes']/1e6:.0f} MB; header, format version, payload, CRC-32, then the "
             f"imports it was built from): **{r['first_answer_with_s']:.2f} s** (median of 3), the same answer; "
             f"{r['first_answer_without_s']/r['first_answer_with_s']:.0f}× sooner. Meanwhile a server answers every other page, "
             "and `/data`, `/statistics` and the stats API say that the statistics are loading (503, Retry-After).")
lines.append("")
lines.append(f"At scale, on both backends: `probity import caat` of the replicated files ({p['rows']:,} value rows) into an empty "
             "database, from process start to exit: parsed and checked, written in one transaction (the licence rows in "
             "segments of 65,536, one `BYTEA` value each; the refusal criteria as multi-row statements on SQLite and by "
             "`COPY` on PostgreSQL), "
             "and the statistics table built from the parsed rows while they are written and kept as the snapshot, so the "
             "history is queryable when the command ends. Beside it, DuckDB's ingest of the same files in this run "
             f"({d['ingest_s']:.2f} s, above). Then `probity serve` on that database, from process start to the first "
             "correct answer of `GET /api/v1/stats?group_by=destination,year` (polled every 20 ms; best of 2), with the "
             "snapshot, and without it (the baseline: the table built from the database; the answers compared equal).")
lines.append("")
lines.append("| backend | import, to queryable | ÷ DuckDB ingest | first answer after a restart: with snapshot | without (baseline) | sooner |")
lines.append("|---|---:|---:|---:|---:|---:|")
for name, key in (("SQLite", "sqlite"), ("PostgreSQL", "postgres")):
    x = scale.get(key)
    if x is None:
        lines.append(f"| {name} | not measured (no PostgreSQL url given) | | | | |")
        continue
    lines.append(f"| {name} | {x['import_s']:.1f} s | {x['import_s']/d['ingest_s']:.1f}× | {x['first_answer_with_s']:.2f} s | "
                 f"{x['first_answer_without_s']:.1f} s | {x['first_answer_without_s']/x['first_answer_with_s']:.0f}× |")
section = "<!-- bench:analytics:begin -->\n" + "\n".join(lines) + "\n<!-- bench:analytics:end -->"
path = "BENCHMARKS.md"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
pat = re.compile(r"<!-- bench:analytics:begin -->.*?<!-- bench:analytics:end -->", re.S)
text = pat.sub(lambda _: section, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
print(section)
PY
