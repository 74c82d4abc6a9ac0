# shellcheck shell=bash
# Sourced helper: a throwaway PostgreSQL cluster for Probity's test suite.
#
#   source scripts/lib/postgres.sh
#   probity_pg_missing_packages   print the Debian package to install ("postgresql") if the
#                                 server binaries are missing; print nothing otherwise
#   probity_pg_bindir             print the directory holding initdb/pg_ctl (newest version)
#   probity_pg_start              start a cluster and export PROBITY_TEST_POSTGRES_URL; does
#                                 nothing if the caller already set PROBITY_TEST_POSTGRES_URL
#   probity_pg_stop               stop the cluster and delete its directory (idempotent)
#
# probity_pg_start installs an EXIT trap (replacing any other) that calls probity_pg_stop, so the
# cluster goes away on success, failure or interruption. The cluster:
#   - lives in a fresh `mktemp -d /tmp/probity-pg.XXXXXX` directory (data/, run/ socket dir, logs);
#   - runs as the `postgres` OS user when we are root (root cannot run postgres), else as us;
#   - trusts every local connection, superuser `postgres`, UTF8, locale C;
#   - listens on 127.0.0.1 only, port PROBITY_TEST_POSTGRES_PORT (default 54329) or the next free
#     one; fsync, synchronous_commit and full_page_writes off; max_connections 200.
# Tunable: PROBITY_TEST_POSTGRES_TIMEOUT (seconds to wait for readiness, default 60).
#
# Works under the caller's `set -euo pipefail`; sets no shell options itself.

if ! declare -F probity_log >/dev/null; then
	probity_log() { printf '==> %s\n' "$*"; }
fi

_PROBITY_PG_DIR=""
_PROBITY_PG_BINDIR=""
_PROBITY_PG_RUNAS=""

