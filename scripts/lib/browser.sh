# shellcheck shell=bash
# Sourced helper: Debian's Chromium and ChromeDriver for Probity's browser tests.
#
#   source scripts/lib/browser.sh
#   probity_browser_missing_packages   print the Debian packages to install ("chromium",
#                                      "chromium-driver", "npm"), one a line; nothing if all
#                                      are there
#   probity_browser_env                export PROBITY_CHROMIUM and PROBITY_CHROMEDRIVER (absolute
#                                      paths); a value the caller already set is kept. Returns 1
#                                      (exporting nothing) if either program is missing.
#
# The tests start chromedriver themselves. As root, Chromium needs --no-sandbox, and on this
# machine's closed network it wants --headless --disable-gpu --disable-quic --no-first-run
# --disable-background-networking --disable-component-update --disable-sync and a fresh
# --user-data-dir (see /work/.library/env/machines/rust.md).
#
# Works under the caller's `set -euo pipefail`; sets no shell options itself.

if ! declare -F probity_log >/dev/null; then
	probity_log() { printf '==> %s\n' "$*"; }
fi

# Print the path of the first executable among the arguments (absolute paths or command names).
_probity_browser_find() {
	local c p
	for c in "$@"; do
		if [[ "$c" == /* ]]; then
			if [[ -x "$c" ]]; then
				printf '%s\n' "$c"
				return 0
			fi
		elif p=$(command -v "$c" 2>/dev/null); then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

_probity_chromium_path() {
	_probity_browser_find /usr/bin/chromium chromium
}

_probity_chromedriver_path() {
	_probity_browser_find /usr/bin/chromedriver chromedriver
}

probity_browser_missing_packages() {
	if ! _probity_chromium_path >/dev/null; then
		printf '%s\n' chromium
	fi
	if ! _probity_chromedriver_path >/dev/null; then
		printf '%s\n' chromium-driver
	fi
	# npm installs axe-core, which the browser test runs on every page (Debian's npm brings
	# Node.js with it).
	if ! command -v npm >/dev/null 2>&1; then
		printf '%s\n' npm
	fi
}

probity_browser_env() {
	local chromium=${PROBITY_CHROMIUM:-} driver=${PROBITY_CHROMEDRIVER:-}
	if [[ -z "$chromium" ]] && ! chromium=$(_probity_chromium_path); then
		printf 'error: browser: chromium not found (Debian package chromium)\n' >&2
		return 1
	fi
	if [[ -z "$driver" ]] && ! driver=$(_probity_chromedriver_path); then
		printf 'error: browser: chromedriver not found (Debian package chromium-driver)\n' >&2
		return 1
	fi
	if [[ ! -x "$chromium" ]]; then
		printf 'error: browser: PROBITY_CHROMIUM=%s is not an executable file\n' "$chromium" >&2
		return 1
	fi
	if [[ ! -x "$driver" ]]; then
		printf 'error: browser: PROBITY_CHROMEDRIVER=%s is not an executable file\n' "$driver" >&2
		return 1
	fi
	export PROBITY_CHROMIUM=$chromium PROBITY_CHROMEDRIVER=$driver

	# One line, with versions: a browser/driver major-version mismatch is the usual breakage.
	local cv dv
	cv=$(timeout 30 "$chromium" --version 2>/dev/null | head -n 1) || cv="version unknown"
	dv=$(timeout 30 "$driver" --version 2>/dev/null | head -n 1) || dv="version unknown"
	dv=${dv% (*} # drop the build hash and branch
	probity_log "browser: PROBITY_CHROMIUM=$chromium ($cv), PROBITY_CHROMEDRIVER=$driver ($dv)"
	local cmaj dmaj
	cmaj=$(sed -nE 's/.* ([0-9]+)\.[0-9.]+.*/\1/p' <<<"$cv")
	dmaj=$(sed -nE 's/^ChromeDriver ([0-9]+)\..*/\1/p' <<<"$dv")
	if [[ -n "$cmaj" && -n "$dmaj" && "$cmaj" != "$dmaj" ]]; then
		printf 'warning: browser: Chromium %s and ChromeDriver %s differ in major version\n' "$cmaj" "$dmaj" >&2
	fi
	return 0
}
