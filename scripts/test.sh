#!/usr/bin/env bash
# Probity's one test command; CI runs it through .ci/run. `scripts/test.sh --help` explains.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: scripts/test.sh [--no-provision] [-- EXTRA_TEST_ARGS...]

Probity's one test command, the same for developers and CI (.ci/run execs it).

 1. Provision: install the Debian packages postgresql, chromium, chromium-driver and npm if
    missing, then axe-core from the npm registry into crates/cli/tests/a11y (npm ci) (apt-get update, once, then apt-get install --no-install-recommends; as root,
    or through sudo).
 2. Start a throwaway PostgreSQL cluster (owned by the `postgres` OS user when run as root)
    in /tmp/probity-pg.XXXXXX, on 127.0.0.1 port 54329 or the next free one; it is stopped
    and deleted when this script exits, however it exits.
 3. Export the environment the tests read (below).
 4. Run, stopping at the first step that fails:
      cargo fmt --all -- --check
      cargo clippy --workspace --all-targets --locked -- -D warnings
      cargo test --workspace --doc --locked                  (only with nextest; it skips doc tests)
      cargo nextest run --workspace --locked --no-fail-fast  (--profile ci when CI=true)
    or, without cargo-nextest, `cargo test --workspace --locked` instead of the last two.
    The test runner runs last, so its own summary lines close the output.

Options:
  --no-provision   install nothing: use what is installed. The PostgreSQL cluster is still
                   started when a server is installed and PROBITY_TEST_POSTGRES_URL is unset;
                   a missing server or browser is a warning and its variables stay unset.
  -- ARGS...       passed to the test runner after the standard arguments, e.g. a filter:
                   scripts/test.sh -- -E 'test(register)'    (nextest)
                   Doc tests are skipped when ARGS are given.
  -h, --help       this text.

Environment read:
  CI=true                        CARGO_TERM_COLOR=never, CARGO_INCREMENTAL=0, nextest --profile ci
  PROBITY_TEST_POSTGRES_URL      use this server and start none
  PROBITY_TEST_POSTGRES_PORT     first port to try for the throwaway cluster (default 54329)
  PROBITY_TEST_POSTGRES_TIMEOUT  seconds to wait for the cluster to be ready (default 60)
  PROBITY_CHROMIUM, PROBITY_CHROMEDRIVER   use these binaries instead of /usr/bin/...
  PROBITY_TEST_NO_PROVISION=1    same as --no-provision
  PROBITY_TEST_SKIP_CARGO=1      dry run, for checking this script: provision, start the
                                 services, print the environment and the cargo commands that
                                 would run, then stop (and clean up) without running cargo

Environment exported to the tests:
  PROBITY_TEST_POSTGRES_URL  postgres://postgres@127.0.0.1:PORT/postgres (superuser, trust
                             auth; the tests may CREATE DATABASE; max_connections=200)
  PROBITY_CHROMIUM           /usr/bin/chromium
  PROBITY_CHROMEDRIVER       /usr/bin/chromedriver (the tests start it themselves)
  PROBITY_SHARED_DATA        absolute path of ../shared/data, when that exists (read-only)
  RUST_BACKTRACE=1           unless already set
EOF
}

provision=1
if [[ "${PROBITY_TEST_NO_PROVISION:-}" == 1 ]]; then
	provision=0
fi
extra=()
while (($# > 0)); do
	case "$1" in
	-h | --help)
		usage
		exit 0
		;;
	--no-provision)
		provision=0
		;;
	--)
		shift
		extra=("$@")
		break
		;;
	*)
		printf 'error: unknown argument %q (see scripts/test.sh --help)\n' "$1" >&2
		exit 2
		;;
	esac
	shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

probity_log() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# shellcheck source=scripts/lib/postgres.sh
source "$root/scripts/lib/postgres.sh"
# shellcheck source=scripts/lib/browser.sh
source "$root/scripts/lib/browser.sh"

ci=0
case "${CI:-}" in
true | TRUE | True | 1 | yes) ci=1 ;;
esac

export RUST_BACKTRACE="${RUST_BACKTRACE:-1}"
if ((ci)); then
	export CARGO_TERM_COLOR=never CARGO_INCREMENTAL=0
fi

probity_log "probity tests in $root (CI=${CI:-unset}, provision=$provision)"