probity_pg_bindir() {
	local d
	local -a found=()
	for d in /usr/lib/postgresql/*/bin; do
		if [[ -x "$d/pg_ctl" && -x "$d/initdb" && -x "$d/postgres" ]]; then
			found+=("$d")
		fi
	done
	if ((${#found[@]} > 0)); then
		printf '%s\n' "${found[@]}" | sort -V | tail -n 1
		return 0
	fi
	# Not Debian's layout: whatever pg_ctl is on PATH, if initdb and postgres sit beside it.
	if d=$(command -v pg_ctl 2>/dev/null); then
		d=$(dirname "$(readlink -f "$d")")
		if [[ -x "$d/initdb" && -x "$d/postgres" ]]; then
			printf '%s\n' "$d"
			return 0
		fi
	fi
	return 1
}

probity_pg_missing_packages() {
	if ! probity_pg_bindir >/dev/null; then
		printf '%s\n' postgresql
	fi
}

# Run a command as the cluster's OS owner, from inside the cluster directory (the caller's working
# directory may be unreadable to that user, e.g. a clone under /root).
_probity_pg_as_owner() {
	if [[ -z "$_PROBITY_PG_RUNAS" ]]; then
		(cd "$_PROBITY_PG_DIR" && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd "$_PROBITY_PG_DIR" && runuser -u "$_PROBITY_PG_RUNAS" -- "$@")
	else
		local quoted
		quoted=$(printf '%q ' "$@")
		(cd "$_PROBITY_PG_DIR" && su -s /bin/bash "$_PROBITY_PG_RUNAS" -c "$quoted")
	fi
}

# True if something accepts TCP connections on 127.0.0.1:$1.
_probity_pg_port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_probity_pg_fail() {
	local msg=$1 log=${2:-}
	printf 'error: postgres: %s\n' "$msg" >&2
	if [[ -n "$log" && -s "$log" ]]; then
		printf -- '--- last lines of %s ---\n' "$log" >&2
		tail -n 30 "$log" >&2 || true
		printf -- '---\n' >&2
	fi
	return 1
}

probity_pg_start() {
	if [[ -n "${PROBITY_TEST_POSTGRES_URL:-}" ]]; then
		export PROBITY_TEST_POSTGRES_URL
		# Show the URL without any password.
		probity_log "postgres: using the caller's PROBITY_TEST_POSTGRES_URL ($(printf '%s' "$PROBITY_TEST_POSTGRES_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')); starting nothing"
		return 0
	fi
	if [[ -n "$_PROBITY_PG_DIR" ]]; then
		_probity_pg_fail "a cluster is already running in $_PROBITY_PG_DIR"
		return 1
	fi

	local bindir
	if ! bindir=$(probity_pg_bindir); then
		_probity_pg_fail "no PostgreSQL server found (initdb/pg_ctl under /usr/lib/postgresql/*/bin); install the Debian package 'postgresql'"
		return 1
	fi
	_PROBITY_PG_BINDIR=$bindir

	local runas=""
	if [[ "$(id -u)" -eq 0 ]]; then
		if ! id -u postgres >/dev/null 2>&1; then
			_probity_pg_fail "running as root but there is no 'postgres' OS user to own the cluster (it comes with the 'postgresql' package)"
			return 1
		fi
		runas=postgres
	fi

	local dir
	dir=$(mktemp -d /tmp/probity-pg.XXXXXX)
	_PROBITY_PG_DIR=$dir
	_PROBITY_PG_RUNAS=$runas
	# From here on, leave nothing behind whatever happens.
	trap 'probity_pg_stop' EXIT
	if [[ $- != *i* ]]; then
		trap 'exit 129' HUP
		trap 'exit 130' INT
		trap 'exit 143' TERM
	fi

	chmod 700 "$dir"
	mkdir -m 700 "$dir/run"
	: >"$dir/postgres.log"
	if [[ -n "$runas" ]]; then
		chown -R "$runas:" "$dir"
	fi

	if ! _probity_pg_as_owner "$bindir/initdb" -D "$dir/data" --auth=trust -U postgres \
		--encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
		_probity_pg_fail "initdb failed" "$dir/initdb.log"
		return 1
	fi
	# Appended last, so these win over initdb's defaults. The path has no quotes or spaces (mktemp).
	cat >>"$dir/data/postgresql.conf" <<-EOF

		# --- probity throwaway test cluster (scripts/lib/postgres.sh) ---
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$dir/run'
		max_connections = 200
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		logging_collector = off
		log_min_messages = warning
	EOF

	local port=${PROBITY_TEST_POSTGRES_PORT:-54329}
	local timeout=${PROBITY_TEST_POSTGRES_TIMEOUT:-60}
	local attempt started=""
	for ((attempt = 0; attempt < 20; attempt++, port++)); do
		if _probity_pg_port_busy "$port"; then
			continue
		fi
		: >"$dir/postgres.log"
		if _probity_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" \
			-o "-p $port" -w -t "$timeout" start >"$dir/pg_ctl.log" 2>&1; then
			started=1
			break
		fi
		# Lost a race for the port: try the next one; any other failure is final.
		if grep -q -e 'already in use' -e 'could not bind' -e 'could not create any TCP/IP sockets' \
			"$dir/postgres.log"; then
			continue
		fi
		cat "$dir/pg_ctl.log" >>"$dir/postgres.log" 2>/dev/null || true
		_probity_pg_fail "the server did not start" "$dir/postgres.log"
		return 1
	done
	if [[ -z "$started" ]]; then
		_probity_pg_fail "no free port among the 20 from ${PROBITY_TEST_POSTGRES_PORT:-54329}" "$dir/postgres.log"
		return 1
	fi

	local deadline=$((SECONDS + timeout))
	until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 2; do
		if ((SECONDS >= deadline)); then
			_probity_pg_fail "not ready on 127.0.0.1:$port after ${timeout}s (pg_isready)" "$dir/postgres.log"
			return 1
		fi
		sleep 0.2
	done

	export PROBITY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
	probity_log "postgres: $("$bindir/postgres" --version) ready at $PROBITY_TEST_POSTGRES_URL (dir $dir)"
}

# Silent on success: it runs from the EXIT trap, after the test runner's closing lines.
probity_pg_stop() {
	local dir=$_PROBITY_PG_DIR
	[[ -n "$dir" ]] || return 0
	_PROBITY_PG_DIR=""
	if [[ -d "$dir" ]]; then
		if [[ -f "$dir/data/postmaster.pid" ]]; then
			local bindir=$_PROBITY_PG_BINDIR
			# _probity_pg_as_owner needs the directory variable back for its cd.
			_PROBITY_PG_DIR=$dir
			_probity_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
				_probity_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 ||
				true
			_PROBITY_PG_DIR=""
			if [[ -f "$dir/data/postmaster.pid" ]]; then
				local pid=""
				read -r pid <"$dir/data/postmaster.pid" || true
				if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
					printf 'warning: postgres: pg_ctl stop failed; killing postmaster %s\n' "$pid" >&2
					kill -KILL "$pid" 2>/dev/null || true
					sleep 0.5
				fi
			fi
		fi
		rm -rf -- "$dir" || printf 'warning: postgres: could not remove %s\n' "$dir" >&2
	fi
	return 0
}
