"""Import and restart timing at scale for scripts/bench-analytics.sh, on SQLite and PostgreSQL.

For each backend: `probity import caat <replicated files>` into an empty database, timed from
process start to exit (parsed, checked, written in one transaction, and the statistics table
built and kept as the snapshot: imported and queryable). Then `probity serve` on that database,
timed from process start to the first correct answer of GET /api/v1/stats (polled every 20 ms),
with the snapshot and, as the baseline, without it (the table built from the database). The
answers with and without the snapshot are compared. Prints one JSON object.

python import_scale.py <probity binary> <caat dir> <work dir> [postgres admin url]
The PostgreSQL part runs when an admin url (postgres://user@host:port/postgres) is given; it
creates and drops a database of its own.
"""
import json, os, socket, subprocess, sys, time, urllib.error, urllib.request

probity, data, work = sys.argv[1], sys.argv[2], sys.argv[3]
admin = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
os.makedirs(work, exist_ok=True)
QUERY = "/api/v1/stats?group_by=destination,year"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def import_into(url, snapshot):
    t = time.perf_counter()
    out = subprocess.run(
        [probity, "import", "caat", data, "--database-url", url, "--analytics-snapshot", snapshot, "--json"],
        check=True, capture_output=True, text=True,
    )
    return time.perf_counter() - t, json.loads(out.stdout)


def first_answer(url, snapshot):
    """Seconds from starting `probity serve` to the first 200 of the stats query, and its body."""
    port = free_port()
    env = dict(os.environ, RUST_LOG="warn")
    t = time.perf_counter()
    server = subprocess.Popen(
        [probity, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", url,
         "--analytics-snapshot", snapshot],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit(f"probity serve exited with {server.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{QUERY}", timeout=30) as r:
                    body = r.read()
                    return time.perf_counter() - t, json.loads(body)
            except (urllib.error.URLError, ConnectionError):
                # Not listening yet, or 503 while the statistics load.
                time.sleep(0.02)
            if time.perf_counter() - t > 900:
                raise SystemExit("no answer in 15 minutes")
    finally:
        server.terminate()
        server.wait()


def backend(name, url, snapshot):
    if os.path.exists(snapshot):
        os.remove(snapshot)
    import_s, outcome = import_into(url, snapshot)
    assert os.path.exists(snapshot), "the import kept the statistics table"
    with_s, answer = first_answer(url, snapshot)
    with_again, _ = first_answer(url, snapshot)
    os.remove(snapshot)
    # Without a snapshot: built from the database (and written again).
    without_s, built = first_answer(url, snapshot)
    assert built == answer, f"{name}: the snapshot's answer differs from the database's"
    print(f"{name}: import {import_s:.1f} s; first answer {min(with_s, with_again):.2f} s with the "
          f"snapshot, {without_s:.1f} s without", file=sys.stderr)
    return {
        "rows": outcome["rows_inserted"],
        "import_s": import_s,
        "first_answer_with_s": min(with_s, with_again),
        "first_answer_without_s": without_s,
    }


result = {}
db = os.path.join(work, "scale.db")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(db + suffix):
        os.remove(db + suffix)
result["sqlite"] = backend("SQLite", f"sqlite://{db}", db + ".analytics")
if admin:
    base = admin.rsplit("/", 1)[0]
    name = "probity_bench_scale"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        result["postgres"] = backend("PostgreSQL", f"{base}/{name}", os.path.join(work, "scale-pg.analytics"))
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
print(json.dumps(result))
