# syntax=docker/dockerfile:1
# Kring's production image: one static binary on a small Debian base. The same image runs
# `kring serve`, `kring worker` and `kring migrate up` (see docker-compose.yml); with no arguments it
# runs everything in one process on SQLite in /data.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
# CGO is off: the SQLite driver is pure Go, so the binary needs no C library at run time.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kring ./cmd/kring

FROM debian:bookworm-slim
# ca-certificates: remote fetches and deliveries are https. tzdata: scheduled posts name time zones.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin kring \
    && mkdir -p /data \
    && chown kring:kring /data
COPY --from=build /out/kring /usr/local/bin/kring
USER kring
WORKDIR /data
ENV KRING_DATA_DIR=/data \
    KRING_LISTEN=0.0.0.0:8080
VOLUME ["/data"]
# 8080: the site, or with KRING_TLS=acme the plain listener (challenges, redirects); 8443: HTTPS.
EXPOSE 8080 8443
# Health checks live in docker-compose.yml and use the binary itself: `kring probe URL`.
ENTRYPOINT ["kring"]
CMD ["all"]