# --- 1. packages --------------------------------------------------------------------------------
provision_packages() {
	local -a missing=() sudo=()
	mapfile -t missing < <(
		probity_pg_missing_packages
		probity_browser_missing_packages
	)
	if ((${#missing[@]} == 0)); then
		probity_log "provision: postgresql, chromium, chromium-driver, npm already installed"
		return 0
	fi
	command -v apt-get >/dev/null 2>&1 ||
		die "missing ${missing[*]} and no apt-get here: install them by hand, or use --no-provision"
	if [[ "$(id -u)" -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 ||
			die "missing ${missing[*]}: run as root, install them by hand, or use --no-provision"
		sudo=(sudo)
	fi

	local log
	log=$(mktemp /tmp/probity-apt.XXXXXX)
	local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0
		-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)

	probity_log "provision: apt-get update (missing: ${missing[*]})"
	if ! ${sudo[@]+"${sudo[@]}"} "${apt[@]}" update >"$log" 2>&1; then
		tail -n 30 "$log" >&2 || true
		rm -f "$log"
		die "apt-get update failed"
	fi
	probity_log "provision: apt-get install ${missing[*]}"
	if ! ${sudo[@]+"${sudo[@]}"} "${apt[@]}" install -y --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		"${missing[@]}" >"$log" 2>&1; then
		tail -n 30 "$log" >&2 || true
		rm -f "$log"
		die "apt-get install ${missing[*]} failed"
	fi
	rm -f "$log"

	mapfile -t missing < <(
		probity_pg_missing_packages
		probity_browser_missing_packages
	)
	if ((${#missing[@]} > 0)); then
		die "still missing after apt-get install: ${missing[*]}"
	fi
	probity_log "provision: installed"
}

if ((provision)); then
	provision_packages
else
	probity_log "provision: skipped (--no-provision)"
fi

# --- 2. services and environment ----------------------------------------------------------------
if ((provision)) || [[ -n "${PROBITY_TEST_POSTGRES_URL:-}" ]] || probity_pg_bindir >/dev/null; then
	probity_pg_start # exits the script on failure; its EXIT trap stops the cluster
else
	warn "postgres: no server installed (--no-provision): PROBITY_TEST_POSTGRES_URL stays unset"
fi

if ! probity_browser_env; then
	if ((provision)); then
		die "browser: chromium/chromedriver unusable after provisioning"
	fi
	warn "browser: PROBITY_CHROMIUM/PROBITY_CHROMEDRIVER stay unset (--no-provision)"
fi

# axe-core for the browser test's accessibility checks, from the npm registry into the test's
# own folder (pinned by its package-lock.json); nothing is fetched while the tests run.
a11y="$root/crates/cli/tests/a11y"
if [[ -f "$a11y/node_modules/axe-core/axe.min.js" ]]; then
	probity_log "a11y: axe-core already installed in $a11y"
elif ((provision)) && command -v npm >/dev/null 2>&1; then
	probity_log "a11y: npm ci (axe-core) in $a11y"
	(cd "$a11y" && npm ci --no-audit --no-fund --loglevel=error) || die "a11y: npm ci failed in $a11y"
else
	warn "a11y: axe-core not installed (no npm, or --no-provision): the browser test will fail saying so"
fi
export PROBITY_AXE="$a11y/node_modules/axe-core/axe.min.js"

if [[ -z "${PROBITY_SHARED_DATA:-}" && -d "$root/../shared/data" ]]; then
	PROBITY_SHARED_DATA=$(cd "$root/../shared/data" && pwd)
	export PROBITY_SHARED_DATA
fi
if [[ -n "${PROBITY_SHARED_DATA:-}" ]]; then
	probity_log "data: PROBITY_SHARED_DATA=$PROBITY_SHARED_DATA"
fi

# --- 3. the checks ------------------------------------------------------------------------------
nextest=0
if cargo nextest --version >/dev/null 2>&1; then
	nextest=1
fi
toolchain="$(cargo --version); $(rustc --version 2>/dev/null || echo 'rustc: not found')"
if ((nextest)); then
	toolchain+="; $(cargo nextest --version 2>/dev/null | head -n 1)"
fi
probity_log "toolchain: $toolchain"

declare -a tests_cmd doc_cmd=()
if ((nextest)); then
	tests_cmd=(cargo nextest run --workspace --locked --no-fail-fast)
	if ((ci)) && [[ -f .config/nextest.toml ]] && grep -q '^\[profile\.ci\]' .config/nextest.toml; then
		tests_cmd+=(--profile ci)
	fi
	if ((${#extra[@]} == 0)); then
		# Before the runner, not after, so that the runner's summary closes the output.
		doc_cmd=(cargo test --workspace --doc --locked)
	fi
else
	tests_cmd=(cargo test --workspace --locked)
fi
tests_cmd+=(${extra[@]+"${extra[@]}"})

fmt_cmd=(cargo fmt --all -- --check)
if ((ci)); then
	fmt_cmd+=(--color never) # rustfmt colours its diff whatever CARGO_TERM_COLOR says
fi

# Run one step; on failure, say which and exit with its status.
step() {
	local name=$1 start=$SECONDS rc=0
	shift
	probity_log "$name: $*"
	"$@" || rc=$?
	if ((rc != 0)); then
		printf 'error: %s failed (exit %d): %s\n' "$name" "$rc" "$*" >&2
		exit "$rc"
	fi
	probity_log "$name: ok ($((SECONDS - start))s)"
}

if [[ "${PROBITY_TEST_SKIP_CARGO:-}" == 1 ]]; then
	probity_log "dry run (PROBITY_TEST_SKIP_CARGO=1); the environment the tests would see:"
	for v in PROBITY_TEST_POSTGRES_URL PROBITY_CHROMIUM PROBITY_CHROMEDRIVER PROBITY_AXE PROBITY_SHARED_DATA \
		RUST_BACKTRACE CARGO_TERM_COLOR CARGO_INCREMENTAL; do
		printf '    %s=%s\n' "$v" "${!v-<unset>}"
	done
	probity_log "would run:"
	printf '    %s\n' "${fmt_cmd[*]}" \
		"cargo clippy --workspace --all-targets --locked -- -D warnings"
	if ((${#doc_cmd[@]} > 0)); then
		printf '    %s\n' "${doc_cmd[*]}"
	fi
	printf '    %s\n' "${tests_cmd[*]}"
	probity_log "dry run: stopping before cargo"
	exit 0
fi

step fmt "${fmt_cmd[@]}"
step clippy cargo clippy --workspace --all-targets --locked -- -D warnings
if ((${#doc_cmd[@]} > 0)); then
	step doctests "${doc_cmd[@]}"
fi

# Last, and nothing printed after it: CI reads the runner's own closing lines. (The EXIT trap
# that stops PostgreSQL is silent.)
probity_log "tests: ${tests_cmd[*]}"
rc=0
"${tests_cmd[@]}" || rc=$?
exit "$rc"
