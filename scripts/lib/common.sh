# shellcheck shell=bash
# Messages, timing and the apt-get helper shared by scripts/test and its parts. Sourced, not run.

# heading prints a step title so a long log can be scanned for where it failed.
heading() {
	printf '\n== %s\n' "$*"
}

# note prints progress that is not a step of its own.
note() {
	printf -- '-- %s\n' "$*"
}

# die stops the run with a message saying what is wrong and what to do about it.
die() {
	printf '\nscripts/test: %s\n' "$*" >&2
	exit 1
}

# elapsed formats a number of seconds as 1m05s.
elapsed() {
	printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

is_root() {
	[[ $(id -u) -eq 0 ]]
}

# can_apt_install is true where this script may install Debian packages itself: root on a Debian
# (or derived) system. Everywhere else it tells the user what to install instead.
can_apt_install() {
	is_root && command -v apt-get >/dev/null 2>&1 && [[ -f /etc/debian_version ]]
}

# apt_install installs Debian packages without recommends (docker-compose would otherwise pull in a
# whole Docker engine), without prompts, and quietly; the log is shown only when it fails. The
# package lists are refreshed once per run.
APT_UPDATED=${APT_UPDATED:-}
apt_install() {
	local log
	log=$(mktemp)
	note "installing with apt-get: $*"
	if [[ -z $APT_UPDATED ]]; then
		if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >"$log" 2>&1; then
			cat "$log" >&2
			rm -f "$log"
			die "apt-get update failed (output above); fix the package sources and rerun"
		fi
		APT_UPDATED=1
	fi
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		die "apt-get install $* failed (output above)"
	fi
	rm -f "$log"
}

# wait_until retries a command once a second until it succeeds or the seconds run out.
wait_until() {
	local seconds=$1
	shift
	local i
	for ((i = 0; i < seconds; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 1
	done
	"$@" >/dev/null 2>&1
}
