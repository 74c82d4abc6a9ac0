"""Import timing for scripts/bench-analytics.sh: `probity import caat` of the real CAAT files into
a fresh SQLite database (median of `runs`), a re-import of the same files (idempotent: adds
nothing), the 2025 release, and a same-run baseline: Python's sqlite3 reading values.csv and
inserting the same rows into a row table keyed as the rows are (one B-tree row each, as Probity
stored them before segments; WAL, synchronous=FULL) with executemany in one transaction — the cost of the bare inserts, with no checks, anomaly
report, ratings or criteria. Prints one JSON object.

python import_compare.py <probity binary> <caat-uk dir> <work dir> [runs]
"""
import csv, json, os, sqlite3, statistics, subprocess, sys, time

probity, src, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 3
os.makedirs(work, exist_ok=True)


def fresh(name):
    path = os.path.join(work, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def timed_import(directory, db):
    t = time.perf_counter()
    out = subprocess.run(
        [probity, "import", "caat", directory, "--database-url", f"sqlite://{db}", "--json"],
        check=True, capture_output=True, text=True,
    )
    return time.perf_counter() - t, json.loads(out.stdout)


imports, outcome = [], None
for k in range(runs):
    s, outcome = timed_import(src, fresh("import-real.db"))
    imports.append(s)
again, second = timed_import(src, os.path.join(work, "import-real.db"))
s2025, _ = timed_import(os.path.join(src, "2025"), fresh("import-2025.db"))


def raw_insert():
    db = fresh("raw-insert.db")
    t = time.perf_counter()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    con.execute(
        "CREATE TABLE historic_licence_rows (source TEXT NOT NULL, licence_group BIGINT NOT NULL, "
        "rating TEXT NOT NULL, occurrence BIGINT NOT NULL, line BIGINT NOT NULL, decided_on TEXT NOT NULL, "
        "destination TEXT NOT NULL, iso2 TEXT NOT NULL, refused BIGINT NOT NULL, value_gbp BIGINT, "
        "licence_count BIGINT, rating_as_published TEXT, outlier BIGINT NOT NULL, import_run TEXT NOT NULL, "
        "PRIMARY KEY (source, licence_group, rating, occurrence))"
    )
    seen = {}
    rows = []
    with open(os.path.join(src, "values-2008-2015q1.csv"), encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for line, (group, date, rating, count, value, country, refused) in enumerate(r, start=2):
            key = (group, rating)
            seen[key] = seen.get(key, 0) + 1
            rows.append(("caat-uk/licence_group", int(group), rating, seen[key], line, date, country, "",
                         int(refused), int(value) if value else None, int(count) if count else None,
                         None, 0, "raw"))
    con.execute("BEGIN")
    con.executemany("INSERT INTO historic_licence_rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT DO NOTHING", rows)
    con.execute("COMMIT")
    con.close()
    return time.perf_counter() - t, len(rows)


raws = [raw_insert() for _ in range(runs)]
print(json.dumps({
    "runs": runs,
    "rows": outcome["rows_inserted"],
    "criteria": outcome["criteria_inserted"],
    "ratings": outcome["ratings_inserted"],
    "provenance": sum(outcome["provenance_inserted"].values()),
    "import_s": statistics.median(imports),
    "reimport_s": again,
    "reimport_rows": second["rows_inserted"],
    "import_2025_s": s2025,
    "raw_insert_s": statistics.median(s for s, _ in raws),
    "raw_rows": raws[0][1],
}))
