# shellcheck shell=bash disable=SC2034 # COMPOSE is read by scripts/test
# Installs the tools the checks need when they are missing. Each is idempotent and quiet when the
# tool is already there. Sourced, not run.

# The staticcheck release known to understand Go 1.26.
STATICCHECK_VERSION=v0.8.2

ensure_staticcheck() {
	if staticcheck -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})"; then
		return 0
	fi
	note "installing staticcheck ${STATICCHECK_VERSION}"
	go install "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}" ||
		die "could not install staticcheck; run: go install honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}"
}

# COMPOSE holds the command that validates docker-compose.yml: Debian's docker-compose (1.29), or the
# Docker CLI's compose plugin where that is what the machine has.
COMPOSE=()
ensure_compose_validator() {
	if command -v docker-compose >/dev/null 2>&1; then
		COMPOSE=(docker-compose)
		return 0
	fi
	if docker compose version >/dev/null 2>&1; then
		COMPOSE=(docker compose)
		return 0
	fi
	if can_apt_install; then
		apt_install docker-compose
		COMPOSE=(docker-compose)
		return 0
	fi
	die "docker-compose is needed to validate docker-compose.yml and is not installed.
On Debian run: sudo apt-get install -y --no-install-recommends docker-compose (or install Docker's compose plugin), then rerun ./scripts/test"
}

# CHROMIUM is where the browser tests (test/e2e) look for Debian's chromium.
CHROMIUM=/usr/bin/chromium

ensure_chromium() {
	if [[ -x $CHROMIUM ]]; then
		return 0
	fi
	if can_apt_install; then
		apt_install chromium
		[[ -x $CHROMIUM ]] || die "apt-get installed chromium but $CHROMIUM is not there"
		return 0
	fi
	die "the browser tests (test/e2e) need headless Chromium at $CHROMIUM and it is not installed.
On Debian run: sudo apt-get install -y --no-install-recommends chromium, then rerun ./scripts/test"
}

ensure_test_tools() {
	ensure_staticcheck
	ensure_compose_validator
	ensure_interop_peer
	ensure_chromium
}
