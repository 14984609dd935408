# shellcheck shell=bash
# Finds the Go toolchain and puts it and the tools `go install` builds on PATH. Sourced, not run.

ensure_go() {
	export PATH="/usr/local/go/bin:$PATH"
	if ! command -v go >/dev/null 2>&1; then
		die "Go is not installed. Install Go 1.26: download the linux tarball for go1.26 from https://go.dev/dl/,
then: rm -rf /usr/local/go && tar -C /usr/local -xzf go1.26.*.linux-amd64.tar.gz, and rerun ./scripts/test"
	fi
	local gopath
	gopath=$(go env GOPATH)
	export PATH="${gopath%%:*}/bin:$PATH"
	note "$(go version)"
}
