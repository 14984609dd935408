# Shortcuts; the scripts and the go tool are the real interface.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: run test build image
run:
	go run ./cmd/kring

test:
	./scripts/test

# The same flags as the Dockerfile.
build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/kring ./cmd/kring

image:
	KRING_VERSION=$(VERSION) docker compose build
