# shellcheck shell=bash
# Installs the interop peer (test/interop/peer: Fedify on the Node 22 that npm's `node` package
# ships) from its lockfile when the installed copy is missing or older than the lockfile. Sourced.

PEER_DIR=test/interop/peer

ensure_interop_peer() {
	local stamp="$PEER_DIR/node_modules/.kring-installed"
	if [[ -f $stamp && $stamp -nt $PEER_DIR/package-lock.json && -x $PEER_DIR/node_modules/.bin/node ]]; then
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		if can_apt_install; then
			apt_install npm
		else
			die "npm is needed to install the interop peer (test/interop/peer). On Debian run: sudo apt-get install -y npm, then rerun ./scripts/test"
		fi
	fi
	note "installing the interop peer (Fedify, Node 22) in $PEER_DIR"
	local log
	log=$(mktemp)
	if ! (cd "$PEER_DIR" && npm ci --no-audit --no-fund </dev/null >"$log" 2>&1); then
		cat "$log" >&2
		rm -f "$log"
		die "npm ci in $PEER_DIR failed (output above)"
	fi
	rm -f "$log"
	"$PEER_DIR/node_modules/.bin/node" --version >/dev/null ||
		die "the Node 22 binary of the interop peer does not run ($PEER_DIR/node_modules/.bin/node)"
	touch "$stamp"
}
